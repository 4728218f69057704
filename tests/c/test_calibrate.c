/* The calibration library (sim/calibrate/): loading, simulated moments
 * under common random numbers, an estimation, the output; small enough to
 * run under the sanitizers (the end-to-end checks are in test_calibrate.py). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibrate/calibrate.h"
#include "zz_test.h"

static char dir[256];

static void put(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static const char *at(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/zz_calXXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    put("s.lua", "scenario { name = \"s\", start = \"2026-01-01\", years = 1, seed = 1, replications = 2 }\n"
                 "population { firms = 1500 }\n"
                 "decision \"economic\" {}\n");
    put("c.lua", "calibrate { scenario = \"s.lua\", replications = 2, seed = 5, starts = 4, evaluations = 10 }\n"
                 "free \"population.hurdle_mean\" { 0.3, 1.4 }\n"
                 "free \"population.initial_adoption\" { 0.2, 0.5 }\n"
                 "moment \"a\" { kind = \"share\", group = { gsz = true }, at = \"2026-01-31\", value = 0.35, se = 0.02 }\n"
                 "moment \"b\" { kind = \"hazard\", group = {}, from = \"2026-01-01\", to = \"2026-12-31\", value = 0.03, se = 0.003 }\n"
                 "moment \"c\" { kind = \"ratio\", groups = { { size = \"large\" }, { size = { \"small\", \"medium\" } } }, at = \"2026-03-31\", value = 3, se = 0.5 }\n");
    put("bad.lua", "calibrate { scenario = \"s.lua\" }\n"
                   "free \"population.hurdle_man\" { 0.3, 1.4 }\n"
                   "moment \"a\" { kind = \"share\", group = {}, at = \"2026-01-31\", value = 0.35, se = 0.02 }\n");

    zz_calibration *c;
    int rc = zz_calibration_open(&c, at("c.lua"));
    CHECKF(rc == ZZ_OK, "%.400s", c->errmsg);
    if (rc == ZZ_OK) {
        zz_msim *m;
        CHECK(zz_msim_open(&m, c, 2) == ZZ_OK);
        double th[2] = {0.9, 0.35}, th2[2] = {1.2, 0.35}, m1[3], m2[3], m3[3];
        char err[1024];
        CHECK(zz_msim_eval(m, th, 0, m1, err, sizeof err) == ZZ_OK);
        CHECK(zz_msim_eval(m, th2, 0, m3, err, sizeof err) == ZZ_OK);
        CHECK(zz_msim_eval(m, th, 0, m2, err, sizeof err) == ZZ_OK);
        /* common random numbers: the same theta gives the same moments */
        CHECK(!memcmp(m1, m2, sizeof m1));
        CHECK(m1[1] != m3[1]);   /* a higher hurdle changes the yearly rate */
        CHECK(m1[0] > 0 && m1[0] < 1 && m1[1] > 0 && m1[1] < 1 && m1[2] > 1);
        zz_msm_options opt = {.output = at("c.h5")};
        zz_msm_result res;
        rc = zz_msm_estimate(m, c, &opt, &res, err, sizeof err);
        CHECKF(rc == ZZ_OK, "%.400s", err);
        if (rc == ZZ_OK) {
            CHECK(res.ntrace > c->starts + 4);
            for (int f = 0; f < 2; f++) {
                CHECK(res.estimate[f] >= c->ex->factor[f].lo && res.estimate[f] <= c->ex->factor[f].hi);
                CHECK(res.std_error[f] > 0);
            }
            CHECK(res.dof == 1 && res.j_statistic >= 0 && res.j_pvalue >= 0 && res.j_pvalue <= 1);
            CHECK(zz_calibration_write(c, &res, at("c.h5"), NULL, err, sizeof err) == ZZ_OK);
            CHECK(access(at("c.h5"), R_OK) == 0);
            CHECK(zz_calibration_fragment(c, &res, at("c.h5"), err, sizeof err) == ZZ_OK);
            CHECK(access(at("calibrated.lua"), R_OK) == 0);
        }
        zz_msm_result_free(&res);
        zz_msim_close(m);
    }
    zz_calibration_close(c);

    rc = zz_calibration_open(&c, at("bad.lua"));
    CHECK(rc == ZZ_SCENARIO);
    CHECKF(strstr(c->errmsg, "bad.lua:2:") && strstr(c->errmsg, "hurdle_man"), "%.400s", c->errmsg);
    zz_calibration_close(c);

    const char *files[] = {"s.lua", "c.lua", "bad.lua", "c.h5", "c.h5.partial", "calibrated.lua"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        remove(at(files[i]));
    rmdir(dir);
    return zz_test_finish();
}

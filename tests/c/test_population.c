/*
 * The firm population: the synthetic generator's statistics against its
 * parameters (tolerances are 5 binomial standard errors, so a correct
 * generator fails about once in 1.7 million runs per check), its
 * reproducibility, and the CSV loader on good and bad files.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include "zz_test.h"
#include "model/population.h"
#include "policy/policy.h"
#include "scenario/scenario.h"
#include "zz_fixture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NSYN 200000

/* 5 standard errors of a sample share of n draws with probability p */
static double tol(double p, double n)
{
    return 5 * sqrt(p * (1 - p) / n) + 1e-12;
}

static void check_contains(const char *err, const char *what, const char *case_name)
{
    CHECKF(strstr(err, what) != NULL, "%s: error \"%s\" lacks \"%s\"", case_name, err, what);
}

static int same_firm(const struct zz_population *a, int64_t i, const struct zz_population *b,
                     int64_t j)
{
    return a->city[i] == b->city[j] && a->industry[i] == b->industry[j] &&
           a->size[i] == b->size[j] && a->flags[i] == b->flags[j] &&
           a->revenue[i] == b->revenue[j] && a->readiness[i] == b->readiness[j] &&
           a->liquidity[i] == b->liquidity[j] && a->hurdle[i] == b->hurdle[j] &&
           a->capability[i] == b->capability[j];
}

static int identical(const struct zz_population *a, const struct zz_population *b)
{
    if (a->n != b->n || a->ncities != b->ncities || a->nindustries != b->nindustries)
        return 0;
    size_t n = (size_t)a->n, cells = (size_t)a->ncities * (size_t)a->nindustries * ZZ_NSIZES;
    return !memcmp(a->city, b->city, n) && !memcmp(a->industry, b->industry, n) &&
           !memcmp(a->size, b->size, n) && !memcmp(a->flags, b->flags, n) &&
           !memcmp(a->revenue, b->revenue, n * 4) && !memcmp(a->readiness, b->readiness, n * 4) &&
           !memcmp(a->liquidity, b->liquidity, n * 4) && !memcmp(a->hurdle, b->hurdle, n * 4) &&
           !memcmp(a->capability, b->capability, n * 4) && !memcmp(a->leader, b->leader, n * 4) &&
           !memcmp(a->cell_firms, b->cell_firms, cells * 4) &&
           !memcmp(a->cell_firms_gsz, b->cell_firms_gsz, cells * 4);
}

static int find_name(const char (*names)[ZZ_NAME_LEN], int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* by_capability lists every firm once, from the most capable down, ties
 * by index (what the contest and equity screens walk): 0 if so. */
static int64_t capability_order_errors(const struct zz_population *p)
{
    uint8_t *seen = calloc((size_t)p->n + 1, 1);
    int64_t bad = 0;
    for (int64_t r = 0; r < p->n; r++) {
        uint32_t f = p->by_capability[r];
        bad += f >= (uint32_t)p->n || seen[f]++;
        if (r > 0 && f < (uint32_t)p->n) {
            uint32_t e = p->by_capability[r - 1];
            bad += p->capability[e] < p->capability[f] || (p->capability[e] == p->capability[f] && e > f);
        }
    }
    free(seen);
    return bad;
}

static void test_synthetic(void)
{
    zz_config cfg;
    zz_config_defaults(&cfg);
    cfg.population.firms = NSYN;
    const zz_population_cfg *pc = &cfg.population;
    char err[1024] = "";
    struct zz_population *p = NULL;
    int rc = zz_population_synthetic(&p, &cfg, zz_config_chain_partners(&cfg), err, sizeof err);
    CHECKF(rc == ZZ_OK && p, "synthetic: %s", err);
    if (!p)
        return;
    CHECK(zz_population_size(p) == NSYN);

    double n = NSYN;
    int64_t nsize[ZZ_NSIZES] = {0}, adopted[ZZ_NSIZES] = {0}, credit[ZZ_NSIZES] = {0};
    int64_t ngsz = 0, gsz_adopted = 0, nonadopt = 0, nonadopt_aware = 0, leaders = 0;
    int64_t bad_band = 0, bad_gsz = 0, bad_range = 0, unaware_adopter = 0, small_leader = 0;
    double hurdle_sum = 0, ready_sum[ZZ_NSIZES] = {0};
    int64_t ncity[ZZ_MAX_CITIES] = {0}, nind[ZZ_MAX_INDUSTRIES] = {0};
    const double lo[ZZ_NSIZES] = {0, ZZ_REVENUE_SMALL, ZZ_REVENUE_MEDIUM, ZZ_REVENUE_LARGE};
    const double hi[ZZ_NSIZES] = {ZZ_REVENUE_SMALL, ZZ_REVENUE_MEDIUM, ZZ_REVENUE_LARGE, HUGE_VAL};
    for (int64_t i = 0; i < p->n; i++) {
        int s = p->size[i];
        uint8_t f = p->flags[i];
        nsize[s]++;
        ncity[p->city[i]]++;
        nind[p->industry[i]]++;
        double r = p->revenue[i];
        bad_band += !(r > lo[s] || (s > 0 && r == lo[s])) || !(r < hi[s]);
        bad_gsz += !!(f & ZZ_F_GSZ) != (r >= 20e6) || !!(f & ZZ_F_GSZ) != (s >= ZZ_MEDIUM);
        bad_range += !(p->readiness[i] >= 0 && p->readiness[i] <= 1) ||
                     !(p->capability[i] >= 0 && p->capability[i] <= 1) ||
                     !(p->liquidity[i] >= 0 && isfinite(p->liquidity[i])) ||
                     !(p->hurdle[i] >= 0 && isfinite(p->hurdle[i])) || p->city[i] >= cfg.ncities ||
                     p->industry[i] >= cfg.nindustries;
        adopted[s] += !!(f & ZZ_F_ADOPTED0);
        credit[s] += !!(f & ZZ_F_CREDIT);
        if (f & ZZ_F_GSZ) {
            ngsz++;
            gsz_adopted += !!(f & ZZ_F_ADOPTED0);
        }
        if (f & ZZ_F_ADOPTED0) {
            unaware_adopter += !(f & ZZ_F_AWARE0);
        } else {
            nonadopt++;
            nonadopt_aware += !!(f & ZZ_F_AWARE0);
        }
        if (f & ZZ_F_LEADER) {
            leaders++;
            small_leader += s != ZZ_LARGE;
        }
        hurdle_sum += p->hurdle[i];
        ready_sum[s] += p->readiness[i];
    }
    for (int s = 0; s < ZZ_NSIZES; s++)
        CHECK_NEAR(nsize[s] / n, pc->size_share[s], tol(pc->size_share[s], n));
    CHECKF(bad_band == 0, "%lld revenues outside their class band", (long long)bad_band);
    CHECKF(bad_gsz == 0, "%lld firms with gsz flag != (revenue >= 20m)", (long long)bad_gsz);
    CHECKF(bad_range == 0, "%lld firms with an attribute out of range", (long long)bad_range);
    CHECKF(capability_order_errors(p) == 0, "by_capability: %lld firms out of order", (long long)capability_order_errors(p));

    /* 规上 initial adoption hits the target; propensities rise with size */
    double share_gsz = (double)gsz_adopted / (double)ngsz;
    CHECK_NEAR(share_gsz, pc->initial_adoption, tol(pc->initial_adoption, (double)ngsz));
    double sh[ZZ_NSIZES];
    for (int s = 0; s < ZZ_NSIZES; s++)
        sh[s] = (double)adopted[s] / (double)nsize[s];
    CHECKF(sh[ZZ_LARGE] > sh[ZZ_MEDIUM] && sh[ZZ_MEDIUM] > sh[ZZ_SMALL] && sh[ZZ_SMALL] > sh[ZZ_MICRO],
           "initial shares by size %.4f %.4f %.4f %.4f", sh[0], sh[1], sh[2], sh[3]);
    double w = pc->size_share[ZZ_MEDIUM] + pc->size_share[ZZ_LARGE];
    double mbar = (pc->size_share[ZZ_MEDIUM] * pc->adoption_mult[ZZ_MEDIUM] +
                   pc->size_share[ZZ_LARGE] * pc->adoption_mult[ZZ_LARGE]) / w;
    for (int s = 0; s < ZZ_NSIZES; s++) {
        double q = pc->initial_adoption * pc->adoption_mult[s] / mbar;
        CHECK_NEAR(sh[s], q, tol(q, (double)nsize[s]));
        CHECK_NEAR((double)credit[s] / nsize[s], pc->credit_access[s],
                   tol(pc->credit_access[s], (double)nsize[s]));
        /* Beta(8) readiness: sd <= 0.5 / 3 */
        CHECK_NEAR(ready_sum[s] / nsize[s], pc->readiness_mean[s], 5 * 0.17 / sqrt(nsize[s]));
    }
    CHECK(unaware_adopter == 0);
    CHECK_NEAR((double)nonadopt_aware / nonadopt, pc->initial_aware,
               tol(pc->initial_aware, (double)nonadopt));
    /* lognormal hurdle keeps the configured mean (sd 0.4) */
    CHECK_NEAR(hurdle_sum / n, pc->hurdle_mean, 5 * pc->hurdle_sd / sqrt(n));

    /* leaders: a share of large firms only */
    CHECK(small_leader == 0);
    CHECK_NEAR((double)leaders / nsize[ZZ_LARGE], pc->leader_share,
               tol(pc->leader_share, (double)nsize[ZZ_LARGE]));

    /* city and industry weights (assumptions in population.c): order and "other" 25% */
    const zz_config *cc = &cfg;
    int qd = find_name(cc->city, cc->ncities, "Qingdao");
    int rz = find_name(cc->city, cc->ncities, "Rizhao");
    int other = find_name(cc->industry, cc->nindustries, "other");
    CHECK(qd >= 0 && rz >= 0 && other >= 0);
    if (qd >= 0 && rz >= 0)
        CHECK(ncity[qd] > 3 * ncity[rz]);
    if (other >= 0)
        CHECK_NEAR(nind[other] / n, 0.25, tol(0.25, n));
    for (int c = 0; c < cfg.ncities; c++)
        CHECKF(ncity[c] > 0, "city %s has no firms", cfg.city[c]);

    /* chains: links point at leaders of the same industry mostly, <= 50 each */
    int64_t *partners = calloc((size_t)p->n, sizeof *partners);
    int64_t linked = 0, same_ind = 0, bad_link = 0;
    for (int64_t i = 0; i < p->n && partners; i++) {
        if (p->leader[i] == ZZ_NO_LEADER)
            continue;
        uint32_t l = p->leader[i];
        if (l >= p->n || !(p->flags[l] & ZZ_F_LEADER) || (p->flags[i] & ZZ_F_LEADER)) {
            bad_link++;
            continue;
        }
        linked++;
        partners[l]++;
        same_ind += p->industry[l] == p->industry[i];
    }
    CHECKF(bad_link == 0, "%lld chain links to non-leaders or from leaders", (long long)bad_link);
    int64_t over = 0;
    for (int64_t i = 0; i < p->n && partners; i++)
        over += partners[i] > 50;
    CHECK(over == 0);
    CHECKF(linked == 50 * leaders, "%lld partners for %lld leaders", (long long)linked,
           (long long)leaders);
    CHECKF(linked > 0 && (double)same_ind / linked > 0.75, "same-industry partners %lld of %lld",
           (long long)same_ind, (long long)linked);
    free(partners);

    /* cell counts */
    int64_t cells = (int64_t)p->ncities * p->nindustries * ZZ_NSIZES, sum = 0, sum_gsz = 0;
    for (int64_t c = 0; c < cells; c++) {
        sum += p->cell_firms[c];
        sum_gsz += p->cell_firms_gsz[c];
    }
    CHECK(sum == p->n);
    CHECK(sum_gsz == ngsz);
    CHECK(p->cell_firms[zz_cell(p, p->city[7], p->industry[7], p->size[7])] > 0);

    /* reproducible; another seed differs; firm i does not depend on n */
    struct zz_population *q = NULL;
    rc = zz_population_synthetic(&q, &cfg, zz_config_chain_partners(&cfg), err, sizeof err);
    CHECK(rc == ZZ_OK && q && identical(p, q));
    zz_population_free(q);
    q = NULL;
    cfg.seed = 2;
    rc = zz_population_synthetic(&q, &cfg, zz_config_chain_partners(&cfg), err, sizeof err);
    CHECK(rc == ZZ_OK && q && !identical(p, q));
    int64_t diff = 0;
    for (int64_t i = 0; q && i < 1000; i++)
        diff += !same_firm(p, i, q, i);
    CHECKF(diff > 990, "seed 2 changes only %lld of 1000 firms", (long long)diff);
    zz_population_free(q);
    q = NULL;
    cfg.seed = 1;
    cfg.population.firms = 1000;
    rc = zz_population_synthetic(&q, &cfg, zz_config_chain_partners(&cfg), err, sizeof err);
    int64_t same = 0;
    for (int64_t i = 0; q && i < 1000; i++)
        same += same_firm(p, i, q, i);
    CHECKF(rc == ZZ_OK && same == 1000, "first 1000 firms: %lld identical", (long long)same);
    zz_population_free(q);
    zz_population_free(p);

    /* a chain-leader programme's `partners` sets the chain length */
    cfg.population.firms = 50000;
    cfg.nprogrammes = 1;
    zz_programme_defaults(&cfg.programme[0], ZZ_K("chain_leader"));
    zz_fixture_set(&cfg.programme[0], "partners", 7);
    p = NULL;
    rc = zz_population_synthetic(&p, &cfg, zz_config_chain_partners(&cfg), err, sizeof err);
    CHECK(rc == ZZ_OK && p);
    if (p) {
        int64_t nl = 0, nlinked = 0;
        for (int64_t i = 0; i < p->n; i++) {
            nl += !!(p->flags[i] & ZZ_F_LEADER);
            nlinked += p->leader[i] != ZZ_NO_LEADER;
        }
        CHECKF(nl > 0 && nlinked == 7 * nl, "%lld linked for %lld leaders", (long long)nlinked,
               (long long)nl);
    }
    zz_population_free(p);

    /* invalid configuration: an error, not an abort */
    cfg.nprogrammes = 0;
    cfg.population.firms = 0;
    p = NULL;
    err[0] = '\0';
    rc = zz_population_synthetic(&p, &cfg, zz_config_chain_partners(&cfg), err, sizeof err);
    CHECK(rc != ZZ_OK && p == NULL && strstr(err, "firms"));
    cfg.population.firms = 10;
    for (int s = 0; s < ZZ_NSIZES; s++)
        cfg.population.size_share[s] = 0;
    rc = zz_population_synthetic(&p, &cfg, zz_config_chain_partners(&cfg), err, sizeof err);
    CHECK(rc != ZZ_OK && p == NULL && strstr(err, "size_share"));
}

/* ---- CSV ------------------------------------------------------------------ */

static char tmpdir[64];

static const char *write_file(const char *name, const char *content)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return path;
    fputs(content, f);
    fclose(f);
    return path;
}

static void test_csv_good(const zz_config *cfg)
{
    /* BOM, CRLF, free column order, quoted fields, a forward leader link,
     * optional columns absent (size, gsz, hurdle, capability, aware) */
    const char *path = write_file("good.csv",
        "\xEF\xBB\xBFId,industry,City,revenue,readiness,liquidity,credit,adopted,leader,leader_id\r\n"
        "\"F,1\",machinery,weifang,5000000,0.4,100000,1,0,0,L1\r\n"
        "\r\n"
        "L1,\"machinery\",Weifang,900000000,0.9,\"4.5e7\",1,1,1,\r\n"
        "\"say \"\"hi\"\"\",food, Jinan ,20000000,0.5,0,0,0,0,\r\n");
    char err[1024] = "";
    struct zz_population *p = NULL;
    int rc = zz_population_csv(&p, cfg, path, err, sizeof err);
    CHECKF(rc == ZZ_OK && p, "good.csv: %s", err);
    if (!p)
        return;
    CHECK(p->n == 3);
    int wf = find_name(cfg->city, cfg->ncities, "Weifang");
    int jn = find_name(cfg->city, cfg->ncities, "Jinan");
    int mach = find_name(cfg->industry, cfg->nindustries, "machinery");
    int food = find_name(cfg->industry, cfg->nindustries, "food");
    CHECK(p->city[0] == wf && p->city[1] == wf && p->city[2] == jn);
    CHECK(p->industry[0] == mach && p->industry[1] == mach && p->industry[2] == food);
    CHECK(p->size[0] == ZZ_SMALL && p->size[1] == ZZ_LARGE && p->size[2] == ZZ_MEDIUM);
    CHECK(!(p->flags[0] & ZZ_F_GSZ) && (p->flags[1] & ZZ_F_GSZ) && (p->flags[2] & ZZ_F_GSZ));
    CHECK((p->flags[0] & ZZ_F_CREDIT) && !(p->flags[2] & ZZ_F_CREDIT));
    CHECK(!(p->flags[0] & ZZ_F_ADOPTED0) && (p->flags[1] & ZZ_F_ADOPTED0));
    CHECK(p->flags[1] & ZZ_F_AWARE0);
    CHECK((p->flags[1] & ZZ_F_LEADER) && !(p->flags[0] & ZZ_F_LEADER));
    CHECK(p->leader[0] == 1 && p->leader[1] == ZZ_NO_LEADER && p->leader[2] == ZZ_NO_LEADER);
    CHECK(p->revenue[0] == 5e6f && p->revenue[1] == 9e8f);
    CHECK(p->liquidity[1] == 4.5e7f && p->liquidity[2] == 0);
    CHECK_NEAR(p->readiness[0], 0.4, 1e-6);
    CHECK_NEAR(p->hurdle[0], cfg->population.hurdle_mean, 1e-6);
    CHECK_NEAR(p->capability[1], 0.9, 1e-6); /* defaults to readiness */
    CHECK(capability_order_errors(p) == 0 && p->by_capability[0] == 1);
    CHECK(p->cell_firms[zz_cell(p, wf, mach, ZZ_LARGE)] == 1);
    CHECK(p->cell_firms_gsz[zz_cell(p, wf, mach, ZZ_SMALL)] == 0);
    CHECK(p->cell_firms_gsz[zz_cell(p, jn, food, ZZ_MEDIUM)] == 1);
    /* aware drawn per row when the column is absent: reproducible */
    struct zz_population *q = NULL;
    rc = zz_population_csv(&q, cfg, path, err, sizeof err);
    CHECK(rc == ZZ_OK && q && q->flags[0] == p->flags[0] && q->flags[2] == p->flags[2]);
    zz_population_free(q);
    zz_population_free(p);
}

static void test_csv_sample(const zz_config *cfg)
{
    const char *path = zz_test_source("examples/firms_sample.csv");
    char err[1024] = "";
    struct zz_population *p = NULL;
    int rc = zz_population_csv(&p, cfg, path, err, sizeof err);
    CHECKF(rc == ZZ_OK && p, "%s: %s", path, err);
    if (!p)
        return;
    CHECK(p->n == 20);
    /* WF-0102 (row 2) supplies WF-0001 (row 1); DZ-0301 (row 19) derives
     * size and gsz from revenue and takes the default hurdle */
    CHECK(p->leader[1] == 0 && (p->flags[0] & ZZ_F_LEADER));
    CHECK(p->size[18] == ZZ_MEDIUM && (p->flags[18] & ZZ_F_GSZ));
    CHECK_NEAR(p->hurdle[18], cfg->population.hurdle_mean, 1e-6);
    int64_t links = 0;
    for (int64_t i = 0; i < p->n; i++)
        if (p->leader[i] != ZZ_NO_LEADER) {
            links++;
            CHECK(p->flags[p->leader[i]] & ZZ_F_LEADER);
        }
    CHECK(links == 7);
    zz_population_free(p);
}

#define HDR "id,city,industry,size,revenue,readiness,liquidity,credit,adopted,capability,leader,leader_id\n"
#define ROW1 "A1,Jinan,machinery,small,5000000,0.4,100000,1,0,0.5,0,\n"

static void test_csv_bad(const zz_config *cfg)
{
    static const struct {
        const char *file, *content;
        const char *expect[4];
    } cases[] = {
        {"bad_city.csv", HDR ROW1 "A2,Jinnan,machinery,small,5000000,0.4,1,1,0,0.5,0,\n",
         {"bad_city.csv:3:", "column 'city'", "'Jinnan'", "valid: Jinan, Qingdao, Zibo"}},
        {"bad_industry.csv", HDR "A2,Jinan,robots,small,5000000,0.4,1,1,0,0.5,0,\n",
         {"bad_industry.csv:2:", "column 'industry'", "'robots'", "machinery"}},
        {"bad_size.csv", HDR "A2,Jinan,food,huge,5000000,0.4,1,1,0,0.5,0,\n",
         {"bad_size.csv:2:", "column 'size'", "'huge'", "micro, small, medium, large"}},
        {"missing_col.csv", "id,city,industry,revenue,liquidity,credit,adopted\nA,Jinan,food,1,1,1,0\n",
         {"missing_col.csv:1:", "missing required column 'readiness'", "required: id", NULL}},
        {"dup_col.csv", "id,city,City,industry\n", {"dup_col.csv:1:", "'city'", "twice", NULL}},
        {"fields.csv", HDR ROW1 "A2,Jinan,food,small,5000000,0.4\n",
         {"fields.csv:3:", "6 fields", "12 columns", NULL}},
        {"nonnum.csv", HDR "A2,Jinan,food,small,12abc,0.4,1,1,0,0.5,0,\n",
         {"nonnum.csv:2:", "column 'revenue'", "'12abc'", "not a number"}},
        {"revenue0.csv", HDR "A2,Jinan,food,small,0,0.4,1,1,0,0.5,0,\n",
         {"revenue0.csv:2:", "column 'revenue'", "out of range", "> 0"}},
        {"dup_id.csv", HDR ROW1 ROW1,
         {"dup_id.csv:3:", "column 'id'", "'A1'", "line 2"}},
        {"readiness.csv", HDR "A3,Jinan,food,small,5000000,1.5,1,1,0,0.5,0,\n",
         {"readiness.csv:2:", "column 'readiness'", "'1.5'", "[0, 1]"}},
        {"liquidity.csv", HDR "A3,Jinan,food,small,5000000,0.5,-1,1,0,0.5,0,\n",
         {"liquidity.csv:2:", "column 'liquidity'", "out of range", ">= 0"}},
        {"capability.csv", HDR "A3,Jinan,food,small,5000000,0.5,1,1,0,2,0,\n",
         {"capability.csv:2:", "column 'capability'", "'2'", "out of range"}},
        {"flag.csv", HDR "A3,Jinan,food,small,5000000,0.5,1,yes,0,0.5,0,\n",
         {"flag.csv:2:", "column 'credit'", "'yes'", "0 or 1"}},
        {"empty_req.csv", HDR "A3,Jinan,food,small,5000000,,1,1,0,0.5,0,\n",
         {"empty_req.csv:2:", "column 'readiness'", "empty", NULL}},
        {"empty_id.csv", HDR ",Jinan,food,small,5000000,0.5,1,1,0,0.5,0,\n",
         {"empty_id.csv:2:", "column 'id'", "empty", NULL}},
        {"empty.csv", "", {"empty.csv:1:", "empty file", "id, city", NULL}},
        {"blank.csv", "\n  \n", {"blank.csv:", "empty file", NULL, NULL}},
        {"header_only.csv", HDR, {"header_only.csv:2:", "no firms", NULL, NULL}},
        {"leader_unknown.csv", HDR "A2,Jinan,food,small,5000000,0.5,1,1,0,0.5,0,ZZZ\n",
         {"leader_unknown.csv:2:", "column 'leader_id'", "'ZZZ'", "not the id"}},
        {"leader_not.csv", HDR ROW1 "A2,Jinan,food,small,5000000,0.5,1,1,0,0.5,0,A1\n",
         {"leader_not.csv:3:", "column 'leader_id'", "'A1'", "not a chain leader"}},
        {"leader_self.csv", HDR "A2,Jinan,food,small,5000000,0.5,1,1,0,0.5,1,A2\n",
         {"leader_self.csv:2:", "column 'leader_id'", "own id", NULL}},
        {"quote.csv", HDR ROW1 "\"A2,Jinan,food,small,5000000,0.5,1,1,0,0.5,0,\n",
         {"quote.csv:3:", "unterminated", NULL, NULL}},
        /* physical line numbers survive CRLF, blank lines and a quoted newline */
        {"lines.csv", "id,city,industry,revenue,readiness,liquidity,credit,adopted\r\n"
                      "\"multi\nline\",Jinan,food,5e6,0.5,1,1,0\r\n\r\n"
                      "B,Jinan,food,5e6,0.5,1,1,2\r\n",
         {"lines.csv:5:", "column 'adopted'", "'2'", "0 or 1"}},
    };
    int ncases = (int)(sizeof cases / sizeof *cases);
    for (int k = 0; k < ncases; k++) {
        const char *path = write_file(cases[k].file, cases[k].content);
        char err[2048] = "";
        struct zz_population *p = (struct zz_population *)1;
        int rc = zz_population_csv(&p, cfg, path, err, sizeof err);
        CHECKF(rc == ZZ_DATA && p == NULL, "%s: rc %d, err \"%s\"", cases[k].file, rc, err);
        for (int e = 0; e < 4 && cases[k].expect[e]; e++)
            check_contains(err, cases[k].expect[e], cases[k].file);
        remove(path);
    }

    char err[1024] = "";
    struct zz_population *p = NULL;
    char missing[256];
    snprintf(missing, sizeof missing, "%s/no_such_file.csv", tmpdir);
    int rc = zz_population_csv(&p, cfg, missing, err, sizeof err);
    CHECK(rc == ZZ_IO && p == NULL);
    check_contains(err, "no_such_file.csv", "missing file");
}

/* Columns the model does not use are left out with a note naming them;
 * the firms read are those of the same file without them. */
static void test_csv_extra_columns(const zz_config *cfg)
{
    const char *path = write_file("extra.csv",
                                  "id,city,employees,industry,founded,revenue,readiness,liquidity,"
                                  "credit,adopted\nA,Jinan,120,food,1998,5e6,0.5,1e5,1,0\n"
                                  "B,Qingdao,8,machinery,2015,3e7,0.7,2e5,0,1\n");
    char err[1024] = "";
    struct zz_population *p = NULL;
    int rc = zz_population_csv(&p, cfg, path, err, sizeof err);
    CHECKF(rc == ZZ_OK && p, "extra columns: %s", err);
    if (p) {
        CHECK(p->n == 2 && p->industry[0] == 8 /* food */ && p->city[1] == 1);
        CHECK_NEAR(p->revenue[1], 3e7, 1);
        check_contains(p->note, "extra.csv:1:", "note");
        check_contains(p->note, "ignored 2 columns", "note");
        check_contains(p->note, "'employees', 'founded'", "note");
        zz_population_free(p);
    }
    path = write_file("plain.csv", HDR ROW1);
    p = NULL;
    rc = zz_population_csv(&p, cfg, path, err, sizeof err);
    CHECK(rc == ZZ_OK && p && p->note[0] == 0);
    zz_population_free(p);
}

static void test_build(void)
{
    zz_scenario *sc = calloc(1, sizeof *sc);
    if (!sc)
        return;
    zz_config_defaults(&sc->cfg);
    sc->cfg.population.firms = 1234;
    char err[1024] = "";
    zz_population *p = NULL;
    int rc = zz_population_build(&p, sc, err, sizeof err);
    CHECKF(rc == ZZ_OK && zz_population_size(p) == 1234, "build synthetic: %s", err);
    zz_population_free(p);

    /* a relative file is found next to the scenario */
    const char *csv = write_file("build.csv", HDR ROW1);
    snprintf(sc->cfg.path, sizeof sc->cfg.path, "%s/scenario.lua", tmpdir);
    snprintf(sc->cfg.population.file, sizeof sc->cfg.population.file, "build.csv");
    p = NULL;
    rc = zz_population_build(&p, sc, err, sizeof err);
    CHECKF(rc == ZZ_OK && zz_population_size(p) == 1, "build csv: %s", err);
    zz_population_free(p);
    remove(csv);

    snprintf(sc->cfg.population.file, sizeof sc->cfg.population.file, "absent.csv");
    p = NULL;
    rc = zz_population_build(&p, sc, err, sizeof err);
    CHECK(rc == ZZ_IO && p == NULL);
    check_contains(err, tmpdir, "build absent");
    CHECK(zz_population_size(NULL) == 0);
    zz_population_free(NULL);
    free(sc);
}

/* Contest capability: beta with mean 0.15 + 0.5 readiness + 0.1 size
 * class (population.c), so capability - 0.5 readiness averages 0.15 +
 * 0.1 s in each size class: it rises with size. */
static void test_capability_gradient(void)
{
    zz_config *cfg = malloc(sizeof *cfg);
    zz_config_defaults(cfg);
    cfg->population.firms = 200000;
    char err[512];
    zz_population *p = NULL;
    CHECK(zz_population_synthetic(&p, cfg, zz_config_chain_partners(cfg), err, sizeof err) == ZZ_OK);
    double sum[ZZ_NSIZES] = {0}, sq[ZZ_NSIZES] = {0};
    int64_t n[ZZ_NSIZES] = {0};
    for (int64_t i = 0; p && i < p->n; i++) {
        double x = p->capability[i] - 0.5 * p->readiness[i];
        sum[p->size[i]] += x, sq[p->size[i]] += x * x, n[p->size[i]]++;
    }
    for (int s = 0; s < ZZ_NSIZES; s++) {
        double m = n[s] ? sum[s] / n[s] : NAN, sd = n[s] > 1 ? sqrt(sq[s] / n[s] - m * m) : NAN;
        CHECKF(n[s] > 100 && fabs(m - (0.15 + 0.1 * s)) < 5 * sd / sqrt((double)n[s]),
               "size %d: %g, want %g (%lld firms)", s, m, 0.15 + 0.1 * s, (long long)n[s]);
    }
    zz_population_free(p);
    free(cfg);
}

int main(void)
{
    test_synthetic();
    test_capability_gradient();

    snprintf(tmpdir, sizeof tmpdir, "/tmp/zz_population_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        CHECKF(0, "cannot create a temporary directory");
        return zz_test_finish();
    }
    zz_config *cfg = malloc(sizeof *cfg);
    if (cfg) {
        zz_config_defaults(cfg);
        test_csv_good(cfg);
        test_csv_sample(cfg);
        test_csv_bad(cfg);
        test_csv_extra_columns(cfg);
        free(cfg);
    }
    test_build();
    remove(write_file("good.csv", ""));
    rmdir(tmpdir);
    return zz_test_finish();
}

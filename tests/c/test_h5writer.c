/*
 * The HDF5 result writer: values, dimension scales and attributes read back
 * with the HDF5 C API; the temporary name before close, the final name after
 * a complete close, and an incomplete close leaving "<path>.partial" with
 * complete = 0; errors as return codes with the path in the message.
 *
 * With ZZ_H5_SAMPLE=<path> set, also leaves files for
 * tests/python/test_h5writer_xarray.py to open with xarray: a complete run
 * file (with a cf_ twin) at <path>, a compare file (groups "base" and "alt")
 * at <path>.compare.h5, the same left incomplete at
 * <path>.incomplete.h5.partial, and a run without targets at
 * <path>.notargets.h5.
 */
#define _POSIX_C_SOURCE 200809L
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output/h5internal.h"
#include "output/results.h"
#include "zhizao/zhizao.h"
#include "zz_test.h"

enum { T = 3, C = 2, I = 2, S = ZZ_NSIZES, P = 2, G = 1, R = 2, CELLS = C * I * S };

static const char *const cities[C] = { "济南", "青岛" };
static const char *const industries[I] = { "machinery", "chemicals" };
static const char *const programmes[P] = { "voucher.compute", "contest.jiebang_2026" };
static const char *const targets[G] = { "overall" };
static double times[T] = { 0, 30, 58 };
static int32_t firms[CELLS], firms_gsz[CELLS];

/* Known values: each number encodes where it belongs, so a transposed or
 * misplaced slab shows up as a wrong value. cf adds 50000. */
static int32_t ival(int var, int rep, int t, int cell, int cf)
{
    return cf * 50000 + var * 10000 + rep * 1000 + t * 100 + cell;
}
static double dval(int var, int rep, int t, int p, int cf)
{
    return cf * 5e6 + var * 1e5 + rep * 1e4 + t * 10.0 + p + 0.25;
}

static zz_rep_result *make_result(int rep, int cf)
{
    zz_rep_result *r = zz_rep_result_alloc(T, CELLS, P, G, 0);
    CHECK(r != NULL);
    if (!r)
        exit(1);
    CHECK(isnan(r->time_to_target[0]));
    r->replicate = rep;
    for (int t = 0; t < T; t++) {
        for (int c = 0; c < CELLS; c++) {
            r->adopted[t * CELLS + c] = ival(0, rep, t, c, cf);
            r->implementing[t * CELLS + c] = ival(1, rep, t, c, cf);
            r->scaled[t * CELLS + c] = ival(2, rep, t, c, cf);
            r->adopted_gsz[t * CELLS + c] = ival(3, rep, t, c, cf);
        }
        for (int p = 0; p < P; p++) {
            r->committed[t * P + p] = dval(0, rep, t, p, cf);
            r->spent[t * P + p] = dval(1, rep, t, p, cf);
            r->returned[t * P + p] = dval(2, rep, t, p, cf);
            r->budget[t * P + p] = dval(3, rep, t, p, cf);
        }
        for (int g = 0; g < G; g++)
            r->target_share[t * G + g] = 0.1 * t + 0.01 * rep + 0.5 * cf;
    }
    /* replicate 0 reaches the target, replicate 1 does not */
    if (rep == 0)
        r->time_to_target[0] = 45.5 + cf;
    r->events = 123456789012ULL + (uint64_t)rep + (uint64_t)cf * 7;
    return r;
}

static char *big_source;

static zz_layout make_layout(const char *name)
{
    for (int c = 0; c < CELLS; c++) {
        firms[c] = 10 + c;
        firms_gsz[c] = c;
    }
    zz_layout L = {
        .ntime = T, .time = times, .ncities = C, .nindustries = I,
        .nprogrammes = P, .ntargets = G, .city = cities, .industry = industries,
        .programme = programmes, .target = targets, .firms = firms, .firms_gsz = firms_gsz,
        .replications = R, .scenario_name = name, .scenario_path = "scenarios/test.lua",
        .source = big_source, .parameters = "decision.rule = economic\nseed = 42\n",
        .overrides = NULL, .start_date = "2025-01-01", .seed = 42,
    };
    return L;
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* ---- readers ----------------------------------------------------------- */

static int32_t attr_i32(hid_t loc, const char *name)
{
    int32_t v = -999;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    CHECKF(a >= 0, "attribute %s", name);
    if (a >= 0) {
        CHECK(H5Aread(a, H5T_NATIVE_INT32, &v) >= 0);
        H5Aclose(a);
    }
    return v;
}

static int64_t attr_i64(hid_t loc, const char *name)
{
    int64_t v = -999;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    CHECKF(a >= 0, "attribute %s", name);
    if (a >= 0) {
        CHECK(H5Aread(a, H5T_NATIVE_INT64, &v) >= 0);
        H5Aclose(a);
    }
    return v;
}

/* Reads a string attribute into buf. Text of two bytes or more must be
 * stored as netCDF-C stores NC_CHAR (fixed length, which nc_get_att_text
 * accepts), shorter text as a variable-length string; UTF-8 either way. */
static const char *attr_str(hid_t loc, const char *name, char *buf, size_t len)
{
    buf[0] = '\0';
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    CHECKF(a >= 0, "attribute %s", name);
    if (a < 0)
        return buf;
    hid_t ft = H5Aget_type(a);
    CHECKF(H5Tget_class(ft) == H5T_STRING, "attribute %s is a string", name);
    CHECKF(H5Tget_cset(ft) == H5T_CSET_UTF8, "attribute %s is UTF-8", name);
    if (H5Tis_variable_str(ft) > 0) {
        char *s = NULL;
        if (H5Aread(a, ft, &s) >= 0 && s) {
            snprintf(buf, len, "%s", s);
            H5free_memory(s);
        }
        CHECKF(strlen(buf) < 2, "attribute %s (%s) is fixed-length", name, buf);
    } else {
        size_t n = H5Tget_size(ft);
        char *s = calloc(n + 1, 1);
        if (s && H5Aread(a, ft, s) >= 0)
            snprintf(buf, len, "%s", s);
        free(s);
        CHECKF(strlen(buf) >= 2, "attribute %s is variable-length", name);
    }
    H5Tclose(ft);
    H5Aclose(a);
    return buf;
}

static size_t attr_str_len(hid_t loc, const char *name)
{
    char *buf = malloc(300000);
    attr_str(loc, name, buf, 300000);
    size_t n = strlen(buf);
    free(buf);
    return n;
}

/* Reads a whole dataset; checks its shape. */
static void *read_all(hid_t loc, const char *name, hid_t mtype, size_t esize, int rank,
                      const hsize_t *expect)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    CHECKF(d >= 0, "dataset %s", name);
    if (d < 0)
        return NULL;
    hid_t sp = H5Dget_space(d);
    hsize_t dims[8];
    int r = H5Sget_simple_extent_dims(sp, dims, NULL);
    CHECKF(r == rank, "%s rank %d, expected %d", name, r, rank);
    size_t n = 1;
    for (int k = 0; k < r && k < rank; k++) {
        CHECKF(dims[k] == expect[k], "%s dim %d = %llu, expected %llu", name, k,
               (unsigned long long)dims[k], (unsigned long long)expect[k]);
        n *= dims[k];
    }
    void *buf = calloc(n + 1, esize);
    CHECK(H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Sclose(sp);
    H5Dclose(d);
    return buf;
}

/* Every dimension of `var` has the named coordinate variable attached. */
static void check_scales(hid_t loc, const char *var, int rank, const char *const *dimnames)
{
    hid_t d = H5Dopen2(loc, var, H5P_DEFAULT);
    CHECKF(d >= 0, "dataset %s", var);
    if (d < 0)
        return;
    for (int k = 0; k < rank; k++) {
        hid_t sc = H5Dopen2(loc, dimnames[k], H5P_DEFAULT);
        CHECKF(sc >= 0 && H5DSis_scale(sc) > 0, "%s is a dimension scale", dimnames[k]);
        CHECKF(sc >= 0 && H5DSis_attached(d, sc, (unsigned)k) > 0, "%s dim %d is %s", var, k,
               dimnames[k]);
        CHECKF(H5DSget_num_scales(d, (unsigned)k) == 1, "%s dim %d has one scale", var, k);
        if (sc >= 0)
            H5Dclose(sc);
    }
    H5Dclose(d);
}

static void check_labels(hid_t loc, const char *name, int n, const char *const *expect)
{
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5T_CSET_UTF8);
    hsize_t len = (hsize_t)n;
    char **s = read_all(loc, name, mt, sizeof(char *), 1, &len);
    for (int i = 0; s && i < n; i++)
        CHECKF(s[i] && !strcmp(s[i], expect[i]), "%s[%d] = %s, expected %s", name, i,
               s[i] ? s[i] : "(null)", expect[i]);
    if (s) {
        for (int i = 0; i < n; i++)
            H5free_memory(s[i]);
        free(s);
    }
    H5Tclose(mt);
}

/* The whole content of one result set (at loc) written by write_set(). */
static void check_set(hid_t loc, const char *name, int with_cf, int complete)
{
    char buf[256];
    CHECK(!strcmp(attr_str(loc, "scenario_name", buf, sizeof buf), name));
    CHECK(strstr(attr_str(loc, "title", buf, sizeof buf), name) != NULL);
    CHECK(!strcmp(attr_str(loc, "scenario_path", buf, sizeof buf), "scenarios/test.lua"));
    CHECK(attr_str_len(loc, "scenario_source") == strlen(big_source));
    CHECK(!strcmp(attr_str(loc, "parameters", buf, sizeof buf),
                  "decision.rule = economic\nseed = 42\n"));
    CHECK(!strcmp(attr_str(loc, "overrides", buf, sizeof buf), ""));
    CHECK(!strcmp(attr_str(loc, "program_version", buf, sizeof buf), ZZ_VERSION));
    CHECK(!strcmp(attr_str(loc, "start_date", buf, sizeof buf), "2025-01-01"));
    CHECK(!strcmp(attr_str(loc, "Conventions", buf, sizeof buf), "CF-1.8"));
    CHECK(attr_i64(loc, "seed") == 42);
    CHECK(attr_i32(loc, "replications") == R);
    CHECK(attr_i32(loc, "replications_done") == R);
    CHECK(attr_i32(loc, "complete") == complete);

    static const char *const d5[] = { "replicate", "time", "city", "industry", "size" };
    static const char *const d3p[] = { "replicate", "time", "instrument" };
    static const char *const d3g[] = { "replicate", "time", "target" };
    static const char *const d2[] = { "replicate", "target" };
    static const char *const dfirms[] = { "city", "industry", "size" };
    static const char *const sizes[] = { "micro", "small", "medium", "large" };
    check_labels(loc, "city", C, cities);
    check_labels(loc, "industry", I, industries);
    check_labels(loc, "size", S, sizes);
    check_labels(loc, "instrument", P, programmes);
    check_labels(loc, "target", G, targets);

    hsize_t nt = T, nr = R;
    double *tm = read_all(loc, "time", H5T_NATIVE_DOUBLE, sizeof(double), 1, &nt);
    for (int t = 0; tm && t < T; t++)
        CHECK_NEAR(tm[t], times[t], 0);
    free(tm);
    hid_t td = H5Dopen2(loc, "time", H5P_DEFAULT);
    CHECK(!strcmp(attr_str(td, "units", buf, sizeof buf), "days since 2025-01-01"));
    CHECK(!strcmp(attr_str(td, "calendar", buf, sizeof buf), "proleptic_gregorian"));
    H5Dclose(td);
    int32_t *rep = read_all(loc, "replicate", H5T_NATIVE_INT32, 4, 1, &nr);
    for (int i = 0; rep && i < R; i++)
        CHECK(rep[i] == i);
    free(rep);

    hsize_t fd[3] = { C, I, S };
    int32_t *f = read_all(loc, "firms", H5T_NATIVE_INT32, 4, 3, fd);
    int32_t *fg = read_all(loc, "firms_gsz", H5T_NATIVE_INT32, 4, 3, fd);
    for (int c = 0; f && fg && c < CELLS; c++)
        CHECK(f[c] == firms[c] && fg[c] == firms_gsz[c]);
    free(f);
    free(fg);
    check_scales(loc, "firms", 3, dfirms);
    check_scales(loc, "firms_gsz", 3, dfirms);

    static const char *const ivars[] = { "adopted", "implementing", "scaled", "adopted_gsz" };
    static const char *const dvars[] = { "committed", "spent", "returned", "budget" };
    for (int cf = 0; cf <= with_cf; cf++) {
        const char *pre = cf ? "cf_" : "";
        char vn[64];
        hsize_t d5n[5] = { R, T, C, I, S }, d3n[3] = { R, T, P }, dgn[3] = { R, T, G };
        hsize_t d2n[2] = { R, G };
        for (int v = 0; v < 4; v++) {
            snprintf(vn, sizeof vn, "%s%s", pre, ivars[v]);
            int32_t *x = read_all(loc, vn, H5T_NATIVE_INT32, 4, 5, d5n);
            int bad = 0;
            for (int r = 0; x && r < R; r++)
                for (int t = 0; t < T; t++)
                    for (int c = 0; c < CELLS; c++)
                        bad += x[(r * T + t) * CELLS + c] != ival(v, r, t, c, cf);
            CHECKF(x && bad == 0, "%s: %d wrong values", vn, bad);
            free(x);
            check_scales(loc, vn, 5, d5);
            hid_t d = H5Dopen2(loc, vn, H5P_DEFAULT);
            CHECK(!strcmp(attr_str(d, "units", buf, sizeof buf), "firms"));
            CHECK(attr_str(d, "long_name", buf, sizeof buf)[0] != '\0');
            /* one replicate per chunk, compressed */
            hid_t pl = H5Dget_create_plist(d);
            hsize_t ch[5] = { 0 };
            CHECK(H5Pget_layout(pl) == H5D_CHUNKED);
            CHECK(H5Pget_chunk(pl, 5, ch) == 5);
            CHECK(ch[0] == 1 && ch[1] == T && ch[2] == C && ch[3] == I && ch[4] == S);
            /* shuffle, deflate, then the Fletcher-32 checksum of the bytes on disk */
            CHECK(H5Pget_nfilters(pl) == 3);
            unsigned flags;
            size_t nv = 0;
            CHECK(H5Pget_filter2(pl, 2, &flags, &nv, NULL, 0, NULL, NULL) == H5Z_FILTER_FLETCHER32);
            H5Pclose(pl);
            H5Dclose(d);
        }
        for (int v = 0; v < 4; v++) {
            snprintf(vn, sizeof vn, "%s%s", pre, dvars[v]);
            double *x = read_all(loc, vn, H5T_NATIVE_DOUBLE, 8, 3, d3n);
            int bad = 0;
            for (int r = 0; x && r < R; r++)
                for (int t = 0; t < T; t++)
                    for (int p = 0; p < P; p++)
                        bad += x[(r * T + t) * P + p] != dval(v, r, t, p, cf);
            CHECKF(x && bad == 0, "%s: %d wrong values", vn, bad);
            free(x);
            check_scales(loc, vn, 3, d3p);
            hid_t d = H5Dopen2(loc, vn, H5P_DEFAULT);
            CHECK(!strcmp(attr_str(d, "units", buf, sizeof buf), "yuan"));
            H5Dclose(d);
        }
        snprintf(vn, sizeof vn, "%starget_share", pre);
        double *x = read_all(loc, vn, H5T_NATIVE_DOUBLE, 8, 3, dgn);
        for (int r = 0; x && r < R; r++)
            for (int t = 0; t < T; t++)
                CHECK_NEAR(x[r * T + t], 0.1 * t + 0.01 * r + 0.5 * cf, 0);
        free(x);
        check_scales(loc, vn, 3, d3g);

        snprintf(vn, sizeof vn, "%stime_to_target", pre);
        x = read_all(loc, vn, H5T_NATIVE_DOUBLE, 8, 2, d2n);
        if (x) {
            CHECK_NEAR(x[0], 45.5 + cf, 0);
            CHECK(isnan(x[1]));
        }
        free(x);
        check_scales(loc, vn, 2, d2);
        hid_t d = H5Dopen2(loc, vn, H5P_DEFAULT);
        CHECK(!strcmp(attr_str(d, "units", buf, sizeof buf), "d"));
        hid_t a = H5Aopen(d, "_FillValue", H5P_DEFAULT);
        double fill = 0;
        CHECK(a >= 0 && H5Aread(a, H5T_NATIVE_DOUBLE, &fill) >= 0 && isnan(fill));
        if (a >= 0)
            H5Aclose(a);
        H5Dclose(d);

        snprintf(vn, sizeof vn, "%sevents", pre);
        int64_t *e = read_all(loc, vn, H5T_NATIVE_INT64, 8, 1, &nr);
        for (int r = 0; e && r < R; r++)
            CHECK(e[r] == 123456789012LL + r + cf * 7);
        free(e);
    }
    CHECK(H5Lexists(loc, "cf_adopted", H5P_DEFAULT) == (with_cf ? 1 : 0));
}

/* ---- writing ----------------------------------------------------------- */

/* Begins a result set and puts both replicates (out of order, as parallel
 * replications finish), plus the cf_ twin if asked. */
static void write_set(zz_writer *w, const char *group, const char *name, int with_cf)
{
    zz_layout L = make_layout(name);
    int rc = zz_writer_begin(w, group, &L);
    CHECKF(rc == ZZ_OK, "begin: %s", zz_writer_errmsg(w));
    for (int i = 0; i < R; i++) {
        int rep = R - 1 - i;
        zz_rep_result *r = make_result(rep, 0);
        rc = zz_writer_put(w, "", r);
        CHECKF(rc == ZZ_OK, "put: %s", zz_writer_errmsg(w));
        zz_rep_result_free(r);
        if (with_cf) {
            r = make_result(rep, 1);
            rc = zz_writer_put(w, "cf_", r);
            CHECKF(rc == ZZ_OK, "put cf: %s", zz_writer_errmsg(w));
            zz_rep_result_free(r);
        }
    }
    rc = zz_writer_end(w);
    CHECKF(rc == ZZ_OK, "end: %s", zz_writer_errmsg(w));
}

/* Runs this program again as a separate reader of `path` (see main): 10 *
 * replications_done + complete, or -1 if it could not open the file. */
static int peek(const char *path)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", "test_h5writer", "--peek", path, (char *)NULL);
        _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    int code = WEXITSTATUS(status);
    return code >= 100 ? -1 : code;
}

static int peek_main(const char *path)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return 100;
    int32_t done = -1, complete = -1;
    hid_t a = H5Aopen(f, "replications_done", H5P_DEFAULT);
    if (a >= 0) {
        H5Aread(a, H5T_NATIVE_INT32, &done);
        H5Aclose(a);
    }
    a = H5Aopen(f, "complete", H5P_DEFAULT);
    if (a >= 0) {
        H5Aread(a, H5T_NATIVE_INT32, &complete);
        H5Aclose(a);
    }
    H5Fclose(f);
    return done < 0 || complete < 0 ? 101 : done * 10 + complete;
}

static void test_run_file(const char *path)
{
    char partial[4200], err[256];
    snprintf(partial, sizeof partial, "%s.partial", path);
    zz_writer *w = NULL;
    int rc = zz_writer_open(&w, path, err, sizeof err);
    CHECKF(rc == ZZ_OK, "open: %s", err);
    if (!w)
        return;
    CHECK(exists(partial));
    CHECK(!exists(path));

    zz_layout L = make_layout("baseline");
    CHECK(zz_writer_begin(w, NULL, &L) == ZZ_OK);
    zz_rep_result *r = make_result(1, 0);
    CHECK(zz_writer_put(w, "", r) == ZZ_OK);
    zz_rep_result_free(r);
    /* A reader may look while the run goes on: the writer holds no lock and
     * has flushed the finished replicate. The reader must be another
     * process (HDF5 refuses a second open of a file within one process). */
    int seen = peek(partial);
    CHECKF(seen == 10, "peek = %d, expected replications_done 1, complete 0", seen);
    /* The twin only counts once it catches up with the policy run. */
    r = make_result(1, 1);
    CHECK(zz_writer_put(w, "cf_", r) == ZZ_OK);
    zz_rep_result_free(r);
    for (int cf = 0; cf <= 1; cf++) {
        r = make_result(0, cf);
        CHECK(zz_writer_put(w, cf ? "cf_" : "", r) == ZZ_OK);
        zz_rep_result_free(r);
    }

    /* misuse is reported, not fatal */
    r = make_result(0, 0);
    r->replicate = R;
    CHECK(zz_writer_put(w, "", r) == ZZ_ERROR);
    CHECK(strstr(zz_writer_errmsg(w), partial) != NULL);
    zz_rep_result_free(r);
    r = zz_rep_result_alloc(T + 1, CELLS, P, G, 0);
    CHECK(zz_writer_put(w, "", r) == ZZ_ERROR);
    zz_rep_result_free(r);
    CHECK(zz_writer_begin(w, NULL, &L) == ZZ_ERROR);

    rc = zz_writer_close(w, 1);
    CHECKF(rc == ZZ_OK, "close: %s", err);
    CHECK(exists(path));
    CHECK(!exists(partial));

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(f >= 0);
    if (f < 0)
        return;
    check_set(f, "baseline", 1, 1);
    H5Fclose(f);
}

static void test_compare_file(const char *path, int complete)
{
    char partial[4200], err[256];
    snprintf(partial, sizeof partial, "%s.partial", path);
    zz_writer *w = NULL;
    int rc = zz_writer_open(&w, path, err, sizeof err);
    CHECKF(rc == ZZ_OK, "open: %s", err);
    if (!w)
        return;
    write_set(w, "base", "base", 0);
    write_set(w, "alt", "alt", 1);
    zz_layout L = make_layout("base");
    CHECK(zz_writer_begin(w, "base", &L) == ZZ_IO); /* exists already */
    CHECK(strstr(zz_writer_errmsg(w), "base") != NULL);
    CHECK(zz_writer_begin(w, "a/b", &L) == ZZ_ERROR);
    CHECK(zz_writer_close(w, complete) == ZZ_OK);
    CHECK(exists(complete ? path : partial));
    CHECK(!exists(complete ? partial : path));

    hid_t f = H5Fopen(complete ? path : partial, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(f >= 0);
    if (f < 0)
        return;
    CHECK(attr_i32(f, "complete") == complete);
    CHECK(H5Lexists(f, "adopted", H5P_DEFAULT) == 0);
    hid_t g = H5Gopen2(f, "base", H5P_DEFAULT);
    CHECK(g >= 0);
    if (g >= 0) {
        check_set(g, "base", 0, complete);
        H5Gclose(g);
    }
    g = H5Gopen2(f, "alt", H5P_DEFAULT);
    CHECK(g >= 0);
    if (g >= 0) {
        check_set(g, "alt", 1, complete);
        H5Gclose(g);
    }
    H5Fclose(f);
}

static void test_errors(const char *dir)
{
    char path[4200], err[256] = "unset";
    snprintf(path, sizeof path, "%s/no/such/dir/out.h5", dir);
    zz_writer *w = (zz_writer *)&err; /* must be reset to NULL */
    int rc = zz_writer_open(&w, path, err, sizeof err);
    CHECK(rc == ZZ_IO);
    CHECK(w == NULL);
    CHECKF(strstr(err, path) != NULL, "message: %s", err);
    CHECK(zz_writer_close(NULL, 1) == ZZ_OK);

    /* close frees the handle, so its failure lands in open's err buffer:
     * here the final name is a directory (made after the run started), and
     * the rename is refused: never rename over anything but a file */
    snprintf(path, sizeof path, "%s/isdir", dir);
    mkdir(path, 0700);
    char sub[4300];
    snprintf(sub, sizeof sub, "%s/keep", path);
    mkdir(sub, 0700);
    rc = zz_writer_open(&w, path, err, sizeof err);
    CHECK(rc == ZZ_OK);
    if (rc == ZZ_OK) {
        rc = zz_writer_close(w, 1);
        CHECK(rc == ZZ_IO);
        CHECKF(strstr(err, "directory") && strstr(err, path), "message: %s", err);
    }
    char partial[4300];
    snprintf(partial, sizeof partial, "%s.partial", path);
    CHECK(exists(partial));
    remove(partial);
    rmdir(sub);
    rmdir(path);
}

/* A scenario without targets: an empty dimension must not break writing. */
static void test_no_targets(const char *path, int keep)
{
    char err[256];
    zz_writer *w = NULL;
    int rc = zz_writer_open(&w, path, err, sizeof err);
    CHECKF(rc == ZZ_OK, "open: %s", err);
    if (!w)
        return;
    zz_layout L = make_layout("none");
    L.ntargets = 0;
    L.target = NULL;
    rc = zz_writer_begin(w, NULL, &L);
    CHECKF(rc == ZZ_OK, "begin: %s", zz_writer_errmsg(w));
    zz_rep_result *r = zz_rep_result_alloc(T, CELLS, P, 0, 0);
    r->adopted[5] = 77;
    r->replicate = 1;
    rc = zz_writer_put(w, "", r);
    CHECKF(rc == ZZ_OK, "put: %s", zz_writer_errmsg(w));
    zz_rep_result_free(r);
    CHECK(zz_writer_close(w, 1) == ZZ_OK);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(f >= 0);
    if (f >= 0) {
        hsize_t d5n[5] = { R, T, C, I, S }, d2n[2] = { R, 0 };
        int32_t *x = read_all(f, "adopted", H5T_NATIVE_INT32, 4, 5, d5n);
        CHECK(x && x[T * CELLS + 5] == 77 && x[5] == 0);
        free(x);
        free(read_all(f, "time_to_target", H5T_NATIVE_DOUBLE, 8, 2, d2n));
        CHECK(attr_i32(f, "replications_done") == 1);
        H5Fclose(f);
    }
    if (!keep)
        remove(path);
}

/* What close checks before the rename: a damaged chunk (its Fletcher-32
 * sum no longer matches) or a file not marked complete is refused. */
static void test_verify(const char *path)
{
    char msg[400];
    test_no_targets(path, 1);
    CHECKF(zz_h5_verify(path, msg, sizeof msg) == 0, "sound file refused: %s", msg);
    haddr_t at = HADDR_UNDEF;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = f >= 0 ? H5Dopen2(f, "adopted", H5P_DEFAULT) : -1;
    hsize_t coord[5] = {1, 0, 0, 0, 0}, size = 0;
    CHECK(d >= 0 && H5Dget_chunk_info_by_coord(d, coord, NULL, &at, &size) >= 0 &&
          at != HADDR_UNDEF && size > 8);
    H5Dclose(d);
    H5Fclose(f);
    FILE *fp = fopen(path, "r+b");
    if (fp && at != HADDR_UNDEF) {
        fseek(fp, (long)at + (long)size / 2, SEEK_SET);
        int c = fgetc(fp);
        fseek(fp, (long)at + (long)size / 2, SEEK_SET);
        fputc(c ^ 0x20, fp);
    }
    if (fp)
        fclose(fp);
    CHECK(zz_h5_verify(path, msg, sizeof msg) != 0);
    CHECKF(strstr(msg, "adopted") && strstr(msg, path), "message: %s", msg);
    remove(path);
    /* sound but not marked complete */
    char err[256];
    zz_writer *w = NULL;
    CHECK(zz_writer_open(&w, path, err, sizeof err) == ZZ_OK);
    char partial[4300];
    snprintf(partial, sizeof partial, "%s.partial", path);
    zz_layout L = make_layout("none");
    if (w && zz_writer_begin(w, NULL, &L) == ZZ_OK) {
        zz_rep_result *r = zz_rep_result_alloc(T, CELLS, P, G, 0);
        r->replicate = 0;
        CHECK(zz_writer_put(w, "", r) == ZZ_OK);
        zz_rep_result_free(r);
    }
    zz_writer_close(w, 0);
    CHECK(zz_h5_verify(partial, msg, sizeof msg) != 0 && strstr(msg, "complete"));
    remove(partial);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--peek"))
        return peek_main(argv[2]);
    size_t n = 100000; /* past HDF5's 64 KiB limit for compact attributes */
    big_source = malloc(n + 1);
    const char *line = "-- 智造 scenario\nscenario { name = 'x' }\n";
    size_t k = strlen(line);
    for (size_t i = 0; i < n; i++)
        big_source[i] = line[i % k];
    big_source[n] = '\0';
    while ((big_source[n - 1] & 0xC0) == 0x80 || (unsigned char)big_source[n - 1] >= 0xC0)
        big_source[--n] = '\0'; /* do not end inside a UTF-8 sequence */

    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/zz_h5w_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[4200], partial[4300];

    snprintf(path, sizeof path, "%s/run.h5", dir);
    test_run_file(path);
    remove(path);

    snprintf(path, sizeof path, "%s/compare.h5", dir);
    test_compare_file(path, 1);
    remove(path);
    test_compare_file(path, 0);
    snprintf(partial, sizeof partial, "%s.partial", path);
    remove(partial);

    test_errors(dir);
    snprintf(path, sizeof path, "%s/empty.h5", dir);
    test_no_targets(path, 0);
    snprintf(path, sizeof path, "%s/verify.h5", dir);
    test_verify(path);
    rmdir(dir);

    const char *sample = getenv("ZZ_H5_SAMPLE");
    if (sample && sample[0]) {
        test_run_file(sample);
        snprintf(path, sizeof path, "%s.compare.h5", sample);
        test_compare_file(path, 1);
        snprintf(path, sizeof path, "%s.incomplete.h5", sample);
        test_compare_file(path, 0);
        snprintf(path, sizeof path, "%s.notargets.h5", sample);
        test_no_targets(path, 1);
    }
    /* the writer (and this test) closed every HDF5 object it opened */
    ssize_t open_ids = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
    CHECKF(open_ids == 0, "%zd HDF5 objects left open", open_ids);
    free(big_source);
    return zz_test_finish();
}

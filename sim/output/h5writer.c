/*
 * The HDF5 result writer: one handle per output file, used by one thread
 * (the Debian HDF5 build is not thread-safe). Layout in results.h; the
 * netCDF-4 plumbing (dimension scales, attributes) is in h5dims.c.
 *
 * Crash safety: the file is written as "<path>.partial" and flushed after
 * every replicate, so a killed run leaves every finished replicate readable
 * under the temporary name with complete = 0; only zz_writer_close(w, 1)
 * marks it complete and renames it, so <path> never names a half file.
 *
 * Reading while writing. True SWMR needs the 1.10 file format
 * (H5F_LIBVER_LATEST) and H5Fstart_swmr_write, after which no object or
 * attribute may be created: that rules out the lazily created cf_
 * variables and the groups `compare` adds one by one. netCDF-C 4.9 and
 * xarray on Debian 12 do read the 1.10 format, but readers linked against
 * HDF5 1.8 do not, and without SWMR its superblock marks the file as open
 * for writing, which makes every other reader refuse it during the run.
 * So the file keeps the default (earliest) format, and instead the writer
 * does not take HDF5's file lock: a reader may open the .partial file
 * during a run and sees the state of the last flush (the writer is idle
 * between replicates nearly all the time). Two runs on one output are kept
 * apart by a lock of our own that readers do not see (outpath.c); a
 * finished file is read back whole before it is renamed (h5verify.c).
 */
#include "output/h5internal.h"
#include "output/outpath.h"

#include <hdf5_hl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zhizao/zhizao.h"

struct zz_writer {
    hid_t file;
    long lost0;                /* zz_h5_lost() when opened                 */
    char *path, *partial;
    int lock;                  /* descriptor holding the .partial's lock   */
    char *user_err;            /* caller's buffer from open, for close errors */
    size_t user_errlen;
    char err[1024];
    int root_used;             /* a result set was written at the root      */
    long puts;                 /* replicate results written, all groups     */
    char **groups;             /* groups begun, to mark complete at close   */
    int ngroups;
    zz_h5_scope cur;
    /* groups begun and set aside by zz_writer_park, to be taken up again */
    struct parked { char *group; zz_h5_scope scope; } *parked;
    int nparked;
};

enum var_shape { SH_CELLS, SH_INSTRUMENT, SH_TARGET_T, SH_TARGET, SH_REPLICATE, SH_TIME,
                 SH_ROUND, SH_FIRM, SH_FIRM_INSTRUMENT };

static const struct var_def {
    const char *name, *long_name, *units;
    int shape;
} var_def[ZZ_NVARS] = {
    [ZZ_V_ADOPTED] = { "adopted", "firms using AI: adopted (pilot) or scaled", "firms", SH_CELLS },
    [ZZ_V_IMPLEMENTING] = { "implementing", "firms implementing an AI project", "firms",
                            SH_CELLS },
    [ZZ_V_SCALED] = { "scaled", "firms in state scaled", "firms", SH_CELLS },
    [ZZ_V_ADOPTED_GSZ] = { "adopted_gsz", "firms above designated size using AI (pilot or scaled)", "firms",
                           SH_CELLS },
    [ZZ_V_COMMITTED] = { "committed", "funds committed and not yet disbursed", "yuan",
                         SH_INSTRUMENT },
    [ZZ_V_SPENT] = { "spent", "funds disbursed, cumulative", "yuan", SH_INSTRUMENT },
    [ZZ_V_RETURNED] = { "returned", "funds returned to the budget, cumulative", "yuan",
                        SH_INSTRUMENT },
    [ZZ_V_BUDGET] = { "budget", "budget remaining", "yuan", SH_INSTRUMENT },
    /* no units: CF's "1" would be a one-byte attribute (see h5dims.c) */
    [ZZ_V_TARGET_SHARE] = { "target_share", "adoption share of the target group", NULL,
                            SH_TARGET_T },
    [ZZ_V_TIME_TO_TARGET] = { "time_to_target",
                              "days from start until the target share is reached "
                              "(NaN: not reached)", "d", SH_TARGET },
    [ZZ_V_EVENTS] = { "events", "events processed", NULL, SH_REPLICATE },
    [ZZ_V_COMPUTE_PRICE] = { "compute_price",
                             "compute price relative to the list price (1 when the market is off)",
                             NULL, SH_TIME },
    [ZZ_V_COMPUTE_UTILISATION] = { "compute_utilisation",
                                   "regional compute demand over capacity", NULL, SH_TIME },
    [ZZ_V_ROUND_BIDS] = { "round_bids", "contest bids per round", "firms", SH_ROUND },
    [ZZ_V_ROUND_WINNERS] = { "round_winners", "contest winners per round", "firms", SH_ROUND },
    [ZZ_V_ROUND_SUCCESSES] = { "round_successes",
                               "winners' projects accepted as successful, per round", "firms",
                               SH_ROUND },
    [ZZ_V_ROUND_REWARDS] = { "round_rewards", "contest rewards paid per round", "yuan",
                             SH_ROUND },
    [ZZ_V_ADDITIONAL] = { "additional",
                          "adopters at the end minus the no-policy twin's, in the target group",
                          "firms", SH_TARGET },
    [ZZ_V_SUPPORTED] = { "supported", "adopters at the end that received any support",
                         "firms", SH_TARGET },
    [ZZ_V_DEADWEIGHT] = { "deadweight",
                          "supported adopters that adopt in the no-policy twin too", "firms",
                          SH_TARGET },
    [ZZ_V_DEADWEIGHT_LAG] = { "deadweight_lag",
                              "mean days the twin adopts after the policy run, over deadweight "
                              "firms (NaN: none)", "d", SH_TARGET },
    [ZZ_V_TARGET_FIRMS] = { "target_firms", "firms in the target group", "firms", SH_TARGET },
    [ZZ_V_FIRM_DAY] = { "firm_day", "day the firm adopted (NaN: not by the end)", "d",
                        SH_FIRM },
    [ZZ_V_FIRM_SUPPORT] = { "firm_support", "money the firm received, by programme", "yuan",
                            SH_FIRM_INSTRUMENT },
};

static int shape_dims(int shape, int *dims)
{
    static const int cells[] = { ZZ_D_REPLICATE, ZZ_D_TIME, ZZ_D_CITY, ZZ_D_INDUSTRY,
                                 ZZ_D_SIZE };
    static const int instr[] = { ZZ_D_REPLICATE, ZZ_D_TIME, ZZ_D_INSTRUMENT };
    static const int targt[] = { ZZ_D_REPLICATE, ZZ_D_TIME, ZZ_D_TARGET };
    static const int targ[] = { ZZ_D_REPLICATE, ZZ_D_TARGET };
    static const int rep[] = { ZZ_D_REPLICATE };
    static const int tim[] = { ZZ_D_REPLICATE, ZZ_D_TIME };
    static const int rnd[] = { ZZ_D_REPLICATE, ZZ_D_INSTRUMENT, ZZ_D_ROUND };
    static const int frm[] = { ZZ_D_REPLICATE, ZZ_D_FIRM };
    static const int frp[] = { ZZ_D_REPLICATE, ZZ_D_FIRM, ZZ_D_INSTRUMENT };
    const int *src;
    int n;
    switch (shape) {
    case SH_CELLS: src = cells; n = 5; break;
    case SH_INSTRUMENT: src = instr; n = 3; break;
    case SH_TARGET_T: src = targt; n = 3; break;
    case SH_TARGET: src = targ; n = 2; break;
    case SH_TIME: src = tim; n = 2; break;
    case SH_ROUND: src = rnd; n = 3; break;
    case SH_FIRM: src = frm; n = 2; break;
    case SH_FIRM_INSTRUMENT: src = frp; n = 3; break;
    default: src = rep; n = 1; break;
    }
    memcpy(dims, src, (size_t)n * sizeof *dims);
    return n;
}

static int is_int32(int v)
{
    return v <= ZZ_V_ADOPTED_GSZ || (v >= ZZ_V_ROUND_BIDS && v <= ZZ_V_ROUND_SUCCESSES) ||
           v == ZZ_V_ADDITIONAL || v == ZZ_V_SUPPORTED || v == ZZ_V_DEADWEIGHT ||
           v == ZZ_V_TARGET_FIRMS;
}

static hid_t var_ftype(int v)
{
    if (is_int32(v))
        return H5T_STD_I32LE;
    if (v == ZZ_V_EVENTS)
        return H5T_STD_I64LE;
    return H5T_IEEE_F64LE;
}

static hid_t var_mtype(int v)
{
    if (is_int32(v))
        return H5T_NATIVE_INT32;
    if (v == ZZ_V_EVENTS)
        return H5T_NATIVE_INT64;
    return H5T_NATIVE_DOUBLE;
}

static int fail(zz_writer *w, int code, const char *what)
{
    zz_h5_fail(w->err, sizeof w->err, w->partial, "%s", what);
    return code;
}

/* Everything on disk, and no write lost on the way (see zz_h5_lost). */
static int flush_all(zz_writer *w)
{
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        return fail(w, ZZ_IO, "cannot flush");
    return zz_h5_check_lost(w->lost0, w->err, sizeof w->err, w->partial) ? ZZ_IO : ZZ_OK;
}

static int misuse(zz_writer *w, const char *what)
{
    snprintf(w->err, sizeof w->err, "%s: %s", w->partial, what);
    return ZZ_ERROR;
}

/* ---- open -------------------------------------------------------------- */

int zz_writer_open(zz_writer **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    /* HDF5 otherwise prints its error stack to stderr on every failure;
     * failures here are reported through the return code and message. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    zz_writer *w = calloc(1, sizeof *w);
    size_t n = strlen(path);
    if (!w || !(w->path = malloc(n + 1)) || !(w->partial = malloc(n + sizeof ".partial"))) {
        if (w) {
            free(w->path);
            free(w);
        }
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", path);
        return ZZ_NOMEM;
    }
    memcpy(w->path, path, n + 1);
    snprintf(w->partial, n + sizeof ".partial", "%s.partial", path);
    w->user_err = err;
    w->user_errlen = errlen;
    w->file = -1;
    w->lost0 = zz_h5_lost();

    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    int rc = ZZ_OK;
    /* netCDF-C wants the root group's links and attributes in creation
     * order (it writes its own files so); no timestamps (see zz_h5_dcpl);
     * the top comment says why there is no file lock. */
    if (fcpl < 0 || fapl < 0 ||
        H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
        H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
        H5Pset_obj_track_times(fcpl, 0) < 0 ||
        H5Pset_file_locking(fapl, 0, 1) < 0)
        rc = fail(w, ZZ_IO, "cannot set file properties");
    w->lock = -1;
    if (rc == ZZ_OK && (rc = zz_outpath_claim(w->partial, &w->lock, w->err, sizeof w->err)) != ZZ_OK)
        w->lock = -1;
    if (rc == ZZ_OK) {
        w->file = H5Fcreate(w->partial, H5F_ACC_TRUNC, fcpl, fapl);
        if (w->file < 0)
            rc = fail(w, ZZ_IO, "cannot create file");
        zz_outpath_advertise(w->lock);
    }
    if (fcpl >= 0)
        zz_h5_close(fcpl);
    if (fapl >= 0)
        zz_h5_close(fapl);
    /* A compare file's root holds no result set of its own but must still
     * say what wrote it and whether it is finished. */
    if (rc == ZZ_OK &&
        (zz_h5_attr_str(w->file, "Conventions", "CF-1.8") < 0 ||
         zz_h5_attr_str(w->file, "program_version", ZZ_VERSION) < 0 ||
         zz_h5_attr_i32(w->file, "complete", 0) < 0 || H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0))
        rc = fail(w, ZZ_IO, "cannot write file attributes");
    if (rc != ZZ_OK) {
        if (err && errlen)
            snprintf(err, errlen, "%s", w->err);
        if (w->file >= 0) {
            H5Fclose(w->file);
            remove(w->partial);
        } else if (w->lock >= 0 && lseek(w->lock, 0, SEEK_END) == 0) {
            unlink(w->partial); /* created empty under our lock */
        }
        zz_outpath_release(w->lock);
        free(w->path);
        free(w->partial);
        free(w);
        return rc;
    }
    *out = w;
    return ZZ_OK;
}

/* ---- result sets ------------------------------------------------------- */

static void scope_reset(zz_h5_scope *s)
{
    memset(s, 0, sizeof *s);
    s->loc = -1;
    for (int d = 0; d < ZZ_NDIMS; d++)
        s->dim[d] = -1;
}

static void scope_close(zz_writer *w)
{
    zz_h5_scope *s = &w->cur;
    for (int k = 0; k < s->nsets; k++) {
        for (int v = 0; v < ZZ_NVARS; v++)
            if (s->set[k].var[v] >= 0)
                zz_h5_close(s->set[k].var[v]);
        free(s->set[k].written);
    }
    for (int d = 0; d < ZZ_NDIMS; d++)
        if (s->dim[d] >= 0)
            zz_h5_close(s->dim[d]);
    if (s->loc >= 0 && s->loc != w->file)
        zz_h5_close(s->loc);
    scope_reset(s);
}

/* Creates the per-replicate variables of one prefix in the current group. */
static const void *var_data(int v, const zz_rep_result *r, int64_t *events);

/* Variables only some results carry: the paired accounting (not the twin's)
 * and the per-firm record (only when asked for). */
static int optional_var(int v)
{
    return v >= ZZ_V_ADDITIONAL;
}

static int make_one(zz_writer *w, zz_h5_varset *vs, int v)
{
    zz_h5_scope *s = &w->cur;
    const struct var_def *def = &var_def[v];
    if ((def->shape == SH_FIRM || def->shape == SH_FIRM_INSTRUMENT) && s->dim[ZZ_D_FIRM] < 0)
        return ZZ_OK; /* no per-firm dimension in this group */
    const double nan = NAN;
    char name[64], long_name[192];
    snprintf(name, sizeof name, "%s%s", vs->prefix, def->name);
    snprintf(long_name, sizeof long_name, "%s%s",
             vs->prefix[0] ? "no-policy counterfactual: " : "", def->long_name);
    int dims[ZZ_NDIMS];
    int rank = shape_dims(def->shape, dims);
    hid_t d = zz_h5_make_var(s, name, var_ftype(v), rank, dims,
                             var_ftype(v) == H5T_IEEE_F64LE ? &nan : NULL);
    if (d < 0) {
        char what[96];
        snprintf(what, sizeof what, "cannot create variable '%s'", name);
        return fail(w, ZZ_IO, what);
    }
    vs->var[v] = d;
    if (zz_h5_attr_str(d, "long_name", long_name) < 0 ||
        (def->units && zz_h5_attr_str(d, "units", def->units) < 0)) {
        char what[96];
        snprintf(what, sizeof what, "cannot write attributes of '%s'", name);
        return fail(w, ZZ_IO, what);
    }
    return ZZ_OK;
}

/* Creates the always-present variables of one prefix in the current group;
 * optional ones come with the first result that carries them. */
static int add_varset(zz_writer *w, const char *prefix, zz_h5_varset **out)
{
    zz_h5_scope *s = &w->cur;
    if (s->nsets == ZZ_H5_MAX_PREFIXES || strlen(prefix) >= sizeof s->set[0].prefix)
        return misuse(w, "too many or too long variable prefixes");
    zz_h5_varset *vs = &s->set[s->nsets];
    memset(vs, 0, sizeof *vs);
    strcpy(vs->prefix, prefix);
    for (int v = 0; v < ZZ_NVARS; v++)
        vs->var[v] = -1;
    vs->written = calloc(s->len[ZZ_D_REPLICATE] + 1, 1);
    if (!vs->written)
        return misuse(w, "out of memory");
    s->nsets++; /* from here scope_close frees it, whatever fails below */
    for (int v = 0; v < ZZ_NVARS; v++) {
        int rc = optional_var(v) ? ZZ_OK : make_one(w, vs, v);
        if (rc != ZZ_OK)
            return rc;
    }
    *out = vs;
    return ZZ_OK;
}

static int check_layout(zz_writer *w, const zz_layout *L)
{
    if (!L || L->ntime < 0 || L->ncities < 0 || L->nindustries < 0 || L->nprogrammes < 0 ||
        L->ntargets < 0 || L->replications < 0 || L->ncities > ZZ_MAX_CITIES ||
        L->nindustries > ZZ_MAX_INDUSTRIES)
        return misuse(w, "invalid result layout");
    if ((L->ntime && !L->time) || (L->ncities && !L->city) ||
        (L->nindustries && !L->industry) || (L->nprogrammes && !L->programme) ||
        (L->ntargets && !L->target))
        return misuse(w, "result layout lacks coordinate labels");
    return ZZ_OK;
}

static int write_firms(zz_writer *w, const char *name, const char *long_name,
                       const int32_t *data)
{
    static const int dims[3] = { ZZ_D_CITY, ZZ_D_INDUSTRY, ZZ_D_SIZE };
    zz_h5_scope *s = &w->cur;
    char what[96];
    snprintf(what, sizeof what, "cannot write variable '%s'", name);
    hid_t d = zz_h5_make_var(s, name, H5T_STD_I32LE, 3, dims, NULL);
    if (d < 0)
        return fail(w, ZZ_IO, what);
    int bad = zz_h5_attr_str(d, "long_name", long_name) < 0 ||
              zz_h5_attr_str(d, "units", "firms") < 0;
    hsize_t n = s->len[ZZ_D_CITY] * s->len[ZZ_D_INDUSTRY] * s->len[ZZ_D_SIZE];
    if (!bad && data && n > 0)
        bad = H5Dwrite(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0;
    int rc = bad ? fail(w, ZZ_IO, what) : ZZ_OK;
    zz_h5_close(d);
    return rc;
}

/* The targets' deadlines and the programmes' fiscal flags: one value per
 * target / instrument, the same in every replicate. */
static int write_static(zz_writer *w, const zz_layout *L)
{
    zz_h5_scope *s = &w->cur;
    int G = L->ntargets, P = L->nprogrammes, bad = 0;
    double *by = malloc((size_t)(G ? G : 1) * sizeof *by);
    int *fiscal = malloc((size_t)(P ? P : 1) * sizeof *fiscal);
    if (!by || !fiscal) {
        free(by);
        free(fiscal);
        return misuse(w, "out of memory");
    }
    for (int g = 0; g < G; g++)
        by[g] = L->target_by && L->target_by[g] >= 0 ? L->target_by[g] : NAN;
    for (int p = 0; p < P; p++)
        fiscal[p] = L->fiscal ? L->fiscal[p] != 0 : 1;
    const double nan = NAN;
    int dim = ZZ_D_TARGET;
    hid_t d = zz_h5_make_var(s, "target_by", H5T_IEEE_F64LE, 1, &dim, &nan);
    bad = d < 0 || zz_h5_attr_str(d, "long_name", "deadline of the target, days from the start "
                                  "(NaN: none)") < 0 || zz_h5_attr_str(d, "units", "d") < 0 ||
          (G > 0 && H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, by) < 0);
    if (d >= 0)
        zz_h5_close(d);
    if (!bad) {
        dim = ZZ_D_INSTRUMENT;
        d = zz_h5_make_var(s, "fiscal", H5T_STD_I8LE, 1, &dim, NULL);
        bad = d < 0 || zz_h5_attr_str(d, "long_name", "1: the programme spends fiscal money; "
                                      "0: not (e.g. an industry fund)") < 0 ||
              (P > 0 && H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, fiscal) < 0);
        if (d >= 0)
            zz_h5_close(d);
    }
    free(by);
    free(fiscal);
    return bad ? fail(w, ZZ_IO, "cannot write target_by / fiscal") : ZZ_OK;
}

static int write_set_attrs(zz_writer *w, const zz_layout *L)
{
    hid_t loc = w->cur.loc;
    char title[256];
    snprintf(title, sizeof title, "zhizao results: %s", L->scenario_name ? L->scenario_name : "");
    if (zz_h5_attr_str(loc, "title", title) < 0 ||
        zz_h5_attr_str(loc, "scenario_name", L->scenario_name) < 0 ||
        zz_h5_attr_str(loc, "scenario_path", L->scenario_path) < 0 ||
        zz_h5_attr_str(loc, "scenario_source", L->source) < 0 ||
        zz_h5_attr_str(loc, "parameters", L->parameters) < 0 ||
        zz_h5_attr_str(loc, "overrides", L->overrides) < 0 ||
        zz_h5_attr_i64(loc, "seed", L->seed) < 0 ||
        zz_h5_attr_f64(loc, "scale", L->scale > 0 ? L->scale : 1) < 0 ||
        zz_h5_attr_i32(loc, "replications", L->replications) < 0 ||
        zz_h5_attr_str(loc, "program_version", ZZ_VERSION) < 0 ||
        zz_h5_attr_str(loc, "start_date", L->start_date) < 0 ||
        zz_h5_attr_i32(loc, "complete", 0) < 0 ||
        zz_h5_attr_i32(loc, "replications_done", 0) < 0 ||
        zz_h5_attr_str(loc, "Conventions", "CF-1.8") < 0)
        return fail(w, ZZ_IO, "cannot write attributes");
    return ZZ_OK;
}

static int remember_group(zz_writer *w, const char *group)
{
    char **g = realloc(w->groups, (size_t)(w->ngroups + 1) * sizeof *g);
    if (!g)
        return misuse(w, "out of memory");
    w->groups = g;
    size_t n = strlen(group) + 1;
    if (!(g[w->ngroups] = malloc(n)))
        return misuse(w, "out of memory");
    memcpy(g[w->ngroups++], group, n);
    return ZZ_OK;
}

int zz_writer_begin(zz_writer *w, const char *group, const zz_layout *L)
{
    zz_h5_quiet(); /* the caller's thread may be another than the opener's */
    int rc = zz_writer_end(w);
    if (rc != ZZ_OK)
        return rc;
    if ((rc = check_layout(w, L)) != ZZ_OK)
        return rc;
    zz_h5_scope *s = &w->cur;
    scope_reset(s);
    if (!group) {
        if (w->root_used)
            return misuse(w, "results already written at the root");
        w->root_used = 1;
        s->loc = w->file;
    } else {
        /* A '/' would silently create nested groups, and netCDF forbids it
         * in names; the scenario name is the caller's to fix. */
        if (!group[0] || strchr(group, '/') || !strcmp(group, "."))
            return misuse(w, "invalid group name (empty, '.' or containing '/')");
        hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
        if (gcpl < 0 ||
            H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
            H5Pset_attr_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
            H5Pset_obj_track_times(gcpl, 0) < 0) {
            if (gcpl >= 0)
                zz_h5_close(gcpl);
            return fail(w, ZZ_IO, "cannot set group properties");
        }
        s->loc = H5Gcreate2(w->file, group, H5P_DEFAULT, gcpl, H5P_DEFAULT);
        zz_h5_close(gcpl);
        if (s->loc < 0) {
            char what[160];
            snprintf(what, sizeof what, "cannot create group '%.100s'", group);
            return fail(w, ZZ_IO, what);
        }
        if ((rc = remember_group(w, group)) != ZZ_OK) {
            scope_close(w);
            return rc;
        }
    }
    s->open = 1;
    zz_h5_varset *vs;
    if (zz_h5_make_dims(s, L, w->err, sizeof w->err, w->partial) < 0)
        rc = ZZ_IO;
    if (rc == ZZ_OK)
        rc = write_firms(w, "firms", "firms", L->firms);
    if (rc == ZZ_OK)
        rc = write_firms(w, "firms_gsz", "firms above designated size", L->firms_gsz);
    if (rc == ZZ_OK)
        rc = write_static(w, L);
    /* The policy run's variables exist from the start, so a file with no
     * finished replicate still has the full layout; cf_ ones come with the
     * first counterfactual put. */
    if (rc == ZZ_OK)
        rc = add_varset(w, "", &vs);
    if (rc == ZZ_OK)
        rc = write_set_attrs(w, L);
    if (rc == ZZ_OK)
        rc = flush_all(w);
    if (rc != ZZ_OK)
        scope_close(w);
    return rc;
}

/* ---- replicates -------------------------------------------------------- */

/* Writes `buf` as the slab of replicate `rep` of dataset d (the whole of
 * every dimension but the first). */
static int write_slab(hid_t d, hid_t mtype, hsize_t rep, const void *buf)
{
    hid_t fs = H5Dget_space(d);
    if (fs < 0)
        return -1;
    hsize_t dims[ZZ_NDIMS], start[ZZ_NDIMS] = { 0 }, count[ZZ_NDIMS];
    int rank = H5Sget_simple_extent_dims(fs, dims, NULL);
    int rc = -1;
    hsize_t n = 1;
    for (int k = 0; k < rank; k++) {
        count[k] = k ? dims[k] : 1;
        n *= count[k];
    }
    start[0] = rep;
    if (rank < 1) {
        zz_h5_close(fs);
        return -1;
    }
    if (n == 0) { /* an empty dimension: nothing to store */
        zz_h5_close(fs);
        return 0;
    }
    /* The memory space has the selection's shape: HDF5 then copies the
     * replicate's block whole into its chunk, where a flat memory space
     * made it walk the selection element by element (half the writer's
     * time, at 40,000 firms). */
    hid_t ms = H5Screate_simple(rank, count, NULL);
    if (ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
        H5Dwrite(d, mtype, ms, fs, H5P_DEFAULT, buf) >= 0)
        rc = 0;
    if (ms >= 0)
        zz_h5_close(ms);
    zz_h5_close(fs);
    return rc;
}

static const void *var_data(int v, const zz_rep_result *r, int64_t *events)
{
    switch (v) {
    case ZZ_V_ADOPTED: return r->adopted;
    case ZZ_V_IMPLEMENTING: return r->implementing;
    case ZZ_V_SCALED: return r->scaled;
    case ZZ_V_ADOPTED_GSZ: return r->adopted_gsz;
    case ZZ_V_COMMITTED: return r->committed;
    case ZZ_V_SPENT: return r->spent;
    case ZZ_V_RETURNED: return r->returned;
    case ZZ_V_BUDGET: return r->budget;
    case ZZ_V_TARGET_SHARE: return r->target_share;
    case ZZ_V_TIME_TO_TARGET: return r->time_to_target;
    case ZZ_V_COMPUTE_PRICE: return r->compute_price;
    case ZZ_V_COMPUTE_UTILISATION: return r->compute_utilisation;
    case ZZ_V_ROUND_BIDS: return r->round_bids;
    case ZZ_V_ROUND_WINNERS: return r->round_winners;
    case ZZ_V_ROUND_SUCCESSES: return r->round_successes;
    case ZZ_V_ROUND_REWARDS: return r->round_rewards;
    case ZZ_V_ADDITIONAL: return r->additional;
    case ZZ_V_SUPPORTED: return r->supported;
    case ZZ_V_DEADWEIGHT: return r->deadweight;
    case ZZ_V_DEADWEIGHT_LAG: return r->deadweight_lag;
    case ZZ_V_TARGET_FIRMS: return r->target_firms;
    case ZZ_V_FIRM_DAY: return r->firm_day;
    case ZZ_V_FIRM_SUPPORT: return r->firm_support;
    default:
        /* The file type is signed (netCDF-3 readers and xarray handle int64
         * best); no run processes 2^63 events. */
        *events = (int64_t)r->events;
        return events;
    }
}

int zz_writer_put(zz_writer *w, const char *prefix, const zz_rep_result *r)
{
    zz_h5_quiet(); /* the caller's thread may be another than the opener's */
    zz_h5_scope *s = &w->cur;
    if (!s->open)
        return misuse(w, "zz_writer_put outside zz_writer_begin/zz_writer_end");
    if (!prefix)
        prefix = "";
    if (!r || r->replicate < 0 || (hsize_t)r->replicate >= s->len[ZZ_D_REPLICATE])
        return misuse(w, "replicate number out of range");
    if ((hsize_t)r->ntime != s->len[ZZ_D_TIME] ||
        (hsize_t)r->ncells != s->len[ZZ_D_CITY] * s->len[ZZ_D_INDUSTRY] * ZZ_NSIZES ||
        (hsize_t)r->nprogrammes != s->len[ZZ_D_INSTRUMENT] ||
        (hsize_t)r->ntargets != s->len[ZZ_D_TARGET])
        return misuse(w, "replicate result does not match the layout");

    zz_h5_varset *vs = NULL;
    for (int k = 0; k < s->nsets; k++)
        if (!strcmp(s->set[k].prefix, prefix))
            vs = &s->set[k];
    int rc, created = !vs;
    if (!vs && (rc = add_varset(w, prefix, &vs)) != ZZ_OK)
        return rc;

    for (int v = 0; v < ZZ_NVARS; v++) {
        int64_t events;
        const void *buf = var_data(v, r, &events);
        if (!buf)
            continue;
        if (vs->var[v] < 0 && optional_var(v) && (rc = make_one(w, vs, v)) != ZZ_OK)
            return rc;
        if (vs->var[v] < 0)
            continue;
        if (write_slab(vs->var[v], var_mtype(v), (hsize_t)r->replicate, buf) < 0) {
            char what[96];
            snprintf(what, sizeof what, "cannot write variable '%s%s', replicate %d", prefix,
                     var_def[v].name, r->replicate);
            return fail(w, ZZ_IO, what);
        }
    }
    w->puts++;
    if (!vs->written[r->replicate]) {
        vs->written[r->replicate] = 1;
        vs->nwritten++;
    }
    /* A replicate counts as done once every prefix seen so far has it, so
     * with a counterfactual a crash between the twin's two puts does not
     * overstate what the file holds. */
    int done = vs->nwritten;
    for (int k = 0; k < s->nsets; k++)
        if (s->set[k].nwritten < done)
            done = s->set[k].nwritten;
    if (done == s->done && !created)
        return ZZ_OK;
    if (done != s->done && zz_h5_attr_i32(s->loc, "replications_done", done) < 0)
        return fail(w, ZZ_IO, "cannot update replications_done");
    s->done = done;
    /* On disk at each step that completes a replicate (and when a prefix's
     * variables first appear): a crash leaves a file that opens, holding
     * every replicate it counts. Flushing after the policy run's put as
     * well, whose twin is still to come, would add nothing a reader could
     * count: half the flushes. */
    return flush_all(w);
}

int zz_writer_end(zz_writer *w)
{
    zz_h5_quiet(); /* the caller's thread may be another than the opener's */
    if (!w->cur.open)
        return ZZ_OK;
    scope_close(w);
    return flush_all(w);
}

/* ---- close ------------------------------------------------------------- */

static int mark_complete(zz_writer *w)
{
    if (zz_h5_attr_i32(w->file, "complete", 1) < 0)
        return fail(w, ZZ_IO, "cannot set attribute complete");
    for (int k = 0; k < w->ngroups; k++) {
        hid_t g = H5Gopen2(w->file, w->groups[k], H5P_DEFAULT);
        int bad = g < 0 || zz_h5_attr_i32(g, "complete", 1) < 0;
        if (g >= 0)
            zz_h5_close(g);
        if (bad)
            return fail(w, ZZ_IO, "cannot set attribute complete");
    }
    return ZZ_OK;
}

/* ---- several groups in turn ------------------------------------------- */

int zz_writer_park(zz_writer *w, const char *group)
{
    zz_h5_quiet(); /* the caller's thread may be another than the opener's */
    if (!w->cur.open || w->cur.loc == w->file)
        return misuse(w, "zz_writer_park: no group being written");
    struct parked *p = realloc(w->parked, (size_t)(w->nparked + 1) * sizeof *p);
    if (!p)
        return misuse(w, "out of memory");
    w->parked = p;
    size_t n = strlen(group) + 1;
    if (!(p[w->nparked].group = malloc(n)))
        return misuse(w, "out of memory");
    memcpy(p[w->nparked].group, group, n);
    p[w->nparked++].scope = w->cur;
    scope_reset(&w->cur);
    return ZZ_OK;
}

int zz_writer_unpark(zz_writer *w, const char *group)
{
    zz_h5_quiet(); /* the caller's thread may be another than the opener's */
    if (w->cur.open)
        return misuse(w, "zz_writer_unpark while another group is being written");
    for (int k = 0; k < w->nparked; k++)
        if (!strcmp(w->parked[k].group, group)) {
            w->cur = w->parked[k].scope;
            free(w->parked[k].group);
            w->parked[k] = w->parked[--w->nparked];
            return ZZ_OK;
        }
    return misuse(w, "zz_writer_unpark: no such parked group");
}

int zz_writer_close(zz_writer *w, int complete)
{
    zz_h5_quiet(); /* the caller's thread may be another than the opener's */
    if (!w)
        return ZZ_OK;
    int rc = zz_writer_end(w);
    /* parked groups are ended too: their datasets must close before the file */
    while (w->nparked > 0) {
        int prc = zz_writer_unpark(w, w->parked[w->nparked - 1].group);
        if (!prc)
            prc = zz_writer_end(w);
        if (prc) {
            rc = rc ? rc : prc;
            break;
        }
    }
    for (int k = 0; k < w->nparked; k++)
        free(w->parked[k].group);
    free(w->parked);
    /* Marked complete only if every earlier step of close succeeded: a file
     * that says complete = 1 must be whole. */
    if (rc == ZZ_OK && zz_h5_check_lost(w->lost0, w->err, sizeof w->err, w->partial))
        rc = ZZ_IO;
    if (rc == ZZ_OK && complete)
        rc = mark_complete(w);
    if (H5Fclose(w->file) < 0 && rc == ZZ_OK)
        rc = fail(w, ZZ_IO, "cannot close file");
    /* The final name only ever holds a file that reads back whole. */
    if (rc == ZZ_OK && complete && zz_h5_verify(w->partial, w->err, sizeof w->err) != 0)
        rc = ZZ_IO;
    zz_outpath_advertise(w->lock);
    if (rc == ZZ_OK && complete)
        rc = zz_outpath_commit(w->partial, w->path, w->err, sizeof w->err);
    /* An incomplete file that holds no replicate at all (the run failed
     * before its first one, e.g. on a bad firm file) tells nobody
     * anything: it is removed rather than left looking like a result. */
    if (!complete && w->puts == 0)
        unlink(w->partial);
    zz_outpath_release(w->lock);
    if (rc != ZZ_OK && w->user_err && w->user_errlen)
        snprintf(w->user_err, w->user_errlen, "%s", w->err);
    for (int k = 0; k < w->ngroups; k++)
        free(w->groups[k]);
    free(w->groups);
    free(w->path);
    free(w->partial);
    free(w);
    return rc;
}

const char *zz_writer_errmsg(const zz_writer *w)
{
    return w ? w->err : "no writer";
}

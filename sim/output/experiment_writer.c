#define _POSIX_C_SOURCE 200809L
/*
 * The experiment file's writer (experiment_writer.h). Like h5writer.c it
 * writes "<path>.partial", takes no HDF5 file lock (a reader may follow a
 * running experiment) and renames the file only when it is complete; it is
 * called from one thread at a time.
 */
#include "output/experiment_writer.h"

#include <errno.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/h5internal.h"
#include "output/outpath.h"
#include "output/xvars.h"
#include "zhizao/zhizao.h"

struct zz_xwriter {
    hid_t file;
    char *path, *partial;
    int lock;                  /* descriptor holding the .partial's lock */
    char err[1024];
    char *user_err;
    size_t user_errlen;
    long puts;
    hsize_t len[XD_N];
    hid_t dim[XD_N];
    hid_t var[XV_N];
    int cells;
    /* tasks put since the last flush, marked done on disk only once their
     * data are (settle below) */
    struct { int point, scenario, replicate; } *pending;
    long npending, cap;
    long lost0;                /* zz_h5_lost() when opened (h5internal.h) */
};

static int fail(zz_xwriter *w, int rc, const char *what)
{
    zz_h5_fail(w->err, sizeof w->err, w->partial, "%s", what);
    return rc;
}

static hid_t make_coord(zz_xwriter *w, int d, const char *name, const char *long_name,
                        hid_t ftype, hid_t mtype, const void *data, const char *const *labels)
{
    hsize_t cur[1], max[1], chunk[1];
    int dims[1] = {d};
    zz_xvar_extent(w->len, 1, dims, cur, max, chunk);
    hid_t p = zz_h5_dcpl(), sp = H5Screate_simple(1, cur, max), ds = -1, st = -1;
    const char **copy = NULL;
    int ok = p >= 0 && sp >= 0 && (cur[0] > 0 || H5Pset_chunk(p, 1, chunk) >= 0);
    if (ok && labels) {
        st = zz_h5_vlen_str();
        copy = calloc(cur[0] + 1, sizeof *copy);
        ok = st >= 0 && copy;
        for (hsize_t i = 0; ok && i < cur[0]; i++)
            copy[i] = labels[i] ? labels[i] : "";
        ftype = mtype = st;
        data = copy;
    }
    if (ok)
        ds = H5Dcreate2(w->file, name, ftype, sp, H5P_DEFAULT, p, H5P_DEFAULT);
    ok = ds >= 0 && (cur[0] == 0 || H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0) &&
         H5DSset_scale(ds, name) >= 0 && zz_h5_attr_str(ds, "long_name", long_name) >= 0;
    free(copy);
    zz_h5_close(st);
    zz_h5_close(sp);
    zz_h5_close(p);
    if (!ok) {
        zz_h5_close(ds);
        return -1;
    }
    w->dim[d] = ds;
    return ds;
}

static hid_t make_var(zz_xwriter *w, const char *name, int type, int rank, const int *dims,
                      int task_chunks)
{
    hsize_t cur[8], max[8], chunk[8];
    zz_xvar_extent(w->len, rank, dims, cur, max, chunk);
    if (!task_chunks)
        for (int k = 0; k < rank; k++)
            chunk[k] = cur[k] ? cur[k] : 1;
    hid_t p = zz_h5_dcpl(), sp = H5Screate_simple(rank, cur, max), ds = -1;
    const double nan = NAN;
    int ok = p >= 0 && sp >= 0 && H5Pset_chunk(p, rank, chunk) >= 0;
    if (ok && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0)
        ok = H5Pset_shuffle(p) >= 0 && H5Pset_deflate(p, 4) >= 0;
    /* last in the pipeline, as in h5dims.c: the read-back before the final
     * name (zz_h5_verify) then checks every chunk on disk */
    if (ok)
        ok = H5Pset_fletcher32(p) >= 0;
    if (ok && type == XT_F64)
        ok = H5Pset_fill_value(p, H5T_NATIVE_DOUBLE, &nan) >= 0;
    if (ok)
        ds = H5Dcreate2(w->file, name, zz_xvar_ftype(type), sp, H5P_DEFAULT, p, H5P_DEFAULT);
    ok = ds >= 0;
    for (int k = 0; ok && k < rank; k++)
        ok = H5DSattach_scale(ds, w->dim[dims[k]], (unsigned)k) >= 0;
    if (ok && type == XT_F64)
        ok = zz_h5_attr_f64(ds, "_FillValue", nan) >= 0;
    zz_h5_close(sp);
    zz_h5_close(p);
    if (!ok) {
        zz_h5_close(ds);
        return -1;
    }
    return ds;
}

static int write_all(hid_t ds, int type, const void *data, hsize_t n)
{
    return n == 0 || H5Dwrite(ds, zz_xvar_mtype(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0 ? 0 : -1;
}

static int write_strings(zz_xwriter *w, const char *name, const char *const *s)
{
    int dims[1] = {XD_SCENARIO};
    hsize_t n = w->len[XD_SCENARIO];
    hid_t st = zz_h5_vlen_str(), p = zz_h5_dcpl(), sp = H5Screate_simple(1, &n, NULL), ds = -1;
    int ok = st >= 0 && p >= 0 && sp >= 0;
    if (ok)
        ds = H5Dcreate2(w->file, name, st, sp, H5P_DEFAULT, p, H5P_DEFAULT);
    ok = ds >= 0 && H5Dwrite(ds, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) >= 0 &&
         H5DSattach_scale(ds, w->dim[dims[0]], 0) >= 0;
    zz_h5_close(ds);
    zz_h5_close(sp);
    zz_h5_close(p);
    zz_h5_close(st);
    return ok ? 0 : -1;
}

static int create_layout(zz_xwriter *w, const zz_xlayout *L)
{
    static const char *const size_label[4] = {"micro", "small", "medium", "large"};
    const int P = L->npoints, S = L->nscenarios, R = L->nreplicates, F = L->nfactors;
    int32_t *pts = malloc((size_t)(P + 1) * sizeof *pts), *reps = malloc((size_t)(R + 1) * sizeof *reps);
    if (!pts || !reps) {
        free(pts);
        free(reps);
        snprintf(w->err, sizeof w->err, "%s: out of memory", w->partial);
        return ZZ_NOMEM;
    }
    for (int i = 0; i < P; i++)
        pts[i] = i;
    for (int i = 0; i < R; i++)
        reps[i] = i;
    const char *what = NULL;
    char units[64];
    snprintf(units, sizeof units, "days since %s", L->start_date);
    if (make_coord(w, XD_POINT, "point", "design point", H5T_STD_I32LE, H5T_NATIVE_INT32, pts,
                   NULL) < 0)
        what = "point";
    else if (make_coord(w, XD_SCENARIO, "scenario", "scenario", 0, 0, NULL, L->scenario) < 0)
        what = "scenario";
    else if (make_coord(w, XD_REPLICATE, "replicate", "replicate number", H5T_STD_I32LE,
                        H5T_NATIVE_INT32, reps, NULL) < 0)
        what = "replicate";
    else if (make_coord(w, XD_TIME, "time", "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, L->time,
                        NULL) < 0 ||
             zz_h5_attr_str(w->dim[XD_TIME], "units", units) < 0 ||
             zz_h5_attr_str(w->dim[XD_TIME], "calendar", "proleptic_gregorian") < 0 ||
             zz_h5_attr_str(w->dim[XD_TIME], "standard_name", "time") < 0)
        what = "time";
    else if (make_coord(w, XD_TARGET, "target", "target group", 0, 0, NULL, L->target) < 0)
        what = "target";
    else if (make_coord(w, XD_INSTRUMENT, "instrument", "policy programme", 0, 0, NULL,
                        L->instrument) < 0)
        what = "instrument";
    else if (make_coord(w, XD_FACTOR, "factor", "uncertain parameter (its key)", 0, 0, NULL,
                        L->factor) < 0)
        what = "factor";
    else if (L->cells && (make_coord(w, XD_CITY, "city", "city", 0, 0, NULL, L->city) < 0 ||
                          make_coord(w, XD_INDUSTRY, "industry", "industry", 0, 0, NULL,
                                     L->industry) < 0 ||
                          make_coord(w, XD_SIZE, "size", "firm size class", 0, 0, NULL,
                                     size_label) < 0))
        what = "city, industry or size";
    free(pts);
    free(reps);
    if (what) {
        zz_h5_fail(w->err, sizeof w->err, w->partial, "cannot write coordinate '%s'", what);
        return ZZ_IO;
    }
    static const int pf[2] = {XD_POINT, XD_FACTOR}, pp[1] = {XD_POINT}, sg[2] = {XD_SCENARIO, XD_TARGET},
                     si[2] = {XD_SCENARIO, XD_INSTRUMENT};
    hid_t d1 = make_var(w, "design", XT_F64, 2, pf, 0), d2 = make_var(w, "design_unit", XT_F64, 2, pf, 0),
          d3 = make_var(w, "design_block", XT_I32, 1, pp, 0), d4 = make_var(w, "target_level", XT_F64, 2, sg, 0),
          d5 = make_var(w, "target_by", XT_F64, 2, sg, 0), d6 = make_var(w, "fiscal", XT_U8, 2, si, 0);
    int ok = d1 >= 0 && d2 >= 0 && d3 >= 0 && d4 >= 0 && d5 >= 0 && d6 >= 0 &&
             !write_all(d1, XT_F64, L->design, (hsize_t)P * F) &&
             !write_all(d2, XT_F64, L->design_unit, (hsize_t)P * F) &&
             !write_all(d3, XT_I32, L->design_block, (hsize_t)P) &&
             !write_all(d4, XT_F64, L->target_level, (hsize_t)S * L->ntargets) &&
             zz_h5_attr_str(d1, "long_name", "value of each uncertain parameter at each point") >= 0 &&
             zz_h5_attr_str(d2, "long_name", "the point in the unit cube of the design") >= 0 &&
             zz_h5_attr_str(d3, "long_name", "Saltelli block (0 A, 1 B, 2+i AB_i) or Morris "
                                             "trajectory; 0 for other designs") >= 0 &&
             zz_h5_attr_str(d4, "long_name", "share of the group the target asks for") >= 0 &&
             !write_all(d5, XT_F64, L->target_by, (hsize_t)S * L->ntargets) &&
             !write_all(d6, XT_U8, L->fiscal, (hsize_t)S * L->ninstruments) &&
             zz_h5_attr_str(d5, "long_name", "deadline of the target, days from the start "
                                             "(NaN: none)") >= 0 &&
             zz_h5_attr_str(d5, "units", "d") >= 0 &&
             zz_h5_attr_str(d6, "long_name", "1: the programme spends fiscal money; 0: not "
                                             "(e.g. an industry fund)") >= 0 &&
             !write_strings(w, "scenario_parameters", L->scenario_parameters) &&
             !write_strings(w, "scenario_source", L->scenario_source) &&
             !write_strings(w, "scenario_path", L->scenario_path);
    zz_h5_close(d1);
    zz_h5_close(d2);
    zz_h5_close(d3);
    zz_h5_close(d4);
    zz_h5_close(d5);
    zz_h5_close(d6);
    if (!ok)
        return fail(w, ZZ_IO, "cannot write the design");
    for (int v = 0; v < XV_N; v++) {
        const struct zz_xvar *d = &zz_xvars[v];
        if (d->cells && !L->cells)
            continue;
        w->var[v] = make_var(w, d->name, d->type, d->rank, d->dims, 1);
        if (w->var[v] < 0 || zz_h5_attr_str(w->var[v], "long_name", d->long_name) < 0 ||
            (d->units && zz_h5_attr_str(w->var[v], "units", d->units) < 0)) {
            zz_h5_fail(w->err, sizeof w->err, w->partial, "cannot create variable '%s'", d->name);
            return ZZ_IO;
        }
    }
    hid_t f = w->file;
    if (zz_h5_attr_str(f, "title", "zhizao experiment") < 0 ||
        zz_h5_attr_str(f, "zhizao_file", "experiment") < 0 ||
        zz_h5_attr_str(f, "experiment_name", L->name) < 0 ||
        zz_h5_attr_str(f, "experiment_path", L->path) < 0 ||
        zz_h5_attr_str(f, "experiment_source", L->source ? L->source : "") < 0 ||
        zz_h5_attr_str(f, "design", L->design_name) < 0 ||
        zz_h5_attr_str(f, "overrides", L->overrides ? L->overrides : "") < 0 ||
        zz_h5_attr_str(f, "digest", L->digest) < 0 ||
        zz_h5_attr_i64(f, "digest64", (int64_t)strtoull(L->digest, NULL, 16)) < 0 ||
        zz_h5_attr_str(f, "start_date", L->start_date) < 0 ||
        zz_h5_attr_str(f, "program_version", ZZ_VERSION) < 0 ||
        zz_h5_attr_str(f, "Conventions", "CF-1.8") < 0 ||
        zz_h5_attr_i64(f, "seed", L->seed) < 0 ||
        zz_h5_attr_f64(f, "scale", L->scale > 0 ? L->scale : 1) < 0 ||
        zz_h5_attr_i32(f, "replications", R) < 0 ||
        zz_h5_attr_i64(f, "tasks", (int64_t)P * S * R) < 0 ||
        zz_h5_attr_i64(f, "tasks_done", 0) < 0 || zz_h5_attr_i32(f, "complete", 0) < 0)
        return fail(w, ZZ_IO, "cannot write attributes");
    /* the design's unit cube is the independent inputs, not the parameters */
    if (L->uncertain_from &&
        (zz_h5_attr_str(f, "uncertain_from", L->uncertain_from) < 0 ||
         zz_h5_attr_str(f, "sensitivity_inputs",
                        "design_unit: the estimated parameters of uncertain_from are drawn "
                        "jointly from the estimate's covariance through its Cholesky factor, so "
                        "a sensitivity index of such a factor refers to its independent input "
                        "(the part of it not explained by the factors before it, in the "
                        "calibration's order), not to the parameter itself") < 0))
        return fail(w, ZZ_IO, "cannot write attributes");
    return ZZ_OK;
}

/* Reopens a .partial file of the same experiment for writing. */
static int reopen(zz_xwriter *w, const zz_xlayout *L, uint8_t *done, hid_t fapl)
{
    int rc = zz_xresume_check(w->partial, w->len, L, done, fapl, w->err, sizeof w->err);
    if (rc)
        return rc;
    w->file = H5Fopen(w->partial, H5F_ACC_RDWR, fapl);
    if (w->file < 0)
        return fail(w, ZZ_IO, "cannot open the file to resume");
    for (int v = 0; v < XV_N; v++) {
        if (zz_xvars[v].cells && !L->cells)
            continue;
        w->var[v] = H5Dopen2(w->file, zz_xvars[v].name, H5P_DEFAULT);
        if (w->var[v] < 0)
            return fail(w, ZZ_IO, "cannot open a variable to resume");
    }
    for (long i = 0; i < (long)L->npoints * L->nscenarios * L->nreplicates; i++)
        w->puts += done[i] != 0;
    return ZZ_OK;
}

int zz_xwriter_open(zz_xwriter **out, const char *path, const zz_xlayout *L, int resume,
                    uint8_t *done, char *err, size_t errlen)
{
    *out = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    zz_xwriter *w = calloc(1, sizeof *w);
    size_t n = strlen(path);
    if (!w || !(w->path = strdup(path)) || !(w->partial = malloc(n + sizeof ".partial"))) {
        if (w)
            free(w->path);
        free(w);
        snprintf(err, errlen, "%s: out of memory", path);
        return ZZ_NOMEM;
    }
    snprintf(w->partial, n + sizeof ".partial", "%s.partial", path);
    w->user_err = err;
    w->user_errlen = errlen;
    w->file = -1;
    w->lost0 = zz_h5_lost();
    for (int d = 0; d < XD_N; d++)
        w->dim[d] = -1;
    for (int v = 0; v < XV_N; v++)
        w->var[v] = -1;
    w->cells = L->cells;
    w->cap = (long)L->npoints * L->nscenarios * L->nreplicates;
    w->pending = malloc(((size_t)w->cap + 1) * sizeof *w->pending);
    const hsize_t len[XD_N] = {(hsize_t)L->npoints, (hsize_t)L->nscenarios, (hsize_t)L->nreplicates,
                               (hsize_t)L->ntime, (hsize_t)L->ntargets, (hsize_t)L->ninstruments,
                               (hsize_t)L->nfactors, (hsize_t)L->ncities, (hsize_t)L->nindustries, 4};
    memcpy(w->len, len, sizeof len);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    int rc = ZZ_OK;
    if (fcpl < 0 || fapl < 0 ||
        H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
        H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
        H5Pset_obj_track_times(fcpl, 0) < 0 || H5Pset_file_locking(fapl, 0, 1) < 0)
        rc = fail(w, ZZ_IO, "cannot set file properties");
    if (!rc && !w->pending)
        rc = fail(w, ZZ_NOMEM, "out of memory");
    w->lock = -1;
    /* One writer per output (outpath.h), the lock taken before HDF5 opens
     * the file; --resume first needs its .partial to be there (the claim
     * would create it). */
    if (!rc && resume && access(w->partial, F_OK) != 0) {
        snprintf(w->err, sizeof w->err, "--resume: no %s to resume (it is written while an "
                 "experiment runs and renamed when it completes)", w->partial);
        rc = ZZ_IO;
    }
    if (!rc && (rc = zz_outpath_claim(w->partial, &w->lock, w->err, sizeof w->err)) != ZZ_OK)
        w->lock = -1;
    if (!rc && resume) {
        rc = reopen(w, L, done, fapl);
        zz_outpath_advertise(w->lock);
    } else if (!rc) {
        w->file = H5Fcreate(w->partial, H5F_ACC_TRUNC, fcpl, fapl);
        zz_outpath_advertise(w->lock);
        rc = w->file < 0 ? fail(w, ZZ_IO, "cannot create file") : create_layout(w, L);
        if (!rc && H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
            rc = fail(w, ZZ_IO, "cannot flush");
        if (!rc && zz_h5_check_lost(w->lost0, w->err, sizeof w->err, w->partial))
            rc = ZZ_IO;
    }
    zz_h5_close(fcpl);
    zz_h5_close(fapl);
    if (rc) {
        snprintf(err, errlen, "%s", w->err);
        /* never remove the file we were asked to resume, nor one another
         * run holds (no lock: not ours) */
        w->puts = resume || w->lock < 0;
        w->user_err = NULL;
        zz_xwriter_close(w, 0);
        return rc;
    }
    *out = w;
    return ZZ_OK;
}

static int put_var(zz_xwriter *w, int v, const zz_xrecord *r, const void *data)
{
    const struct zz_xvar *d = &zz_xvars[v];
    hsize_t start[8] = {0}, count[8];
    const int task[3] = {r->point, r->scenario, r->replicate};
    for (int k = 0; k < d->rank; k++) {
        count[k] = d->dims[k] <= XD_REPLICATE ? 1 : w->len[d->dims[k]];
        if (count[k] == 0)
            return 0;
    }
    for (int k = 0; k < 3; k++)
        if (d->dims[k] <= XD_REPLICATE)
            start[k] = (hsize_t)task[d->dims[k]];
    hid_t fs = H5Dget_space(w->var[v]), ms = H5Screate_simple(d->rank, count, NULL);
    int ok = fs >= 0 && ms >= 0 &&
             H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
             H5Dwrite(w->var[v], zz_xvar_mtype(d->type), ms, fs, H5P_DEFAULT, data) >= 0;
    zz_h5_close(fs);
    zz_h5_close(ms);
    return ok ? 0 : -1;
}

int zz_xwriter_put(zz_xwriter *w, const zz_xrecord *r)
{
    zz_h5_quiet(); /* the caller's thread may be another than the opener's */
    const void *data[XV_N] = {
        [XV_TARGET_SHARE] = r->target_share, [XV_CF_TARGET_SHARE] = r->cf_target_share,
        [XV_TIME_TO_TARGET] = r->time_to_target, [XV_CF_TIME_TO_TARGET] = r->cf_time_to_target,
        [XV_ADDITIONAL] = r->additional, [XV_SUPPORTED] = r->supported,
        [XV_DEADWEIGHT] = r->deadweight, [XV_TARGET_FIRMS] = r->target_firms,
        [XV_DEADWEIGHT_LAG] = r->deadweight_lag, [XV_COMMITTED] = r->committed,
        [XV_SPENT] = r->spent, [XV_EVENTS] = &r->events, [XV_CF_EVENTS] = &r->cf_events,
        [XV_ADOPTED] = r->adopted, [XV_CF_ADOPTED] = r->cf_adopted, [XV_FIRMS] = r->firms,
        [XV_DONE] = NULL};
    /* task_done last: a task marked done has every other variable stored */
    for (int v = 0; v < XV_N; v++) {
        if (v == XV_DONE || w->var[v] < 0 || (v == XV_FIRMS && r->replicate != 0))
            continue;
        if (put_var(w, v, r, data[v])) {
            zz_h5_fail(w->err, sizeof w->err, w->partial, "cannot write '%s'", zz_xvars[v].name);
            return ZZ_IO;
        }
    }
    if (w->npending == w->cap) /* each task is put once */
        return fail(w, ZZ_ERROR, "a task was put twice");
    w->pending[w->npending].point = r->point;
    w->pending[w->npending].scenario = r->scenario;
    w->pending[w->npending++].replicate = r->replicate;
    w->puts++;
    return ZZ_OK;
}

/* Two steps, so that a task marked done on disk has its data on disk even
 * when a write fails midway (a full disk): the data first, and only once
 * they are written, task_done. A flush that fails leaves the new tasks
 * unmarked: --resume runs them again instead of trusting unwritten data. */
static int settle(zz_xwriter *w, long tasks_done)
{
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        return fail(w, ZZ_IO, "cannot flush");
    if (zz_h5_check_lost(w->lost0, w->err, sizeof w->err, w->partial))
        return ZZ_IO;
    const uint8_t one = 1;
    for (long i = 0; i < w->npending; i++) {
        zz_xrecord r = {.point = w->pending[i].point, .scenario = w->pending[i].scenario,
                        .replicate = w->pending[i].replicate};
        if (put_var(w, XV_DONE, &r, &one))
            return fail(w, ZZ_IO, "cannot write 'task_done'");
    }
    w->npending = 0;
    if ((tasks_done >= 0 && zz_h5_attr_i64(w->file, "tasks_done", tasks_done) < 0) ||
        H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        return fail(w, ZZ_IO, "cannot flush");
    return ZZ_OK;
}

int zz_xwriter_note(zz_xwriter *w, const char *name, const char *value)
{
    zz_h5_quiet(); /* the caller's thread may be another than the opener's */
    return zz_h5_attr_str(w->file, name, value) < 0 ? fail(w, ZZ_IO, "cannot write an attribute")
                                                    : ZZ_OK;
}

int zz_xwriter_flush(zz_xwriter *w, long tasks_done)
{
    zz_h5_quiet(); /* the caller's thread may be another than the opener's */
    return settle(w, tasks_done);
}

int zz_xwriter_close(zz_xwriter *w, int complete)
{
    zz_h5_quiet(); /* the caller's thread may be another than the opener's */
    if (!w)
        return ZZ_OK;
    int rc = ZZ_OK;
    /* what the chunk caches still hold is written here, where a failure
     * is seen (closing the datasets would drop it: see zz_h5_close_written) */
    if (w->file >= 0)
        rc = settle(w, w->puts); /* every task held, resumed ones included */
    for (int v = 0; v < XV_N; v++)
        zz_h5_close(w->var[v]);
    for (int d = 0; d < XD_N; d++)
        zz_h5_close(w->dim[d]);
    if (!rc && w->file >= 0 && complete && zz_h5_attr_i32(w->file, "complete", 1) < 0)
        rc = fail(w, ZZ_IO, "cannot mark the file complete");
    if (w->file >= 0 && H5Fclose(w->file) < 0 && !rc)
        rc = fail(w, ZZ_IO, "cannot close file");
    /* The final name only ever holds a file that reads back whole. */
    if (!rc && zz_h5_check_lost(w->lost0, w->err, sizeof w->err, w->partial))
        rc = ZZ_IO;
    if (!rc && complete && zz_h5_verify(w->partial, w->err, sizeof w->err) != 0)
        rc = ZZ_IO;
    zz_outpath_advertise(w->lock);
    if (!rc && complete)
        rc = zz_outpath_commit(w->partial, w->path, w->err, sizeof w->err);
    if (!complete && w->puts == 0 && w->lock >= 0)
        unlink(w->partial);
    zz_outpath_release(w->lock);
    if (rc && w->user_err && w->user_errlen)
        snprintf(w->user_err, w->user_errlen, "%s", w->err);
    free(w->pending);
    free(w->path);
    free(w->partial);
    free(w);
    return rc;
}

const char *zz_xwriter_errmsg(const zz_xwriter *w) { return w ? w->err : "no writer"; }

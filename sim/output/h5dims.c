/*
 * HDF5 plumbing of the result writer: error text, attributes, and the
 * netCDF-4 conventions (dimension scales as coordinate variables) that let
 * netCDF-C and xarray label the dimensions of what h5writer.c writes.
 */
#include "output/h5internal.h"

#include <hdf5_hl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ------------------------------------------------------------ */

struct innermost {
    char text[200];
    int sys; /* text is the operating system's reason (errno) */
};

/* The innermost message, unless a message further out carries the system
 * call's reason ("error message = 'No space left on device'"): a failed
 * write leaves HDF5's cache in a state whose own complaints ("slist
 * already enabled?") say nothing to a user. One line, always. */
static herr_t first_error(unsigned n, const H5E_error2_t *e, void *data)
{
    struct innermost *in = data;
    if (!e->desc || in->sys)
        return 0;
    const char *m = strstr(e->desc, "error message = '");
    if (m) {
        m += strlen("error message = '");
        snprintf(in->text, sizeof in->text, "%.*s", (int)strcspn(m, "'"), m);
        in->sys = 1;
    } else if (n == 0) {
        snprintf(in->text, sizeof in->text, "%s", e->desc);
    }
    for (char *c = in->text; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    return 0;
}

void zz_h5_fail(char *buf, size_t len, const char *path, const char *what, ...)
{
    char w[256];
    va_list ap;
    va_start(ap, what);
    vsnprintf(w, sizeof w, what, ap);
    va_end(ap);
    /* The innermost HDF5 message names the real cause ("No space left on
     * device", "file is already open for write"); the API-level one only
     * repeats what failed. Must run before the next HDF5 call clears the
     * stack. */
    char why[200];
    zz_h5_reason(why, sizeof why);
    if (why[0])
        snprintf(buf, len, "%s: %s (HDF5: %s)", path, w, why);
    else
        snprintf(buf, len, "%s: %s", path, w);
}

void zz_h5_reason(char *buf, size_t len)
{
    struct innermost in = {"", 0};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_error, &in);
    snprintf(buf, len, "%s", in.text);
}

/* Writes a dataset's close could not make (its last chunks or sieve
 * buffer: a full disk), counted for zz_h5_lost; the first one's reason is
 * kept. Closes happen on whichever thread put the results. */
static atomic_long lost;
static char lost_why[200];

static void note_lost(void)
{
    struct innermost in = {"", 0};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_error, &in);
    if (atomic_fetch_add(&lost, 1) == 0)
        snprintf(lost_why, sizeof lost_why, "%s", in.text[0] ? in.text : "write failed");
}

long zz_h5_lost(void)
{
    return atomic_load(&lost);
}

int zz_h5_check_lost(long since, char *buf, size_t len, const char *path)
{
    if (atomic_load(&lost) == since)
        return 0;
    snprintf(buf, len, "%s: cannot write (HDF5: %s)", path, lost_why);
    return -1;
}

void zz_output_init(void)
{
    H5dont_atexit();
    zz_h5_quiet();
}

void zz_h5_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

int zz_h5_close_written(hid_t id)
{
    /* a dataset's last chunk or sieve buffer reaches the file only here:
     * its failure (a full disk) must not pass, else the file holds zeros
     * whose Fletcher-32 checksum (zero too) reads back as sound */
    return id < 0 || H5Dclose(id) >= 0 ? 0 : -1;
}

void zz_h5_close(hid_t id)
{
    if (id < 0)
        return;
    /* Every HDF5 API call starts by clearing the error stack; keep it. */
    hid_t es = H5Eget_current_stack();
    switch (H5Iget_type(id)) {
    case H5I_DATASET:
        if (H5Dclose(id) < 0)
            note_lost();
        break;
    case H5I_GROUP: H5Gclose(id); break;
    case H5I_ATTR: H5Aclose(id); break;
    case H5I_DATASPACE: H5Sclose(id); break;
    case H5I_DATATYPE: H5Tclose(id); break;
    case H5I_GENPROP_LST: H5Pclose(id); break;
    default: break;
    }
    if (es >= 0)
        H5Eset_current_stack(es);
}

/* ---- attributes -------------------------------------------------------- */

hid_t zz_h5_vlen_str(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return -1;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        zz_h5_close(t);
        return -1;
    }
    return t;
}

/* Rewrites an existing attribute of the same type in place rather than
 * deleting it, so that `complete` keeps its position in the attribute
 * order across updates. */
static int attr_write(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                      const void *buf)
{
    hid_t a = -1;
    htri_t exists = H5Aexists(loc, name);
    if (exists < 0)
        return -1;
    if (exists) {
        a = H5Aopen(loc, name, H5P_DEFAULT);
        if (a < 0)
            return -1;
        hid_t t = H5Aget_type(a);
        htri_t same = t >= 0 ? H5Tequal(t, ftype) : -1;
        if (t >= 0)
            zz_h5_close(t);
        if (same <= 0) {
            zz_h5_close(a);
            a = -1;
            if (same < 0 || H5Adelete(loc, name) < 0)
                return -1;
        }
    }
    if (a < 0) {
        hid_t sp = H5Screate(H5S_SCALAR);
        if (sp < 0)
            return -1;
        a = H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
        zz_h5_close(sp);
        if (a < 0)
            return -1;
    }
    herr_t rc = H5Awrite(a, mtype, buf);
    zz_h5_close(a);
    return rc < 0 ? -1 : 0;
}

/* Text is stored the way netCDF-C stores an NC_CHAR attribute (scalar,
 * fixed length, null-terminated padding): tools that read attributes with
 * nc_get_att_text (ncdump -t, CDO, NCO) reject NC_STRING, so a `units`
 * stored as a variable-length string would not decode as time for them.
 * UTF-8 so that Chinese names survive h5py's decoding. The exception is
 * text of fewer than two bytes, which h5netcdf hands back as bytes when
 * fixed-length (it leaves "S1" char arrays undecoded, and an empty NC_CHAR
 * needs a null dataspace it returns as b""): that goes out as a
 * variable-length string, which every reader returns as str. A long
 * value (the scenario source) fits only because creation-order tracking
 * gives groups the newer object header with dense attribute storage:
 * without it HDF5 refuses fixed-length attributes over 64 KiB. */
int zz_h5_attr_str(hid_t loc, const char *name, const char *value)
{
    const char *v = value ? value : "";
    size_t n = strlen(v);
    hid_t t;
    if (n < 2) {
        t = zz_h5_vlen_str();
        if (t < 0)
            return -1;
        int rc = attr_write(loc, name, t, t, &v);
        zz_h5_close(t);
        return rc;
    }
    t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return -1;
    int rc = -1;
    if (H5Tset_size(t, n) >= 0 && H5Tset_strpad(t, H5T_STR_NULLTERM) >= 0 &&
        H5Tset_cset(t, H5T_CSET_UTF8) >= 0)
        rc = attr_write(loc, name, t, t, v);
    zz_h5_close(t);
    return rc;
}

int zz_h5_attr_i32(hid_t loc, const char *name, int32_t value)
{
    return attr_write(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &value);
}

int zz_h5_attr_i64(hid_t loc, const char *name, int64_t value)
{
    return attr_write(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

int zz_h5_attr_f64(hid_t loc, const char *name, double value)
{
    return attr_write(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

/* ---- datasets ---------------------------------------------------------- */

hid_t zz_h5_dcpl(void)
{
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    if (p < 0)
        return -1;
    /* netCDF-C lists attributes by creation order when it is tracked, as it
     * does for files it writes itself; modification times are left out so
     * that the same results, put in the same order, give the same bytes. */
    if (H5Pset_attr_creation_order(p, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
        H5Pset_obj_track_times(p, 0) < 0) {
        zz_h5_close(p);
        return -1;
    }
    return p;
}

/* A zero-length dimension (a scenario without targets) is stored as an
 * unlimited one: netCDF has no fixed dimension of length 0 (length 0 means
 * unlimited to nc_def_dim), and HDF5 needs chunking for either. */
static void space_dims(const zz_h5_scope *s, int rank, const int *dims,
                       hsize_t *cur, hsize_t *max, hsize_t *chunk)
{
    for (int k = 0; k < rank; k++) {
        hsize_t n = s->len[dims[k]];
        cur[k] = n;
        max[k] = n ? n : H5S_UNLIMITED;
        chunk[k] = n ? n : 1;
    }
    /* One replicate per chunk: zz_writer_put writes whole chunks, and a
     * reader pulling one replicate decompresses nothing else. */
    if (rank > 1 && dims[0] == ZZ_D_REPLICATE)
        chunk[0] = 1;
    /* events [R]: one chunk for all, bounded so huge ensembles stay sane. */
    if (rank == 1 && chunk[0] > 65536)
        chunk[0] = 65536;
}

hid_t zz_h5_make_var(zz_h5_scope *s, const char *name, hid_t ftype, int rank,
                     const int *dims, const double *fill)
{
    hsize_t cur[ZZ_NDIMS], max[ZZ_NDIMS], chunk[ZZ_NDIMS];
    space_dims(s, rank, dims, cur, max, chunk);
    hid_t d = -1, sp = -1, p = zz_h5_dcpl();
    if (p < 0)
        return -1;
    if (H5Pset_chunk(p, rank, chunk) < 0)
        goto out;
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 &&
        (H5Pset_shuffle(p) < 0 || H5Pset_deflate(p, 4) < 0))
        goto out;
    /* Last in the pipeline: the checksum covers the bytes on disk, so a
     * damaged chunk is an error on reading, never quietly wrong numbers. */
    if (H5Pset_fletcher32(p) < 0)
        goto out;
    if (fill && H5Pset_fill_value(p, H5T_NATIVE_DOUBLE, fill) < 0)
        goto out;
    sp = H5Screate_simple(rank, cur, max);
    if (sp < 0)
        goto out;
    d = H5Dcreate2(s->loc, name, ftype, sp, H5P_DEFAULT, p, H5P_DEFAULT);
    if (d < 0)
        goto out;
    for (int k = 0; k < rank; k++) {
        if (H5DSattach_scale(d, s->dim[dims[k]], (unsigned)k) < 0) {
            zz_h5_close(d);
            d = -1;
            goto out;
        }
    }
    /* xarray masks with the _FillValue attribute, netCDF-C with the
     * dataset's fill property; both are set so that readers agree. */
    if (fill && zz_h5_attr_f64(d, "_FillValue", *fill) < 0) {
        zz_h5_close(d);
        d = -1;
    }
out:
    if (sp >= 0)
        zz_h5_close(sp);
    zz_h5_close(p);
    return d;
}

/* ---- coordinate variables ---------------------------------------------- */

static const char *const size_label[ZZ_NSIZES] = { "micro", "small", "medium", "large" };
static const char *const state_label[ZZ_NSTATES] = { "none", "implementing", "adopted",
                                                     "scaled" };

/* Creates coordinate variable `name` for dimension `dim` and marks it as
 * the dimension scale netCDF-C and h5netcdf take the dimension from.
 * ftype 0: labels from `strings` (NULL entries taken as ""); else numbers
 * of type mtype from `data`. */
static int make_coord(zz_h5_scope *s, int dim, const char *name, hid_t ftype,
                      hid_t mtype, const void *data, const char *const *strings,
                      const char *long_name)
{
    hsize_t cur[1], max[1], chunk[1];
    int dims[1] = { dim };
    space_dims(s, 1, dims, cur, max, chunk);
    hsize_t n = cur[0];
    hid_t p = zz_h5_dcpl(), sp = -1, d = -1, st = -1;
    const char **labels = NULL;
    int rc = -1;
    if (p < 0)
        return -1;
    /* Coordinates are small and written once: contiguous unless the
     * dimension is empty, which HDF5 only allows extendible (chunked). */
    if (n == 0 && H5Pset_chunk(p, 1, chunk) < 0)
        goto out;
    sp = H5Screate_simple(1, cur, max);
    if (sp < 0)
        goto out;
    if (ftype == 0) {
        st = zz_h5_vlen_str();
        if (st < 0)
            goto out;
        ftype = mtype = st;
        labels = calloc(n + 1, sizeof *labels);
        if (!labels)
            goto out;
        for (hsize_t i = 0; i < n; i++)
            labels[i] = strings && strings[i] ? strings[i] : "";
        data = labels;
    }
    d = H5Dcreate2(s->loc, name, ftype, sp, H5P_DEFAULT, p, H5P_DEFAULT);
    if (d < 0)
        goto out;
    if (n > 0 && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        goto out;
    if (H5DSset_scale(d, name) < 0)
        goto out;
    if (zz_h5_attr_str(d, "long_name", long_name) < 0)
        goto out;
    s->dim[dim] = d;
    d = -1;
    rc = 0;
out:
    free(labels);
    if (d >= 0)
        zz_h5_close(d);
    if (st >= 0)
        zz_h5_close(st);
    if (sp >= 0)
        zz_h5_close(sp);
    zz_h5_close(p);
    return rc;
}

int zz_h5_make_dims(zz_h5_scope *s, const zz_layout *L, char *msg, size_t msglen,
                    const char *path)
{
    s->len[ZZ_D_REPLICATE] = (hsize_t)L->replications;
    s->len[ZZ_D_TIME] = (hsize_t)L->ntime;
    s->len[ZZ_D_CITY] = (hsize_t)L->ncities;
    s->len[ZZ_D_INDUSTRY] = (hsize_t)L->nindustries;
    s->len[ZZ_D_SIZE] = ZZ_NSIZES;
    s->len[ZZ_D_INSTRUMENT] = (hsize_t)L->nprogrammes;
    s->len[ZZ_D_TARGET] = (hsize_t)L->ntargets;
    s->len[ZZ_D_STATE] = ZZ_NSTATES;
    s->len[ZZ_D_ROUND] = (hsize_t)L->nrounds;
    s->len[ZZ_D_FIRM] = (hsize_t)L->nfirms;

    int32_t *rep = calloc((size_t)L->replications + 1, sizeof *rep);
    int32_t *round = calloc((size_t)L->nrounds + 1, sizeof *round);
    int64_t *firm = calloc((size_t)L->nfirms + 1, sizeof *firm);
    if (!rep || !round || !firm) {
        free(rep);
        free(round);
        free(firm);
        snprintf(msg, msglen, "%s: out of memory", path);
        return -1;
    }
    for (int i = 0; i < L->replications; i++)
        rep[i] = i;
    for (int i = 0; i < L->nrounds; i++)
        round[i] = i + 1;
    for (int64_t i = 0; i < L->nfirms; i++)
        firm[i] = i;
    const char *what = NULL;
    if (make_coord(s, ZZ_D_REPLICATE, "replicate", H5T_STD_I32LE, H5T_NATIVE_INT32, rep,
                   NULL, "replicate number") < 0)
        what = "replicate";
    else if (make_coord(s, ZZ_D_TIME, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, L->time,
                        NULL, "time") < 0)
        what = "time";
    else if (make_coord(s, ZZ_D_CITY, "city", 0, 0, NULL, L->city, "city") < 0)
        what = "city";
    else if (make_coord(s, ZZ_D_INDUSTRY, "industry", 0, 0, NULL, L->industry,
                        "industry") < 0)
        what = "industry";
    else if (make_coord(s, ZZ_D_SIZE, "size", 0, 0, NULL, size_label, "firm size class") < 0)
        what = "size";
    else if (make_coord(s, ZZ_D_INSTRUMENT, "instrument", 0, 0, NULL, L->programme,
                        "policy programme") < 0)
        what = "instrument";
    else if (make_coord(s, ZZ_D_TARGET, "target", 0, 0, NULL, L->target,
                        "target group") < 0)
        what = "target";
    else if (make_coord(s, ZZ_D_STATE, "state", 0, 0, NULL, state_label,
                        "adoption state") < 0)
        what = "state";
    else if (make_coord(s, ZZ_D_ROUND, "round", H5T_STD_I32LE, H5T_NATIVE_INT32, round, NULL,
                        "contest round (1 = first)") < 0)
        what = "round";
    /* the per-firm record's dimension exists only when one is asked for */
    else if (L->nfirms > 0 && make_coord(s, ZZ_D_FIRM, "firm", H5T_STD_I64LE, H5T_NATIVE_INT64,
                                         firm, NULL, "firm index (row of the firm file)") < 0)
        what = "firm";
    free(rep);
    free(round);
    free(firm);
    if (what) {
        zz_h5_fail(msg, msglen, path, "cannot write coordinate variable '%s'", what);
        return -1;
    }

    /* CF time: xarray decodes these into datetimes; month ends fall on
     * whole days, so "days since" is exact. */
    char units[64];
    snprintf(units, sizeof units, "days since %s", L->start_date ? L->start_date : "1970-01-01");
    hid_t t = s->dim[ZZ_D_TIME];
    if (zz_h5_attr_str(t, "units", units) < 0 ||
        zz_h5_attr_str(t, "calendar", "proleptic_gregorian") < 0 ||
        zz_h5_attr_str(t, "standard_name", "time") < 0) {
        zz_h5_fail(msg, msglen, path, "cannot write attributes of 'time'");
        return -1;
    }
    return 0;
}

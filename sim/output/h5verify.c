/*
 * Reading a finished file back before it takes its final name: the root
 * says complete = 1 and every dataset reads in full, which makes HDF5
 * check each chunk's Fletcher-32 checksum (see zz_h5_make_var) and each
 * metadata checksum on the way. A file that fails stays a .partial.
 */
#include "output/h5internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read a row (a replicate) or 64 KiB at a time: larger reads over many
 * chunks make HDF5 1.10 hold far more memory than they return (a 20,000
 * replicate file: 56 MB peak this way, 160 MB with 4 MiB reads). */
#define BLOCK_BYTES ((size_t)64 << 10)

struct verify {
    char *msg;
    size_t len;
    const char *path;
};

static int read_dataset(hid_t d, const char *name, struct verify *v)
{
    hid_t ft = H5Dget_type(d), sp = H5Dget_space(d), mt = -1, ms = -1;
    int bad = 1, vlen = ft >= 0 && H5Tis_variable_str(ft) > 0;
    hsize_t dims[H5S_MAX_RANK], start[H5S_MAX_RANK] = {0}, count[H5S_MAX_RANK];
    void *buf = NULL;
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (ft < 0 || rank < 0 || (mt = H5Tget_native_type(ft, H5T_DIR_ASCEND)) < 0)
        goto out;
    H5Sget_simple_extent_dims(sp, dims, NULL);
    size_t esize = vlen ? sizeof(char *) : H5Tget_size(mt), row = esize;
    for (int k = 1; k < rank; k++)
        row *= dims[k];
    hsize_t rows = rank ? dims[0] : 1;
    if (row == 0 || rows == 0) { /* an empty variable (no programme, no round) */
        bad = 0;
        goto out;
    }
    hsize_t step = row >= BLOCK_BYTES ? 1 : BLOCK_BYTES / row;
    if (step > rows)
        step = rows ? rows : 1;
    buf = malloc(row * step + 1);
    if (!buf)
        goto out;
    for (int k = 1; k < rank; k++)
        count[k] = dims[k];
    for (hsize_t r = 0; r < rows || (rank == 0 && r == 0); r += step) {
        if (rank == 0) {
            ms = H5Screate(H5S_SCALAR);
        } else {
            start[0] = r;
            count[0] = rows - r < step ? rows - r : step;
            ms = H5Screate_simple(rank, count, NULL);
            if (H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL) < 0)
                goto out;
        }
        if (ms < 0 || H5Dread(d, mt, ms, rank ? sp : H5S_ALL, H5P_DEFAULT, buf) < 0)
            goto out;
        if (vlen)
            H5Dvlen_reclaim(mt, ms, H5P_DEFAULT, buf);
        zz_h5_close(ms);
        ms = -1;
        if (rank == 0)
            break;
    }
    bad = 0;
out:
    if (bad)
        zz_h5_fail(v->msg, v->len, v->path, "variable '%s' does not read back", name);
    free(buf);
    zz_h5_close(ms);
    zz_h5_close(mt);
    zz_h5_close(sp);
    zz_h5_close(ft);
    return bad ? -1 : 0;
}

static herr_t visit(hid_t loc, const char *name, const H5O_info_t *info, void *data)
{
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) {
        struct verify *v = data;
        zz_h5_fail(v->msg, v->len, v->path, "variable '%s' does not open", name);
        return -1;
    }
    int rc = read_dataset(d, name, data);
    zz_h5_close(d);
    return rc < 0 ? -1 : 0;
}

int zz_h5_verify(const char *path, char *msg, size_t len)
{
    struct verify v = {msg, len, path};
    msg[0] = '\0';
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_file_locking(fapl, 0, 1) < 0) {
        zz_h5_close(fapl);
        zz_h5_fail(msg, len, path, "cannot set file properties");
        return -1;
    }
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    zz_h5_close(fapl);
    if (f < 0) {
        zz_h5_fail(msg, len, path, "does not open again after writing");
        return -1;
    }
    int32_t complete = 0;
    hid_t a = H5Aopen(f, "complete", H5P_DEFAULT);
    int bad = a < 0 || H5Aread(a, H5T_NATIVE_INT32, &complete) < 0 || complete != 1;
    zz_h5_close(a);
    if (bad)
        zz_h5_fail(msg, len, path, "is not marked complete after writing");
    else if (H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_NATIVE, visit, &v, H5O_INFO_BASIC) < 0) {
        bad = 1;
        if (!msg[0])
            zz_h5_fail(msg, len, path, "cannot walk its contents");
    }
    if (H5Fclose(f) < 0 && !bad) {
        bad = 1;
        zz_h5_fail(msg, len, path, "cannot close after reading back");
    }
    return bad ? -1 : 0;
}

int zz_h5_expect(hid_t ds, const char *name, hid_t ftype, int rank, const hsize_t *cur, char *msg,
                 size_t len)
{
    hid_t t = H5Dget_type(ds), sp = H5Dget_space(ds);
    hsize_t got[H5S_MAX_RANK];
    int r = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    int ok = t >= 0 && H5Tequal(t, ftype) > 0 && r == rank &&
             H5Sget_simple_extent_dims(sp, got, NULL) == rank;
    for (int k = 0; ok && k < rank; k++)
        ok = got[k] == cur[k];
    zz_h5_close(t);
    zz_h5_close(sp);
    if (!ok)
        snprintf(msg, len, "variable '%s' has another type or shape than this experiment writes",
                 name);
    return ok ? 0 : -1;
}

int zz_h5_attr_read_i64(hid_t obj, const char *name, int64_t *v)
{
    if (H5Aexists(obj, name) <= 0)
        return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), sp = a >= 0 ? H5Aget_space(a) : -1,
          t = a >= 0 ? H5Aget_type(a) : -1;
    /* one integer, never more than the buffer holds */
    int ok = sp >= 0 && t >= 0 && H5Sget_simple_extent_npoints(sp) == 1 &&
             H5Tget_class(t) == H5T_INTEGER && H5Aread(a, H5T_NATIVE_INT64, v) >= 0;
    zz_h5_close(t);
    zz_h5_close(sp);
    zz_h5_close(a);
    return ok ? 0 : -1;
}

long zz_h5_unstored_tasks(hid_t ds, int rank, const hsize_t *cur, uint8_t *done)
{
    hsize_t at[H5S_MAX_RANK] = {0}, bytes;
    const hsize_t ntasks = cur[0] * cur[1] * cur[2];
    long cleared = 0;
    for (int k = 0; k < rank; k++)
        if (cur[k] == 0)
            return 0; /* never written: nothing to find */
    for (hsize_t i = 0; i < ntasks; i++) {
        if (!done[i])
            continue;
        at[0] = i / (cur[1] * cur[2]);
        at[1] = i / cur[2] % cur[1];
        at[2] = i % cur[2];
        if (H5Dget_chunk_storage_size(ds, at, &bytes) < 0 || bytes == 0) {
            done[i] = 0;
            cleared++;
        }
    }
    return cleared;
}

/* --resume of an experiment trusts nothing it reads (xvars.h). */
#include <stdio.h>
#include <stdlib.h>

#include "output/h5internal.h"
#include "output/xvars.h"
#include "zhizao/zhizao.h"

/* Checks, read-only, that the .partial file is this experiment's: its
 * digest, then every variable's type and shape, before a byte of it is read
 * into a buffer sized from the layout; then reads which tasks it holds.
 * A refusal leaves the file as it was (nothing opened for writing). */
int zz_xresume_check(const char *partial, const hsize_t *len, const zz_xlayout *L, uint8_t *done,
                     hid_t fapl, char *err, size_t errlen)
{
    const char *again = "run without --resume to start again";
    hid_t f = H5Fopen(partial, H5F_ACC_RDONLY, fapl);
    if (f < 0) {
        zz_h5_fail(err, errlen, partial, "--resume: cannot be read (empty, truncated "
                   "or not an HDF5 file); %s", again);
        return ZZ_IO;
    }
    /* the digest is also kept as a number: read back exactly, whatever
     * string type the text attribute has */
    int64_t digest = 0, want = (int64_t)strtoull(L->digest, NULL, 16);
    int rc = ZZ_OK;
    if (zz_h5_attr_read_i64(f, "digest64", &digest) != 0) {
        snprintf(err, errlen, "--resume: %s holds no experiment digest: not the "
                 ".partial file of zhizao explore, or damaged; %s", partial, again);
        rc = ZZ_USAGE;
    } else if (digest != want) {
        snprintf(err, errlen, "--resume: %s was written by a different experiment, "
                 "scenario text, option or --set (digest %016llx, now %s); %s", partial,
                 (unsigned long long)digest, L->digest, again);
        rc = ZZ_USAGE;
    }
    char why[300];
    /* task_done first; then each task variable must hold a chunk for every
     * task it counts, else the task is run again */
    for (int k = -1; !rc && k < XV_N; k++) {
        const int v = k < 0 ? XV_DONE : k;
        const struct zz_xvar *d = &zz_xvars[v];
        if ((k >= 0 && v == XV_DONE) || (d->cells && !L->cells))
            continue;
        hsize_t cur[8], max[8], chunk[8];
        zz_xvar_extent(len, d->rank, d->dims, cur, max, chunk);
        hid_t ds = H5Lexists(f, d->name, H5P_DEFAULT) > 0 ? H5Dopen2(f, d->name, H5P_DEFAULT) : -1;
        if (ds < 0)
            snprintf(why, sizeof why, "no variable '%s'", d->name);
        if (ds < 0 || zz_h5_expect(ds, d->name, zz_xvar_ftype(d->type), d->rank, cur, why,
                                   sizeof why) != 0) {
            snprintf(err, errlen, "--resume: %s does not hold this experiment's "
                     "layout (%s); %s", partial, why, again);
            rc = ZZ_USAGE;
        } else if (v == XV_DONE &&
                   H5Dread(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, done) < 0) {
            zz_h5_fail(err, errlen, partial, "--resume: cannot read task_done "
                       "(damaged); %s", again);
            rc = ZZ_IO;
        } else if (v != XV_DONE && d->dims[2] == XD_REPLICATE) {
            zz_h5_unstored_tasks(ds, d->rank, cur, done);
        }
        zz_h5_close(ds);
    }
    if (H5Fclose(f) < 0 && !rc) {
        zz_h5_fail(err, errlen, partial, "cannot close");
        rc = ZZ_IO;
    }
    return rc;
}

/* The experiment file's dimensions and variables (experiment_writer.c
 * writes them, xresume.c checks them before --resume reads a byte). */
#ifndef ZZ_XVARS_H
#define ZZ_XVARS_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "output/experiment_writer.h"

enum xdim { XD_POINT, XD_SCENARIO, XD_REPLICATE, XD_TIME, XD_TARGET, XD_INSTRUMENT, XD_FACTOR,
            XD_CITY, XD_INDUSTRY, XD_SIZE, XD_N };

enum xvar { XV_TARGET_SHARE, XV_CF_TARGET_SHARE, XV_TIME_TO_TARGET, XV_CF_TIME_TO_TARGET,
            XV_ADDITIONAL, XV_SUPPORTED, XV_DEADWEIGHT, XV_TARGET_FIRMS, XV_DEADWEIGHT_LAG,
            XV_COMMITTED, XV_SPENT, XV_EVENTS, XV_CF_EVENTS, XV_DONE, XV_ADOPTED, XV_CF_ADOPTED,
            XV_FIRMS, XV_N };

enum xtype { XT_F64, XT_I64, XT_U8, XT_I32 };

#define TASK XD_POINT, XD_SCENARIO, XD_REPLICATE
struct zz_xvar {
    const char *name, *long_name, *units;
    int type, rank, cells;
    int dims[7];
};

/* every variable of the experiment file, by enum xvar */
extern const struct zz_xvar zz_xvars[XV_N];

hid_t zz_xvar_ftype(int t); /* the type in the file */
hid_t zz_xvar_mtype(int t); /* the type in memory */
/* A variable's extent over dims from the dimension lengths len[XD_N]. */
void zz_xvar_extent(const hsize_t *len, int rank, const int *dims, hsize_t *cur, hsize_t *max,
                    hsize_t *chunk);

/* Checks, read-only, that `partial` is this experiment's .partial file:
 * its digest, then every variable's type and shape against the layout,
 * before a byte is read into done (task_done) sized from it; a task whose
 * data are not stored is counted as not done. ZZ_OK, or ZZ_USAGE/ZZ_IO
 * with err set; a refusal leaves the file as it was. */
int zz_xresume_check(const char *partial, const hsize_t *len, const zz_xlayout *L, uint8_t *done,
                     hid_t fapl, char *err, size_t errlen);

#endif

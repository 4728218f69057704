/*
 * A small netCDF-4 style writer shared by the calibration and optimisation
 * files (calib_h5.c): dimension scales as coordinate variables (labels, or
 * 0..n-1 without), variables attached to them, no timestamps, so the same
 * content gives the same bytes.
 */
#ifndef ZZ_H5W_H
#define ZZ_H5W_H

#include <hdf5.h>

#define ZZ_H5W_MAXDIMS 12

typedef struct zz_h5w {
    hid_t file, dim[ZZ_H5W_MAXDIMS];
    hsize_t len[ZZ_H5W_MAXDIMS];   /* set before zz_h5w_dim */
    char why[200];                 /* the first put's failure, as HDF5 said
                                      it before the clean-up cleared it */
} zz_h5w;
/* err: "PATH: WHAT (HDF5: the reason)", the first failed put's reason if
 * one was kept, else the stack's now. */
void zz_h5w_fail(const zz_h5w *w, char *err, size_t errlen, const char *path, const char *what);

int zz_h5w_create(zz_h5w *w, const char *path);
int zz_h5w_dim(zz_h5w *w, int d, const char *name, const char *const *labels);
int zz_h5w_put(zz_h5w *w, const char *name, hid_t ftype, hid_t mtype, int rank, const int *dims,
               const void *data, const char *long_name);
int zz_h5w_f64(zz_h5w *w, const char *name, int rank, const int *dims, const double *data,
               const char *long_name);

#endif

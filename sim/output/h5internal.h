/*
 * Shared between the HDF5 writer's files (h5writer.c, h5dims.c); not part
 * of the interface. Only the writer thread includes HDF5 (see results.h).
 */
#ifndef ZZ_H5INTERNAL_H
#define ZZ_H5INTERNAL_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "output/results.h"

/* Dimensions of a result set, in the order they are created (netCDF-C
 * numbers dimensions in creation order, so this is the order ncdump shows). */
enum zz_h5_dim {
    ZZ_D_REPLICATE, ZZ_D_TIME, ZZ_D_CITY, ZZ_D_INDUSTRY, ZZ_D_SIZE,
    ZZ_D_INSTRUMENT, ZZ_D_TARGET, ZZ_D_STATE, ZZ_D_ROUND, ZZ_D_FIRM, ZZ_NDIMS
};

/* The per-replicate variables, in creation order. firms/firms_gsz are not
 * here: they describe the population, which both twins share. */
enum zz_h5_var {
    ZZ_V_ADOPTED, ZZ_V_IMPLEMENTING, ZZ_V_SCALED, ZZ_V_ADOPTED_GSZ,
    ZZ_V_COMMITTED, ZZ_V_SPENT, ZZ_V_RETURNED, ZZ_V_BUDGET,
    ZZ_V_TARGET_SHARE, ZZ_V_TIME_TO_TARGET, ZZ_V_EVENTS,
    ZZ_V_COMPUTE_PRICE, ZZ_V_COMPUTE_UTILISATION,
    ZZ_V_ROUND_BIDS, ZZ_V_ROUND_WINNERS, ZZ_V_ROUND_SUCCESSES, ZZ_V_ROUND_REWARDS,
    /* paired with the no-policy twin (only in the policy run's set) */
    ZZ_V_ADDITIONAL, ZZ_V_SUPPORTED, ZZ_V_DEADWEIGHT, ZZ_V_DEADWEIGHT_LAG, ZZ_V_TARGET_FIRMS,
    /* the optional per-firm record */
    ZZ_V_FIRM_DAY, ZZ_V_FIRM_SUPPORT, ZZ_NVARS
};

#define ZZ_H5_MAX_PREFIXES 4

/* The datasets of one prefix ("" or "cf_") in the current group. */
typedef struct zz_h5_varset {
    char prefix[16];
    hid_t var[ZZ_NVARS];
    uint8_t *written;          /* [R] replicate already stored             */
    int nwritten;
} zz_h5_varset;

/* The group being written, between zz_writer_begin and zz_writer_end. */
typedef struct zz_h5_scope {
    int open;
    hid_t loc;                 /* group, or the file itself for the root   */
    hsize_t len[ZZ_NDIMS];
    hid_t dim[ZZ_NDIMS];       /* coordinate variables = dimension scales   */
    int nsets;
    zz_h5_varset set[ZZ_H5_MAX_PREFIXES];
    int done;                  /* value of replications_done last written   */
} zz_h5_scope;

/* Failure report: "<path>: <what> (<innermost HDF5 message>)". */
void zz_h5_fail(char *buf, size_t len, const char *path, const char *what, ...);
/* HDF5's reason for the failure just made ("No space left on device"), or
 * "": read it before any other HDF5 call, which clears the stack. */
void zz_h5_reason(char *buf, size_t len);

/* Closes any HDF5 id (ignoring id < 0) without clearing the error stack,
 * so that cleanup after a failure keeps the message explaining it. */
void zz_h5_close(hid_t id);

/* Attributes; each replaces an existing attribute of the same name, so the
 * same calls set `complete` and `replications_done` repeatedly. */
int zz_h5_attr_str(hid_t loc, const char *name, const char *value);
int zz_h5_attr_i32(hid_t loc, const char *name, int32_t value);
int zz_h5_attr_i64(hid_t loc, const char *name, int64_t value);
int zz_h5_attr_f64(hid_t loc, const char *name, double value);

/* Variable-length UTF-8 string type (caller closes). */
hid_t zz_h5_vlen_str(void);

/* Creation property list for a dataset that netCDF-C reads back with its
 * attributes in the order written. */
hid_t zz_h5_dcpl(void);

/* Creates the coordinate variables of one group from the layout; fills
 * s->len and s->dim. 0 on success, else -1 with msg set. */
int zz_h5_make_dims(zz_h5_scope *s, const zz_layout *L, char *msg, size_t msglen,
                    const char *path);

/* Creates a chunked, compressed variable with dimensions dims[0..rank-1]
 * (indices into s->dim), one replicate per chunk when dims[0] is the
 * replicate, and attaches the dimension scales. Returns the dataset or -1. */
hid_t zz_h5_make_var(zz_h5_scope *s, const char *name, hid_t ftype, int rank,
                     const int *dims, const double *fill);

/* Reads a closed file back (h5verify.c): complete = 1 and every dataset
 * whole, checksums included. 0 if sound, else -1 with msg set. */
int zz_h5_verify(const char *path, char *msg, size_t len);
/* Before reading a file we did not just write: the dataset has this file
 * type and exactly this shape (0, or -1 with msg naming the variable). */
int zz_h5_expect(hid_t ds, const char *name, hid_t ftype, int rank, const hsize_t *cur, char *msg,
                 size_t len);
/* HDF5 prints nothing on this thread (a thread-safe HDF5 keeps the setting
 * per thread): failures come back as return codes and zz_h5_fail's line. */
void zz_h5_quiet(void);
/* zz_h5_close may close a dataset whose last data HDF5 writes only then;
 * when that fails the error would be lost and the file hold zeros whose
 * Fletcher-32 checksum (zero) reads back as sound. Such failures are
 * counted: a writer notes zz_h5_lost() when it opens, and
 * zz_h5_check_lost(noted, ...) (-1 with the message set, else 0) before it
 * counts anything as written. */
long zz_h5_lost(void);
int zz_h5_check_lost(long since, char *buf, size_t len, const char *path);
/* Closes a dataset written to: 0, or -1 when what it still held could not
 * be written (the HDF5 error stack then says why). */
int zz_h5_close_written(hid_t id);
/* For a variable whose first three dimensions are an experiment's tasks
 * (point, scenario, replicate; one chunk per task): clears done[i] of each
 * task whose chunk is not stored (a flush that failed midway can lose a
 * chunk that task_done counts). Returns how many it cleared. */
long zz_h5_unstored_tasks(hid_t ds, int rank, const hsize_t *cur, uint8_t *done);
/* A scalar integer attribute (0), or -1 when absent or of another kind. */
int zz_h5_attr_read_i64(hid_t obj, const char *name, int64_t *v);

#endif

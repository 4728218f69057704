/*
 * sim/output/, the output floor (docs/architecture.md). It offers the
 * result files and what travels between ranks: the HDF5 file of run and
 * compare (this header, h5writer.c), the experiment file of explore and
 * compare (experiment_writer.h), results as bytes for MPI (rep_pack.h,
 * xrecord_pack.h), and where a file may go with its ".partial" lifecycle
 * (outpath.h). It reads what the kernel hands on (rep_result.h) and may
 * include engine/, config.h, model/population.h and the kernel's headers,
 * never scenario/, parallel/, the drivers or cli/: a writer is told what
 * to write, it does not go and get it.
 *
 * The static layout of a result file and the writer that takes each
 * replication's zz_rep_result (rep_result.h, the kernel's). The
 * simulation fills zz_rep_result on its own thread; only
 * the writer thread touches HDF5 (the Debian HDF5 build is not thread-safe,
 * and one writer keeps the file's layout deterministic).
 *
 * File layout (netCDF-4 compatible: every dimension is an HDF5 dimension
 * scale with a coordinate variable, so xarray.open_dataset labels them):
 *
 *   dims      replicate(R) time(T) city(C) industry(I) size(S=4)
 *             instrument(P) target(G) state(4) round(K)
 *   coords    time: float64 days, units "days since <start>",
 *             calendar "proleptic_gregorian" (month ends, first = start)
 *             city/industry/size/instrument/target: variable-length strings
 *             replicate: int32 replicate number
 *   data      adopted, implementing, scaled       int32 [R,T,C,I,S]
 *               (adopted counts pilot and scaled firms; scaled is its subset)
 *             adopted_gsz                         int32 [R,T,C,I,S]
 *             firms, firms_gsz                    int32 [C,I,S]
 *             committed, spent, returned          float64 [R,T,P]  yuan, cumulative
 *                                                 except `committed`: outstanding
 *             budget                              float64 [R,T,P]  pot remaining
 *             target_share                        float64 [R,T,G]
 *             time_to_target                      float64 [R,G] days, NaN = not reached
 *                 (durations carry units "d", UDUNITS' day: xarray leaves
 *                 them float, so NaN needs no cast to NaT)
 *             target_by                           float64 [G] deadline, days since
 *                                                 start, NaN = none
 *             fiscal                              int8 [P] 1 = fiscal money
 *             events                              int64 [R]
 *             compute_price, compute_utilisation  float64 [R,T]
 *             round_bids, round_winners, round_successes  int32 [R,P,K]
 *             round_rewards                       float64 [R,P,K]  yuan
 *   paired with the no-policy twin (run with --counterfactual, compare):
 *             additional, supported, deadweight, target_firms  int32 [R,G]
 *             deadweight_lag                      float64 [R,G] days
 *   per-firm record (--firms): dim firm(N)
 *             firm_day, cf_firm_day               float64 [R,N] days, NaN = never
 *             firm_support                        float64 [R,N,P] yuan
 *   attrs     title, scenario_name, scenario_path, scenario_source,
 *             parameters (resolved, "key = value" lines), overrides, seed,
 *             replications, program_version, start_date, complete (0/1),
 *             replications_done, Conventions = "CF-1.8"
 *
 * A `compare` file holds one such set per scenario, each in a group named
 * after the scenario; a paired counterfactual adds the same variables with
 * the prefix `cf_` in the same group.
 */
#ifndef ZZ_RESULTS_H
#define ZZ_RESULTS_H

#include <stdint.h>
#include "config.h"
#include "model/population.h"
#include "rep_result.h"

typedef struct zz_layout {
    int ntime;                 /* observations: start + each month end      */
    double *time;              /* [ntime] days since start                   */
    int ncities, nindustries, nprogrammes, ntargets;
    int nrounds;               /* contest rounds reported (max over contests) */
    int64_t nfirms;            /* > 0: the per-firm record is written       */
    const char *const *city;       /* names */
    const char *const *industry;
    const char *const *programme;
    const char *const *target;
    const int32_t *firms;      /* [C][I][S] */
    const int32_t *firms_gsz;
    const double *target_by;   /* [G] deadline, days since start, < 0: none;
                                  NULL: no target has one                   */
    const int *fiscal;         /* [P] 1 = fiscal money, 0 = not; NULL: all 1 */
    int replications;
    /* attributes */
    const char *scenario_name, *scenario_path, *source, *parameters;
    const char *overrides, *start_date;
    int64_t seed;
    double scale;              /* --scale: the file's counts and money are
                                  of this fraction of the region           */
} zz_layout;

/* The writer (sim/output/h5writer.c). Writes to "<path>.partial" and renames
 * to <path> in zz_writer_close(w, complete=1); an incomplete file keeps the
 * temporary name with attribute complete = 0, unless it holds no replicate
 * at all, in which case it is removed. */
typedef struct zz_writer zz_writer;
/* On failure *out is NULL and err says why. err must stay valid until
 * zz_writer_close: close frees the handle, so its own failure (flush,
 * rename) is reported in err rather than through zz_writer_errmsg. */
int zz_writer_open(zz_writer **out, const char *path, char *err, size_t errlen);
/* group == NULL writes at the root (a `run` file); compare files use one
 * group per scenario. prefix "" or "cf_" (the counterfactual twin). */
int zz_writer_begin(zz_writer *w, const char *group, const zz_layout *layout);
int zz_writer_put(zz_writer *w, const char *prefix, const zz_rep_result *r);
int zz_writer_end(zz_writer *w);
/* Writing several groups in turn (compare writes each replicate into every
 * scenario's group): park sets the group being written aside, unpark takes
 * it up again; zz_writer_close ends the groups still parked. */
int zz_writer_park(zz_writer *w, const char *group);
int zz_writer_unpark(zz_writer *w, const char *group);
int zz_writer_close(zz_writer *w, int complete);
const char *zz_writer_errmsg(const zz_writer *w);

/* Once, in main, before any HDF5 call: HDF5 prints no diagnostics of its
 * own (errors come back as one line through the writers' messages) and
 * runs no exit handler. After a write failed (a full disk), HDF5 1.10's
 * handler closes the file again over a cache the failure left inconsistent
 * and crashes the process; every file is closed explicitly before exit. */
void zz_output_init(void);

#endif

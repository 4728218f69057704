/*
 * The file of an experiment (zhizao explore, zhizao compare): one HDF5
 * file, netCDF-4 compatible, that xarray opens with dims
 *
 *   point(P) scenario(S) replicate(R) time(T) target(G) instrument(I)
 *   factor(F), and with --cells city(C) industry(N) size(4)
 *
 *   design, design_unit           f64 [P,F]   actual and unit-cube values
 *   design_block                  i32 [P]     Saltelli block (0 A, 1 B, 2+i
 *                                             AB_i) / Morris trajectory / 0
 *   target_share, cf_target_share f64 [P,S,R,T,G]  (cf_: the no-policy twin)
 *   time_to_target, cf_time_to_target  f64 [P,S,R,G] days, NaN = not reached
 *   additional, supported, deadweight, target_firms  f64 [P,S,R,G] firms
 *   deadweight_lag                f64 [P,S,R,G] days
 *   committed, spent              f64 [P,S,R,T,I] yuan (committed:
 *                                 outstanding; spent: disbursed, cumulative)
 *   events, cf_events             i64 [P,S,R]
 *   task_done                     u8  [P,S,R] 1 once the task is stored
 *   target_level                  f64 [S,G]   the target's share (NaN: the
 *                                             scenario has no such target)
 *   target_by                     f64 [S,G]   its deadline, days from the
 *                                             start (NaN: none), as in a run
 *   fiscal                        u8  [S,I]   1: the programme spends fiscal
 *                                             money (1 where it is absent)
 *   with --cells: adopted, cf_adopted  i32 [P,S,R,T,C,N,size];
 *                 firms               i32 [P,S,C,N,size]
 *   scenario_parameters, scenario_source, scenario_path  str [S]
 *
 * Every task (point, scenario, replicate) is its own chunk of each
 * variable, written once when the task finishes and flushed, so memory
 * does not grow with the number of tasks, a crash or Ctrl-C keeps every
 * finished task, and --resume finds them by task_done. Values never
 * written read as NaN (float variables) or 0.
 */
#ifndef ZZ_EXPERIMENT_WRITER_H
#define ZZ_EXPERIMENT_WRITER_H

#include <stddef.h>
#include <stdint.h>

typedef struct zz_xlayout {
    int npoints, nscenarios, nreplicates, ntime, ntargets, ninstruments, nfactors;
    int cells, ncities, nindustries;        /* cells = 1: per-cell counts */
    const double *time;                     /* [T] days since start_date  */
    const char *start_date;
    const char *const *scenario, *const *target, *const *instrument, *const *factor;
    const char *const *city, *const *industry;
    const double *design, *design_unit;     /* [P][F] */
    const int32_t *design_block;            /* [P] */
    const double *target_level;             /* [S][G] */
    const double *target_by;                /* [S][G] days, NaN: none    */
    const uint8_t *fiscal;                  /* [S][I] 1: fiscal money    */
    const char *const *scenario_parameters, *const *scenario_source, *const *scenario_path;
    /* attributes */
    const char *name, *path, *source, *design_name, *overrides, *digest;
    const char *uncertain_from;             /* NULL, or the calibration drawn from */
    int64_t seed;
    double scale;              /* --scale: the file's counts and money are
                                  of this fraction of the region           */
} zz_xlayout;

/* One task's results, laid out on the file's dims (targets and
 * instruments of the experiment, NaN where the scenario has none). */
typedef struct zz_xrecord {
    int point, scenario, replicate;
    double *target_share, *cf_target_share;         /* [T][G] */
    double *time_to_target, *cf_time_to_target;     /* [G] */
    double *additional, *supported, *deadweight, *target_firms, *deadweight_lag; /* [G] */
    double *committed, *spent;                      /* [T][I] */
    int64_t events, cf_events;
    int32_t *adopted, *cf_adopted;                  /* [T][cells], with cells */
    const int32_t *firms;                           /* [cells], with cells */
} zz_xrecord;

zz_xrecord *zz_xrecord_alloc(const zz_xlayout *L);
/* A record holds ndoubles doubles from target_share on, in one block, and
 * 2 * ntime * ncells int32 from adopted on (xrecord_pack.c sends them). */
void zz_xrecord_sizes(const zz_xlayout *L, size_t *ndoubles, size_t *ncells);
void zz_xrecord_free(zz_xrecord *r);

typedef struct zz_xwriter zz_xwriter;

/* Creates "<path>.partial", or with resume = 1 reopens it (it must carry
 * the same digest) and sets done[(p * S + s) * R + r] for the tasks it
 * holds. err as for zz_writer_open. */
int zz_xwriter_open(zz_xwriter **out, const char *path, const zz_xlayout *L, int resume,
                    uint8_t *done, char *err, size_t errlen);
int zz_xwriter_put(zz_xwriter *w, const zz_xrecord *r);
/* A text attribute of the file, e.g. where it ran (provenance). */
int zz_xwriter_note(zz_xwriter *w, const char *name, const char *value);
/* Flushes to disk and records how many tasks are stored. */
int zz_xwriter_flush(zz_xwriter *w, long tasks_done);
/* complete = 1: marks the file complete and renames it to <path>. An
 * incomplete file with no task in it is removed. */
int zz_xwriter_close(zz_xwriter *w, int complete);
const char *zz_xwriter_errmsg(const zz_xwriter *w);

#endif

/*
 * What one replication hands on: counts per month and cell, money per
 * programme, targets, contest rounds, and (when asked) the paired
 * accounting against the twin and the per-firm record. The kernel fills it
 * on the replication's thread (sim.c, accounting.c, the instruments'
 * `record`); the writer (output/results.h) and the MPI packing read it.
 * On the kernel floor so that the kernel names nothing of output/.
 */
#ifndef ZZ_REP_RESULT_H
#define ZZ_REP_RESULT_H

#include <stdint.h>

typedef struct zz_rep_result {
    int replicate;
    int ntime, ncells, nprogrammes, ntargets, nrounds;
    int32_t *adopted;          /* [T][cells] */
    int32_t *implementing;
    int32_t *scaled;
    int32_t *adopted_gsz;
    double *committed;         /* [T][P] */
    double *spent;
    double *returned;
    double *budget;
    double *target_share;      /* [T][G] */
    double *time_to_target;    /* [G] days; NAN if not reached */
    uint64_t events;
    double *compute_price;     /* [T] price multiplier, 1 if no market */
    double *compute_utilisation; /* [T] */
    int32_t *round_bids;       /* [P][K] contest statistics per round */
    int32_t *round_winners;
    int32_t *round_successes;
    double *round_rewards;
    /* paired with the twin, per target group; NULL when not computed */
    int32_t *additional, *supported, *deadweight, *target_firms;
    double *deadweight_lag;
    /* per-firm record; NULL unless asked for */
    int64_t nfirms;
    double *firm_day;          /* [N] NAN if not adopted */
    double *firm_support;      /* [N][P] */
} zz_rep_result;

/* Adds the paired-accounting arrays, or the per-firm record; 0 on success. */
int zz_rep_result_add_accounting(zz_rep_result *r);
int zz_rep_result_add_firms(zz_rep_result *r, int64_t nfirms);

zz_rep_result *zz_rep_result_alloc(int ntime, int ncells, int nprogrammes, int ntargets,
                                   int nrounds);
void zz_rep_result_free(zz_rep_result *r);

#endif

/*
 * The best mix for a budget and a deadline (docs/optimise.md). The file is
 * Lua, read by the calibration loader (calibrate.h) with its own block:
 *
 *   optimise { scenario = "shandong_2026.lua", budget = 9.97e9,
 *              shares = { "voucher.compute", "subsidy.investment" },
 *              objective = "p_target", target = "province_gsz", by = "2027-12-31",
 *              replications = 16, seed = 5 }
 *   free "voucher.compute.rate" { 0.1, 0.6 }
 *
 * The variables are a unit cube: the first S-1 coordinates break the
 * budget's stick into the S shares (share 1 = u1, share 2 = (1-u1) u2,
 * ..., the last the rest), the others are the free parameters' positions
 * between their bounds.
 */
#ifndef ZZ_OPTIMISE_H
#define ZZ_OPTIMISE_H

#include <stdint.h>

#include "calibrate/calibrate.h"

#define ZZ_MAX_SHARES 16

enum zz_objective { ZZ_OBJ_P_TARGET, ZZ_OBJ_TIME, ZZ_OBJ_SHARE, ZZ_NOBJECTIVES };
extern const char *const zz_objective_names[ZZ_NOBJECTIVES];

typedef struct zz_optimisation {
    zz_calibration *cal;      /* path, scenario, free keys, seed, stages   */
    double budget;            /* yuan to split                              */
    int nshares;
    char share[ZZ_MAX_SHARES][64];
    int prog[ZZ_MAX_SHARES];  /* programme index in the scenario            */
    int objective;            /* enum zz_objective                          */
    char target[64], by[16];
    int g;                    /* target index                               */
    double by_day;            /* days from the start                        */
    int t_by;                 /* last observation at or before by           */
    int fiscal_years;         /* pots a per-year programme gets in the run  */
    int confirm;              /* candidates confirmed                       */
    int confirm_replications;
} zz_optimisation;

int zz_optimisation_open(zz_optimisation **out, const char *path, char *err, size_t errlen);
void zz_optimisation_close(zz_optimisation *o);
/* number of variables: S - 1 + free */
int zz_optimisation_nvar(const zz_optimisation *o);
/* unit variables -> budgets [S] (yuan, whole run) and free values [K] */
void zz_optimisation_decode(const zz_optimisation *o, const double *u, double *budget, double *free);

/* ---- evaluation (evaluate.c) ---- */
typedef struct zz_oeval zz_oeval;
int zz_oeval_open(zz_oeval **out, const zz_optimisation *o, int threads);
void zz_oeval_close(zz_oeval *e);
/* +1 if the objective is maximised, -1 if minimised (time to target) */
int zz_objective_sense(int objective);
/* Per replication objective values y[R] in the objective's units,
 * replications r = 0..R-1 of the population of `seed`, stream r, as
 * `zhizao run` with that seed. budget == NULL: the scenario as written. */
int zz_oeval_run(zz_oeval *e, const double *budget, const double *free, int64_t seed, int R,
                 double *y, char *err, size_t errlen);

/* ---- search and confirmation (search.c) ---- */
typedef struct zz_opt_row {
    double *u, *budget, *free;  /* [nvar], [S], [K] */
    double objective, se;       /* mean of y and its standard error */
    int stage;                  /* 0 global, 1 local */
} zz_opt_row;

typedef struct zz_opt_result {
    int nrows, caprows;
    zz_opt_row *row;
    int ncand;                  /* confirmed: candidate 0 is the plan as written */
    int *cand_row;              /* [ncand] row, -1 for the plan */
    double *cand_y;             /* [ncand][Rc] */
    double *diff_mean, *diff_lo, *diff_hi, *p_beats;   /* [ncand] vs the plan */
    int best;                   /* chosen candidate (>= 1) */
    int Rc;
    int64_t confirm_seed;
    double seconds;
} zz_opt_result;

int zz_optimise_run(zz_oeval *e, const zz_optimisation *o, int progress, zz_opt_result *r,
                    char *err, size_t errlen);
void zz_opt_result_free(zz_opt_result *r);

/* ---- output (opt_h5.c) ---- */
int zz_optimisation_write(const zz_optimisation *o, const zz_opt_result *r, const char *path,
                          char *err, size_t errlen);
/* best_mix.lua beside path: the scenario with the chosen budgets and free values */
int zz_optimisation_mix(const zz_optimisation *o, const zz_opt_result *r, const char *path,
                        char *err, size_t errlen);

#endif

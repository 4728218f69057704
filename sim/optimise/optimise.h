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

/* The objectives, each also a measure the confirmation reports. */
enum zz_objective { ZZ_OBJ_P_TARGET, ZZ_OBJ_TIME, ZZ_OBJ_SHARE, ZZ_OBJ_ADDITIONAL, ZZ_OBJ_COST,
                    ZZ_NOBJECTIVES };
extern const char *const zz_objective_names[ZZ_NOBJECTIVES];

/* What one replication gives, from which every objective is computed:
 * reached by `by` (0/1), days to the target (censored at the run's end),
 * the target's share at the last observation at or before `by`,
 * additional adopters of the target against the no-policy twin (the
 * engine's paired count at the end of the run), fiscal money disbursed
 * by the end of the run. */
enum zz_quantity { ZZ_Q_REACHED, ZZ_Q_DAYS, ZZ_Q_SHARE, ZZ_Q_ADDITIONAL, ZZ_Q_MONEY, ZZ_NQ };
extern const char *const zz_quantity_names[ZZ_NQ];

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
    /* robust option: the objective across a design over `uncertain`
     * declarations (unc->nfactors > 0), its mean (robust < 0) or the
     * quantile `robust` of how well the mix does (0.25: the value that
     * three worlds in four meet or beat) */
    zz_experiment *unc;       /* its sc[0] borrowed from cal->ex             */
    double robust;
    /* --scale: each evaluated scenario shrinks by it after its budgets are
     * set (0 or 1: none); `budget` and the mix stay full-region yuan */
    double scale;
} zz_optimisation;

int zz_optimisation_open(zz_optimisation **out, const char *path, char *err, size_t errlen);
void zz_optimisation_close(zz_optimisation *o);
/* number of variables: S - 1 + free */
int zz_optimisation_nvar(const zz_optimisation *o);
/* unit variables -> budgets [S] (yuan, whole run, summing to total) and
 * free values [K] */
void zz_optimisation_decode(const zz_optimisation *o, double total, const double *u, double *budget,
                            double *free);
/* The plan as written: the shares' budgets over the whole run [S] and the
 * free parameters' own values [K] (NaN where not a number). */
void zz_optimisation_plan(const zz_optimisation *o, double *budget, double *free);
/* budgets (any total) and free values -> unit variables: the split's
 * stick-breaking inverted, free values clamped into their bounds */
void zz_optimisation_encode(const zz_optimisation *o, const double *budget, const double *free, double *u);
/* design points of the robust option (1 without uncertain declarations) */
int zz_optimisation_points(const zz_optimisation *o);

/* ---- evaluation (evaluate.c) ---- */
typedef struct zz_oeval zz_oeval;
int zz_oeval_open(zz_oeval **out, const zz_optimisation *o, int threads);
void zz_oeval_close(zz_oeval *e);
/* +1 if the objective is maximised, -1 if minimised (time, cost) */
int zz_objective_sense(int objective);
/* 1 if the objective needs the no-policy twin */
int zz_objective_twin(int objective);
/* Per replication quantities q[R][ZZ_NQ], replications r = 0..R-1 of the
 * population of `seed`, stream r, as `zhizao run` with that seed, at
 * design point `point` of the robust option (-1: replication r at point
 * r mod points). budget == NULL: the scenario as written (free values
 * too). twin: also run the no-policy twin (else additional is NaN); it
 * does not depend on the mix and is kept per (point, replication). */
int zz_oeval_run(zz_oeval *e, const double *budget, const double *free, int point, int64_t seed,
                 int R, int twin, double *q, char *err, size_t errlen);
/* The objective's value over R replications' quantities and its
 * influence per replication infl[R] (may be NULL): a mean's is x_r -
 * mean, a ratio of means' (cost per additional adopter) its linearisation,
 * so se = sd(infl) / sqrt(R) and paired differences subtract influences.
 * A cost with no additional adopter is +inf. */
double zz_objective_value(int objective, const double *q, int R, double *infl);
/* The mean of (paired) influences' standard error */
double zz_influence_se(const double *infl, int R);

/* ---- search and confirmation (search.c) ---- */
typedef struct zz_opt_row {
    double *u, *budget, *free;  /* [nvar], [S], [K] */
    double objective, se;       /* over the replications (and the design) */
    double measure[ZZ_NOBJECTIVES]; /* every objective at this mix (NaN: not computed) */
    int stage;                  /* 0 global, 1 local */
    int level;                  /* --front: budget level (0 the whole budget) */
} zz_opt_row;

typedef struct zz_opt_result {
    int nrows, caprows;
    zz_opt_row *row;
    int ncand;                  /* confirmed: candidate 0 is the plan as written */
    int *cand_row;              /* [ncand] row, -1 for the plan */
    double *cand_y;             /* [ncand][Rc] objective per replication */
    double *cand_q;             /* [ncand][Rc][ZZ_NQ] */
    double *diff_mean, *diff_lo, *diff_hi, *p_beats;   /* [ncand] vs the plan */
    /* every measure of every candidate and its paired difference with the
     * plan, 95% t intervals: [ncand][ZZ_NOBJECTIVES] */
    double *m_value, *m_lo, *m_hi, *d_value, *d_lo, *d_hi;
    int best;                   /* chosen candidate (>= 1) */
    int Rc;
    int64_t confirm_seed;
    /* --front: level l spends (l + 1) / nlevels of the budget; its best
     * searched mix rerun on the confirmation seeds, every measure with
     * its interval: [nlevels][ZZ_NOBJECTIVES] */
    int nlevels;
    int *level_row;
    double *level_budget, *f_value, *f_lo, *f_hi;
    int replayed;               /* evaluations taken from --resume */
    double seconds;
} zz_opt_result;

typedef struct zz_opt_options {
    const char *output;         /* evaluations go to output.partial as they run */
    int resume;                 /* replay output.partial first */
    int progress;
    int front;                  /* budget levels of the front (0: none) */
    int lock;                   /* > 0: the claimed output.partial (outpath.h) */
} zz_opt_options;

int zz_optimise_run(zz_oeval *e, const zz_optimisation *o, const zz_opt_options *opt,
                    zz_opt_result *r, char *err, size_t errlen);
void zz_opt_result_free(zz_opt_result *r);

/* ---- output (opt_h5.c) ---- */
int zz_optimisation_write(const zz_optimisation *o, const zz_opt_result *r, const char *path,
                          char *err, size_t errlen);
/* best_mix.lua beside path: the scenario with the chosen budgets and free values */
int zz_optimisation_mix(const zz_optimisation *o, const zz_opt_result *r, const char *path,
                        char *err, size_t errlen);

#endif

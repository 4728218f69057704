/*
 * Calibration by the method of simulated moments (docs/calibration.md).
 * The file is Lua, run in the scenario sandbox, with `include` and errors
 * that name file:line:
 *
 *   calibrate { scenario = "baseline.lua", replications = 16, seed = 3 }
 *   free "population.hurdle_mean" { 0.2, 1.5 }
 *   moment "small_rate" { kind = "hazard", group = { size = "small" },
 *                         from = "2026-01-01", to = "2027-01-01", value = 0.058, se = 0.01 }
 *   moment "small_rate" { ..., data = "eu_ai_hazard_small_2023_2025" }   -- value and se from
 *                                                                          -- data/observed.csv
 *
 * The free parameters ride on a one-scenario experiment (experiment.h):
 * its factors are the free keys, its single point is the parameter
 * vector being evaluated, so keys and ranges are checked as an
 * experiment's are.
 */
#ifndef ZZ_CALIBRATE_H
#define ZZ_CALIBRATE_H

#include <stdint.h>
#include <stdio.h>

#include "experiment/experiment.h"

struct lua_State;

#define ZZ_MAX_MOMENTS 128
#define ZZ_GROUP_NAMES 64

/* share, hazard, ratio: the calibration scenario's no-policy world.
 * additionality, effect: a policy scenario against its no-policy twin on
 * the same random numbers, at the end of its run (docs/calibration.md,
 * "Policy-response moments"). */
enum zz_moment_kind {
    ZZ_MOMENT_SHARE, ZZ_MOMENT_HAZARD, ZZ_MOMENT_RATIO, ZZ_MOMENT_ADDITIONALITY, ZZ_MOMENT_EFFECT,
    ZZ_NMOMENT_KINDS
};
#define ZZ_MOMENT_POLICY(kind) ((kind) >= ZZ_MOMENT_ADDITIONALITY)
extern const char *const zz_moment_kind_names[ZZ_NMOMENT_KINDS];

/* A group of firms as the file wrote it; resolved to cells once the
 * scenario (its cities and industries) is known. */
typedef struct zz_group_spec {
    int ncity, nindustry;
    char city[ZZ_GROUP_NAMES][64], industry[ZZ_GROUP_NAMES][64];
    unsigned sizes;           /* bit per size class; 0 = all               */
    int gsz;                  /* -1 any, 0 not 规上, 1 规上 only             */
} zz_group_spec;

typedef struct zz_moment {
    char name[64];
    char where[512];
    int kind;
    zz_group_spec group[2];   /* ratio: numerator, denominator              */
    char at[16], from[16], to[16];
    double value, se;
    char data[64];            /* the data/observed.csv row they came from, or "" */
    int holdout;              /* simulated and reported, not fitted          */
    char scenario_given[256]; /* additionality, effect: the policy scenario  */
    char scenario_path[1024];
    int sc;                   /* its index in the calibration's experiment (0: the calibration's) */
    /* resolved */
    uint8_t *cells[2];        /* [cells] 1 if the cell is in the group       */
    int t_at, t_from, t_to;   /* observation indices                         */
} zz_moment;

typedef struct zz_calibration {
    zz_experiment *ex;        /* one scenario, factors = free parameters    */
    char path[1024], where[512];
    char scenario_given[256];
    int replications;
    int64_t seed;
    int starts;               /* Sobol points of the global stage           */
    int evaluations;          /* budget of the local stage                  */
    int local;                /* 0 sbplx, 1 bobyqa                          */
    double jacobian_step;     /* share of each free range                   */
    int nmoments;
    zz_moment moment[ZZ_MAX_MOMENTS];
    /* the fitted moments (not held out), in file order: the objective, the
     * weighting and the standard errors use these only */
    int nfit;
    int fit[ZZ_MAX_MOMENTS];
    int ntime;
    double *time;             /* observation days since start               */
    /* calibrate's covariance or correlation field, as given (n x n,
     * row-major), then (zz_calibration_weighting) the moments' covariance
     * Sigma and the weighting matrix W = Sigma^-1, [nmoments^2]. NULL: the
     * moments are independent, Sigma = diag(se^2), W = diag(1 / se^2). */
    enum { ZZ_COV_NONE, ZZ_COV_COVARIANCE, ZZ_COV_CORRELATION } cov_kind;
    int cov_n;
    char cov_where[512];
    double *cov, *weight;
    /* another file kind read by the same loader (optimise.h): its block's
     * name and function replace calibrate and moment; user is theirs */
    const char *block;
    int (*block_fn)(struct lua_State *L);
    void *user;
    zz_experiment *uncertain; /* not NULL: the file may declare uncertain "key" { } into it */
    char errmsg[2048];
} zz_calibration;


/* For a block function of another file kind: its object, the shared
 * fields (scenario, replications, seed, starts, evaluations, optimiser)
 * of a block that takes fields[0 .. n), and the unknown-field check. */
void *zz_calib_user(struct lua_State *L);
int zz_calib_block(struct lua_State *L, const char *what, const char *const *fields, int n);
void zz_calib_check_fields(struct lua_State *L, int idx, const char *what,
                           const char *const *fields, int n);
/* "key" = v as the scenario declaration that sets it, e.g.
 * voucher "compute" { budget = 1e9 } (calibrate.c) */
void zz_calibration_declaration(const zz_config *cfg, const char *key, double v, FILE *out);

/* Loads and validates (keys, ranges, groups' names, dates against the
 * run). *out is set even on failure so that its errmsg explains. */
int zz_calibration_open(zz_calibration **out, const char *path);
void zz_calibration_close(zz_calibration *c);
/* The Lua side (calib_lua.c). */
int zz_calibration_read(zz_calibration *c, char *err, size_t errlen);
/* Once the moments are known: checks the given matrix against them (size,
 * symmetry, a correlation's unit diagonal, a covariance's diagonal
 * against each se) and inverts it by Cholesky, refusing a matrix that is
 * not positive definite (weighting.c). No matrix given: nothing to do. */
int zz_calibration_weighting(zz_calibration *c, char *err, size_t errlen);
/* calibrate's covariance = { ... } or correlation = { ... } (the table at
 * stack index 1), kept as given until zz_calibration_weighting. */
void zz_calibration_read_matrix(struct lua_State *L, zz_calibration *c);

/* ---- simulated moments (moments.c) ---- */
typedef struct zz_msim zz_msim;
/* Populations are cached per replication and rebuilt only when a free
 * parameter changes what the firms are. */
int zz_msim_open(zz_msim **out, const zz_calibration *c, int threads);
void zz_msim_close(zz_msim *m);
/* Moments at theta (actual values, [nfree]) over replications r of
 * population seed (seed + r), replication stream r: the same at every
 * theta (common random numbers). seed_offset shifts every seed (the
 * pseudo-data of --recover). m: [nmoments]. */
int zz_msim_eval(zz_msim *m, const double *theta, int64_t seed_offset, double *moments, char *err,
                 size_t errlen);

/* ---- estimation (msm.c) ---- */
typedef struct zz_trace_row {
    double *theta;            /* [nfree] */
    double *moments;          /* [nmoments] */
    double objective;
    int stage;                /* 0 global, 1 local, 2 jacobian, 3 profile */
} zz_trace_row;

typedef struct zz_msm_result {
    int nfree, nmoments;
    double *estimate, *std_error;   /* [nfree] */
    double *simulated;              /* [nmoments] at the estimate */
    double *target;                 /* [nmoments] what was fitted */
    double objective, j_statistic, j_pvalue;
    int dof;
    /* diagnostics at the estimate (ident.c) */
    double *jacobian;               /* [nmoments][nfree] dm/dtheta, every moment */
    double *covariance;             /* [nfree][nfree] sandwich; NaN rows for parameters
                                     * at a bound or not identified */
    int32_t *at_bound;              /* [nfree] -1 lower, 1 upper, 0 inside */
    int32_t *identified;            /* [nfree] 1 identified, 0 not */
    double *column_norm;            /* [nfree] |column of the scaled Jacobian| */
    double *independence;           /* [nfree] sine of its angle to the others' span */
    int32_t *partner;               /* [nfree] the parameter it is most collinear with, -1 none */
    double *singular;               /* [nfree] singular values of the scaled Jacobian */
    int rank;                       /* numerical rank of the scaled Jacobian */
    int nprofile;                   /* --profile: points per free parameter, 0 none */
    double *profile_value;          /* [nfree][nprofile] the parameter's values */
    double *profile_objective;      /* [nfree][nprofile] Q there, the others at the estimate */
    double *sim_se;                 /* [nmoments] simulation se of the pooled moment */
    double *prediction_se;          /* [nmoments] sqrt(g V g' + sim_se^2) */
    int ntrace, captrace;
    zz_trace_row *trace;
    int replayed;                   /* evaluations taken from --resume */
    double seconds;
} zz_msm_result;

typedef struct zz_msm_options {
    const char *output;       /* the trace goes to output.partial as it runs */
    int resume;
    int threads;
    int progress;
    const double *targets;    /* NULL: the file's values; else [nmoments]   */
    int profile;              /* > 1: the objective at this many points along each
                               * free parameter's range, the others at the estimate */
    int lock;                 /* > 0: the claimed output.partial (outpath.h) */
} zz_msm_options;

/* Each replication's moments from the last zz_msim_eval: out[R][nmoments]. */
void zz_msim_rep_moments(const zz_msim *m, double *out);

/* ---- diagnostics at the estimate (ident.c) ---- */
/* Bound flags within this share of the range of a bound. */
#define ZZ_AT_BOUND_TOL 1e-3
/* From the Jacobian G [nmoments][nfree] (res->jacobian, set): the bound
 * flags, the identification table, and the sandwich covariance and
 * standard errors of the parameters that are inside their bounds and
 * identified (the others held at their estimate). */
int zz_msm_diagnose(const zz_calibration *c, zz_msm_result *res, char *err, size_t errlen);
/* The simulation se of each moment from its per-replication values at the
 * estimate (rep [R][nmoments]), and the prediction se with the
 * estimate's covariance. */
void zz_msm_prediction(const zz_calibration *c, zz_msm_result *res, const double *rep);

int zz_msm_estimate(zz_msim *m, const zz_calibration *c, const zz_msm_options *opt,
                    zz_msm_result *res, char *err, size_t errlen);
void zz_msm_result_free(zz_msm_result *r);

/* ---- output (calib_h5.c) ---- */
int zz_calibration_write(const zz_calibration *c, const zz_msm_result *r, const char *path,
                         const double *truth, char *err, size_t errlen);
/* calibrated.lua beside `path`: the estimates as scenario declarations. */
int zz_calibration_fragment(const zz_calibration *c, const zz_msm_result *r, const char *path,
                            char *err, size_t errlen);

#endif

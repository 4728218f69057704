/*
 * Calibration by the method of simulated moments (docs/calibration.md).
 * The file is Lua, run in the scenario sandbox, with `include` and errors
 * that name file:line:
 *
 *   calibrate { scenario = "baseline.lua", replications = 16, seed = 3 }
 *   free "population.hurdle_mean" { 0.2, 1.5 }
 *   moment "small_rate" { kind = "hazard", group = { size = "small" },
 *                         from = "2026-01-01", to = "2027-01-01", value = 0.058, se = 0.01 }
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

enum zz_moment_kind { ZZ_MOMENT_SHARE, ZZ_MOMENT_HAZARD, ZZ_MOMENT_RATIO, ZZ_NMOMENT_KINDS };
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
    int stage;                /* 0 global, 1 local, 2 jacobian */
} zz_trace_row;

typedef struct zz_msm_result {
    int nfree, nmoments;
    double *estimate, *std_error;   /* [nfree] */
    double *simulated;              /* [nmoments] at the estimate */
    double *target;                 /* [nmoments] what was fitted */
    double objective, j_statistic, j_pvalue;
    int dof;
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
    int lock;                 /* > 0: the claimed output.partial (outpath.h) */
} zz_msm_options;

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

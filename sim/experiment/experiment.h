/*
 * An experiment: scenarios x points of a design over uncertain parameters
 * x replications (docs/experiments.md). The file is Lua, run in the same
 * sandbox as scenarios, with `include` and errors that name file:line:
 *
 *   experiment { name = "...", scenarios = { "baseline.lua", ... },
 *                design = "sobol", points = 64, replications = 8, seed = 1 }
 *   uncertain "population.hurdle_mean" { 0.6, 1.2 }
 *   uncertain "decision.temperature"   { 0.15, 0.6, scale = "log" }
 *   uncertain "population.firms"       { values = { 40000, 120000 } }
 *
 * Loading checks everything that can be checked before a run: each
 * scenario loads, each key is a parameter some listed scenario uses, each
 * range lies inside the parameter's valid range, the design is not empty,
 * and every point gives every scenario a consistent configuration.
 */
#ifndef ZZ_EXPERIMENT_H
#define ZZ_EXPERIMENT_H

#include <stdint.h>

#include "experiment/design.h"
#include "scenario/scenario.h"

#define ZZ_MAX_FACTORS 64
#define ZZ_MAX_EXP_SCENARIOS 32
#define ZZ_MAX_LEVELS 256

enum zz_factor_scale { ZZ_SCALE_LINEAR, ZZ_SCALE_LOG, ZZ_SCALE_VALUES };

typedef struct zz_factor {
    char key[128];
    char where[512];          /* file:line of its `uncertain` declaration   */
    int scale;                /* enum zz_factor_scale                       */
    double lo, hi;            /* LINEAR, LOG                                */
    int nvalues;              /* VALUES                                     */
    double values[ZZ_MAX_LEVELS];
    int integer;              /* the parameter takes whole numbers          */
    uint64_t used;            /* bit per scenario that has this parameter   */
} zz_factor;

/* uncertain { from = "calib.h5" }: the calibration's estimates drawn
 * jointly (uncertain_from.c). */
typedef struct zz_joint zz_joint;

typedef struct zz_experiment {
    char name[128];
    char path[1024];
    char where[512];          /* file:line of the experiment block          */
    int design;               /* enum zz_design_kind                        */
    int points, replications, levels;
    int64_t seed;
    double scale;             /* --scale: applied to every point's scenario
                                 after its factors (0 or 1: none)          */
    char design_file[1024];   /* design "file": CSV of points (resolved)    */
    int nscenarios;
    char scenario_path[ZZ_MAX_EXP_SCENARIOS][1024];     /* resolved */
    char scenario_given[ZZ_MAX_EXP_SCENARIOS][256];     /* as the file wrote it */
    zz_scenario *sc[ZZ_MAX_EXP_SCENARIOS];
    int nfactors;
    zz_factor factor[ZZ_MAX_FACTORS];
    char *source;             /* bundle of the experiment's files           */
    zz_joint *joint;          /* NULL, or the calibration drawn jointly     */
    /* the design, after zz_experiment_open */
    int npoints;
    double *unit;             /* [npoints][nfactors] in [0, 1]              */
    double *value;            /* [npoints][nfactors] actual values          */
    int32_t *block;           /* [npoints] Saltelli block / Morris trajectory */
    char errmsg[2048];
} zz_experiment;

/* Loads, validates and builds the design. *out is set even on failure
 * (unless ZZ_NOMEM) so that its errmsg explains; close it either way. */
int zz_experiment_open(zz_experiment **out, const char *path);
void zz_experiment_close(zz_experiment *ex);

/* The experiment of one point that `zhizao compare` runs: the scenarios as
 * they are (ownership passes to the experiment, even on failure), each
 * with `replications` (> 0; else the largest any of them asks for) and,
 * if seed >= 0, that seed (else each its own). */
int zz_experiment_of_scenarios(zz_experiment **out, zz_scenario **sc, int n, int replications,
                               int64_t seed);

/* A --set for several scenarios: "key=value" goes to every scenario that
 * has the key (an error only if none has it); "name:key=value" to the
 * scenario of that name (or file name without .lua) only. */
int zz_scenarios_set(zz_scenario **sc, int n, const char *assignment, char *err, size_t errlen);

/* Scenario s at point p: a copy of the loaded scenario with the point's
 * values set (only the factors the scenario uses). The copy shares
 * source and overrides with the original: do not close it, free() it. */
int zz_experiment_scenario(const zz_experiment *ex, int p, int s, zz_scenario *out, char *err,
                           size_t errlen);

/* Checks a factor against the experiment's loaded scenarios (a parameter
 * some scenario uses, a number that may vary, the range inside its valid
 * range) and sets f->used and f->integer; `word` names the declaration in
 * errors ("uncertain", "free"). */
int zz_factor_check(zz_experiment *ex, zz_factor *f, const char *word, char *err, size_t errlen);

/* Builds the design (npoints, unit, value, block) from design, points,
 * levels, seed and the factors; errors name ex->where. */
int zz_experiment_design(zz_experiment *ex, char *err, size_t errlen);

/* uncertain { from = path }: each free parameter of the calibration file
 * becomes a factor over its bounds; the estimated ones (inside their
 * bounds, identified) are drawn jointly from the estimate's covariance by
 * zz_joint_apply. `where` is the declaration's file:line. */
int zz_uncertain_from(zz_experiment *ex, const char *path, const char *where, char *err,
                      size_t errlen);
/* Replaces the jointly drawn factors' values by the truncated normal map of
 * their design columns (the unit cube stays as designed). */
void zz_joint_apply(zz_experiment *ex);
const char *zz_joint_path(const zz_joint *j);
void zz_joint_free(zz_joint *j);

/* Maps a unit-cube coordinate to the factor's value (integers rounded). */
double zz_factor_value(const zz_factor *f, double u);

#endif

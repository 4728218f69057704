/*
 * zhizao (智造): a discrete-event simulator of regional AI-adoption policy.
 *
 * Public C interface. Every call takes its handle first; nothing is global,
 * so one simulation per thread is natural. Handles are opaque. Functions
 * return an integer result code (ZZ_OK on success); the text of the last
 * error is read back from the handle (zz_scenario_errmsg, zz_errmsg).
 *
 * Lifecycle of a run:
 *   zz_scenario_open()      parse and validate a Lua scenario
 *   zz_scenario_set()       optional command-line overrides ("a.b.c=v")
 *   zz_population_build()   synthetic firms or a CSV file of real firms
 *   zz_sim_open()           one replication (policy run or no-policy twin)
 *   zz_sim_run()            advance to the horizon
 *   zz_sim_close()
 * The ensemble driver (zz_ensemble_run) wraps these over replications in
 * parallel and writes one HDF5 file.
 */
#ifndef ZHIZAO_H
#define ZHIZAO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZZ_VERSION "0.1.0"

/* Result codes. Also the command line's exit codes (see zhizao --help). */
enum zz_result {
    ZZ_OK = 0,
    ZZ_ERROR = 1,       /* generic failure                                  */
    ZZ_USAGE = 2,       /* bad command-line usage                           */
    ZZ_SCENARIO = 3,    /* invalid scenario file or override                */
    ZZ_DATA = 4,        /* invalid firm file (CSV)                          */
    ZZ_IO = 5,          /* cannot read or write a file                      */
    ZZ_NOMEM = 6,       /* out of memory                                    */
    ZZ_LIMIT = 7,       /* scenario exceeded its instruction/memory budget  */
    ZZ_INTERRUPTED = 8  /* stopped by a signal; partial output kept         */
};

typedef struct zz_scenario zz_scenario;     /* parsed, validated scenario   */
typedef struct zz_population zz_population; /* firms' fixed attributes      */
typedef struct zz_sim zz_sim;               /* one replication in progress  */

/* ---- scenarios ---------------------------------------------------------- */

/* Parse and validate a scenario file. *out is set even on failure (unless
 * ZZ_NOMEM) so that zz_scenario_errmsg() can explain; close it either way. */
int zz_scenario_open(zz_scenario **out, const char *path);
/* Same, from a string; `name` is used in error messages as the file name. */
int zz_scenario_open_string(zz_scenario **out, const char *name, const char *source);
/* Apply one override "block.name.field=value" (as from --set). */
int zz_scenario_set(zz_scenario *sc, const char *assignment);
const char *zz_scenario_errmsg(const zz_scenario *sc);
/* Resolved parameters (defaults included) as text, one "key = value" a line. */
char *zz_scenario_describe(const zz_scenario *sc); /* caller frees */
void zz_scenario_close(zz_scenario *sc);

/* ---- population --------------------------------------------------------- */

/* Builds the firms the scenario asks for (synthetic, or loaded from its CSV
 * file). On failure *out is NULL and err holds "file:line: message". */
int zz_population_build(zz_population **out, const zz_scenario *sc,
                        char *err, size_t errlen);
/* The same in the manner of the rest of the API: *out is set even on
 * failure (unless ZZ_NOMEM), zz_population_errmsg() explains; free it
 * either way. */
int zz_population_open(zz_population **out, const zz_scenario *sc);
const char *zz_population_errmsg(const zz_population *pop);
int64_t zz_population_size(const zz_population *pop);
void zz_population_free(zz_population *pop);

/* ---- one replication ---------------------------------------------------- */

/* counterfactual = 1 runs the no-policy twin: every programme switched off,
 * same random numbers (a firm's k-th draw of each kind is identical). */
int zz_sim_open(zz_sim **out, const zz_scenario *sc, const zz_population *pop,
                int replicate, int counterfactual);
int zz_sim_run(zz_sim *sim);
const char *zz_errmsg(const zz_sim *sim);
void zz_sim_close(zz_sim *sim);

/* Read access used by scenario callbacks and tests. */
double zz_sim_now(const zz_sim *sim);           /* days since start      */
uint64_t zz_sim_events(const zz_sim *sim);      /* events processed      */
void zz_sim_stop(zz_sim *sim);                  /* end at next event     */

/* ---- ensembles ---------------------------------------------------------- */

typedef struct zz_run_options {
    const char *output;     /* HDF5 path                                    */
    int replications;       /* 0 = scenario's own                           */
    int threads;            /* 0 = OpenMP default                           */
    int64_t seed;           /* < 0 = scenario's own                         */
    int progress;           /* 1 = progress line on stderr                  */
    int counterfactual;     /* 1 = also run each replication's no-policy twin */
    int firms_record;       /* 1 = per-firm record in the output            */
    /* Total Lua budget of each replication over all calls of its decision
     * function and callbacks; 0 = default (docs/scenario-language.md). */
    long long lua_instructions;
    double lua_seconds;
} zz_run_options;

/* Runs the replications in parallel, writes `output` (via a temporary name,
 * renamed when complete). err receives a message on failure. */
int zz_ensemble_run(const zz_scenario *sc, const zz_run_options *opt,
                    char *err, size_t errlen);

/* The same in the manner of the rest of the API: runs the ensemble and sets
 * *out (unless ZZ_NOMEM) to its outcome, whose zz_ensemble_errmsg()
 * explains a failure; close it either way. */
typedef struct zz_ensemble zz_ensemble;
int zz_ensemble_exec(zz_ensemble **out, const zz_scenario *sc, const zz_run_options *opt);
const char *zz_ensemble_errmsg(const zz_ensemble *e);
void zz_ensemble_close(zz_ensemble *e);

/* Set by a signal handler: replications stop at their next event and the
 * partial file is kept under its temporary name, marked incomplete. */
void zz_request_interrupt(void);
/* Nonzero once an interrupt was requested: long loops (events, Lua code,
 * reading files) check it and stop with ZZ_INTERRUPTED. */
int zz_interrupt_pending(void);

#ifdef __cplusplus
}
#endif
#endif

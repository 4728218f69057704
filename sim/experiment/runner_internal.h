/* Shared between the experiment runner's files (runner.c, runner_keys.c,
 * runner_compare.c); not part of the interface. */
#ifndef ZZ_RUNNER_INTERNAL_H
#define ZZ_RUNNER_INTERNAL_H

#include <stdint.h>

#include "engine/hash.h"
#include "experiment/runner.h"
#include "output/experiment_writer.h"
#include "output/results.h"
#include "sim.h"

/* What one unit (point, replication) hands to the writer, per scenario:
 * an experiment record, or for compare the run's result and its twin's. */
typedef struct unit_out {
    zz_xrecord *rec[ZZ_MAX_EXP_SCENARIOS];
    zz_rep_result *res[ZZ_MAX_EXP_SCENARIOS], *cf[ZZ_MAX_EXP_SCENARIOS];
    int twins;                 /* no-policy twins the unit ran */
} unit_out;

typedef struct run {
    const zz_experiment *ex;
    const zz_explore_options *opt;
    int P, S, R, T, G, I;
    zz_xlayout L;
    int tmap[ZZ_MAX_EXP_SCENARIOS][ZZ_MAX_TARGETS];      /* scenario's target -> file's */
    int imap[ZZ_MAX_EXP_SCENARIOS][ZZ_MAX_PROGRAMMES];
    int all_firms[ZZ_MAX_EXP_SCENARIOS];                 /* index of all_firms or -1 */
    uint64_t *twin_sig;        /* [P][S] */
    int *pop_of;               /* [P][S] index into pops */
    zz_population **pops;
    int npops;
    uint8_t *done;             /* [P][S][R] */
    unit_out **slot;           /* [units], NULL until the unit is finished */
    int *units, nunits, next_write;
    int skip_gaps;             /* drain past units that will not come (a rank died) */
    long tasks_done, tasks_start;
    long tasks_run;            /* computed in this session (shown at the end) */
    long twins_run;            /* no-policy twins run in this session */
    zz_xwriter *w;
    zz_writer *gw;             /* compare: the run-layout writer, a group per scenario */
    int failed_rc;
    char failed_msg[1024];
    double t0;
} run;

/* ---- one unit and the writing in unit order (runner.c) ---- */
/* Runs unit (p, r) into out; err names the task that failed. */
int zz_run_unit(run *e, int p, int r, unit_out *out, char *err, size_t errlen);
void zz_unit_free(unit_out *u, int S);
/* Writes the finished units in slot[next_write...] in unit order. */
void zz_drain(run *e);

/* ---- across MPI ranks (mpi_runner.c) ---- */
/* Rank 0: hands units[] out to the other ranks, one at a time as each
 * asks, puts what comes back in slot[] and drains it; sets failed_rc. */
void zz_mpi_hand_out(run *e);
/* Ranks > 0: runs the units rank 0 hands out, in as many threads as
 * opt->threads, until it says stop. */
int zz_mpi_work(run *e, char *err, size_t errlen);

/* ---- what a twin and a population depend on (runner_keys.c) ---- */
/* zz_fnv, zz_fnv_str and ZZ_FNV0 are engine/hash.h's */
uint64_t zz_names_hash(uint64_t h, const zz_config *cfg);
/* Parameters outside the programmes (and targets); for a scenario-defined
 * rule also the text. Equal signatures on one population: one twin. */
int zz_twin_signature(const zz_scenario *sc, uint64_t *out);
int zz_population_key(const zz_scenario *sc, uint64_t *out);

/* ---- compare: the run layout, a group per scenario (runner_compare.c) ---- */
int zz_take_results(run *e, zz_sim *pol, zz_sim *tw, int own, unit_out *out, int s);
int zz_put_groups(run *e, unit_out *u);
int zz_summary_alloc(run *e);
int zz_open_groups(run *e, char *err, size_t errlen);

#endif

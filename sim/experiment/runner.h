/*
 * Running an experiment: every (point, scenario, replication) task, with
 * the no-policy twin run once per (point, replication) and shared by every
 * scenario of that point whose twin is the same (same parameters outside
 * the programmes). Common random numbers: task (p, s, r) draws from the
 * streams of (seed, r), whatever p and s, so differences between points
 * and between scenarios are paired.
 *
 * Work is handed to threads by (point, replication) unit; each unit's
 * records are written in unit order by thread 0 (as in ensemble.c), so the
 * file does not depend on the thread count.
 */
#ifndef ZZ_RUNNER_H
#define ZZ_RUNNER_H

#include <stddef.h>

#include "ensemble.h"
#include "experiment/experiment.h"

typedef struct zz_explore_options {
    const char *output;
    int threads;               /* 0 = OpenMP default */
    int resume;                /* continue output.partial */
    int cells;                 /* also adopted per city x industry x size */
    int progress;              /* progress line and summary */
    const char *overrides;     /* --set lines, recorded in the file */
    zz_summary *summary;       /* compare: if not NULL, [nscenarios], for ranking */
    /* compare: write a run's full result set per scenario, each in a group
     * named after it, with the twin as cf_ variables (results.h) instead of
     * the experiment file; the experiment must have one point */
    int compare;
    int firms_record;          /* compare: the per-firm record (--firms) */
} zz_explore_options;

int zz_explore_run(const zz_experiment *ex, const zz_explore_options *opt, char *err,
                   size_t errlen);

#endif

/*
 * The economic rule's cost per event against the bass rule's (not a test:
 * figures are reported, never asserted). One population (the scenario's,
 * default scenarios/shandong_2026.lua: 120,000 firms), one thread, one
 * replication at a time, the scenario's horizon (3 years): the economic rule
 * with every instrument the scenario declares, then the bass rule on the
 * same firms and horizon (reviews every 30 days). Events per second are the
 * median of `reps` runs of the event loop alone (zz_sim_run: no population
 * build, no output), per CPU second of the thread; both rules count events
 * with the same counter (zz_sim_events: every event the loop dispatched).
 * Usage: bench_rule [SCENARIO.lua [REPS [economic|bass]]]   (make bench)
 * A third argument times one rule only (for `perf record`).
 */
#include <string.h>
#include <time.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"
#include "zhizao/zhizao.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *r, int n)
{
    qsort(r, (size_t)n, sizeof *r, cmp_double);
    return r[n / 2];
}

/* CPU time of this thread: other processes on a shared machine slow the
 * wall clock, not this. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One run of the event loop: events per CPU second; *events of the run. */
static double rate(const zz_scenario *sc, const zz_population *pop, int k, uint64_t *events)
{
    zz_sim *sim;
    int rc = zz_sim_open(&sim, sc, pop, k, 0);
    double t0 = cpu_seconds();
    if (!rc)
        rc = zz_sim_run(sim);
    double t1 = cpu_seconds();
    if (rc) {
        fprintf(stderr, "%s\n", zz_errmsg(sim));
        exit(1);
    }
    *events = zz_sim_events(sim);
    zz_sim_close(sim);
    return (double)*events / (t1 - t0);
}

int main(int argc, char **argv)
{
    /* Allocate as the command line does (sim/cli/main.c): a replication's
     * freed firm arrays stay in the heap for the next one, so that the
     * timed loop pays for its events, not for first touches of fresh
     * pages (zeroing them is zz_sim_open's, outside the timer).
     * ZZ_BENCH_FRESH_PAGES=1 keeps glibc's default, for comparison. */
    const char *fresh = getenv("ZZ_BENCH_FRESH_PAGES");
    if (!fresh || strcmp(fresh, "1")) {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 512 << 20);
    }
    const char *path = argc > 1 ? argv[1] : "scenarios/shandong_2026.lua";
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    if (reps < 1 || reps > 16)
        reps = 3;
    zz_scenario *eco;
    if (zz_scenario_open(&eco, path)) {
        fprintf(stderr, "%s\n", zz_scenario_errmsg(eco));
        return 1;
    }
    char err[1024];
    zz_population *pop;
    if (zz_population_build(&pop, eco, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    zz_scenario *bass = malloc(sizeof *bass);
    *bass = *eco; /* same firms, horizon and seed; the rule differs */
    bass->cfg.decision.rule = ZZ_RULE_BASS;
    bass->cfg.decision.review_days = 30;
    const char *only = argc > 3 ? argv[3] : "";
    uint64_t ne = 0, nb = 0;
    /* the rules alternate, so that a change in the machine's load between
     * runs touches both alike */
    double er[16], br[16], ratio[16];
    for (int k = 0; k < reps; k++) {
        er[k] = strcmp(only, "bass") ? rate(eco, pop, k, &ne) : 0;
        br[k] = strcmp(only, "economic") ? rate(bass, pop, k, &nb) : 0;
        ratio[k] = er[k] > 0 ? br[k] / er[k] : 0;
    }
    /* the ratio is the median of each pair's: the pair ran side by side */
    double re = median(er, reps), rb = median(br, reps), rr = median(ratio, reps);
    printf("%s, %lld firms, %.0f days, 1 thread, median of %d, per CPU second: economic with %d programmes "
           "%.2f M events/s (%llu events), bass %.2f M events/s (%llu events); "
           "economic costs %.2f x bass per event\n",
           eco->cfg.name, (long long)pop->n, eco->cfg.horizon, reps, eco->cfg.nprogrammes, re / 1e6,
           (unsigned long long)ne, rb / 1e6, (unsigned long long)nb, rr);
    free(bass);
    zz_population_free(pop);
    zz_scenario_close(eco);
    return 0;
}

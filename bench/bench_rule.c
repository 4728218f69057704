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
 * A third argument times one rule only (for `perf record`). Built with
 * -DZZ_PROFILE=ON it also prints where each rule's time goes: each event
 * kind's share of the run and its ticks per event, the way reviews ended,
 * each instrument's programme events (the loop's timers slow both rules).
 */
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy/instrument.h"
#include "scenario/scenario.h"
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

/* The profiles of every run of a rule, added up. */
static void add_profile(zz_profile *sum, const zz_sim *sim)
{
    const zz_profile *p = zz_sim_profile(sim);
    if (!p)
        return;
    sum->run += p->run;
    for (int k = 0; k < ZZ_NEVENT_KINDS; k++)
        sum->ticks[k] += p->ticks[k], sum->n[k] += p->n[k];
    for (int e = 0; e < ZZ_NREVIEW_ENDS; e++)
        sum->review_ticks[e] += p->review_ticks[e], sum->review_n[e] += p->review_n[e];
    for (int i = 0; i < ZZ_MAX_INSTRUMENTS; i++)
        sum->prog_ticks[i] += p->prog_ticks[i], sum->prog_n[i] += p->prog_n[i];
}

#ifdef ZZ_PROFILE
/* A line: share of the run's ticks, events a run, ticks an event. */
static void share(const char *what, uint64_t ticks, uint64_t n, uint64_t run, int runs)
{
    if (n)
        printf("  %-32s %5.1f%%  %9.0f a run  %7.0f ticks each\n", what, 100.0 * ticks / run,
               (double)n / runs, (double)ticks / n);
}

static void print_profile(const char *rule, const zz_profile *p, int runs)
{
    static const char *const kind[ZZ_NEVENT_KINDS] = {
        [ZZ_EV_OBSERVE] = "month-end observation", [ZZ_EV_FISCAL_YEAR] = "fiscal year",
        [ZZ_EV_ACTION] = "scenario action", [ZZ_EV_PROGRAMME] = "programme events",
        [ZZ_EV_REVIEW] = "review", [ZZ_EV_AWARE] = "becomes aware",
        [ZZ_EV_DECIDED] = "applications decided", [ZZ_EV_IMPL_DONE] = "implementation done"};
    static const char *const end[ZZ_NREVIEW_ENDS] = {
        [ZZ_END_IDLE] = "  idle (implementing, scaled)", [ZZ_END_OUT_OF_REACH] = "  out of reach (bound only)",
        [ZZ_END_VALUED] = "  valued, no prospect", [ZZ_END_PROSPECTS] = "  valued with prospects"};
    uint64_t in_events = 0, n = 0;
    for (int k = 0; k < ZZ_NEVENT_KINDS; k++)
        in_events += p->ticks[k], n += p->n[k];
    printf("where the %s run's time goes (ticks; %d runs):\n", rule, runs);
    share("queue and loop", p->run - in_events, n, p->run, runs);
    for (int k = 0; k < ZZ_NEVENT_KINDS; k++) {
        share(kind[k], p->ticks[k], p->n[k], p->run, runs);
        if (k == ZZ_EV_REVIEW)
            for (int e = 0; e < ZZ_NREVIEW_ENDS; e++)
                share(end[e], p->review_ticks[e], p->review_n[e], p->run, runs);
        if (k == ZZ_EV_PROGRAMME)
            for (int i = 0; i < zz_ninstruments; i++) {
                char stem[64], what[80];
                zz_instrument_stem(i, stem, sizeof stem);
                snprintf(what, sizeof what, "  %s", stem);
                share(what, p->prog_ticks[i], p->prog_n[i], p->run, runs);
            }
    }
}

#endif

static zz_profile profile[2]; /* economic, bass (a ZZ_PROFILE build) */

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
    add_profile(&profile[sc->cfg.decision.rule == ZZ_RULE_BASS], sim);
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
#ifdef ZZ_PROFILE
    if (strcmp(only, "bass"))
        print_profile("economic", &profile[0], reps);
    if (strcmp(only, "economic"))
        print_profile("bass", &profile[1], reps);
#endif
    free(bass);
    zz_population_free(pop);
    zz_scenario_close(eco);
    return 0;
}

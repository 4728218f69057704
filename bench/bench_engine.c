/*
 * Engine benchmark (not a test: these machines are noisy, so figures are
 * reported, never asserted). For the `bass` rule, 10 years, reviews every
 * 30 days:
 *   - single-thread events per second at 100,000 and 1,000,000 firms;
 *   - bytes per firm: memory in use for the population and one replication
 *     during its run (malloc's live bytes, mallinfo2), and the growth of
 *     resident memory, which also counts freed memory malloc keeps;
 *   - the ensemble speed-up from one to two threads (whole ensembles,
 *     HDF5 output included), and the same for the economic rule with every
 *     instrument of the scenario given (default: scenarios/shandong_2026.lua).
 * Usage: bench_engine [SCENARIO.lua]   (make bench)
 */
#define _POSIX_C_SOURCE 200809L
#include <malloc.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/date.h"
#include "scenario/scenario.h"
#include "sim.h"
#include "sim_internal.h"
#include "zhizao/zhizao.h"

static long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * sysconf(_SC_PAGESIZE);
}

static size_t live_bytes(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

static zz_scenario *bass_scenario(int64_t firms)
{
    zz_scenario *sc = calloc(1, sizeof *sc);
    zz_config_defaults(&sc->cfg);
    snprintf(sc->cfg.name, sizeof sc->cfg.name, "bench_bass_%lld", (long long)firms);
    sc->cfg.population.firms = firms;
    sc->cfg.population.initial_adoption = 0;
    sc->cfg.decision.rule = ZZ_RULE_BASS;
    sc->cfg.decision.review_days = 30;
    sc->cfg.years = 10;
    sc->cfg.horizon = (double)(zz_days_from_civil(2036, 1, 1) - sc->cfg.start_day);
    return sc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One replication, `reps` times: the median events per second and the
 * range (these virtual machines are noisy: a single run can be off by
 * a quarter), and the memory of the first run. */
static void single_thread(int64_t firms, int reps)
{
    zz_scenario *sc = bass_scenario(firms);
    double rate[16];
    uint64_t ev = 0;
    double live = 0, resident = 0;
    for (int k = 0; k < reps && k < 16; k++) {
        long before = rss_bytes();
        size_t live_before = live_bytes();
        char err[512];
        zz_population *pop;
        if (zz_population_build(&pop, sc, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            exit(1);
        }
        zz_sim *sim;
        int rc = zz_sim_open(&sim, sc, pop, 0, 0);
        double t1 = omp_get_wtime();
        if (!rc)
            rc = zz_sim_run(sim);
        double t2 = omp_get_wtime();
        if (rc) {
            fprintf(stderr, "%s\n", zz_errmsg(sim));
            exit(1);
        }
        if (k == 0) {
            live = (double)(live_bytes() - live_before) / (double)firms;
            resident = (double)(rss_bytes() - before) / (double)firms;
        }
        ev = zz_sim_events(sim);
        rate[k] = (double)ev / (t2 - t1) / 1e6;
        zz_sim_close(sim);
        zz_population_free(pop);
    }
    qsort(rate, (size_t)reps, sizeof *rate, cmp_double);
    printf("bass %8lld firms: %llu events a run; %5.2f M events/s (median of %d, range %.2f-%.2f); "
           "%5.1f bytes/firm in use, resident memory +%5.1f bytes/firm\n",
           (long long)firms, (unsigned long long)ev, rate[reps / 2], reps, rate[0], rate[reps - 1],
           live, resident);
    free(sc);
}

static double ensemble_seconds(const zz_scenario *sc, int threads, int reps)
{
    char path[] = "/tmp/zz_bench_XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    zz_run_options opt = {.output = path, .replications = reps, .threads = threads, .seed = -1};
    char err[1024];
    double t0 = omp_get_wtime();
    int rc = zz_ensemble_run(sc, &opt, err, sizeof err);
    double t = omp_get_wtime() - t0;
    unlink(path);
    if (rc) {
        fprintf(stderr, "ensemble: %s\n", err);
        exit(1);
    }
    return t;
}

static void speedup(const char *label, const zz_scenario *sc, int reps)
{
    double one = ensemble_seconds(sc, 1, reps);
    double two = ensemble_seconds(sc, 2, reps);
    printf("%s: %d replications, 1 thread %.2f s, 2 threads %.2f s, speed-up %.2f\n", label, reps,
           one, two, one / two);
}

int main(int argc, char **argv)
{
    printf("zhizao %s engine benchmark on %d cores\n", ZZ_VERSION, omp_get_num_procs());
    single_thread(100000, 5);
    single_thread(1000000, 3);
    zz_scenario *sc = bass_scenario(100000);
    speedup("bass ensemble, 100,000 firms", sc, 8);
    free(sc);

    const char *path = argc > 1 ? argv[1] : "scenarios/shandong_2026.lua";
    zz_scenario *eco;
    if (zz_scenario_open(&eco, path)) {
        fprintf(stderr, "%s\n", zz_scenario_errmsg(eco));
        return 1;
    }
    /* economic rule with every instrument vs bass, same firms and horizon */
    zz_scenario *b = bass_scenario(eco->cfg.population.firms);
    b->cfg.horizon = eco->cfg.horizon;
    b->cfg.decision.review_days = 180;
    double te = ensemble_seconds(eco, 1, 2), tb = ensemble_seconds(b, 1, 2);
    printf("%s (economic, all its instruments) vs bass (reviews every 180 days), %lld firms, "
           "2 replications, 1 thread: %.2f s vs %.2f s, ratio %.1f\n",
           eco->cfg.name, (long long)eco->cfg.population.firms, te, tb, te / tb);
    speedup("economic ensemble", eco, 8);
    free(b);
    zz_scenario_close(eco);
    return 0;
}

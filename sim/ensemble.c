#define _POSIX_C_SOURCE 200809L
/*
 * Ensembles: replications in parallel (OpenMP), one HDF5 writer.
 *
 * Replications are handed out dynamically to threads; each owns its
 * zz_sim, its random streams (keyed by replicate number, never by thread)
 * and its result buffer, so the numbers do not depend on which thread ran
 * what. Finished results are parked in a slot per replicate and written in
 * replicate order by whichever thread holds the writer's lock (the Debian
 * HDF5 build is not thread-safe: one caller at a time), and once more
 * after the loop. The same calls in the same order keep the file's bytes
 * independent of the schedule. Each written replicate is flushed, so a
 * crash or Ctrl-C keeps them.
 *
 * Memory: a parked result is ~100 KB whatever the firm count (counts per
 * month and cell). When one slow replicate holds up the writing order, at
 * most MAX_PARKED results per thread wait behind it: a thread that is too
 * far ahead pauses before starting another, so memory does not grow with
 * the number of replications.
 */
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/date.h"
#include "ensemble.h"
#include "output/rep_pack.h"
#include "parallel/farm.h"
#include "policy/policy.h"
#include "parallel/mpi.h"
#include "sim_internal.h"

#define MAX_PARKED 4 /* per thread */

typedef struct ensemble {
    const zz_scenario *sc;
    const zz_population *pop;
    const zz_run_options *opt;
    int R;
    zz_rep_result **done, **done_cf;
    int next_write;
    omp_lock_t writer;       /* whoever holds it drains                       */
    int kept;                /* replicates written                            */
    int write_failed;        /* the writer failed: write nothing more         */
    int failed_rc;
    char failed_msg[1024];
    zz_writer *w;
    double t0;
    /* kept for the summary after the results are freed */
    double *final_share;     /* [R][G] */
    double *time_to_target;  /* [R][G] */
    double *spent;           /* [R][P] */
    double *additional;      /* [R][G] against the twin, NAN without one */
    double *share, *cf_share; /* [R][T][G] target shares, for the headline */
    double *cf_time_to_target; /* [R][G] the twin's, NAN without one      */
    int T;
    int all_firms;           /* index of the all_firms target, or -1 */
    uint64_t events;
} ensemble;

static void keep_summary(ensemble *e, const zz_rep_result *r, const zz_rep_result *cf)
{
    const int G = r->ntargets, P = r->nprogrammes, T = r->ntime;
    for (int g = 0; g < G; g++) {
        e->final_share[r->replicate * G + g] = r->target_share[(T - 1) * G + g];
        e->time_to_target[r->replicate * G + g] = r->time_to_target[g];
        e->cf_time_to_target[r->replicate * G + g] = cf ? cf->time_to_target[g] : NAN;
    }
    if (T == e->T) {
        memcpy(e->share + (size_t)r->replicate * T * G, r->target_share,
               (size_t)T * G * sizeof(double));
        if (cf)
            memcpy(e->cf_share + (size_t)r->replicate * T * G, cf->target_share,
                   (size_t)T * G * sizeof(double));
    }
    /* what each programme cost: disbursed, and a guarantee's open cover */
    /* counts and money of a --scale rehearsal, in full-region units */
    const double per = 1 / e->sc->cfg.scale;
    for (int p = 0; p < P; p++)
        e->spent[r->replicate * P + p] = zz_outlay(r, &e->sc->cfg, p) * per;
    for (int g = 0; g < G; g++)
        e->additional[r->replicate * G + g] = r->additional ? (double)r->additional[g] * per : NAN;
    e->events += r->events;
}

/* Writes replicate i's results and frees them; 1 if it was written. */
static int write_one(ensemble *e, int i, zz_rep_result *r, zz_rep_result *cf)
{
    int ok = 0;
    if (!e->write_failed) {
        int rc = zz_writer_put(e->w, "", r);
        if (!rc && cf)
            rc = zz_writer_put(e->w, "cf_", cf);
        if (rc) {
            e->write_failed = 1;
            if (!e->failed_rc || e->failed_rc == ZZ_INTERRUPTED) {
                e->failed_rc = rc;
                snprintf(e->failed_msg, sizeof e->failed_msg, "%s", zz_writer_errmsg(e->w));
            }
        }
        ok = !rc;
    }
    keep_summary(e, r, cf);
    zz_rep_result_free(r);
    zz_rep_result_free(cf);
#pragma omp critical(zz_slots)
    e->done[i] = e->done_cf[i] = NULL;
    return ok;
}

/* Writes every finished replicate that is next in order. Only with the
 * writer's lock held (or outside the parallel region). */
static void drain(ensemble *e, const char *group)
{
    for (;;) {
        zz_rep_result *r, *cf;
#pragma omp critical(zz_slots)
        {
            r = e->next_write < e->R ? e->done[e->next_write] : NULL;
            cf = r ? e->done_cf[e->next_write] : NULL;
        }
        if (!r || (e->opt->counterfactual && !cf))
            return;
        e->kept += write_one(e, e->next_write, r, cf);
#pragma omp critical(zz_slots)
        e->next_write++;
        if (e->opt->progress && isatty(2))
            fprintf(stderr, "\rzhizao: %s%s%d/%d replications done, %.1f s ", group ? group : "",
                    group ? ": " : "", e->next_write, e->R, omp_get_wtime() - e->t0);
    }
}

/* After the loop, when a stop (Ctrl-C, a failed replicate) left gaps:
 * every replicate that did finish is written, whatever its number, and
 * `kept` lists them as ranges ("0-3, 5"). */
static void drain_rest(ensemble *e, char *kept, size_t len)
{
    int first = -1;
    size_t at = 0;
    kept[0] = '\0';
    for (int i = 0; i <= e->R; i++) {
        int have = 0;
        if (i < e->next_write) {
            have = !e->write_failed;
        } else if (i < e->R && e->done[i] && (!e->opt->counterfactual || e->done_cf[i])) {
            have = write_one(e, i, e->done[i], e->done_cf[i]);
            e->kept += have;
        }
        if (have && first < 0)
            first = i;
        if (!have && first >= 0) {
            int w = i - 1 > first
                        ? snprintf(kept + at, len - at, "%s%d-%d", at ? ", " : "", first, i - 1)
                        : snprintf(kept + at, len - at, "%s%d", at ? ", " : "", first);
            if (w > 0 && (size_t)w < len - at)
                at += (size_t)w;
            first = -1;
        }
    }
}

/* Drains if no other thread is draining. */
static void try_drain(ensemble *e, const char *group)
{
    if (omp_test_lock(&e->writer)) {
        drain(e, group);
        omp_unset_lock(&e->writer);
    }
}

/* Before a thread starts replicate r: wait while r is too far ahead of
 * the one next in order (see the top). Results parked lie between the two,
 * so at most `cap` wait; the thread holding the next one never waits. */
static void wait_for_room(ensemble *e, int r, const char *group)
{
    const int cap = MAX_PARKED * omp_get_num_threads();
    for (;;) {
        int next, stop;
#pragma omp critical(zz_slots)
        next = e->next_write;
#pragma omp atomic read
        stop = e->failed_rc;
        if (r - next < cap || stop || zz_interrupt_pending())
            return;
        try_drain(e, group);
#pragma omp critical(zz_slots)
        next = e->next_write;
        if (r - next >= cap)
            nanosleep(&(struct timespec){0, 2000000}, NULL);
    }
}

static int run_one(ensemble *e, int r, const zz_sim *policy, zz_sim **out, char *err,
                   size_t errlen)
{
    int counterfactual = policy != NULL;
    int rc = zz_sim_open(out, e->sc, e->pop, r, counterfactual);
    if (!rc && policy)
        zz_sim_stop_after(*out, policy);
    if (!rc)
        rc = zz_sim_run(*out);
    if (rc)
        snprintf(err, errlen, "replicate %d%s: %s", r, counterfactual ? " (no-policy twin)" : "",
                 zz_errmsg(*out));
    return rc;
}

/* A replication and, if asked, its no-policy twin, both kept alive until
 * the paired accounting and the per-firm record are taken from them. */
static int run_pair(ensemble *e, int r, zz_rep_result **res, zz_rep_result **cf, char *err,
                    size_t errlen)
{
    zz_sim *pol = NULL, *twin = NULL;
    int rc = run_one(e, r, NULL, &pol, err, errlen);
    if (!rc && e->opt->counterfactual)
        rc = run_one(e, r, pol, &twin, err, errlen);
    if (!rc && twin && zz_account_pair(pol, twin)) {
        rc = ZZ_NOMEM;
        snprintf(err, errlen, "out of memory for the paired accounting");
    }
    if (!rc && e->opt->firms_record &&
        (zz_record_firms(pol) || (twin && zz_record_firms(twin)))) {
        rc = ZZ_NOMEM;
        snprintf(err, errlen, "out of memory for the per-firm record");
    }
    if (!rc) {
        *res = zz_sim_take_result(pol);
        *cf = twin ? zz_sim_take_result(twin) : NULL;
    }
    zz_sim_close(pol);
    zz_sim_close(twin);
    return rc;
}

/* ---- over MPI ranks: replicates on the task farm (parallel/farm.h) ------
 * Rank 0 takes each replicate's result (and twin's) back into the slots
 * the threads of one process fill, and drains them in replicate order, so
 * the file does not depend on the rank count. Payload: the result's and,
 * with --counterfactual, the twin's rep_pack.c bytes; the count says
 * whether the twin is there. */

static int farm_run(void *ctx, int r, zz_farm_buf *out, int *has_cf, char *err, size_t errlen)
{
    ensemble *e = ctx;
    zz_rep_result *res = NULL, *cf = NULL;
    int rc = run_pair(e, r, &res, &cf, err, errlen);
    if (!rc) {
        const uint64_t n = zz_rep_packed_size(res);
        unsigned char *p = zz_farm_reserve(out, sizeof n + n + (cf ? zz_rep_packed_size(cf) : 0));
        if (p) {
            memcpy(p, &n, sizeof n);
            zz_rep_pack(res, p + sizeof n);
            if (cf)
                zz_rep_pack(cf, p + sizeof n + n);
        } else {
            rc = ZZ_NOMEM;
            snprintf(err, errlen, "out of memory");
        }
        *has_cf = cf != NULL;
    }
    zz_rep_result_free(res);
    zz_rep_result_free(cf);
    return rc;
}

static int farm_take(void *ctx, int r, int has_cf, const unsigned char *p, size_t len)
{
    ensemble *e = ctx;
    uint64_t n;
    if (r < 0 || r >= e->R || e->done[r] || has_cf != (e->opt->counterfactual != 0) ||
        len < sizeof n)
        return ZZ_ERROR;
    memcpy(&n, p, sizeof n);
    p += sizeof n;
    len -= sizeof n;
    zz_rep_result *res = n <= len ? zz_rep_unpack(p, n) : NULL, *cf = NULL;
    if (res && has_cf)
        cf = zz_rep_unpack(p + n, len - n);
    if (!res || (has_cf ? !cf : n != len) || res->replicate != r) {
        zz_rep_result_free(res);
        zz_rep_result_free(cf);
        return ZZ_ERROR;
    }
#pragma omp critical(zz_slots)
    {
        e->done[r] = res;
        e->done_cf[r] = cf;
    }
    return ZZ_OK;
}

static int farm_drain(void *ctx)
{
    ensemble *e = ctx;
    drain(e, NULL);
    return e->write_failed;
}

/* A target's deadline in days from the start (< 0: none). A pioneer's
 * group takes the pioneer's within_days, read here rather than copied when
 * the pioneer is declared, so that --set pioneer.X.within_days reaches it. */
double zz_target_deadline(const zz_config *cfg, int g)
{
    for (int k = 0; k < cfg->npioneers; k++) {
        char name[ZZ_NAME_LEN * 3];
        snprintf(name, sizeof name, "pioneer_%s_%s", cfg->city[cfg->pioneer[k].city],
                 cfg->industry[cfg->pioneer[k].industry]);
        if (strcmp(name, cfg->target[g].name) == 0)
            return cfg->pioneer[k].within_days;
    }
    return cfg->target[g].by;
}

static void build_layout(zz_layout *L, const zz_config *cfg, const zz_population *pop,
                         int64_t nfirms, double *target_by, int *fiscal,
                         const char **prog_names, const char **target_names,
                         const char **city_names, const char **industry_names, char *parameters,
                         double *time, int ntime)
{
    for (int g = 0; g < cfg->nprogrammes; g++) {
        prog_names[g] = cfg->programme[g].name;
        fiscal[g] = cfg->programme[g].fiscal;
    }
    for (int g = 0; g < cfg->ntargets; g++) {
        target_names[g] = cfg->target[g].name;
        target_by[g] = zz_target_deadline(cfg, g);
    }
    for (int c = 0; c < cfg->ncities; c++)
        city_names[c] = cfg->city[c];
    for (int i = 0; i < cfg->nindustries; i++)
        industry_names[i] = cfg->industry[i];
    *L = (zz_layout){
        .ntime = ntime, .time = time, .ncities = cfg->ncities, .nindustries = cfg->nindustries,
        .nprogrammes = cfg->nprogrammes, .ntargets = cfg->ntargets,
        .nrounds = zz_config_rounds(cfg), .nfirms = nfirms, .city = city_names,
        .industry = industry_names, .programme = prog_names, .target = target_names,
        .firms = pop->cell_firms, .firms_gsz = pop->cell_firms_gsz,
        .target_by = target_by, .fiscal = fiscal,
        .replications = cfg->replications, .scenario_name = cfg->name,
        .scenario_path = cfg->path, .source = cfg->source ? cfg->source : "",
        .parameters = parameters ? parameters : "", .overrides = cfg->overrides ? cfg->overrides : "",
        .start_date = cfg->start, .seed = cfg->seed, .scale = cfg->scale,
    };
}

static void print_spread(FILE *out, const char *label, const double *x, size_t stride, int n,
                         double scale, const char *fmt_unit)
{
    double *v = malloc((size_t)n * sizeof *v);
    int k = 0;
    for (int r = 0; r < n; r++)
        if (!isnan(x[r * stride]))
            v[k++] = x[r * stride] * scale;
    if (k == 0) {
        fprintf(out, "  %-40s not reached in any replication\n", label);
    } else {
        double lo, hi;
        gsl_stats_minmax(&lo, &hi, v, 1, (size_t)k);
        double mean = gsl_stats_mean(v, 1, (size_t)k);
        double sd = k > 1 ? gsl_stats_sd(v, 1, (size_t)k) : 0;
        fprintf(out, "  %-40s %10.4g%s  sd %.3g  [%.4g, %.4g]", label, mean, fmt_unit, sd, lo, hi);
        if (k < n)
            fprintf(out, "  (reached in %d/%d)", k, n);
        fputc('\n', out);
    }
    free(v);
}

/* The headline (headline.c) from what the ensemble kept. */
static void print_headline(FILE *out, const ensemble *e, const zz_config *cfg, const double *time)
{
    const int R = e->R, G = cfg->ntargets, P = cfg->nprogrammes;
    const char *names[ZZ_MAX_TARGETS];
    double level[ZZ_MAX_TARGETS], by[ZZ_MAX_TARGETS];
    int attributable[ZZ_MAX_TARGETS];
    for (int g = 0; g < G; g++) {
        names[g] = cfg->target[g].name;
        level[g] = cfg->target[g].share;
        by[g] = zz_target_deadline(cfg, g);
        attributable[g] = zz_cost_attributable(cfg, g);
    }
    double *fiscal = calloc((size_t)(R ? R : 1), sizeof *fiscal);
    double *total = calloc((size_t)(R ? R : 1), sizeof *total);
    if (fiscal && total) {
        for (int r = 0; r < R; r++)
            for (int p = 0; p < P; p++) {
                total[r] += e->spent[r * P + p];
                fiscal[r] += cfg->programme[p].fiscal ? e->spent[r * P + p] : 0;
            }
        const int twin = R > 0 && !isnan(e->additional[0]);
        const zz_headline_in h = {
            .R = R, .G = G, .T = e->T, .name = names, .level = level, .by = by,
            .attributable = attributable, .time = time, .tt = e->time_to_target,
            .cf_tt = twin ? e->cf_time_to_target : NULL, .share = e->share,
            .cf_share = twin ? e->cf_share : NULL, .additional = e->additional,
            .fiscal = fiscal, .total = total, .horizon = cfg->horizon,
            .start_day = cfg->start_day};
        zz_headline_print(out, &h);
    }
    free(fiscal);
    free(total);
}

static void print_summary(const ensemble *e, const zz_config *cfg, double seconds,
                          const double *time)
{
    FILE *out = stdout;
    const int R = e->R, G = cfg->ntargets, P = cfg->nprogrammes;
    char end[11];
    zz_date_format(cfg->start_day + (int64_t)cfg->horizon, end);
    fprintf(out, "\nscenario %s: %d replications, %lld firms, %s to %s, seed %lld, %.1f s, %.3g events/s\n",
            cfg->name, R, (long long)e->pop->n, cfg->start, end, (long long)cfg->seed, seconds,
            seconds > 0 ? (double)e->events / seconds : 0.0);
    if (cfg->scale != 1)
        fprintf(out, "rehearsal at --scale %g: counts and money below are per the full region "
                "(simulated / %g); shares as simulated\n", cfg->scale, cfg->scale);
    print_headline(out, e, cfg, time);
    fprintf(out, "details:\n");
    fprintf(out, "adoption share at the end (mean, sd, [min, max] over replications):\n");
    for (int g = 0; g < G; g++)
        print_spread(out, cfg->target[g].name, e->final_share + g, (size_t)G, R, 100, "%");
    fprintf(out, "years to target:\n");
    for (int g = 0; g < G; g++) {
        char label[96];
        snprintf(label, sizeof label, "%s (%.0f%%)", cfg->target[g].name, 100 * cfg->target[g].share);
        print_spread(out, label, e->time_to_target + g, (size_t)G, R, 1 / 365.25, " y");
    }
    if (P > 0) {
        fprintf(out, "money disbursed, and guarantees' cover still open (million yuan):\n");
        for (int p = 0; p < P; p++) {
            char label[96];
            snprintf(label, sizeof label, "%s%s", cfg->programme[p].name,
                     cfg->programme[p].fiscal ? "" : " (not fiscal)");
            print_spread(out, label, e->spent + p, (size_t)P, R, 1e-6, "");
        }
    }
    const char *names[ZZ_MAX_TARGETS];
    double by[ZZ_MAX_TARGETS];
    int attributable[ZZ_MAX_TARGETS];
    for (int g = 0; g < G; g++) {
        names[g] = cfg->target[g].name;
        by[g] = zz_target_deadline(cfg, g);
        attributable[g] = zz_cost_attributable(cfg, g);
    }
    zz_deadline_block(out, e->time_to_target, R, G, names, by, cfg->horizon, cfg->start_day);
    if (R > 0 && !isnan(e->additional[0])) {
        double *fiscal = calloc((size_t)R, sizeof *fiscal), *other = calloc((size_t)R, sizeof *other);
        if (fiscal && other) {
            for (int r = 0; r < R; r++)
                for (int p = 0; p < P; p++)
                    *(cfg->programme[p].fiscal ? &fiscal[r] : &other[r]) += e->spent[r * P + p];
            zz_incremental_block(out, e->additional, R, G, names, attributable, fiscal, other);
        }
        free(fiscal);
        free(other);
    }
}

/* Runs one scenario's replications into `group` of an open writer. */
/* Moves what a comparison ranks by into `s`. */
static int fill_summary(zz_summary *s, const ensemble *e, const zz_config *cfg)
{
    const int R = e->R, G = cfg->ntargets, P = cfg->nprogrammes;
    if (zz_summary_init(s, cfg, R))
        return ZZ_NOMEM;
    memcpy(s->time_to_target, e->time_to_target, (size_t)R * G * sizeof(double));
    for (int r = 0; r < R; r++) {
        s->additional[r] = e->all_firms >= 0 ? e->additional[r * G + e->all_firms] : NAN;
        for (int p = 0; p < P; p++) {
            s->spent[r] += e->spent[r * P + p];
            if (cfg->programme[p].fiscal)
                s->fiscal[r] += e->spent[r * P + p];
        }
    }
    return ZZ_OK;
}

int zz_summary_init(zz_summary *s, const zz_config *cfg, int R)
{
    const int G = cfg->ntargets;
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", cfg->name);
    s->R = R;
    s->G = G;
    s->target = calloc((size_t)(G ? G : 1), sizeof *s->target);
    s->target_share = calloc((size_t)(G ? G : 1), sizeof(double));
    s->time_to_target = calloc((size_t)R * (G ? G : 1), sizeof(double));
    s->spent = calloc((size_t)R, sizeof(double));
    s->additional = calloc((size_t)(R ? R : 1), sizeof(double));
    s->fiscal = calloc((size_t)(R ? R : 1), sizeof(double));
    s->target_by = calloc((size_t)(G ? G : 1), sizeof(double));
    const int T = zz_month_ends(cfg->start_day, cfg->horizon, NULL);
    const size_t RG = (size_t)(R ? R : 1) * (G ? G : 1), RTG = RG * (size_t)(T ? T : 1);
    s->T = T;
    s->time = calloc((size_t)(T ? T : 1), sizeof(double));
    s->level = s->target_share;
    s->attributable = calloc((size_t)(G ? G : 1), sizeof(int));
    s->cf_time_to_target = calloc(RG, sizeof(double));
    s->share = calloc(RTG, sizeof(double));
    s->cf_share = calloc(RTG, sizeof(double));
    s->additional_g = calloc(RG, sizeof(double));
    if (!s->target || !s->target_share || !s->time_to_target || !s->spent || !s->additional ||
        !s->fiscal || !s->target_by || !s->time || !s->attributable || !s->cf_time_to_target ||
        !s->share || !s->cf_share || !s->additional_g)
        return ZZ_NOMEM;
    zz_month_ends(cfg->start_day, cfg->horizon, s->time);
    for (int g = 0; g < G; g++)
        s->attributable[g] = zz_cost_attributable(cfg, g);
    s->horizon = cfg->horizon;
    s->start_day = cfg->start_day;
    for (int g = 0; g < G; g++) {
        memcpy(s->target[g], cfg->target[g].name, ZZ_NAME_LEN);
        s->target_share[g] = cfg->target[g].share;
        s->target_by[g] = zz_target_deadline(cfg, g);
    }
    return ZZ_OK;
}

void zz_summary_free(zz_summary *s)
{
    if (!s)
        return;
    free(s->target);
    free(s->target_share);
    free(s->time_to_target);
    free(s->spent);
    free(s->additional);
    free(s->fiscal);
    free(s->target_by);
    free(s->time);
    free(s->attributable);
    free(s->cf_time_to_target);
    free(s->share);
    free(s->cf_share);
    free(s->additional_g);
    memset(s, 0, sizeof *s);
}

int zz_ensemble_into(zz_writer *w, const char *group, const zz_scenario *sc_in,
                     const zz_run_options *opt, char *err, size_t errlen, zz_summary *summary)
{
    int rc = ZZ_OK;
    zz_scenario *sc = malloc(sizeof *sc);
    if (!sc)
        return ZZ_NOMEM;
    *sc = *sc_in;
    zz_config *cfg = &sc->cfg;
    if (opt->replications > 0)
        cfg->replications = opt->replications;
    if (opt->seed >= 0)
        cfg->seed = opt->seed;
    if (opt->lua_instructions > 0)
        cfg->lua_total_instructions = opt->lua_instructions;
    if (opt->lua_seconds > 0)
        cfg->lua_total_seconds = opt->lua_seconds;

    /* over MPI every rank builds the population (the workers run on it)
     * and only rank 0 writes; a failure here is the same on every rank */
    const int mpi = zz_mpi_size() > 1, worker = mpi && zz_mpi_rank() > 0;
    zz_population *pop = NULL;
    rc = zz_population_build(&pop, sc, err, errlen);
    if (rc) {
        free(sc);
        return mpi ? zz_mpi_agree(rc) : rc;
    }
    if (pop->note[0] && opt->progress && !worker)
        fprintf(stderr, "zhizao: note: %s\n", pop->note);
    const int R = cfg->replications, G = cfg->ntargets, P = cfg->nprogrammes;
    int ntime = zz_month_ends(cfg->start_day, cfg->horizon, NULL);
    double *time = malloc((size_t)ntime * sizeof *time);
    ensemble e = {.sc = sc, .pop = pop, .opt = opt, .R = R, .w = w, .t0 = omp_get_wtime()};
    e.done = calloc((size_t)R, sizeof *e.done);
    e.done_cf = calloc((size_t)R, sizeof *e.done_cf);
    e.final_share = calloc((size_t)R * (G ? G : 1), sizeof(double));
    e.time_to_target = calloc((size_t)R * (G ? G : 1), sizeof(double));
    e.spent = calloc((size_t)R * (P ? P : 1), sizeof(double));
    e.additional = calloc((size_t)R * (G ? G : 1), sizeof(double));
    e.T = ntime;
    e.share = calloc((size_t)R * ntime * (G ? G : 1), sizeof(double));
    e.cf_share = calloc((size_t)R * ntime * (G ? G : 1), sizeof(double));
    e.cf_time_to_target = calloc((size_t)R * (G ? G : 1), sizeof(double));
    e.all_firms = -1;
    for (int g = 0; g < G; g++)
        if (!strcmp(cfg->target[g].name, "all_firms"))
            e.all_firms = g;
    char *parameters = zz_scenario_describe(sc);
    if (!time || !e.done || !e.done_cf || !e.final_share || !e.time_to_target || !e.spent ||
        !e.additional || !e.share || !e.cf_share || !e.cf_time_to_target) {
        rc = ZZ_NOMEM;
        snprintf(err, errlen, "out of memory");
        goto out_of_setup;
    }
    zz_month_ends(cfg->start_day, cfg->horizon, time);
    const char *prog_names[ZZ_MAX_PROGRAMMES], *target_names[ZZ_MAX_TARGETS];
    const char *city_names[ZZ_MAX_CITIES], *industry_names[ZZ_MAX_INDUSTRIES];
    zz_layout layout;
    double target_by[ZZ_MAX_TARGETS];
    int fiscal[ZZ_MAX_PROGRAMMES];
    build_layout(&layout, cfg, pop, opt->firms_record ? pop->n : 0, target_by, fiscal, prog_names, target_names, city_names, industry_names,
                 parameters, time, ntime);
    if (!worker && (rc = zz_writer_begin(w, group, &layout)))
        snprintf(err, errlen, "%s", zz_writer_errmsg(w));
out_of_setup:
    /* the workers learn whether rank 0 could begin the file */
    if (mpi && (rc = zz_mpi_agree(rc)) && !err[0])
        snprintf(err, errlen, "rank 0 stopped");
    if (rc)
        goto out;
    zz_farm_end fe = {0};
    if (mpi) {
        const zz_farm f = {.ctx = &e, .ntasks = R, .threads = opt->threads, .run = farm_run,
                           .take = farm_take, .drain = farm_drain};
        if (worker) {
            zz_farm_work(&f);
            /* rank 0 speaks of the outcome; this rank ends with its rc */
            if ((rc = zz_mpi_agree(ZZ_OK)))
                snprintf(err, errlen, "rank 0 stopped the job");
            goto out;
        }
        zz_farm_hand_out(&f, &fe);
        if (fe.rc && !e.failed_rc) {
            e.failed_rc = fe.rc;
            snprintf(e.failed_msg, sizeof e.failed_msg, "%s", fe.msg);
        }
        if (fe.stopped && !e.failed_rc) {
            e.failed_rc = ZZ_INTERRUPTED;
            snprintf(e.failed_msg, sizeof e.failed_msg, "interrupted%s", fe.why);
        }
        goto ran;
    }

    if (opt->threads > 0)
        omp_set_num_threads(opt->threads);
    omp_init_lock(&e.writer);
#pragma omp parallel
    {
#pragma omp for schedule(dynamic, 1)
        for (int r = 0; r < R; r++) {
            int stop;
#pragma omp atomic read
            stop = e.failed_rc;
            if (stop || zz_interrupt_pending())
                continue;
            wait_for_room(&e, r, group);
            char msg[1024];
            zz_rep_result *res = NULL, *cf = NULL;
            int rrc = run_pair(&e, r, &res, &cf, msg, sizeof msg);
#pragma omp critical(zz_slots)
            {
                if (rrc == ZZ_INTERRUPTED) {
                    /* not a failure: the replicate is simply not kept */
                    zz_rep_result_free(res);
                    zz_rep_result_free(cf);
                } else if (rrc) {
                    if (!e.failed_rc) {
                        e.failed_rc = rrc;
                        snprintf(e.failed_msg, sizeof e.failed_msg, "%s", msg);
                    }
                    zz_rep_result_free(res);
                    zz_rep_result_free(cf);
                } else {
                    e.done[r] = res;
                    e.done_cf[r] = cf;
                }
            }
            try_drain(&e, group);
        }
    }
    omp_destroy_lock(&e.writer);
ran:
    drain(&e, group);
    if (opt->progress && isatty(2))
        fputc('\n', stderr);
    if (e.failed_rc || zz_interrupt_pending()) {
        char kept[512];
        drain_rest(&e, kept, sizeof kept);
        if (!e.failed_rc)
            snprintf(e.failed_msg, sizeof e.failed_msg, "interrupted");
        if (!e.failed_rc)
            e.failed_rc = ZZ_INTERRUPTED;
        size_t at = strlen(e.failed_msg);
        if (!e.write_failed && e.kept)
            snprintf(e.failed_msg + at, sizeof e.failed_msg - at,
                     "; %d of %d replications finished and kept (replicate %s)", e.kept, R, kept);
        else if (!e.write_failed)
            snprintf(e.failed_msg + at, sizeof e.failed_msg - at, "; no replication had finished");
    }
    if (e.failed_rc) {
        rc = e.failed_rc;
        snprintf(err, errlen, "%s", e.failed_msg);
    }
    if ((!rc || rc == ZZ_INTERRUPTED) && zz_writer_end(w) && !rc) {
        rc = ZZ_IO;
        snprintf(err, errlen, "%s", zz_writer_errmsg(w));
    }
    if (!rc && opt->progress)
        print_summary(&e, cfg, omp_get_wtime() - e.t0, time);
    if (!rc && summary)
        rc = fill_summary(summary, &e, cfg);
    /* every worker has been told to stop: end together, with one rc */
    if (mpi && fe.clean)
        zz_mpi_agree(rc);
out:
    for (int r = 0; e.done && r < R; r++) {
        zz_rep_result_free(e.done[r]);
        zz_rep_result_free(e.done_cf[r]);
    }
    free(e.done);
    free(e.done_cf);
    free(e.final_share);
    free(e.time_to_target);
    free(e.spent);
    free(e.additional);
    free(e.share);
    free(e.cf_share);
    free(e.cf_time_to_target);
    free(time);
    free(parameters);
    zz_population_free(pop);
    free(sc);
    return rc;
}

int zz_ensemble_run(const zz_scenario *sc, const zz_run_options *opt, char *err, size_t errlen)
{
    /* over MPI, rank 0 alone writes; the others learn whether it could */
    const int mpi = zz_mpi_size() > 1, worker = mpi && zz_mpi_rank() > 0;
    zz_writer *w = NULL;
    int rc = worker ? ZZ_OK : zz_writer_open(&w, opt->output, err, errlen);
    if (mpi && (rc = zz_mpi_agree(rc)) && !err[0])
        snprintf(err, errlen, "rank 0 stopped");
    if (rc)
        return rc;
    rc = zz_ensemble_into(w, NULL, sc, opt, err, errlen, NULL);
    int crc = worker ? ZZ_OK : zz_writer_close(w, rc == ZZ_OK);
    if (!rc && crc) {
        rc = crc;
        snprintf(err, errlen, "cannot finish %s", opt->output);
    }
    return rc;
}

/* The layout of a scenario's result set, for writers outside this file
 * (`compare` through sim/experiment/runner.c). */
void zz_ensemble_layout(zz_layout *L, const zz_config *cfg, const zz_population *pop,
                        int64_t nfirms, double *target_by, int *fiscal,
                        const char **prog_names, const char **target_names,
                        const char **city_names, const char **industry_names, char *parameters,
                        double *time, int ntime)
{
    build_layout(L, cfg, pop, nfirms, target_by, fiscal, prog_names, target_names, city_names,
                 industry_names, parameters, time, ntime);
}

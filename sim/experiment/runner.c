/* Running an experiment (runner.h). */
#include "experiment/runner.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/date.h"
#include "output/experiment_writer.h"
#include "scenario/params.h"
#include "experiment/runner_internal.h"
#include "parallel/mpi.h"
#include "sim_internal.h"

static int add_name(const char **names, int *n, int max, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp(names[i], name))
            return i;
    if (*n == max)
        return -1;
    names[*n] = name;
    return (*n)++;
}

/* ---- one unit: point p, replication r, every scenario ------------------- */

static int run_sim(const zz_scenario *sc, const zz_population *pop, int r, const zz_sim *policy,
                   zz_sim **out, char *err, size_t errlen)
{
    int rc = zz_sim_open(out, sc, pop, r, policy != NULL);
    if (!rc && policy)
        zz_sim_stop_after(*out, policy);
    if (!rc)
        rc = zz_sim_run(*out);
    if (rc)
        snprintf(err, errlen, "%s%s", policy ? "(no-policy twin) " : "", zz_errmsg(*out));
    return rc;
}

static void fill_record(const run *e, int s, zz_xrecord *rec, const zz_sim *pol, const zz_sim *twin)
{
    const zz_rep_result *a = pol->res, *b = twin->res;
    const int G = e->G, I = e->I, T = e->T, Gs = a->ntargets, Is = a->nprogrammes;
    for (int g = 0; g < Gs; g++) {
        int k = e->tmap[s][g];
        for (int t = 0; t < T; t++) {
            rec->target_share[t * G + k] = a->target_share[t * Gs + g];
            rec->cf_target_share[t * G + k] = b->target_share[t * Gs + g];
        }
        rec->time_to_target[k] = a->time_to_target[g];
        rec->cf_time_to_target[k] = b->time_to_target[g];
        rec->additional[k] = a->additional[g];
        rec->supported[k] = a->supported[g];
        rec->deadweight[k] = a->deadweight[g];
        rec->target_firms[k] = a->target_firms[g];
        rec->deadweight_lag[k] = a->deadweight_lag[g];
    }
    for (int g = 0; g < Is; g++) {
        int k = e->imap[s][g];
        for (int t = 0; t < T; t++) {
            rec->committed[t * I + k] = a->committed[t * Is + g];
            rec->spent[t * I + k] = a->spent[t * Is + g];
        }
    }
    rec->events = (int64_t)a->events;
    rec->cf_events = (int64_t)b->events;
    if (rec->adopted) {
        const size_t n = (size_t)T * a->ncells;
        memcpy(rec->adopted, a->adopted, n * sizeof *rec->adopted);
        memcpy(rec->cf_adopted, b->adopted, n * sizeof *rec->cf_adopted);
        rec->firms = pol->pop->cell_firms;
    }
}

int zz_run_unit(run *e, int p, int r, unit_out *out, char *err, size_t errlen)
{
    const int S = e->S;
    zz_scenario *sc = malloc((size_t)S * sizeof *sc);
    zz_sim *twin[ZZ_MAX_EXP_SCENARIOS] = {0};
    uint64_t sig[ZZ_MAX_EXP_SCENARIOS];
    int ntwins = 0, rc = sc ? ZZ_OK : ZZ_NOMEM;
    if (!sc)
        snprintf(err, errlen, "out of memory");
    for (int s = 0; s < S && !rc; s++) {
        char msg[1200];
        rc = zz_experiment_scenario(e->ex, p, s, &sc[s], msg, sizeof msg);
        const zz_population *pop = e->pops[e->pop_of[p * S + s]];
        zz_sim *pol = NULL, *own = NULL, *tw = NULL;
        if (!rc)
            rc = run_sim(&sc[s], pop, r, NULL, &pol, msg, sizeof msg);
        if (!rc && pol->stopped_early) {
            /* its twin stops where the scenario stopped it: its own */
            out->twins++;
            rc = run_sim(&sc[s], pop, r, pol, &own, msg, sizeof msg);
            tw = own;
        } else if (!rc) {
            uint64_t h = e->twin_sig[p * S + s];
            for (int k = 0; k < ntwins && !tw; k++)
                if (sig[k] == h && twin[k]->pop == pop)
                    tw = twin[k];
            if (!tw) {
                out->twins++;
                rc = run_sim(&sc[s], pop, r, pol, &twin[ntwins], msg, sizeof msg);
                sig[ntwins] = h;
                tw = twin[ntwins++];
            }
        }
        if (!rc && zz_account_pair(pol, tw)) {
            rc = ZZ_NOMEM;
            snprintf(msg, sizeof msg, "out of memory for the paired accounting");
        }
        if (!rc && e->opt->compare) {
            if ((rc = zz_take_results(e, pol, tw, tw == own, out, s)))
                snprintf(msg, sizeof msg, "out of memory for the results");
        } else if (!rc) {
            zz_xrecord *rec = out->rec[s] = zz_xrecord_alloc(&e->L);
            if (!rec) {
                rc = ZZ_NOMEM;
                snprintf(msg, sizeof msg, "out of memory");
            } else {
                rec->point = p;
                rec->scenario = s;
                rec->replicate = r;
                fill_record(e, s, rec, pol, tw);
            }
        }
        if (rc)
            snprintf(err, errlen, "point %d, scenario %.48s, replicate %d: %.900s", p,
                     e->ex->sc[s]->cfg.name, r, msg);
        zz_sim_close(pol);
        zz_sim_close(own);
    }
    for (int k = 0; k < ntwins; k++)
        zz_sim_close(twin[k]);
    free(sc);
    return rc;
}

/* ---- writing in unit order (thread 0) ------------------------------------ */

void zz_unit_free(unit_out *u, int S)
{
    for (int s = 0; u && s < S; s++) {
        zz_xrecord_free(u->rec[s]);
        zz_rep_result_free(u->res[s]);
        zz_rep_result_free(u->cf[s]);
    }
    free(u);
}

void zz_drain(run *e)
{
    for (;;) {
        unit_out *u;
#pragma omp critical(zz_xslots)
        u = e->next_write < e->nunits ? e->slot[e->next_write] : NULL;
        if (!u && e->skip_gaps && e->next_write < e->nunits) {
            e->next_write++;
            continue;
        }
        if (!u)
            return;
        if (e->opt->compare && !e->failed_rc)
            zz_put_groups(e, u);
        for (int s = 0; s < e->S && !e->opt->compare; s++) {
            zz_xrecord *rec = u->rec[s];
            size_t task = ((size_t)rec->point * e->S + s) * e->R + rec->replicate;
            if (!e->failed_rc && !e->done[task]) {
                int rc = zz_xwriter_put(e->w, rec);
                if (rc) {
                    e->failed_rc = rc;
                    snprintf(e->failed_msg, sizeof e->failed_msg, "%s", zz_xwriter_errmsg(e->w));
                }
                e->done[task] = 1;
                e->tasks_done++;
            }
        }
        e->twins_run += u->twins;
        zz_unit_free(u, e->S);
        e->tasks_run += e->S;
        e->slot[e->next_write++] = NULL;
        if (!e->failed_rc && !e->opt->compare && zz_xwriter_flush(e->w, e->tasks_done)) {
            e->failed_rc = ZZ_IO;
            snprintf(e->failed_msg, sizeof e->failed_msg, "%s", zz_xwriter_errmsg(e->w));
        }
        if (e->opt->progress && isatty(2)) {
            double el = omp_get_wtime() - e->t0;
            long now = e->tasks_done - e->tasks_start, total = (long)e->P * e->S * e->R;
            double left = now > 0 ? el / now * (double)(total - e->tasks_done) : NAN;
            if (isnan(left) || left < 120)
                fprintf(stderr, "\rzhizao: %ld/%ld tasks, %.0f s, about %.0f s left     ",
                        e->tasks_done, total, el, left);
            else
                fprintf(stderr, "\rzhizao: %ld/%ld tasks, %.0f s, about %.0f min left     ",
                        e->tasks_done, total, el, left / 60);
        }
    }
}

/* ---- set-up -------------------------------------------------------------- */

/* Checks every (point, scenario), keys its population and twin, and
 * builds the populations. */
static int prepare(run *e, char *err, size_t errlen)
{
    const zz_experiment *ex = e->ex;
    const int P = e->P, S = e->S;
    zz_scenario *sc = malloc(sizeof *sc);
    uint64_t *popkey = malloc((size_t)P * S * sizeof *popkey);
    int *first = malloc((size_t)P * S * sizeof *first);
    e->twin_sig = malloc((size_t)P * S * sizeof *e->twin_sig);
    e->pop_of = malloc((size_t)P * S * sizeof *e->pop_of);
    int rc = ZZ_OK;
    if (!sc || !popkey || !first || !e->twin_sig || !e->pop_of) {
        snprintf(err, errlen, "out of memory");
        rc = ZZ_NOMEM;
    }
    const zz_config *c0 = &ex->sc[0]->cfg;
    for (int p = 0; p < P && !rc; p++)
        for (int s = 0; s < S && !rc; s++) {
            rc = zz_experiment_scenario(ex, p, s, sc, err, errlen);
            if (rc)
                break;
            const zz_config *c = &sc->cfg;
            /* compare writes each scenario on its own calendar */
            if (!e->opt->compare && (c->start_day != c0->start_day || c->horizon != c0->horizon)) {
                snprintf(err, errlen, "%s starts %s and runs %g days, %s starts %s and runs %g "
                         "days: the scenarios of an experiment share one calendar", c0->path,
                         c0->start, c0->horizon, c->path, c->start, c->horizon);
                rc = ZZ_SCENARIO;
                break;
            }
            if (e->opt->cells && zz_names_hash(ZZ_FNV0, c) != zz_names_hash(ZZ_FNV0, c0)) {
                snprintf(err, errlen, "--cells: %s and %s have different cities or industries",
                         c0->path, c->path);
                rc = ZZ_SCENARIO;
                break;
            }
            uint64_t k;
            if (zz_twin_signature(sc, &e->twin_sig[p * S + s]) || zz_population_key(sc, &k)) {
                snprintf(err, errlen, "out of memory");
                rc = ZZ_NOMEM;
                break;
            }
            int i;
            for (i = 0; i < e->npops && popkey[i] != k; i++)
                ;
            if (i == e->npops) {
                popkey[i] = k;
                first[i] = p * S + s;
                e->npops++;
            }
            e->pop_of[p * S + s] = i;
        }
    if (!rc) {
        e->pops = calloc((size_t)e->npops, sizeof *e->pops);
        if (!e->pops) {
            snprintf(err, errlen, "out of memory");
            rc = ZZ_NOMEM;
        }
    }
    /* populations differ only where a factor changes one: cached per key */
    for (int i = 0; !rc && i < e->npops; i++) {
        int p = first[i] / S, s = first[i] % S;
        rc = zz_experiment_scenario(ex, p, s, sc, err, errlen);
        if (!rc)
            rc = zz_population_build(&e->pops[i], sc, err, errlen);
    }
    free(sc);
    free(popkey);
    free(first);
    return rc;
}

static int make_layout(run *e, const char **targets, const char **instr, double **time,
                       double **level, double **by, uint8_t **fiscal, const char **params, char **params_owned,
                       const char **sources, const char **paths, char *err, size_t errlen)
{
    const zz_experiment *ex = e->ex;
    int G = 0, I = 0;
    for (int s = 0; s < e->S; s++) {
        const zz_config *c = &ex->sc[s]->cfg;
        e->all_firms[s] = -1;
        for (int g = 0; g < c->ntargets; g++) {
            e->tmap[s][g] = add_name(targets, &G, ZZ_MAX_TARGETS, c->target[g].name);
            if (!strcmp(c->target[g].name, "all_firms"))
                e->all_firms[s] = g;
        }
        for (int g = 0; g < c->nprogrammes; g++)
            e->imap[s][g] = add_name(instr, &I, ZZ_MAX_PROGRAMMES, c->programme[g].name);
        for (int g = 0; g < c->ntargets; g++)
            if (e->tmap[s][g] < 0) {
                snprintf(err, errlen, "more than %d distinct targets", ZZ_MAX_TARGETS);
                return ZZ_SCENARIO;
            }
        for (int g = 0; g < c->nprogrammes; g++)
            if (e->imap[s][g] < 0) {
                snprintf(err, errlen, "more than %d distinct programmes", ZZ_MAX_PROGRAMMES);
                return ZZ_SCENARIO;
            }
        params_owned[s] = zz_params_describe(c);
        params[s] = params_owned[s] ? params_owned[s] : "";
        sources[s] = c->source ? c->source : "";
        paths[s] = c->path;
    }
    e->G = G;
    e->I = I;
    const zz_config *c0 = &ex->sc[0]->cfg;
    e->T = zz_month_ends(c0->start_day, c0->horizon, NULL);
    *time = malloc((size_t)e->T * sizeof **time);
    *level = malloc((size_t)e->S * (G ? G : 1) * sizeof **level);
    *by = malloc((size_t)e->S * (G ? G : 1) * sizeof **by);
    *fiscal = malloc((size_t)e->S * (I ? I : 1));
    if (!*time || !*level || !*by || !*fiscal) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    zz_month_ends(c0->start_day, c0->horizon, *time);
    for (int s = 0; s < e->S; s++) {
        const zz_config *c = &ex->sc[s]->cfg;
        for (int g = 0; g < G; g++)
            (*level)[s * G + g] = (*by)[s * G + g] = NAN;
        for (int g = 0; g < c->ntargets; g++) {
            const double d = zz_target_deadline(c, g);
            (*level)[s * G + e->tmap[s][g]] = c->target[g].share;
            (*by)[s * G + e->tmap[s][g]] = d >= 0 ? d : NAN;
        }
        /* an instrument a scenario lacks spends nothing: its flag is moot */
        for (int i = 0; i < I; i++)
            (*fiscal)[s * I + i] = 1;
        for (int p = 0; p < c->nprogrammes; p++)
            (*fiscal)[s * I + e->imap[s][p]] = c->programme[p].fiscal != 0;
    }
    return ZZ_OK;
}

static void digest(const run *e, const zz_explore_options *opt, char *out, size_t len)
{
    const zz_experiment *ex = e->ex;
    uint64_t h = zz_fnv_str(ZZ_FNV0, ex->source);
    for (int s = 0; s < e->S; s++) {
        h = zz_fnv_str(h, ex->sc[s]->cfg.source);
        h = zz_fnv_str(h, ex->sc[s]->cfg.overrides);
    }
    h = zz_fnv(h, ex->value, (size_t)e->P * ex->nfactors * sizeof *ex->value);
    const int64_t opts[4] = {e->P, e->R, ex->seed, opt->cells};
    h = zz_fnv(h, opts, sizeof opts);
    if (ex->scale > 0 && ex->scale != 1)  /* a resume must not mix scales */
        h = zz_fnv(h, &ex->scale, sizeof ex->scale);
    snprintf(out, len, "%016llx", (unsigned long long)h);
}

int zz_explore_run(const zz_experiment *ex, const zz_explore_options *opt, char *err,
                   size_t errlen)
{
    run *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    e->ex = ex;
    e->opt = opt;
    e->P = ex->npoints;
    e->S = ex->nscenarios;
    e->R = ex->replications;
    const char *targets[ZZ_MAX_TARGETS], *instr[ZZ_MAX_PROGRAMMES];
    const char *params[ZZ_MAX_EXP_SCENARIOS], *sources[ZZ_MAX_EXP_SCENARIOS],
        *paths[ZZ_MAX_EXP_SCENARIOS], *names[ZZ_MAX_EXP_SCENARIOS], *factors[ZZ_MAX_FACTORS];
    char *params_owned[ZZ_MAX_EXP_SCENARIOS] = {0};
    const char *cities[ZZ_MAX_CITIES], *industries[ZZ_MAX_INDUSTRIES];
    double *time = NULL, *level = NULL, *by = NULL;
    uint8_t *fiscal = NULL;
    char dig[32];
    int rc = make_layout(e, targets, instr, &time, &level, &by, &fiscal, params, params_owned, sources, paths,
                         err, errlen);
    if (!rc)
        rc = prepare(e, err, errlen);
    if (!rc)
        rc = zz_summary_alloc(e);
    const zz_config *c0 = &ex->sc[0]->cfg;
    for (int s = 0; s < e->S; s++)
        names[s] = ex->sc[s]->cfg.name;
    for (int f = 0; f < ex->nfactors; f++)
        factors[f] = ex->factor[f].key;
    for (int c = 0; c < c0->ncities; c++)
        cities[c] = c0->city[c];
    for (int i = 0; i < c0->nindustries; i++)
        industries[i] = c0->industry[i];
    digest(e, opt, dig, sizeof dig);
    e->L = (zz_xlayout){
        .npoints = e->P, .nscenarios = e->S, .nreplicates = e->R, .ntime = e->T, .ntargets = e->G,
        .ninstruments = e->I, .nfactors = ex->nfactors, .cells = opt->cells,
        .ncities = c0->ncities, .nindustries = c0->nindustries, .time = time,
        .start_date = c0->start, .scenario = names, .target = targets, .instrument = instr,
        .factor = factors, .city = cities, .industry = industries, .design = ex->value,
        .design_unit = ex->unit, .design_block = ex->block, .target_level = level,
        .target_by = by, .fiscal = fiscal,
        .scenario_parameters = params, .scenario_source = sources, .scenario_path = paths,
        .name = ex->name, .path = ex->path, .source = ex->source,
        .design_name = ex->nfactors ? zz_design_names[ex->design] : "none",
        .overrides = opt->overrides, .digest = dig, .seed = ex->seed,
        .scale = ex->scale > 0 ? ex->scale : 1,
        .uncertain_from = zz_joint_path(ex->joint)};
    const long ntasks = (long)e->P * e->S * e->R;
    if (!rc) {
        e->done = calloc((size_t)ntasks, 1);
        e->units = malloc((size_t)e->P * e->R * sizeof *e->units);
        e->slot = calloc((size_t)e->P * e->R, sizeof *e->slot);
        if (!e->done || !e->units || !e->slot) {
            snprintf(err, errlen, "out of memory");
            rc = ZZ_NOMEM;
        }
    }
    /* over MPI (mpi_runner.c) every rank gets this far; workers run the
     * units rank 0 hands them, and only rank 0 opens the file */
    const int mpi = zz_mpi_size() > 1;
    /* every rank set up alike, or none goes on (a rank that could not read
     * the experiment agrees in cli_explore.c) */
    if (mpi && (rc = zz_mpi_agree(rc)) && !err[0])
        snprintf(err, errlen, "another rank could not set the experiment up");
    const int set_up = !rc;
    char where[1024] = "";
    if (!rc)
        zz_mpi_where(where, sizeof where, opt->threads > 0 ? opt->threads : omp_get_max_threads());
    const int worker = mpi && zz_mpi_rank() > 0;
    if (!rc && !worker && opt->compare)
        rc = zz_open_groups(e, err, errlen);
    else if (!rc && !worker)
        rc = zz_xwriter_open(&e->w, opt->output, &e->L, opt->resume, e->done, err, errlen);
    if (!rc && !worker && !opt->compare &&
        (rc = zz_xwriter_note(e->w, opt->resume ? "resumed_on" : "ran_on", where)))
        snprintf(err, errlen, "%s", zz_xwriter_errmsg(e->w));
    /* the workers learn whether rank 0 could open the file */
    if (mpi && set_up && (rc = zz_mpi_agree(rc)) && !err[0])
        snprintf(err, errlen, "rank 0 stopped");
    if (!rc && worker)
        rc = zz_mpi_work(e, err, errlen);
    if (!rc && !worker) {
        /* units left to run, in (point, replication) order */
        for (int p = 0; p < e->P; p++)
            for (int r = 0; r < e->R; r++) {
                int all = 1;
                for (int s = 0; s < e->S; s++)
                    all &= e->done[((size_t)p * e->S + s) * e->R + r];
                e->tasks_done += all ? e->S : 0;
                if (!all)
                    e->units[e->nunits++] = p * e->R + r;
            }
        for (long t = 0, n = 0; t < ntasks; t++)
            n += e->done[t];
        e->tasks_start = e->tasks_done;
        e->t0 = omp_get_wtime();
        if (opt->threads > 0)
            omp_set_num_threads(opt->threads);
        if (mpi)
            zz_mpi_hand_out(e);
        else
#pragma omp parallel
        {
#pragma omp for schedule(dynamic, 1)
            for (int k = 0; k < e->nunits; k++) {
                int stop;
#pragma omp atomic read
                stop = e->failed_rc;
                if (stop || zz_interrupt_pending())
                    continue;
                char msg[1024];
                unit_out *u = calloc(1, sizeof *u);
                int urc = u ? zz_run_unit(e, e->units[k] / e->R, e->units[k] % e->R, u, msg,
                                       sizeof msg)
                            : ZZ_NOMEM;
#pragma omp critical(zz_xslots)
                {
                    if (urc) {
                        if (!e->failed_rc && urc != ZZ_INTERRUPTED) {
                            e->failed_rc = urc;
                            snprintf(e->failed_msg, sizeof e->failed_msg, "%s",
                                     u ? msg : "out of memory");
                        }
                        zz_unit_free(u, e->S);
                    } else {
                        e->slot[k] = u;
                    }
                }
                if (omp_get_thread_num() == 0)
                    zz_drain(e);
            }
        }
        zz_drain(e);
        if (opt->progress && isatty(2))
            fputc('\n', stderr);
        if (!e->failed_rc && e->next_write < e->nunits && zz_interrupt_pending()) {
            e->failed_rc = ZZ_INTERRUPTED;
            snprintf(e->failed_msg, sizeof e->failed_msg,
                     "interrupted after %ld of %ld tasks; zhizao explore --resume continues",
                     e->tasks_done, ntasks);
        }
        rc = e->failed_rc;
        if (rc)
            snprintf(err, errlen, "%s", e->failed_msg);
        int crc = opt->compare ? zz_writer_close(e->gw, rc == ZZ_OK)
                               : zz_xwriter_close(e->w, rc == ZZ_OK);
        if (!rc && crc)
            rc = crc;
        if (opt->progress && !rc)
            fprintf(stderr, "zhizao: %ld tasks (and %ld no-policy twins) in %.1f s (%.3g tasks/s)\n",
                    e->tasks_run, e->twins_run, omp_get_wtime() - e->t0,
                    e->tasks_run / fmax(1e-9, omp_get_wtime() - e->t0));
    }
    for (int k = 0; e->slot && k < e->nunits; k++)
        zz_unit_free(e->slot[k], e->S);
    for (int i = 0; e->pops && i < e->npops; i++)
        zz_population_free(e->pops[i]);
    for (int s = 0; s < e->S; s++)
        free(params_owned[s]);
    free(e->pops);
    free(e->twin_sig);
    free(e->pop_of);
    free(e->done);
    free(e->units);
    free(e->slot);
    free(time);
    free(level);
    free(by);
    free(fiscal);
    free(e);
    return rc;
}

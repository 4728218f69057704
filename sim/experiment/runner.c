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
#include "sim_internal.h"

/* What one unit (point, replication) hands to the writer, per scenario:
 * an experiment record, or for compare the run's result and its twin's. */
typedef struct unit_out {
    zz_xrecord *rec[ZZ_MAX_EXP_SCENARIOS];
    zz_rep_result *res[ZZ_MAX_EXP_SCENARIOS], *cf[ZZ_MAX_EXP_SCENARIOS];
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
    long tasks_done, tasks_start;
    long tasks_run;            /* computed in this session (shown at the end) */
    long twins_run;            /* no-policy twins run in this session */
    zz_xwriter *w;
    zz_writer *gw;             /* compare: the run-layout writer, a group per scenario */
    int failed_rc;
    char failed_msg[1024];
    double t0;
} run;

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}
#define FNV0 1469598103934665603ull

static uint64_t fnv_str(uint64_t h, const char *s) { return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "", 1); }

static uint64_t names_hash(uint64_t h, const zz_config *cfg)
{
    for (int c = 0; c < cfg->ncities; c++)
        h = fnv_str(h, cfg->city[c]);
    for (int i = 0; i < cfg->nindustries; i++)
        h = fnv_str(h, cfg->industry[i]);
    return h;
}

/* What the twin depends on: every parameter outside the programmes (and
 * the targets it is measured on), and for a scenario-defined decision rule
 * the scenario's text. */
static int twin_signature(const zz_scenario *sc, uint64_t *out)
{
    zz_config *c = malloc(sizeof *c);
    if (!c)
        return -1;
    *c = sc->cfg;
    c->nprogrammes = 0;
    c->nactions = 0;
    c->name[0] = '\0';
    char *d = zz_params_describe(c);
    free(c);
    if (!d)
        return -1;
    uint64_t h = names_hash(fnv_str(FNV0, d), &sc->cfg);
    if (sc->cfg.decision.rule == ZZ_RULE_LUA)
        h = fnv_str(h, sc->cfg.source);
    free(d);
    *out = h;
    return 0;
}

/* What the synthetic population depends on: population.*, the seed, the
 * names of cities and industries, a chain leader's partners (and the firm
 * file's place). */
static int population_key(const zz_scenario *sc, uint64_t *out)
{
    char *d = zz_params_describe(&sc->cfg);
    if (!d)
        return -1;
    uint64_t h = FNV0;
    for (char *line = d; *line;) {
        size_t n = strcspn(line, "\n");
        if (!strncmp(line, "population.", 11) || !strncmp(line, "scenario.seed", 13))
            h = fnv(h, line, n);
        line += n + (line[n] == '\n');
    }
    free(d);
    h = names_hash(h, &sc->cfg);
    /* the synthetic chains take their size from a chain-leader programme
     * (population.c) */
    const int partners = zz_population_chain_partners(&sc->cfg);
    h = fnv(h, &partners, sizeof partners);
    if (sc->cfg.population.file[0])
        h = fnv_str(h, sc->cfg.path);
    *out = h;
    return 0;
}

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

/* The shared twin's result in the layout of scenario `pol`'s group: the
 * twin pays nothing, so its programme columns are the zeros its own twin
 * (every programme off, no budget) would have written. */
static zz_rep_result *twin_result_for(const zz_sim *twin, const zz_rep_result *pol)
{
    const zz_rep_result *t = twin->res;
    zz_rep_result *c = zz_rep_result_alloc(t->ntime, t->ncells, pol->nprogrammes, t->ntargets,
                                           pol->nrounds);
    if (!c)
        return NULL;
    const size_t tc = (size_t)t->ntime * t->ncells, tg = (size_t)t->ntime * t->ntargets;
    c->replicate = t->replicate;
    memcpy(c->adopted, t->adopted, tc * sizeof *c->adopted);
    memcpy(c->implementing, t->implementing, tc * sizeof *c->implementing);
    memcpy(c->scaled, t->scaled, tc * sizeof *c->scaled);
    memcpy(c->adopted_gsz, t->adopted_gsz, tc * sizeof *c->adopted_gsz);
    memcpy(c->target_share, t->target_share, tg * sizeof *c->target_share);
    memcpy(c->time_to_target, t->time_to_target, (size_t)t->ntargets * sizeof *c->time_to_target);
    memcpy(c->compute_price, t->compute_price, (size_t)t->ntime * sizeof *c->compute_price);
    memcpy(c->compute_utilisation, t->compute_utilisation,
           (size_t)t->ntime * sizeof *c->compute_utilisation);
    c->events = t->events;
    if (t->firm_day) {
        c->nfirms = t->nfirms;
        c->firm_day = malloc((size_t)t->nfirms * sizeof *c->firm_day);
        if (!c->firm_day) {
            zz_rep_result_free(c);
            return NULL;
        }
        memcpy(c->firm_day, t->firm_day, (size_t)t->nfirms * sizeof *c->firm_day);
    }
    return c;
}

/* compare: the policy run's result with its accounting (and per-firm
 * record), and its twin's in the same layout. */
static int take_results(run *e, zz_sim *pol, zz_sim *tw, int own, unit_out *out, int s)
{
    if (e->opt->firms_record &&
        (zz_record_firms(pol) || (!tw->res->firm_day && zz_record_firms(tw))))
        return ZZ_NOMEM;
    out->res[s] = zz_sim_take_result(pol);
    out->cf[s] = own ? zz_sim_take_result(tw) : twin_result_for(tw, out->res[s]);
    return out->res[s] && out->cf[s] ? ZZ_OK : ZZ_NOMEM;
}

static int run_unit(run *e, int p, int r, unit_out *out, char *err, size_t errlen)
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
#pragma omp atomic
            e->twins_run++;
            rc = run_sim(&sc[s], pop, r, pol, &own, msg, sizeof msg);
            tw = own;
        } else if (!rc) {
            uint64_t h = e->twin_sig[p * S + s];
            for (int k = 0; k < ntwins && !tw; k++)
                if (sig[k] == h && twin[k]->pop == pop)
                    tw = twin[k];
            if (!tw) {
#pragma omp atomic
                e->twins_run++;
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
            if ((rc = take_results(e, pol, tw, tw == own, out, s)))
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

static void keep_summary_run(run *e, int s, const zz_rep_result *res)
{
    zz_summary *sm = e->opt->summary ? &e->opt->summary[s] : NULL;
    if (!sm)
        return;
    const int r = res->replicate, G = res->ntargets, P = res->nprogrammes, T = res->ntime;
    for (int g = 0; g < G; g++)
        sm->time_to_target[r * G + g] = res->time_to_target[g];
    double spent = 0;
    for (int k = 0; k < P; k++)
        spent += res->spent[(T - 1) * P + k];
    sm->spent[r] = spent;
    sm->additional[r] = e->all_firms[s] >= 0 && res->additional ? res->additional[e->all_firms[s]] : NAN;
}

/* compare: replicate r into every scenario's group, each taken up in turn */
static int put_groups(run *e, unit_out *u)
{
    int rc = ZZ_OK;
    for (int s = 0; s < e->S && !rc; s++) {
        const char *g = e->ex->sc[s]->cfg.name;
        rc = zz_writer_unpark(e->gw, g);
        if (!rc)
            rc = zz_writer_put(e->gw, "", u->res[s]);
        if (!rc)
            rc = zz_writer_put(e->gw, "cf_", u->cf[s]);
        if (!rc)
            rc = zz_writer_park(e->gw, g);
        if (rc) {
            e->failed_rc = rc;
            snprintf(e->failed_msg, sizeof e->failed_msg, "%s", zz_writer_errmsg(e->gw));
        }
        keep_summary_run(e, s, u->res[s]);
    }
    e->tasks_done += e->S;
    return rc;
}

static void unit_free(unit_out *u, int S)
{
    for (int s = 0; u && s < S; s++) {
        zz_xrecord_free(u->rec[s]);
        zz_rep_result_free(u->res[s]);
        zz_rep_result_free(u->cf[s]);
    }
    free(u);
}

static void drain(run *e)
{
    for (;;) {
        unit_out *u;
#pragma omp critical(zz_xslots)
        u = e->next_write < e->nunits ? e->slot[e->next_write] : NULL;
        if (!u)
            return;
        if (e->opt->compare && !e->failed_rc)
            put_groups(e, u);
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
        unit_free(u, e->S);
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
            fprintf(stderr, "\rzhizao: %ld/%ld tasks, %.0f s, about %.0f s left   ", e->tasks_done,
                    total, el, left);
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
            if (e->opt->cells && names_hash(FNV0, c) != names_hash(FNV0, c0)) {
                snprintf(err, errlen, "--cells: %s and %s have different cities or industries",
                         c0->path, c->path);
                rc = ZZ_SCENARIO;
                break;
            }
            uint64_t k;
            if (twin_signature(sc, &e->twin_sig[p * S + s]) || population_key(sc, &k)) {
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
                       double **level, const char **params, char **params_owned,
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
    if (!*time || !*level) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    zz_month_ends(c0->start_day, c0->horizon, *time);
    for (int s = 0; s < e->S; s++) {
        for (int g = 0; g < G; g++)
            (*level)[s * G + g] = NAN;
        for (int g = 0; g < ex->sc[s]->cfg.ntargets; g++)
            (*level)[s * G + e->tmap[s][g]] = ex->sc[s]->cfg.target[g].share;
    }
    return ZZ_OK;
}

static void digest(const run *e, const zz_explore_options *opt, char *out, size_t len)
{
    const zz_experiment *ex = e->ex;
    uint64_t h = fnv_str(FNV0, ex->source);
    for (int s = 0; s < e->S; s++) {
        h = fnv_str(h, ex->sc[s]->cfg.source);
        h = fnv_str(h, ex->sc[s]->cfg.overrides);
    }
    h = fnv(h, ex->value, (size_t)e->P * ex->nfactors * sizeof *ex->value);
    const int64_t opts[4] = {e->P, e->R, ex->seed, opt->cells};
    h = fnv(h, opts, sizeof opts);
    snprintf(out, len, "%016llx", (unsigned long long)h);
}

static int summary_alloc(run *e)
{
    for (int s = 0; s < e->S && e->opt->summary; s++)
        if (zz_summary_init(&e->opt->summary[s], &e->ex->sc[s]->cfg, e->R))
            return ZZ_NOMEM;
    return ZZ_OK;
}

/* compare: a group per scenario, begun in the scenarios' order (the file
 * lists them so) and set aside until its first replicate. */
static int open_groups(run *e, char *err, size_t errlen)
{
    int rc = zz_writer_open(&e->gw, e->opt->output, err, errlen);
    for (int s = 0; s < e->S && !rc; s++) {
        const zz_config *cfg = &e->ex->sc[s]->cfg;
        const int T = zz_month_ends(cfg->start_day, cfg->horizon, NULL);
        double *time = malloc((size_t)T * sizeof *time);
        if (!time) {
            snprintf(err, errlen, "out of memory");
            rc = ZZ_NOMEM;
            break;
        }
        zz_month_ends(cfg->start_day, cfg->horizon, time);
        const zz_population *pop = e->pops[e->pop_of[s]];
        const char *prog[ZZ_MAX_PROGRAMMES], *targ[ZZ_MAX_TARGETS];
        const char *city[ZZ_MAX_CITIES], *ind[ZZ_MAX_INDUSTRIES];
        char *params = zz_params_describe(cfg);
        zz_layout L;
        zz_ensemble_layout(&L, cfg, pop, e->opt->firms_record ? pop->n : 0, prog, targ, city, ind,
                           params, time, T);
        L.replications = e->R;
        rc = zz_writer_begin(e->gw, cfg->name, &L);
        if (!rc)
            rc = zz_writer_park(e->gw, cfg->name);
        if (rc)
            snprintf(err, errlen, "%s", zz_writer_errmsg(e->gw));
        free(params);
        free(time);
    }
    if (rc && e->gw) {
        zz_writer_close(e->gw, 0);
        e->gw = NULL;
    }
    return rc;
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
    double *time = NULL, *level = NULL;
    char dig[32];
    int rc = make_layout(e, targets, instr, &time, &level, params, params_owned, sources, paths,
                         err, errlen);
    if (!rc)
        rc = prepare(e, err, errlen);
    if (!rc)
        rc = summary_alloc(e);
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
        .scenario_parameters = params, .scenario_source = sources, .scenario_path = paths,
        .name = ex->name, .path = ex->path, .source = ex->source,
        .design_name = ex->nfactors ? zz_design_names[ex->design] : "none",
        .overrides = opt->overrides, .digest = dig, .seed = ex->seed};
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
    if (!rc && opt->compare)
        rc = open_groups(e, err, errlen);
    else if (!rc)
        rc = zz_xwriter_open(&e->w, opt->output, &e->L, opt->resume, e->done, err, errlen);
    if (!rc) {
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
                int urc = u ? run_unit(e, e->units[k] / e->R, e->units[k] % e->R, u, msg,
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
                        unit_free(u, e->S);
                    } else {
                        e->slot[k] = u;
                    }
                }
                if (omp_get_thread_num() == 0)
                    drain(e);
            }
        }
        drain(e);
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
        unit_free(e->slot[k], e->S);
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
    free(e);
    return rc;
}

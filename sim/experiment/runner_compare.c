/* compare through the experiment runner: each scenario's results in the
 * run layout (results.h), a group per scenario, the shared twin written as
 * each group's cf_ variables. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/date.h"
#include "experiment/runner_internal.h"
#include "scenario/params.h"
#include "sim_internal.h"

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
int zz_take_results(run *e, zz_sim *pol, zz_sim *tw, int own, unit_out *out, int s)
{
    if (e->opt->firms_record &&
        (zz_record_firms(pol) || (!tw->res->firm_day && zz_record_firms(tw))))
        return ZZ_NOMEM;
    out->res[s] = zz_sim_take_result(pol);
    out->cf[s] = own ? zz_sim_take_result(tw) : twin_result_for(tw, out->res[s]);
    return out->res[s] && out->cf[s] ? ZZ_OK : ZZ_NOMEM;
}

static void keep_summary_run(run *e, int s, const zz_rep_result *res, const zz_rep_result *cf)
{
    zz_summary *sm = e->opt->summary ? &e->opt->summary[s] : NULL;
    if (!sm)
        return;
    const int r = res->replicate, G = res->ntargets, P = res->nprogrammes, T = res->ntime;
    for (int g = 0; g < G; g++)
        sm->time_to_target[r * G + g] = res->time_to_target[g];
    const zz_config *cfg = &e->ex->sc[s]->cfg;
    double spent = 0, fiscal = 0;
    for (int k = 0; k < P; k++) {   /* with a guarantee's open cover */
        spent += zz_outlay(res, cfg, k);
        if (cfg->programme[k].fiscal)
            fiscal += zz_outlay(res, cfg, k);
    }
    /* counts and money of a --scale rehearsal, in full-region units */
    const double per = e->ex->scale > 0 ? 1 / e->ex->scale : 1;
    sm->spent[r] = spent * per;
    sm->fiscal[r] = fiscal * per;
    sm->additional[r] = e->all_firms[s] >= 0 && res->additional ? res->additional[e->all_firms[s]] * per : NAN;
    /* the headline's inputs (sim/headline.c) */
    for (int g = 0; g < G; g++) {
        sm->cf_time_to_target[r * G + g] = cf ? cf->time_to_target[g] : NAN;
        sm->additional_g[r * G + g] = res->additional ? res->additional[g] * per : NAN;
    }
    if (T == sm->T) {
        memcpy(sm->share + (size_t)r * T * G, res->target_share, (size_t)T * G * sizeof(double));
        if (cf)
            memcpy(sm->cf_share + (size_t)r * T * G, cf->target_share,
                   (size_t)T * G * sizeof(double));
        sm->headline = 1;
    }
}

/* compare: replicate r into every scenario's group, each taken up in turn */
int zz_put_groups(run *e, unit_out *u)
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
        keep_summary_run(e, s, u->res[s], u->cf[s]);
    }
    e->tasks_done += e->S;
    return rc;
}

int zz_summary_alloc(run *e)
{
    for (int s = 0; s < e->S && e->opt->summary; s++)
        if (zz_summary_init(&e->opt->summary[s], &e->ex->sc[s]->cfg, e->R))
            return ZZ_NOMEM;
    return ZZ_OK;
}

/* compare: a group per scenario, begun in the scenarios' order (the file
 * lists them so) and set aside until its first replicate. */
int zz_open_groups(run *e, char *err, size_t errlen)
{
    int rc = zz_writer_open(&e->gw, e->opt->output, err, errlen);
    /* the group describes the scenario as run: at --scale, shrunk (its
     * parameters, and the scale its counts and money are to be divided by) */
    zz_scenario *run_sc = malloc(sizeof *run_sc);
    if (!rc && !run_sc) {
        snprintf(err, errlen, "out of memory");
        rc = ZZ_NOMEM;
    }
    for (int s = 0; s < e->S && !rc; s++) {
        if ((rc = zz_experiment_scenario(e->ex, 0, s, run_sc, err, errlen)))
            break;
        const zz_config *cfg = &run_sc->cfg;
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
        double target_by[ZZ_MAX_TARGETS];
        int fiscal[ZZ_MAX_PROGRAMMES];
        zz_layout L;
        zz_ensemble_layout(&L, cfg, pop, e->opt->firms_record ? pop->n : 0, target_by, fiscal,
                           prog, targ, city, ind, params, time, T);
        L.replications = e->R;
        rc = zz_writer_begin(e->gw, cfg->name, &L);
        if (!rc)
            rc = zz_writer_park(e->gw, cfg->name);
        if (rc)
            snprintf(err, errlen, "%s", zz_writer_errmsg(e->gw));
        free(params);
        free(time);
    }
    free(run_sc);
    if (rc && e->gw) {
        zz_writer_close(e->gw, 0);
        e->gw = NULL;
    }
    return rc;
}

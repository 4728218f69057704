/*
 * One replication: set-up from the population and the scenario, the event
 * loop, and the monthly observations.
 */
#include "sim.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#ifdef ZZ_PROFILE
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif
#endif

#include "engine/date.h"
#include "policy/instrument.h"
#include "policy/policy.h"
#include "sim_internal.h"

static void *zalloc(size_t n, size_t size, int *bad)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        *bad = 1;
    return p;
}

/* Where each per-firm hook sits in the interface (enum zz_hook). */
static const size_t hook_at[ZZ_NHOOKS] = {
    [ZZ_HOOK_SUPPORT] = offsetof(zz_instrument, support),
    [ZZ_HOOK_LIQUIDITY] = offsetof(zz_instrument, liquidity),
    [ZZ_HOOK_PREMIUM] = offsetof(zz_instrument, premium),
    [ZZ_HOOK_FINANCE] = offsetof(zz_instrument, finance),
    [ZZ_HOOK_SUCCESS] = offsetof(zz_instrument, success),
    [ZZ_HOOK_CAPABILITY] = offsetof(zz_instrument, capability),
    [ZZ_HOOK_ON_REVIEW] = offsetof(zz_instrument, on_review),
    [ZZ_HOOK_PROSPECT] = offsetof(zz_instrument, prospect),
    [ZZ_HOOK_APPLY] = offsetof(zz_instrument, apply),
    [ZZ_HOOK_DECIDED] = offsetof(zz_instrument, decided),
    [ZZ_HOOK_REVIEW_BY] = offsetof(zz_instrument, review_by),
    [ZZ_HOOK_ON_START] = offsetof(zz_instrument, on_start),
    [ZZ_HOOK_ON_FINISH] = offsetof(zz_instrument, on_finish),
    [ZZ_HOOK_ON_ADOPT] = offsetof(zz_instrument, on_adopt),
};

static void list_hooked(zz_sim *sim)
{
    for (int h = 0; h < ZZ_NHOOKS; h++) {
        int n = 0;
        for (int k = 0; k < sim->ninst; k++) {
            void (*fn)(void);
            memcpy(&fn, (const char *)sim->inst[k].ops + hook_at[h], sizeof fn);
            if (fn)
                sim->hooked[h][n++] = &sim->inst[k];
        }
        sim->hooked[h][n] = NULL;
    }
    /* one bit of zz_firm_dyn.owed per instrument that settles at a
     * project's end; beyond 16 of them, on_finish is called every time */
    int j = 0;
    ZZ_EACH_HOOKED(sim, ZZ_HOOK_ON_FINISH, i) {
        i->due_bit = j < 16 ? (uint16_t)(1u << j) : 0;
        j++;
    }
}

/* Each instrument with a programme gets its record and zeroed state. */
static int alloc_instruments(zz_sim *sim)
{
    const size_t n = (size_t)sim->pop->n;
    sim->inst = calloc((size_t)zz_ninstruments, sizeof *sim->inst);
    if (!sim->inst)
        return -1;
    for (int k = 0; k < zz_ninstruments; k++) {
        const zz_instrument *ops = zz_instruments[k];
        zz_inst *in = &sim->inst[sim->ninst];
        for (int g = 0; g < sim->cfg.nprogrammes; g++)
            if (sim->cfg.programme[g].kind == k)
                in->prog[in->nprog++] = (uint8_t)g;
        if (!in->nprog)
            continue;
        in->ops = ops;
        in->kind = k;
        sim->inst_of[k] = (int8_t)sim->ninst++;
        if ((ops->firm_bytes && !(in->firm = calloc(n, ops->firm_bytes))) ||
            (ops->run_bytes && !(in->run = calloc(1, ops->run_bytes))))
            return -1;
        for (int j = 0; j < in->nprog && ops->prog_bytes; j++)
            if (!(sim->prog[in->prog[j]].own = calloc(1, ops->prog_bytes)))
                return -1;
    }
    list_hooked(sim);
    return 0;
}

static int alloc_state(zz_sim *sim)
{
    const zz_population *p = sim->pop;
    const size_t n = (size_t)p->n;
    const int C = p->ncities, I = p->nindustries;
    int bad = 0;
    sim->ncells = C * I * ZZ_NSIZES;
    sim->firm = zalloc(n, sizeof *sim->firm, &bad);
    sim->t_adopt = zalloc(n, sizeof *sim->t_adopt, &bad);
    sim->count = zalloc((size_t)sim->ncells * ZZ_NSTATES, sizeof *sim->count, &bad);
    sim->count_gsz = zalloc((size_t)sim->ncells * ZZ_NSTATES, sizeof *sim->count_gsz, &bad);
    sim->adopted_ci = zalloc((size_t)C * I, sizeof(int32_t), &bad);
    sim->firms_ci = zalloc((size_t)C * I, sizeof(int32_t), &bad);
    sim->adopted_i = zalloc((size_t)I, sizeof(int32_t), &bad);
    sim->firms_i = zalloc((size_t)I, sizeof(int32_t), &bad);
    sim->adopted_c = zalloc((size_t)C, sizeof(int32_t), &bad);
    sim->firms_c = zalloc((size_t)C, sizeof(int32_t), &bad);
    const int G = sim->cfg.ntargets;
    sim->target_reached = zalloc((size_t)G, sizeof(double), &bad);
    sim->target_cls = zalloc((size_t)sim->ncells * 2, sizeof *sim->target_cls, &bad);
    sim->target_firms = zalloc((size_t)G, sizeof(int32_t), &bad);
    sim->target_adopted = zalloc((size_t)G, sizeof(int32_t), &bad);
    sim->action_done = zalloc((size_t)sim->cfg.nactions, 1, &bad);

    /* What only the economic rule and its instruments need is allocated
     * only for it: the bass benchmark's bytes per firm stay small. */
    if (sim->cfg.decision.rule == ZZ_RULE_ECONOMIC) {
        sim->invest = zalloc(n, sizeof *sim->invest, &bad);
        /* whole cache lines, so that no record straddles two */
        size_t bytes = (n * sizeof *sim->attr + 63) / 64 * 64;
        if (!(sim->attr = aligned_alloc(64, bytes ? bytes : 64)))
            bad = 1;
        else
            zz_firm_attrs_fill(sim);
        if (sim->cfg.nprogrammes > 0) {
            sim->receipt_row = zalloc(n, sizeof *sim->receipt_row, &bad);
            /* room for every firm, touched only as rows are handed out */
            if (!(sim->received = malloc((n + 1) * (size_t)sim->cfg.nprogrammes * sizeof(double))))
                bad = 1;
            sim->nreceipt_rows = 1;
        }
        if (!bad && (alloc_instruments(sim) || zz_prog_classes(sim) || zz_learn_open(sim)))
            bad = 1;
        sim->clock_day = -1;
    }
    if (bad)
        return -1;
    return 0;
}
/* Initial states from the population; counts start with every firm in
 * `none` and move through zz_firm_set_state like any later change. */
static void init_firms(zz_sim *sim)
{
    const zz_population *p = sim->pop;
    for (int64_t cell = 0; cell < sim->ncells; cell++) {
        sim->count[cell * ZZ_NSTATES + ZZ_S_NONE] = p->cell_firms[cell];
        sim->count_gsz[cell * ZZ_NSTATES + ZZ_S_NONE] = p->cell_firms_gsz[cell];
    }
    for (int c = 0; c < p->ncities; c++)
        for (int i = 0; i < p->nindustries; i++)
            for (int s = 0; s < ZZ_NSIZES; s++) {
                int32_t k = p->cell_firms[zz_cell(p, c, i, s)];
                sim->firms_ci[c * p->nindustries + i] += k;
                sim->firms_i[i] += k;
                sim->firms_c[c] += k;
            }
    /* bass has no awareness: every firm is in the market */
    const int all_aware = sim->cfg.decision.rule != ZZ_RULE_ECONOMIC;
    for (int64_t f = 0; f < p->n; f++) {
        sim->t_adopt[f] = -1;
        if (all_aware || (p->flags[f] & (ZZ_F_AWARE0 | ZZ_F_ADOPTED0)))
            sim->firm[f].dflags |= ZZ_D_AWARE;
        if (p->flags[f] & ZZ_F_ADOPTED0)
            zz_firm_set_state(sim, (uint32_t)f, ZZ_S_ADOPTED);
    }
}

static int schedule_calendar(zz_sim *sim)
{
    zz_queue *q = &sim->queue;
    int rc = 0;
    for (int k = 0; k < sim->nobs; k++)
        rc |= zz_queue_push(q, (zz_event){sim->obs_time[k], (uint32_t)k, ZZ_EV_OBSERVE, 0});
    /* fiscal years start on January 1 */
    int y, m, d;
    zz_civil_from_days(sim->cfg.start_day, &y, &m, &d);
    for (int year = y + 1;; year++) {
        double t = (double)(zz_days_from_civil(year, 1, 1) - sim->cfg.start_day);
        if (t > sim->cfg.horizon)
            break;
        rc |= zz_queue_push(q, (zz_event){t, (uint32_t)year, ZZ_EV_FISCAL_YEAR, 0});
    }
    if (!sim->counterfactual)
        for (int a = 0; a < sim->cfg.nactions; a++)
            if (sim->cfg.action[a].when >= 0)
                rc |= zz_queue_push(q, (zz_event){sim->cfg.action[a].when, (uint32_t)a, ZZ_EV_ACTION, 0});
    if (rc)
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory for the calendar");
    /* Instruments act through the economic rule only; under bass they
     * would have nothing to act on. */
    for (int k = 0; k < sim->ninst && !rc; k++)
        if (sim->inst[k].ops->open)
            rc = sim->inst[k].ops->open(sim, &sim->inst[k]);
    return rc;
}

/* The delay between scheduling a firm's event and its firing, roughly:
 * the event queue sizes its buckets by it. */
static double typical_delay(const zz_config *cfg)
{
    if (cfg->decision.rule != ZZ_RULE_ECONOMIC)
        return cfg->decision.review_days;
    double sum = 0;
    for (int s = 0; s < ZZ_NSIZES; s++)
        sum += cfg->decision.review_days_size[s];
    return sum / ZZ_NSIZES;
}

int zz_sim_open_cfg(zz_sim **out, const zz_config *cfg, const zz_script_ops *script,
                    const zz_population *pop, int replicate, int counterfactual)
{
    gsl_set_error_handler_off();
    zz_sim *sim = calloc(1, sizeof *sim);
    *out = sim;
    if (!sim)
        return ZZ_NOMEM;
    sim->pop = pop;
    sim->cfg = *cfg;
    sim->script_ops = script;
    memset(sim->inst_of, -1, sizeof sim->inst_of);
    sim->replicate = replicate;
    sim->counterfactual = counterfactual;
    /* The twin: every programme off, same random numbers. */
    if (counterfactual)
        for (int g = 0; g < sim->cfg.nprogrammes; g++) {
            sim->cfg.programme[g].enabled = 0;
            sim->cfg.programme[g].budget = 0;
        }
    switch (sim->cfg.decision.rule) {
    case ZZ_RULE_BASS: sim->rule = &zz_rule_bass; break;
    case ZZ_RULE_LUA: sim->rule = script ? script->rule : NULL; break;
    default: sim->rule = &zz_rule_economic; break;
    }
    if (!sim->rule)
        return zz_sim_fail(sim, ZZ_SCENARIO, "decision \"lua\" needs the scenario's functions");
    if (zz_rng_init(&sim->rng, sim->cfg.seed, (uint32_t)replicate))
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory");
    sim->nobs = zz_month_ends(sim->cfg.start_day, sim->cfg.horizon, NULL);
    sim->obs_time = malloc((size_t)sim->nobs * sizeof *sim->obs_time);
    sim->nprog = sim->cfg.nprogrammes;
    if (!sim->obs_time || alloc_state(sim) ||
        zz_queue_init(&sim->queue, (size_t)pop->n + (size_t)sim->nobs + 64, typical_delay(&sim->cfg)))
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory for %lld firms", (long long)pop->n);
    zz_month_ends(sim->cfg.start_day, sim->cfg.horizon, sim->obs_time);
    /* The run ends at its last observation, so the last month-end snapshot
     * holds every flow of the run (no payment falls after it unseen). */
    sim->cfg.horizon = sim->obs_time[sim->nobs - 1];
    sim->res = zz_rep_result_alloc(sim->nobs, sim->ncells, sim->nprog, sim->cfg.ntargets,
                                   zz_config_rounds(&sim->cfg));
    if (!sim->res)
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory for results");
    sim->res->replicate = replicate;
    for (int g = 0; g < sim->nprog; g++)
        zz_ledger_open(&sim->prog[g].ledger, sim->cfg.programme[g].budget);

    init_firms(sim);
    zz_targets_init(sim);
    if (schedule_calendar(sim) || sim->rule->start(sim) || sim->rc)
        return sim->rc ? sim->rc : zz_sim_fail(sim, ZZ_NOMEM, "out of memory for events");
    /* The twin needs the script only for a scenario-defined rule. */
    if ((!counterfactual && sim->cfg.nactions > 0) || sim->cfg.decision.rule == ZZ_RULE_LUA) {
        char err[1024];
        if (!script)
            return zz_sim_fail(sim, ZZ_SCENARIO, "the scenario's functions were not given");
        int rc = script->open(&sim->script, &sim->cfg, sim, err, sizeof err);
        if (rc)
            return zz_sim_fail(sim, rc, "%s", err);
    }
    return ZZ_OK;
}

void zz_sim_observe(zz_sim *sim, int k)
{
    zz_rep_result *r = sim->res;
    const int64_t cells = sim->ncells;
    for (int64_t cell = 0; cell < cells; cell++) {
        const int32_t *c = &sim->count[cell * ZZ_NSTATES];
        const int32_t *cg = &sim->count_gsz[cell * ZZ_NSTATES];
        r->adopted[k * cells + cell] = c[ZZ_S_ADOPTED] + c[ZZ_S_SCALED];
        r->implementing[k * cells + cell] = c[ZZ_S_IMPLEMENTING];
        r->scaled[k * cells + cell] = c[ZZ_S_SCALED];
        r->adopted_gsz[k * cells + cell] = cg[ZZ_S_ADOPTED] + cg[ZZ_S_SCALED];
    }
    for (int g = 0; g < sim->nprog; g++) {
        const zz_ledger *l = &sim->prog[g].ledger;
        r->committed[k * sim->nprog + g] = l->committed;
        r->spent[k * sim->nprog + g] = l->disbursed;
        r->returned[k * sim->nprog + g] = l->returned;
        r->budget[k * sim->nprog + g] = zz_ledger_available(l);
    }
    if (sim->cfg.compute.enabled) {
        double cap = zz_compute_capacity(sim);
        r->compute_price[k] = zz_compute_price(sim);
        r->compute_utilisation[k] = cap > 0 ? sim->compute_demand / cap : 0;
    }
    for (int g = 0; g < sim->cfg.ntargets; g++)
        r->target_share[k * sim->cfg.ntargets + g] =
            sim->target_firms[g] ? (double)sim->target_adopted[g] / sim->target_firms[g] : 0.0;
    sim->obs_next = k + 1;
}

static void run_action(zz_sim *sim, int a)
{
    char err[1024];
    int fired = 0;
    int rc = sim->script_ops->action(sim->script, a, &fired, err, sizeof err);
    if (rc)
        zz_sim_fail(sim, rc, "%s", err);
    else if (fired)
        sim->action_done[a] = 1;
}

static void dispatch(zz_sim *sim, const zz_event *e)
{
    switch (e->kind) {
    case ZZ_EV_OBSERVE:
        zz_sim_observe(sim, (int)e->id);
        /* The run ends with its last observation: anything at that same
         * instant (a fiscal year starting, say) belongs to the next period,
         * which the file does not show. */
        if ((int)e->id == sim->nobs - 1) {
            sim->stop = 1;
            break;
        }
        /* when() triggers are checked at observations, in declaration order;
         * the no-policy twin runs no scenario actions */
        if (sim->script && !sim->counterfactual)
            for (int a = 0; a < sim->cfg.nactions && !sim->stop; a++)
                if (sim->cfg.action[a].when < 0 && !sim->action_done[a])
                    run_action(sim, a);
        break;
    case ZZ_EV_FISCAL_YEAR:
        zz_policy_new_year(sim);
        for (int k = 0; k < sim->ninst && !sim->rc; k++)
            if (sim->inst[k].ops->new_year)
                sim->inst[k].ops->new_year(sim, &sim->inst[k]);
        break;
    case ZZ_EV_ACTION:
        if (sim->script)
            run_action(sim, (int)e->id);
        break;
    case ZZ_EV_PROGRAMME: {
        int g = e->gen & ((1 << ZZ_PROG_BITS) - 1);
        zz_inst *in = &sim->inst[sim->inst_of[sim->cfg.programme[g].kind]];
        in->ops->event(sim, in, g, e->gen >> ZZ_PROG_BITS, e->id);
        break;
    }
    case ZZ_EV_REVIEW: sim->rule->review(sim, e->id); break;
    case ZZ_EV_AWARE:
        sim->firm[e->id].dflags |= ZZ_D_AWARE;
        zz_sim_first_review(sim, e->id);
        break;
    case ZZ_EV_DECIDED: zz_economic_decided(sim, e->id); break;
    case ZZ_EV_IMPL_DONE: zz_finish_implementation(sim, e->id); break;
    default: break;
    }
}

#ifdef ZZ_PROFILE
#if defined(__x86_64__) || defined(__i386__)
static inline uint64_t ticks(void) { return __rdtsc(); }
#else
static inline uint64_t ticks(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
#endif

/* One event's ticks, by its kind, by how a review ended and by the
 * instrument whose programme event it was. */
static void profile(zz_sim *sim, const zz_event *e, uint64_t t)
{
    zz_profile *p = &sim->prof;
    p->ticks[e->kind] += t;
    p->n[e->kind]++;
    if (e->kind == ZZ_EV_REVIEW && sim->cfg.decision.rule == ZZ_RULE_ECONOMIC) {
        p->review_ticks[p->review_end] += t;
        p->review_n[p->review_end]++;
    } else if (e->kind == ZZ_EV_PROGRAMME) {
        int k = sim->cfg.programme[e->gen & ((1 << ZZ_PROG_BITS) - 1)].kind;
        p->prog_ticks[k] += t;
        p->prog_n[k]++;
    }
}

const zz_profile *zz_sim_profile(const zz_sim *sim) { return &sim->prof; }
#else
const zz_profile *zz_sim_profile(const zz_sim *sim)
{
    (void)sim;
    return NULL;
}
#endif

int zz_sim_run(zz_sim *sim)
{
    if (sim->rc)
        return sim->rc;
#ifdef ZZ_PROFILE
    const uint64_t run_start = ticks();
#endif
    zz_event e;
    int got = 0;
    while (!sim->stop && (got = zz_queue_take(&sim->queue, &e)) > 0) {
        if (e.t > sim->cfg.horizon)
            break;
        /* a firm's superseded event: its generation moved on */
        if (e.kind >= ZZ_EV_REVIEW && e.gen != sim->firm[e.id].gen)
            continue;
        /* the twin of a run a scenario stopped stops at the same point */
        if (sim->has_stop_after && zz_event_after(&e, &sim->stop_after))
            break;
        sim->now = e.t;
        sim->events++;
        sim->current = e;
        /* The next firm's record is known one event ahead: start loading
         * it now, so its cache miss overlaps with this event's work. */
        const zz_event *next = zz_queue_peek_loaded(&sim->queue);
        if (next && next->kind >= ZZ_EV_REVIEW) {
            __builtin_prefetch(&sim->firm[next->id]);
            if (sim->attr)
                __builtin_prefetch(&sim->attr[next->id]);
        }
#ifdef ZZ_PROFILE
        sim->prof.review_end = ZZ_END_IDLE;
        const uint64_t t0 = ticks();
        dispatch(sim, &e);
        profile(sim, &e, ticks() - t0);
#else
        dispatch(sim, &e);
#endif
        if ((sim->events & 0xffff) == 0 && zz_interrupt_pending())
            zz_sim_fail(sim, ZZ_INTERRUPTED, "interrupted");
    }
#ifdef ZZ_PROFILE
    sim->prof.run += ticks() - run_start;
#endif
    if (!sim->stop && got < 0)
        zz_sim_fail(sim, ZZ_NOMEM, "out of memory in the event queue");
    if (sim->rc)
        return sim->rc;
    /* Stopped early by the scenario: the remaining months hold the state
     * at the stop. */
    for (int k = sim->obs_next; k < sim->nobs; k++)
        zz_sim_observe(sim, k);
    for (int g = 0; g < sim->cfg.ntargets; g++)
        sim->res->time_to_target[g] = sim->target_reached[g];
    sim->res->events = sim->events;
    for (int k = 0; k < sim->ninst; k++)
        if (sim->inst[k].ops->record)
            sim->inst[k].ops->record(sim, &sim->inst[k], sim->res);
    return ZZ_OK;
}

/* Hands the finished result to the caller (who frees it). */
zz_rep_result *zz_sim_take_result(zz_sim *sim)
{
    zz_rep_result *r = sim->res;
    sim->res = NULL;
    return r;
}

const char *zz_errmsg(const zz_sim *sim)
{
    return sim ? sim->errmsg : "out of memory";
}

double zz_sim_now(const zz_sim *sim) { return sim->now; }
uint64_t zz_sim_events(const zz_sim *sim) { return sim->events; }
void zz_sim_stop(zz_sim *sim)
{
    if (!sim->stopped_early) {
        sim->stopped_early = 1;
        sim->stopped_at = sim->current;
    }
    sim->stop = 1;
}

void zz_sim_stop_after(zz_sim *sim, const zz_sim *policy)
{
    if (policy->stopped_early) {
        sim->has_stop_after = 1;
        sim->stop_after = policy->stopped_at;
    }
}
const zz_config *zz_sim_config(const zz_sim *sim) { return &sim->cfg; }

void zz_sim_close(zz_sim *sim)
{
    if (!sim)
        return;
    if (sim->script)
        sim->script_ops->close(sim->script);
    zz_queue_free(&sim->queue);
    zz_rng_free(&sim->rng);
    zz_rng_free(&sim->scenario_rng);
    zz_rep_result_free(sim->res);
    for (int k = 0; k < sim->ninst; k++) {
        zz_inst *in = &sim->inst[k];
        if (in->ops->close && (in->run || !in->ops->run_bytes))
            in->ops->close(sim, in);
        free(in->firm);
        free(in->run);
    }
    for (int g = 0; g < sim->nprog; g++)
        free(sim->prog[g].own);
    zz_learn_close(sim);
    void *arrays[] = {sim->firm, sim->attr, sim->prog_cls, sim->t_adopt, sim->invest, sim->inst, sim->receipt_row, sim->received, sim->count,
                      sim->count_gsz, sim->adopted_ci, sim->firms_ci, sim->adopted_i, sim->firms_i,
                      sim->adopted_c, sim->firms_c, sim->target_reached, sim->target_firms,
                      sim->target_adopted, sim->target_cls, sim->action_done, sim->obs_time};
    for (size_t k = 0; k < sizeof arrays / sizeof *arrays; k++)
        free(arrays[k]);
    free(sim);
}

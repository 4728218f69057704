/*
 * Compute, model, corpus and scenario vouchers (算力券, 模型券, 语料券,
 * 场景券): four instruments sharing this file. Each covers its own cost
 * component: min(rate x component, cap). A firm applies before it starts
 * (rule_economic.c: every applicant waits, or forfeits by starting without
 * the voucher), at an application cost of app_cost yuan and app_days of
 * effort. Allocation:
 *   first_come  each application is decided review_days after it is filed,
 *               while the pot can pay (the default);
 *   lottery     applications filed within one window of window_days (counted
 *               from the programme's start) are decided together review_days
 *               after the window closes: applicants in a random order, each
 *               firm's place its own draw (stream ZZ_RNG_ALLOCATION), awarded
 *               while the pot can pay (as the Dutch MIT voucher scheme);
 *   ranked      the same windows, applicants ordered by the declared score
 *               rank_by: smallest (revenue, smallest first), largest, or
 *               readiest (readiness, highest first).
 * A granted voucher is valid for valid_days and, unused, returns to the
 * pot. Each kind lapses on its own date.
 */
#include <math.h>
#include <stdlib.h>

#include "policy/instrument.h"
#include "model/streams.h"

enum { FIRST_COME, LOTTERY, RANKED };
enum { SMALLEST, LARGEST, READIEST };

typedef struct voucher_cfg {
    double rate, cap, firm_cap, review_days, valid_days;
    double app_cost, app_days, window_days;
    int allocation, rank_by;
} voucher_cfg;
ZZ_OWN_FITS(voucher_cfg);
#define VC(pc) ZZ_OWN_CFG(const voucher_cfg, pc)

/* per firm, per kind */
typedef struct voucher_hold {
    double amount;      /* committed to this firm, not yet redeemed */
    float expiry;       /* day it lapses; 0 when none is held        */
    uint8_t prog;       /* programme that committed it              */
    uint8_t applied;    /* application pending                      */
    uint16_t window;    /* its window (lottery, ranked)             */
} voucher_hold;

/* per programme: applications waiting for their window's allocation */
typedef struct pending {
    uint32_t firm, window;
} pending;
typedef struct voucher_queue {
    pending *e;
    int n, cap;
} voucher_queue;

static voucher_hold *hold(zz_inst *in, uint32_t f) { return (voucher_hold *)in->firm + f; }

static double award_of(const zz_sim *sim, const zz_inst *in, int g, uint32_t f)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    const voucher_cfg *c = VC(&sim->cfg.programme[g]);
    const zz_firm_attr *at = &sim->attr[f];
    double cost = fmax(d->cost_min, d->cost_share[at->size] * at->revenue);
    double part = zz_component_cost(sim, cost, in->ops->arg); /* compute and model fall */
    return fmin(fmin(c->rate * part, c->cap), zz_firm_room(sim, g, f, c->firm_cap));
}

/* The programme that would award this kind to firm f now (the first
 * eligible one whose pot can pay the award), or -1; the firm must lack
 * the kind. */
static int offer(zz_sim *sim, zz_inst *in, uint32_t f, double *award)
{
    if (zz_firm_lapses(sim, f) && hold(in, f)->amount > 0)
        return -1;
    for (int j = 0; j < in->nprog; j++) {
        int g = in->prog[j];
        /* an empty pot awards nothing: skipped before the firm is looked at */
        if (zz_ledger_available(zz_prog_ledger(sim, g)) <= 0 || !zz_prog_eligible(sim, g, f))
            continue;
        double a = award_of(sim, in, g, f);
        /* an award that does not repay the application is not applied for */
        if (a > VC(&sim->cfg.programme[g])->app_cost && zz_ledger_available(zz_prog_ledger(sim, g)) >= a) {
            *award = a;
            return g;
        }
    }
    return -1;
}

/* What applying brings: the award less the application's cost. */
static double prospect(zz_sim *sim, zz_inst *in, uint32_t f)
{
    double a;
    int g = offer(sim, in, f, &a);
    return g >= 0 ? a - VC(&sim->cfg.programme[g])->app_cost : 0;
}

/* Day window w of programme g closes. */
static double window_end(const zz_sim *sim, int g, uint32_t w)
{
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    return fmax(0, pc->start) + (w + 1.0) * VC(pc)->window_days;
}

static int enqueue(voucher_queue *q, uint32_t f, uint32_t w)
{
    if (q->n == q->cap) {
        int cap = q->cap ? 2 * q->cap : 256;
        pending *e = realloc(q->e, (size_t)cap * sizeof *e);
        if (!e)
            return -1;
        q->e = e;
        q->cap = cap;
    }
    q->e[q->n++] = (pending){f, w};
    return 0;
}

/* The firm files its application after app_days of effort; returns the
 * days until it is decided. */
static double apply(zz_sim *sim, zz_inst *in, uint32_t f)
{
    double a;
    int g = offer(sim, in, f, &a);
    if (g < 0)
        return -1;
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    const voucher_cfg *c = VC(pc);
    voucher_hold *h = hold(in, f);
    h->applied = 1;
    h->prog = (uint8_t)g;
    if (c->allocation == FIRST_COME)
        return c->app_days + c->review_days;
    double filed = sim->now + c->app_days;
    uint32_t w = (uint32_t)fmax(0, floor((filed - fmax(0, pc->start)) / c->window_days));
    if (w > UINT16_MAX)
        w = UINT16_MAX;
    h->window = (uint16_t)w;
    if (enqueue(zz_prog_own(sim, g), f, w)) {
        zz_sim_fail(sim, ZZ_NOMEM, "out of memory queueing applications to %s", pc->name);
        return -1;
    }
    return window_end(sim, g, w) - sim->now + c->review_days;
}

static void grant(zz_sim *sim, zz_inst *in, int g, uint32_t f)
{
    voucher_hold *h = hold(in, f);
    double award = award_of(sim, in, g, f);
    h->amount = zz_ledger_commit(zz_prog_ledger(sim, g), award, award);
    if (h->amount > 0) {
        h->expiry = (float)(sim->now + VC(&sim->cfg.programme[g])->valid_days);
        zz_firm_mark_lapses(sim, f);
    }
}

typedef struct placed {
    double key;
    uint32_t firm;
} placed;

/* lowest key first; ties by firm index */
static int by_key(const void *a, const void *b)
{
    const placed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->firm < y->firm ? -1 : x->firm > y->firm;
}

/* A firm's place in its window: its own draw (lottery: uniform, so every
 * order of the applicants is equally likely) or its score (ranked). */
static double place_of(const zz_sim *sim, int g, uint32_t f, uint32_t w)
{
    const voucher_cfg *c = VC(&sim->cfg.programme[g]);
    if (c->allocation == LOTTERY)
        return zz_rng_uniform(&sim->rng, f, ZZ_RNG_ALLOCATION, w * ZZ_MAX_PROGRAMMES + (uint32_t)g);
    const zz_firm_attr *a = &sim->attr[f];
    return c->rank_by == SMALLEST ? a->revenue : c->rank_by == LARGEST ? -a->revenue : -a->readiness;
}

/* Allocates every window up to w: the applications still standing (a firm
 * that started without the voucher forfeited its own) in their order,
 * each awarded while the pot can pay it. */
static void allocate(zz_sim *sim, zz_inst *in, int g, uint32_t w)
{
    voucher_queue *q = zz_prog_own(sim, g);
    placed *p = malloc((size_t)(q->n ? q->n : 1) * sizeof *p);
    if (!p) {
        zz_sim_fail(sim, ZZ_NOMEM, "out of memory allocating %s", sim->cfg.programme[g].name);
        return;
    }
    int n = 0, kept = 0;
    for (int i = 0; i < q->n; i++) {
        pending e = q->e[i];
        if (e.window > w) {
            q->e[kept++] = e;
            continue;
        }
        voucher_hold *h = hold(in, e.firm);
        if (h->applied && h->prog == g && h->window == e.window) {
            h->applied = 0;
            p[n++] = (placed){place_of(sim, g, e.firm, e.window), e.firm};
        }
    }
    q->n = kept;
    qsort(p, (size_t)n, sizeof *p, by_key);
    for (int i = 0; i < n; i++)
        grant(sim, in, g, p[i].firm);
    free(p);
}

/* First come, first served: what the pot can no longer pay is refused.
 * In a window the first applicant decided allocates the whole window. */
static void decided(zz_sim *sim, zz_inst *in, uint32_t f)
{
    voucher_hold *h = hold(in, f);
    if (!h->applied)
        return;
    int g = h->prog;
    if (VC(&sim->cfg.programme[g])->allocation != FIRST_COME) {
        allocate(sim, in, g, h->window);
        return;
    }
    h->applied = 0;
    grant(sim, in, g, f);
}

static double held(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v)
{
    return zz_firm_lapses(sim, f) ? hold(in, f)->amount : 0;
}

/* The project starts: a held voucher is redeemed (disbursed). */
static int redeem(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v)
{
    voucher_hold *h = hold(in, f);
    h->applied = 0; /* an application still pending is forfeited */
    if (!zz_firm_lapses(sim, f))
        return 0;
    if (h->amount > 0)
        zz_pay(sim, h->prog, f, h->amount);
    h->amount = 0;
    return 0;
}

/* An unused voucher whose validity ended returns to its pot. */
static void expire(zz_sim *sim, zz_inst *in, uint32_t f)
{
    voucher_hold *h = hold(in, f);
    if (h->amount > 0 && sim->now >= h->expiry) {
        zz_ledger_release(zz_prog_ledger(sim, h->prog), h->amount);
        h->amount = 0;
    }
    if (h->amount > 0)
        zz_firm_mark_lapses(sim, f);
}

static double review_by(zz_sim *sim, zz_inst *in, uint32_t f)
{
    const voucher_hold *h = hold(in, f);
    return h->amount > 0 ? h->expiry : INFINITY;
}

static void close_queues(zz_sim *sim, zz_inst *in)
{
    for (int j = 0; j < in->nprog; j++) {
        voucher_queue *q = zz_prog_own(sim, in->prog[j]);
        free(q->e);
        *q = (voucher_queue){0};
    }
}

#define ROWS(name, rate_def, cap_def)                                                                  \
    static const zz_param name[] = {                                                           \
        ZZ_ROW("rate", voucher_cfg, rate, ZZ_PT_NUMBER, 0, 1, rate_def, ZZ_PF_LIVE,                \
               "share of the cost component covered"),                                         \
        ZZ_ROW("cap", voucher_cfg, cap, ZZ_PT_NUMBER, 0, 1e12, cap_def, ZZ_PF_LIVE,                \
               "most paid for one voucher, yuan"),                                             \
        ZZ_ROW("firm_cap", voucher_cfg, firm_cap, ZZ_PT_NUMBER, 0, 1e12, 0, ZZ_PF_LIVE,        \
               "most one firm receives across awards, yuan; 0 = no limit"),                    \
        ZZ_ROW("review_days", voucher_cfg, review_days, ZZ_PT_NUMBER, 0, 3650, 30, ZZ_PF_LIVE, \
               "days until an application is decided"),                                        \
        ZZ_ROW("valid_days", voucher_cfg, valid_days, ZZ_PT_NUMBER, 1, 3650, 365, ZZ_PF_LIVE,  \
               "days a voucher stays valid; unused ones return to the pot"),                   \
        ZZ_ROW("app_cost", voucher_cfg, app_cost, ZZ_PT_NUMBER, 0, 1e6, 0, ZZ_PF_LIVE,          \
               "the applicant's cost of applying, yuan (assumption; range 0-50,000)"),           \
        ZZ_ROW("app_days", voucher_cfg, app_days, ZZ_PT_NUMBER, 0, 365, 0, ZZ_PF_LIVE,          \
               "days of effort before the application is filed (assumption; range 0-60)"),       \
        {"allocation", ZZ_PB_PROGRAMME, ZZ_PT_CHOICE, 0, 0, ZZ_OWN(voucher_cfg, allocation),   \
         sizeof(int), 1, 0, 0, "first_come|lottery|ranked",                                    \
         "who is awarded: first_come (each application in turn), lottery (a random draw "      \
         "among a window's applicants) or ranked (a window's applicants by rank_by)", 0},       \
        {"rank_by", ZZ_PB_PROGRAMME, ZZ_PT_CHOICE, 0, 0, ZZ_OWN(voucher_cfg, rank_by),         \
         sizeof(int), 1, 0, 0, "smallest|largest|readiest",                                    \
         "ranked allocation's score: smallest (revenue), largest, or readiest first", 0},      \
        ZZ_ROW("window_days", voucher_cfg, window_days, ZZ_PT_NUMBER, 1, 3650, 90, 0,           \
               "days over which lottery or ranked applications are gathered"),                  \
        ZZ_STAGE_ROW,                                                                          \
    }

/* Defaults: FACTS (Shanghai compute/corpus <= 30%, model <= 50% with a 5m
 * cap; Qingyang vouchers valid 12 months); scenario vouchers and the
 * month's review are assumptions. */
ROWS(compute_rows, 0.3, 2e6);
ROWS(model_rows, 0.5, 5e6);
ROWS(corpus_rows, 0.3, 2e6);
ROWS(scenario_rows, 0.3, 2e6);

#define VOUCHER(var, comp, rows, what)                                                               \
    {.word = "voucher", .variant = var, .arg = comp, .title = what, .params = rows,                         \
     .nparams = (int)(sizeof rows / sizeof *rows), .firm_bytes = sizeof(voucher_hold),         \
     .prog_bytes = sizeof(voucher_queue), .close = close_queues, .support = held, .on_review = expire, .prospect = prospect, .apply = apply,               \
     .decided = decided, .review_by = review_by, .on_start = redeem}

const zz_instrument zz_voucher_compute =
    VOUCHER("compute", ZZ_C_COMPUTE, compute_rows, "compute voucher (算力券): covers the compute component");
const zz_instrument zz_voucher_model =
    VOUCHER("model", ZZ_C_MODEL, model_rows, "model voucher (模型券): covers the model component");
const zz_instrument zz_voucher_corpus =
    VOUCHER("corpus", ZZ_C_DATA, corpus_rows, "corpus voucher (语料券): covers the data component");
const zz_instrument zz_voucher_scenario =
    VOUCHER("scenario", ZZ_C_INTEGRATION, scenario_rows, "scenario voucher (场景券): covers the integration component");

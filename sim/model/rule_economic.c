/*
 * The `economic` rule (MODEL.md, "Decision rule"): an aware non-adopter
 * reviews at exponential intervals and values a project.
 *
 *   cost C          = max(cost_min, cost_share[size] * revenue), split into
 *                     compute, model, data, integration and other; the
 *                     compute and model parts x (1 - cost_fall)^years, the
 *                     compute part at the compute market's price
 *   net cost C'     = C - vouchers held - expected investment subsidy
 *                     - chain onboarding's integration cost cut
 *   borrowed B      = max(0, C' + own insurance premium - liquidity - equity);
 *                     without credit access (or risk compensation that makes
 *                     banks lend) the firm cannot proceed now
 *   financing       = B * (market_rate - interest subsidy) * loan_years
 *   perceived p_s   = belief (a Beta posterior mean from the outcomes
 *                     the firm has seen, learning.c) + true_success_
 *                     readiness (d - 0.5) + instruments' terms (a hire),
 *                     capped at success_max
 *   benefit         = p_s * gain * annuity(horizon, discount_rate), with
 *                     gain = revenue * (gain_rate + gain_readiness (d - 0.5))
 *                            * exp(return_sd z) * (1 + gain_growth)^years
 *                     z the firm's own N(0,1) project-return draw (fixed
 *                     per firm, drawn with the population): projects of
 *                     firms alike differ, so every size class has firms
 *                     near indifference; the factor has median 1, so
 *                     gain_rate is the median firm's gain (the ridge of
 *                     the calibration runs along the mean, not the median)
 *   downside        = (1 - p_s) * loss_share * C' * (1 - insured cover)
 *   value v         = (benefit - C' - premium - financing - downside) / C
 *   P(adopt)        = 1 / (1 + exp(-(v - hurdle) / temperature))
 * Value is per yuan of project cost, so the hurdle and the temperature are
 * scale-free: a micro firm and a large one are compared on returns. An
 * adopted firm values the scale-up the same way: cost x scale_cost_mult,
 * the extra gain (scale_gain_mult - 1) x the pilot's.
 *
 * Draws (common random numbers): a firm's k-th review uses REVIEW k for its
 * interval and DECIDE k for its choice in every run, so a policy run and its
 * no-policy twin differ only where a policy changed the probability.
 */
#include "sim.h"

#include <gsl/gsl_randist.h>
#include <math.h>

#include "policy/instrument.h"
#include "policy/policy.h"
#include "sim_internal.h"

static double annuity(double years, double rate)
{
    return rate > 0 ? (1 - pow(1 + rate, -years)) / rate : years;
}

/* The annuity factor is the same for every valuation until a scenario
 * changes the horizon or the rate: computed once, not per valuation. */
static double annuity_of(zz_sim *sim)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    if (d->horizon_years != sim->annuity_years || d->discount_rate != sim->annuity_rate) {
        sim->annuity_years = d->horizon_years;
        sim->annuity_rate = d->discount_rate;
        sim->annuity = annuity(d->horizon_years, d->discount_rate);
    }
    return sim->annuity;
}

/* Technology's factors for today (whole days since the start, over 365
 * a year): the compute and model parts of a cost at (1 - cost_fall)^years,
 * gains at (1 + gain_growth)^years. A memo of the day and the rates (a
 * scenario may change them): one pow a day, not one per valuation. */
static void tech_clock(const zz_sim *sim)
{
    zz_sim *m = (zz_sim *)sim; /* the memo only: the factors follow from the day and the rates */
    const zz_decision_cfg *d = &sim->cfg.decision;
    /* the same day, the same rates (no floor() on this path) */
    if (sim->now >= m->clock_day && sim->now < m->clock_day + 1 && d->cost_fall == m->clock_fall &&
        d->gain_growth == m->clock_growth)
        return;
    const double day = floor(sim->now);
    m->clock_day = day;
    m->clock_fall = d->cost_fall;
    m->clock_growth = d->gain_growth;
    m->cost_factor = d->cost_fall > 0 ? pow(1 - d->cost_fall, day / 365) : 1;
    m->gain_factor = d->gain_growth > 0 ? pow(1 + d->gain_growth, day / 365) : 1;
}

/* List cost of a firm's project at the start's technology, before any
 * support: the pilot, or for an adopted firm the scale-up to several
 * process stages. */
double zz_project_base(const zz_sim *sim, uint32_t f)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    const zz_firm_attr *a = &sim->attr[f];
    double c = fmax(d->cost_min, d->cost_share[a->size] * a->revenue);
    return sim->firm[f].state >= ZZ_S_ADOPTED ? c * d->scale_cost_mult : c;
}

/* Only the compute and model parts fall: integration, data and the rest
 * are people's work at today's wages. */
double zz_component_cost(const zz_sim *sim, double base, int c)
{
    double part = sim->cfg.decision.component_share[c] * base;
    if (c != ZZ_C_COMPUTE && c != ZZ_C_MODEL)
        return part;
    tech_clock(sim);
    return part * sim->cost_factor;
}

/* the base cost today: the compute and model shares fallen */
static double cost_today(const zz_sim *sim, double base)
{
    const double *s = sim->cfg.decision.component_share;
    tech_clock(sim);
    return base * (1 - (s[ZZ_C_COMPUTE] + s[ZZ_C_MODEL]) * (1 - sim->cost_factor));
}

double zz_project_cost(const zz_sim *sim, uint32_t f)
{
    return cost_today(sim, zz_project_base(sim, f));
}

void zz_value_project(zz_sim *sim, uint32_t f, zz_valuation *v)
{
    zz_value_project_with(sim, f, 0, v);
}

/* The terms of what is borrowed (v->borrowed known). Borrowing never
 * pays: however many points an interest subsidy takes off, the rate stays
 * at or above zero, so financing is a cost (bound_logit relies on it). */
static void value_borrowing(zz_sim *sim, uint32_t f, zz_valuation *v)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    v->rate = d->market_rate;
    v->risk_backed = 0;
    if (v->borrowed > 0)
        ZZ_EACH_HOOKED(sim, ZZ_HOOK_FINANCE, i)
            i->ops->finance(sim, i, f, v);
    v->rate = fmax(0, v->rate);
    v->can_finance = v->borrowed <= 0 || (sim->attr[f].flags & ZZ_F_CREDIT) || v->risk_backed;
    v->financing = v->borrowed * v->rate * d->loan_years;
}

/* The firm's hurdle: its own, raised by each failure. */
static double firm_hurdle(const zz_sim *sim, uint32_t f)
{
    return sim->attr[f].hurdle + sim->cfg.decision.hurdle_raise * sim->firm[f].failures;
}

/* The value per yuan of cost against the hurdle; needs everything else. */
static void value_decision(zz_sim *sim, uint32_t f, zz_valuation *v)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    v->downside = (1 - v->perceived_success) * d->loss_share * v->net_cost * (1 - v->cover);
    v->value = (v->benefit - v->net_cost - v->own_premium - v->financing - v->downside) / v->cost;

    v->hurdle = firm_hurdle(sim, f);
    v->probability = 1 / (1 + exp(-(v->value - v->hurdle) / d->temperature));
}

/* `prospect`: support the firm would count on if it applied now. */
void zz_value_project_with(zz_sim *sim, uint32_t f, double prospect, zz_valuation *v)
{
    zz_value_project_until(sim, f, prospect, ZZ_VALUE_ALL, v);
}

/* The project's cost today, at the compute market's current price. */
static void value_cost(zz_sim *sim, uint32_t f, zz_valuation *v)
{
    const double *s = sim->cfg.decision.component_share;
    v->scale = sim->firm[f].state >= ZZ_S_ADOPTED;
    double base = zz_project_base(sim, f);
    v->list = cost_today(sim, base); /* sets today's factors */
    double compute = s[ZZ_C_COMPUTE] * base * sim->cost_factor;
    v->cost = v->list + compute * (zz_compute_price(sim) - 1);
}

/* Perceived success, gain and benefit: the terms no support reaches
 * (instruments' success terms read the firm and the run, never the
 * valuation's support terms, so they may come before those). Perceived
 * success is the firm's belief (learning.c) adjusted for its own
 * readiness as the true success is, so that it tends to the truth for a
 * firm of its kind; at most success_max (the contest's screen relies on
 * it). */
static void value_benefit(zz_sim *sim, uint32_t f, zz_valuation *v)
{
    const zz_firm_attr *a = &sim->attr[f];
    const zz_decision_cfg *d = &sim->cfg.decision;
    double ps = zz_belief(sim, f) + d->true_success_readiness * (a->readiness - 0.5);
    ZZ_EACH_HOOKED(sim, ZZ_HOOK_SUCCESS, i)
        ps += i->ops->success(sim, i, f);
    v->perceived_success = fmin(fmax(ps, 0), d->success_max);

    v->gain = a->revenue * fmax(0, d->gain_rate + d->gain_readiness * (a->readiness - 0.5));
    if (d->return_sd > 0)
        v->gain *= exp(d->return_sd * a->return_z);
    if (v->scale)
        v->gain *= d->scale_gain_mult - 1; /* what scaling adds to the pilot's gain */
    tech_clock(sim); /* value_cost's day: returns at once */
    v->gain *= sim->gain_factor;
    v->benefit = v->perceived_success * v->gain * annuity_of(sim);
}

/* Support, liquidity, the insurance premium and what is borrowed (cost
 * known). The premium is a cost (the programme pays at most all of it) and
 * the cover at most the loss, as their parameters' ranges hold them: the
 * downside and the premium never add value (bound_logit relies on it). */
static void value_outlay(zz_sim *sim, uint32_t f, double prospect, zz_valuation *v)
{
    /* Each instrument adds its own term, in the valuation's order: support
     * that lowers the outlay, liquidity, the insurance premium, then (on
     * what is borrowed) the financing terms. The support is summed twice,
     * with the prospect and without, so that the same project without it
     * (zz_value_drop_prospect) adds the same terms in the same order. */
    v->support = prospect;
    v->support_held = 0;
    ZZ_EACH_HOOKED(sim, ZZ_HOOK_SUPPORT, i) {
        double s = i->ops->support(sim, i, f, v);
        v->support += s;
        v->support_held += s;
    }
    v->net_cost = fmax(0, v->cost - v->support);

    v->liquidity = sim->attr[f].liquidity;
    ZZ_EACH_HOOKED(sim, ZZ_HOOK_LIQUIDITY, i)
        v->liquidity += i->ops->liquidity(sim, i, f);
    v->cover = 0;
    v->own_premium = 0;
    ZZ_EACH_HOOKED(sim, ZZ_HOOK_PREMIUM, i)
        i->ops->premium(sim, i, f, v);
    v->borrowed = fmax(0, v->net_cost + v->own_premium - v->liquidity);
}

void zz_value_project_until(zz_sim *sim, uint32_t f, double prospect, int stage, zz_valuation *v)
{
    value_cost(sim, f, v);
    if (stage == ZZ_VALUE_COST)
        return;
    value_outlay(sim, f, prospect, v);
    if (stage == ZZ_VALUE_OUTLAY)
        return;
    value_borrowing(sim, f, v);
    value_benefit(sim, f, v);
    if (stage == ZZ_VALUE_PROSPECTS)
        return;
    value_decision(sim, f, v);
}

/* The rest of a valuation whose cost and benefit are known. */
static void value_rest(zz_sim *sim, uint32_t f, double prospect, zz_valuation *v)
{
    value_outlay(sim, f, prospect, v);
    value_borrowing(sim, f, v);
    value_decision(sim, f, v);
}

/* The most likely the firm is to start the project now, whatever support
 * it holds or could get: the project is worth at most benefit / cost per
 * yuan, reached when support covers the whole outlay and nothing is paid
 * for premium, financing or the downside (each of those is at least zero,
 * and support lowers the net cost to no less than zero): as the logit x
 * of that probability, 1 / (1 + e^-x). v holds the firm's cost and
 * benefit (value_cost, value_benefit). */
static double bound_logit(const zz_sim *sim, uint32_t f, const zz_valuation *v)
{
    return (v->benefit / v->cost - firm_hurdle(sim, f)) / sim->cfg.decision.temperature;
}

double zz_adopt_bound(zz_sim *sim, uint32_t f)
{
    zz_valuation v;
    value_cost(sim, f, &v);
    value_benefit(sim, f, &v);
    return 1 / (1 + exp(-bound_logit(sim, f, &v)));
}

/* Whether draw u could start the project at all. Above the bound no
 * support makes the firm go ahead, so the review ends without asking
 * instruments for prospects or valuing the support: the same outcome as
 * the full valuation, draw for draw (most reviews end here). Most such
 * draws are told without an exp(): for x < 0 the logistic 1/(1 + e^-x)
 * lies below e^x, which lies below 1 / (1 + t + t^2/2 + t^3/6), t = -x
 * (the first terms of e^t). The margins keep rounding from ever deciding
 * a case the full valuation would decide the other way. */
static int out_of_reach(const zz_sim *sim, uint32_t f, const zz_valuation *v, double u)
{
    double x = bound_logit(sim, f, v);
    if (x < 0) {
        double t = -x;
        if (u * (1 + t * (1 + t * (0.5 + t / 6))) >= 1 + 1e-9)
            return 1;
    }
    return u >= 1 / (1 + exp(-x)) + 1e-12;
}

int zz_review_out_of_reach(zz_sim *sim, uint32_t f, double u)
{
    zz_valuation v;
    value_cost(sim, f, &v);
    value_benefit(sim, f, &v);
    return out_of_reach(sim, f, &v, u);
}

/* The project v valued with a prospect, valued again without it, at the
 * same instant: only the terms the support reaches are recomputed (cost,
 * liquidity, premium and perceived success do not depend on it), so the
 * result equals zz_value_project's bit for bit. */
void zz_value_drop_prospect(zz_sim *sim, uint32_t f, zz_valuation *v)
{
    v->support = v->support_held;
    v->net_cost = fmax(0, v->cost - v->support);
    v->borrowed = fmax(0, v->net_cost + v->own_premium - v->liquidity);
    value_borrowing(sim, f, v);
    value_decision(sim, f, v);
}

static double review_interval(zz_sim *sim, uint32_t f)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    gsl_rng *g = zz_rng_at(&sim->rng, f, ZZ_RNG_REVIEW, sim->firm[f].reviews);
    return gsl_ran_exponential(g, d->review_days_size[sim->attr[f].size]);
}

/* Support that lapses returns to its pots (instruments re-mark the firm
 * while it still holds some). */
static void review_holdings(zz_sim *sim, uint32_t f)
{
    if (!(sim->firm[f].dflags & ZZ_D_LAPSES))
        return;
    sim->firm[f].dflags &= (uint8_t)~ZZ_D_LAPSES;
    ZZ_EACH_HOOKED(sim, ZZ_HOOK_ON_REVIEW, i)
        i->ops->on_review(sim, i, f);
}

/* Next review, brought forward to the day support the firm holds lapses
 * (a voucher), so that it returns to the pot on time. */
static int schedule_next_review(zz_sim *sim, uint32_t f)
{
    double t = sim->now + review_interval(sim, f);
    /* what lapsed meanwhile goes back first: the next lapse must lie
     * ahead, never behind the clock */
    review_holdings(sim, f);
    if (sim->firm[f].dflags & ZZ_D_LAPSES)
        ZZ_EACH_HOOKED(sim, ZZ_HOOK_REVIEW_BY, i)
            t = fmin(t, i->ops->review_by(sim, i, f));
    return zz_firm_schedule(sim, f, ZZ_EV_REVIEW, t);
}

static int economic_start(zz_sim *sim)
{
    const zz_population *p = sim->pop;
    const double rate = sim->cfg.decision.awareness_rate;
    for (uint32_t f = 0; f < (uint32_t)p->n; f++) {
        if (sim->firm[f].state == ZZ_S_ADOPTED) {
            /* initial adopters run AI at list cost and may scale up */
            sim->invest[f] = (float)zz_project_cost(sim, f);
            zz_compute_use(sim, f, +1);
            zz_schedule_scale_review(sim, f);
            continue;
        }
        if (sim->firm[f].state != ZZ_S_NONE)
            continue;
        if (sim->firm[f].dflags & ZZ_D_AWARE) {
            zz_firm_schedule(sim, f, ZZ_EV_REVIEW, review_interval(sim, f));
        } else if (rate > 0) {
            gsl_rng *g = zz_rng_at(&sim->rng, f, ZZ_RNG_AWARE, 0);
            zz_firm_schedule(sim, f, ZZ_EV_AWARE, gsl_ran_exponential(g, 365.0 / rate));
        }
    }
    return sim->rc;
}

/* The firm does not start: it reviews again later (a scale-up review for
 * an adopted firm). */
static int pass(zz_sim *sim, uint32_t f, int scale)
{
    sim->firm[f].reviews++;
    return scale ? zz_schedule_scale_review(sim, f) : schedule_next_review(sim, f);
}

/* The decision proper, on u = the firm's draw DECIDE k, k its reviews so
 * far (the review drew it already); also reached after applications for
 * support were decided. */
static int decide(zz_sim *sim, uint32_t f, const zz_valuation *v, double u)
{
    if (v->can_finance && u < v->probability) {
        sim->firm[f].reviews++;
        return zz_start_implementation(sim, f, v);
    }
    return pass(sim, f, v->scale);
}

int zz_economic_decide(zz_sim *sim, uint32_t f)
{
    zz_valuation v;
    zz_value_project(sim, f, &v);
    return decide(sim, f, &v, zz_rng_uniform(&sim->rng, f, ZZ_RNG_DECIDE, sim->firm[f].reviews));
}

void zz_economic_decided(zz_sim *sim, uint32_t f)
{
    ZZ_EACH_HOOKED(sim, ZZ_HOOK_DECIDED, i)
        i->ops->decided(sim, i, f);
    zz_economic_decide(sim, f);
}

/* A firm that would go ahead without the support waits for it when the
 * project's value with the support, discounted over the wait, is at least
 * its value now: (V0 + S) (1 + r)^-(days/365) >= V0, V0 = the project's
 * net present value without support (value x cost), S = the support it
 * applies for net of the application's cost (it counts on being granted
 * it), r = discount_rate. A project worth little beyond its cost waits;
 * one worth much more than the support starts now. */
static int worth_waiting(const zz_sim *sim, const zz_valuation *v0, double support, double days)
{
    double now_value = v0->value * v0->cost;
    double delta = pow(1 + sim->cfg.decision.discount_rate, -days / 365);
    return (now_value + support) * delta >= now_value;
}

static void economic_review(zz_sim *sim, uint32_t f)
{
    if (sim->firm[f].state == ZZ_S_IMPLEMENTING || sim->firm[f].state == ZZ_S_SCALED ||
        (sim->firm[f].dflags & ZZ_D_SCALING))
        return;
    /* A firm applies for support (vouchers) because it is considering a
     * project: it values the project with the support it could get and
     * applies if, on its own draw for this review, it would then go ahead.
     * Support is approved before the project starts, so every applicant
     * waits for the decision, also one that would go ahead without it;
     * such a firm may instead start now without the support, forfeiting
     * the application, when waiting is worth less to it (worth_waiting).
     * After the decision (granted or not) it decides on the same draw.
     * Firms that would not invest even with the support lose no time, and
     * an empty pot receives no applications, so a zero budget leaves every
     * path as without it. */
    /* the valuation reads the chain leader's state and the outcomes of its
     * projects: start loading them now, so that the misses overlap with
     * the holdings */
    if (sim->attr[f].leader != ZZ_NO_LEADER) {
        __builtin_prefetch(&sim->firm[sim->attr[f].leader]);
        __builtin_prefetch(&sim->learn.lead[2 * (size_t)sim->attr[f].leader]);
    }
    review_holdings(sim, f);
    zz_valuation v;
    value_cost(sim, f, &v);
    value_benefit(sim, f, &v);
    double u = zz_rng_uniform(&sim->rng, f, ZZ_RNG_DECIDE, sim->firm[f].reviews);
    if (out_of_reach(sim, f, &v, u)) {
        ZZ_PROFILE_END(sim, ZZ_END_OUT_OF_REACH);
        pass(sim, f, v.scale);
        return;
    }
    double prospect = 0;
    ZZ_EACH_HOOKED(sim, ZZ_HOOK_PROSPECT, i)
        prospect += i->ops->prospect(sim, i, f);
    value_rest(sim, f, prospect, &v);
    ZZ_PROFILE_END(sim, prospect > 0 ? ZZ_END_PROSPECTS : ZZ_END_VALUED);
    if (prospect > 0) {
        /* valued once: the project without the support is the same
         * valuation with the support's terms taken out */
        zz_valuation v0 = v;
        zz_value_drop_prospect(sim, f, &v0);
        int anyway = v0.can_finance && u < v0.probability;
        if (anyway || (v.can_finance && u < v.probability)) {
            double delay = -1;
            ZZ_EACH_HOOKED(sim, ZZ_HOOK_APPLY, i)
                delay = fmax(delay, i->ops->apply(sim, i, f));
            if (anyway && !worth_waiting(sim, &v0, prospect, fmax(0, delay))) {
                /* starts now without it: the start forfeits what it applied for */
                decide(sim, f, &v0, u);
                return;
            }
            zz_firm_schedule(sim, f, ZZ_EV_DECIDED, sim->now + fmax(0, delay));
            return;
        }
        /* not even with the support: it decides now, on the project
         * without it */
        decide(sim, f, &v0, u);
        return;
    }
    decide(sim, f, &v, u);
}

/* Adopted firms review scaling up at exponential intervals of mean
 * scale_review_days, with their own draw sequence. */
int zz_schedule_scale_review(zz_sim *sim, uint32_t f)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    if (d->scale_review_days <= 0)
        return 0;
    gsl_rng *g = zz_rng_at(&sim->rng, f, ZZ_RNG_SCALE, sim->firm[f].reviews);
    return zz_firm_schedule(sim, f, ZZ_EV_REVIEW, sim->now + gsl_ran_exponential(g, d->scale_review_days));
}

void zz_sim_first_review(zz_sim *sim, uint32_t f)
{
    zz_firm_schedule(sim, f, ZZ_EV_REVIEW, sim->now + review_interval(sim, f));
}

const zz_rule_ops zz_rule_economic = {"economic", economic_start, economic_review};

/*
 * The `economic` rule (MODEL.md, "Decision rule"): an aware non-adopter
 * reviews at exponential intervals and values a project.
 *
 *   cost C          = max(cost_min, cost_share[size] * revenue), split into
 *                     compute, model, data, integration and other; the
 *                     compute part at the compute market's price
 *   net cost C'     = C - vouchers held - expected investment subsidy
 *                     - chain onboarding's integration cost cut
 *   borrowed B      = max(0, C' + own insurance premium - liquidity - equity);
 *                     without credit access (or risk compensation that makes
 *                     banks lend) the firm cannot proceed now
 *   financing       = B * (market_rate - interest subsidy) * loan_years
 *   perceived p_s   = success_base + w_local F_city,industry
 *                     + w_industry F_industry + w_demo * demonstration
 *                     + chain leader's example, capped at success_max
 *   benefit         = p_s * gain * annuity(horizon, discount_rate), with
 *                     gain = revenue * (gain_rate + gain_readiness (d - 0.5))
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

#include "policy/policy.h"
#include "sim_internal.h"

static double annuity(double years, double rate)
{
    return rate > 0 ? (1 - pow(1 + rate, -years)) / rate : years;
}

/* List cost of a firm's project, before any support: the pilot, or for an
 * adopted firm the scale-up to several process stages. */
double zz_project_cost(const zz_sim *sim, uint32_t f)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    double c = fmax(d->cost_min, d->cost_share[sim->pop->size[f]] * sim->pop->revenue[f]);
    return sim->firm[f].state >= ZZ_S_ADOPTED ? c * d->scale_cost_mult : c;
}

void zz_value_project(zz_sim *sim, uint32_t f, zz_valuation *v)
{
    zz_value_project_with(sim, f, 0, v);
}

/* `prospect`: support the firm would count on if it applied now. */
void zz_value_project_with(zz_sim *sim, uint32_t f, double prospect, zz_valuation *v)
{
    const zz_population *p = sim->pop;
    const zz_decision_cfg *d = &sim->cfg.decision;
    v->scale = sim->firm[f].state >= ZZ_S_ADOPTED;

    /* cost: the compute component at the market's current price */
    double list = zz_project_cost(sim, f);
    double compute = d->component_share[ZZ_C_COMPUTE] * list;
    v->cost = list + compute * (zz_compute_price(sim) - 1);

    /* support that lowers the firm's own outlay */
    v->support = prospect;
    if (sim->vouchers)
        v->support += zz_voucher_held(sim, f);
    v->support += zz_subsidy_expected(sim, f, v->cost);
    if (sim->chain_start)
        v->support += zz_chain_cost_cut(sim, f, d->component_share[ZZ_C_INTEGRATION] * list);
    v->net_cost = fmax(0, v->cost - v->support);

    /* financing: liquidity (plus equity), interest subsidy, risk
     * compensation and insurance premium (finance.c) */
    v->liquidity = p->liquidity[f] + (sim->equity ? sim->equity[f] : 0);
    zz_finance_terms(sim, f, v);

    double ps = d->success_base +
                d->success_peer_local * zz_firm_peer_share(sim, f, ZZ_PEERS_CITY_INDUSTRY) +
                d->success_peer_industry * zz_firm_peer_share(sim, f, ZZ_PEERS_INDUSTRY);
    if (d->success_demo > 0 && sim->demo_i)
        ps += d->success_demo * zz_contest_demo(sim, f);
    ps += zz_chain_success(sim, f);
    v->perceived_success = fmin(ps, d->success_max);

    v->gain = p->revenue[f] * fmax(0, d->gain_rate + d->gain_readiness * (p->readiness[f] - 0.5));
    if (v->scale)
        v->gain *= d->scale_gain_mult - 1; /* what scaling adds to the pilot's gain */
    v->benefit = v->perceived_success * v->gain * annuity(d->horizon_years, d->discount_rate);
    v->downside = (1 - v->perceived_success) * d->loss_share * v->net_cost * (1 - v->cover);
    v->value = (v->benefit - v->net_cost - v->own_premium - v->financing - v->downside) / v->cost;

    v->hurdle = p->hurdle[f] + d->hurdle_raise * sim->firm[f].failures;
    v->probability = 1 / (1 + exp(-(v->value - v->hurdle) / d->temperature));
}

static double review_interval(zz_sim *sim, uint32_t f)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    gsl_rng *g = zz_rng_at(&sim->rng, f, ZZ_RNG_REVIEW, sim->firm[f].reviews);
    return gsl_ran_exponential(g, d->review_days_size[sim->pop->size[f]]);
}

/* Next review, brought forward to the day held vouchers lapse so that they
 * return to the pot on time. */
static void schedule_next_review(zz_sim *sim, uint32_t f)
{
    double t = sim->now + review_interval(sim, f);
    if (sim->vouchers) {
        /* vouchers that lapsed meanwhile go back first: the next lapse
         * must lie ahead, never behind the clock */
        zz_voucher_expire(sim, f);
        double lapse = zz_voucher_expiry(sim, f);
        if (lapse < t)
            t = lapse;
    }
    zz_firm_schedule(sim, f, ZZ_EV_REVIEW, t);
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
    return 0;
}

/* The decision proper, with draw k; also reached after voucher
 * applications were decided. */
void zz_economic_decide(zz_sim *sim, uint32_t f)
{
    zz_valuation v;
    zz_value_project(sim, f, &v);
    uint32_t k = sim->firm[f].reviews++;
    double u = zz_rng_uniform(&sim->rng, f, ZZ_RNG_DECIDE, k);
    if (v.can_finance && u < v.probability)
        zz_start_implementation(sim, f, &v);
    else if (v.scale)
        zz_schedule_scale_review(sim, f);
    else
        schedule_next_review(sim, f);
}

static void economic_review(zz_sim *sim, uint32_t f)
{
    if (sim->firm[f].state == ZZ_S_IMPLEMENTING || sim->firm[f].state == ZZ_S_SCALED ||
        (sim->firm[f].dflags & ZZ_D_SCALING))
        return;
    if (sim->vouchers) {
        zz_voucher_expire(sim, f);
        /* A firm applies for vouchers because it is considering a project:
         * it values the project with the vouchers it could get and applies
         * only if, on its own draw for this review, it would then go ahead.
         * It decides on that same draw once the applications are decided
         * (granted or not), review_days later. Firms that would not invest
         * even with the vouchers lose no time, and an empty pot receives no
         * applications, so a zero budget leaves every path as without it. */
        double prospect = zz_voucher_prospect(sim, f);
        if (prospect > 0) {
            zz_valuation v;
            zz_value_project_with(sim, f, prospect, &v);
            double u = zz_rng_uniform(&sim->rng, f, ZZ_RNG_DECIDE, sim->firm[f].reviews);
            if (v.can_finance && u < v.probability) {
                double delay = zz_voucher_apply(sim, f);
                zz_firm_schedule(sim, f, ZZ_EV_VOUCHER_DECIDED, sim->now + fmax(0, delay));
                return;
            }
        }
    }
    zz_economic_decide(sim, f);
}

/* Adopted firms review scaling up at exponential intervals of mean
 * scale_review_days, with their own draw sequence. */
void zz_schedule_scale_review(zz_sim *sim, uint32_t f)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    if (d->scale_review_days <= 0)
        return;
    gsl_rng *g = zz_rng_at(&sim->rng, f, ZZ_RNG_SCALE, sim->firm[f].reviews);
    zz_firm_schedule(sim, f, ZZ_EV_REVIEW, sim->now + gsl_ran_exponential(g, d->scale_review_days));
}

void zz_sim_first_review(zz_sim *sim, uint32_t f)
{
    zz_firm_schedule(sim, f, ZZ_EV_REVIEW, sim->now + review_interval(sim, f));
}

const zz_rule_ops zz_rule_economic = {"economic", economic_start, economic_review};

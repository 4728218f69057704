/*
 * Finance-side instruments, each acting on its own term of the valuation:
 *   loan interest subsidy (贷款贴息): the borrowed part costs `points`
 *     percentage points less a year; the programme pays B x points/100 x
 *     loan_years (capped), committed at the start, paid when the project
 *     ends (interest is owed whether or not it succeeds);
 *   risk compensation (风险补偿): banks lend to a firm without credit access
 *     because the programme will pay `loss_share` of the loan if the
 *     project fails (capped); committed at the start, paid on failure,
 *     released on success;
 *   first-of-kind insurance (首台套): the programme pays `premium_share` of a
 *     premium of `premium_rate` x cost at the start; the insurance covers
 *     `cover` of the loss, so the downside the firm weighs shrinks.
 * Each applies only if the firm is eligible and the pot can cover it, so
 * an empty pot changes nothing.
 */
#include "sim.h"

#include <math.h>

#include "policy/policy.h"

/* The first eligible programme of a kind whose pot can cover `amount`. */
static int find(const zz_sim *sim, int kind, uint32_t f, double amount)
{
    for (int g = 0; g < sim->cfg.nprogrammes; g++)
        if (sim->cfg.programme[g].kind == kind && zz_prog_eligible(sim, g, f) &&
            zz_ledger_available(&sim->prog[g].ledger) >= amount &&
            zz_ledger_available(&sim->prog[g].ledger) > 0)
            return g;
    return -1;
}

static double interest_amount(const zz_sim *sim, const zz_programme_cfg *pc, double borrowed)
{
    return fmin(borrowed * pc->points / 100 * sim->cfg.decision.loan_years, pc->cap);
}

static double risk_amount(const zz_programme_cfg *pc, double borrowed)
{
    return fmin(pc->loss_share * borrowed, pc->cap);
}

static double premium_paid(const zz_programme_cfg *pc, double cost)
{
    return fmin(pc->premium_share * pc->premium_rate * cost, pc->cap);
}

/* Called by the valuation once cost, support and liquidity are known. */
void zz_finance_terms(zz_sim *sim, uint32_t f, zz_valuation *v)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    v->cover = 0;
    v->own_premium = 0;
    if (sim->finance) {
        for (int g = 0; g < sim->cfg.nprogrammes; g++) {
            const zz_programme_cfg *pc = &sim->cfg.programme[g];
            if (pc->kind != ZZ_INSURANCE)
                continue;
            double paid = premium_paid(pc, v->cost);
            if (find(sim, ZZ_INSURANCE, f, paid) == g) {
                v->own_premium = pc->premium_rate * v->cost - paid;
                v->cover = pc->cover;
                break;
            }
        }
    }
    v->borrowed = fmax(0, v->net_cost + v->own_premium - v->liquidity);
    v->rate = d->market_rate;
    v->risk_backed = 0;
    if (v->borrowed > 0 && sim->finance) {
        for (int g = 0; g < sim->cfg.nprogrammes; g++) {
            const zz_programme_cfg *pc = &sim->cfg.programme[g];
            if (pc->kind == ZZ_SUBSIDY_INTEREST &&
                find(sim, ZZ_SUBSIDY_INTEREST, f, interest_amount(sim, pc, v->borrowed)) == g) {
                /* the cap limits the money, so the effective cut may be
                 * smaller than the points */
                double amount = interest_amount(sim, pc, v->borrowed);
                v->rate -= amount / (v->borrowed * d->loan_years);
                break;
            }
        }
        if (!(sim->pop->flags[f] & ZZ_F_CREDIT))
            for (int g = 0; g < sim->cfg.nprogrammes; g++) {
                const zz_programme_cfg *pc = &sim->cfg.programme[g];
                if (pc->kind == ZZ_RISK_COMPENSATION &&
                    find(sim, ZZ_RISK_COMPENSATION, f, risk_amount(pc, v->borrowed)) == g) {
                    v->risk_backed = 1;
                    break;
                }
            }
    }
    v->can_finance = v->borrowed <= 0 || (sim->pop->flags[f] & ZZ_F_CREDIT) || v->risk_backed;
    v->financing = v->borrowed * v->rate * d->loan_years;
}

void zz_finance_commit(zz_sim *sim, uint32_t f, const zz_valuation *v)
{
    if (!sim->finance)
        return;
    zz_finance_hold *h = &sim->finance[f];
    *h = (zz_finance_hold){0};
    for (int g = 0; g < sim->cfg.nprogrammes; g++) {
        const zz_programme_cfg *pc = &sim->cfg.programme[g];
        zz_ledger *l = &sim->prog[g].ledger;
        if (pc->kind == ZZ_SUBSIDY_INTEREST && v->borrowed > 0 && !h->interest_due &&
            find(sim, pc->kind, f, interest_amount(sim, pc, v->borrowed)) == g) {
            double a = interest_amount(sim, pc, v->borrowed);
            h->interest_due = zz_ledger_commit(l, a, a);
            h->interest_prog = (uint8_t)g;
        } else if (pc->kind == ZZ_RISK_COMPENSATION && v->risk_backed && !h->risk_due &&
                   find(sim, pc->kind, f, risk_amount(pc, v->borrowed)) == g) {
            double a = risk_amount(pc, v->borrowed);
            h->risk_due = zz_ledger_commit(l, a, a);
            h->risk_prog = (uint8_t)g;
        } else if (pc->kind == ZZ_INSURANCE && v->cover > 0 && !h->cover &&
                   find(sim, pc->kind, f, premium_paid(pc, v->cost)) == g) {
            double a = premium_paid(pc, v->cost);
            if (zz_ledger_commit(l, a, a) > 0) {
                zz_pay(sim, g, f, a);
                h->cover = pc->cover;
            }
        }
    }
}

void zz_finance_settle(zz_sim *sim, uint32_t f, int success)
{
    if (!sim->finance)
        return;
    zz_finance_hold *h = &sim->finance[f];
    if (h->interest_due > 0)
        zz_pay(sim, h->interest_prog, f, h->interest_due);
    if (h->risk_due > 0) {
        if (success)
            zz_ledger_release(&sim->prog[h->risk_prog].ledger, h->risk_due);
        else
            zz_pay(sim, h->risk_prog, f, h->risk_due);
    }
    *h = (zz_finance_hold){0};
}

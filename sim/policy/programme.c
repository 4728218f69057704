/*
 * The effect API (instrument.h): who a programme covers, its ledger and
 * the per-firm record of money paid, and the few ways an instrument acts
 * on firms and the calendar.
 */
#include <math.h>
#include <stdlib.h>

#include "policy/instrument.h"
#include "policy/policy.h"
#include "sim_internal.h"

/* Which programmes' fixed filters (cities, industries, sizes, above-size
 * only, pioneer cells) cover each class of firms, cell x above-size: once
 * per replication, as filters cannot change during a run (they are not
 * live), so that eligibility at a review is a bit test, not a walk through
 * the filter. */
int zz_prog_classes(zz_sim *sim)
{
    sim->prog_cls = calloc((size_t)sim->ncells * 2, sizeof *sim->prog_cls);
    if (!sim->prog_cls)
        return -1;
    const zz_filter *flt[ZZ_MAX_PROGRAMMES];
    for (int g = 0; g < sim->cfg.nprogrammes; g++)
        flt[g] = &sim->cfg.programme[g].filter;
    zz_filter_classes(sim, flt, sim->cfg.nprogrammes, sim->prog_cls);
    return 0;
}

void *zz_prog_own(zz_sim *sim, int g) { return sim->prog[g].own; }

void zz_pay(zz_sim *sim, int g, uint32_t f, double amount)
{
    zz_ledger_pay(&sim->prog[g].ledger, amount);
    if (!sim->received)
        return;
    uint32_t row = sim->receipt_row[f];
    if (!row) {
        row = sim->receipt_row[f] = sim->nreceipt_rows++;
        for (int k = 0; k < sim->nprog; k++)
            sim->received[(size_t)row * (size_t)sim->nprog + k] = 0;
    }
    sim->received[(size_t)row * (size_t)sim->nprog + g] += amount;
}

double zz_pay_now(zz_sim *sim, int g, uint32_t f, double amount)
{
    double got = zz_ledger_commit(&sim->prog[g].ledger, amount, amount);
    if (got > 0)
        zz_pay(sim, g, f, got);
    return got;
}

double zz_firm_room(const zz_sim *sim, int g, uint32_t f, double firm_cap)
{
    return firm_cap > 0 ? fmax(0, firm_cap - zz_received(sim, g, f)) : INFINITY;
}

/* Fiscal year start: per-year pots lapse and are appropriated anew. */
void zz_policy_new_year(zz_sim *sim)
{
    for (int g = 0; g < sim->cfg.nprogrammes; g++)
        if (sim->cfg.programme[g].budget_per_year)
            zz_ledger_new_year(&sim->prog[g].ledger, sim->cfg.programme[g].budget);
}

int zz_programme_at(zz_sim *sim, int g, double t, int tag, uint32_t id)
{
    if (t > sim->cfg.horizon)
        return 0;
    zz_event e = {t, id, ZZ_EV_PROGRAMME, (uint16_t)(g | tag << ZZ_PROG_BITS)};
    if (zz_queue_push(&sim->queue, e))
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory scheduling an event of %s",
                           sim->cfg.programme[g].name);
    return 0;
}

int zz_make_aware(zz_sim *sim, uint32_t f)
{
    sim->firm[f].dflags |= ZZ_D_AWARE;
    return zz_firm_schedule(sim, f, ZZ_EV_REVIEW, sim->now);
}

int zz_start_project(zz_sim *sim, uint32_t f, const zz_valuation *v)
{
    return zz_start_implementation(sim, f, v);
}

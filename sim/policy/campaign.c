/*
 * Training and matchmaking campaigns: on its date a campaign makes up to
 * `firms` eligible firms that have not heard of a workable AI project aware
 * (the May 2026 programme trained about 300 firms; supply-and-demand lists
 * released by cities), and each reviews at once. Who is reached is a
 * reproducible lottery among the eligible: each firm's ticket is its own
 * draw. A campaign costs `amount` a firm reached, from its budget.
 */
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/date.h"
#include "policy/instrument.h"

typedef struct campaign_cfg {
    double amount, date;
    int firms;
} campaign_cfg;
ZZ_OWN_FITS(campaign_cfg);
#define CC(sim, g) ZZ_OWN_CFG(const campaign_cfg, &(sim)->cfg.programme[g])

static int run(zz_sim *sim, zz_inst *in, int g, int tag, uint32_t id)
{
    const campaign_cfg *c = CC(sim, g);
    const zz_population *p = sim->pop;
    size_t want = c->firms > 0 ? (size_t)c->firms : 0;
    if (c->amount > 0)
        want = (size_t)fmin((double)want, floor(zz_ledger_available(zz_prog_ledger(sim, g)) / c->amount + 1e-9));
    if (want > (size_t)p->n) /* no more firms to reach than there are: size for those */
        want = (size_t)p->n;
    if (want == 0)
        return 0;
    double *ticket = malloc((size_t)p->n * sizeof *ticket);
    uint32_t *who = malloc((size_t)p->n * sizeof *who);
    size_t *chosen = malloc(want * sizeof *chosen);
    if (!ticket || !who || !chosen) {
        free(ticket), free(who), free(chosen);
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory running a campaign");
    }
    size_t m = 0;
    for (uint32_t f = 0; f < (uint32_t)p->n; f++)
        if (!zz_firm_aware(sim, f) && zz_prog_eligible(sim, g, f)) {
            ticket[m] = zz_rng_uniform(&sim->rng, f, in->ops->stream, (uint32_t)g);
            who[m++] = f;
        }
    size_t k = m < want ? m : want;
    if (k)
        gsl_sort_smallest_index(chosen, k, ticket, 1, m);
    int rc = 0;
    for (size_t j = 0; j < k && !rc; j++) {
        uint32_t f = who[chosen[j]];
        if (c->amount > 0)
            zz_pay_now(sim, g, f, c->amount);
        rc = zz_make_aware(sim, f);
    }
    free(ticket), free(who), free(chosen);
    return rc;
}

static int open(zz_sim *sim, zz_inst *in)
{
    for (int j = 0; j < in->nprog; j++)
        if (sim->cfg.programme[in->prog[j]].enabled &&
            zz_programme_at(sim, in->prog[j], CC(sim, in->prog[j])->date, 0, 0))
            return sim->rc;
    return 0;
}

static int check(const zz_config *cfg, const zz_programme_cfg *g, char *msg, size_t len)
{
    double d = ZZ_OWN_CFG(const campaign_cfg, g)->date;
    if (d < 0) {
        char a[11];
        zz_date_format(cfg->start_day + (int64_t)floor(d), a);
        snprintf(msg, len, "date (%s) is before the scenario starts (%s)", a, cfg->start);
        return 1;
    }
    return 0;
}

static int late(const zz_config *cfg, const zz_programme_cfg *g, char *msg, size_t len)
{
    double d = ZZ_OWN_CFG(const campaign_cfg, g)->date;
    if (d <= cfg->horizon)
        return 0;
    char a[11];
    zz_date_format(cfg->start_day + (int64_t)floor(d), a);
    snprintf(msg, len, "campaign date %s", a);
    return 1;
}

static int costless(const zz_programme_cfg *g) { return ZZ_OWN_CFG(const campaign_cfg, g)->amount == 0; }

static const zz_param rows[] = {
    ZZ_ROW("date", campaign_cfg, date, ZZ_PT_DATE, 0, 0, 0, 0, "campaign date"),
    ZZ_ROW("firms", campaign_cfg, firms, ZZ_PT_INTEGER, 0, 1e8, 300, ZZ_PF_SCALES,
           "firms made aware on the campaign date (FACTS 002: about 300 trained, May 2026)"),
    ZZ_ROW("amount", campaign_cfg, amount, ZZ_PT_NUMBER, 0, 1e11, 0, ZZ_PF_LIVE,
           "cost per firm reached, yuan (0: needs no budget)"),
};

const zz_instrument zz_campaign = {
    .word = "campaign", .named = 1, .stream = 9, /* who is reached */
    .title = "training / matchmaking campaign: makes eligible firms aware and triggers their review",
    .params = rows, .nparams = (int)(sizeof rows / sizeof *rows),
    .check = check, .late = late, .costless = costless, .open = open, .event = run,
};

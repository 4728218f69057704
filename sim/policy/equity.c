/*
 * Equity fund (股权投资): once a year (at its start and each January 1) the
 * fund selects up to `per_year` eligible aware non-adopters whose own
 * liquidity does not cover their project, the most capable first (funds
 * pick winners), and invests min(amount, cap) in each. The investment adds
 * to the firm's liquidity for its project: it borrows less, or needs no
 * credit at all.
 */
#include <math.h>
#include <stdlib.h>

#include "policy/instrument.h"

typedef struct equity_cfg {
    double amount, cap;
    int per_year;
} equity_cfg;
ZZ_OWN_FITS(equity_cfg);

static float *invested(zz_inst *in) { return in->firm; }

/* Max-heap of firm positions (0 .. m) by score: the firms come off it in
 * order of score, each in O(log m). */
static void sift_down(uint32_t *h, size_t n, size_t i, const double *score)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, top = i;
        if (l < n && score[h[l]] > score[h[top]])
            top = l;
        if (r < n && score[h[r]] > score[h[top]])
            top = r;
        if (top == i)
            return;
        uint32_t t = h[i];
        h[i] = h[top];
        h[top] = t;
        i = top;
    }
}

/* The per_year best-scored eligible firms that need to borrow, in order of
 * score. The firms are valued (the outlay stage) in order of score from
 * the top until the places are filled, so a selection values a few dozen
 * firms, not the field. Scores are distinct (ties resolve by firm index),
 * so this is the selection by score among all borrowers, firm for firm. */
static int select_firms(zz_sim *sim, zz_inst *in, int g)
{
    const equity_cfg *c = ZZ_OWN_CFG(const equity_cfg, &sim->cfg.programme[g]);
    const zz_population *p = sim->pop;
    zz_ledger *l = zz_prog_ledger(sim, g);
    if (c->per_year <= 0 || zz_ledger_available(l) <= 0)
        return 0;
    double *score = malloc((size_t)p->n * sizeof *score);
    uint32_t *who = malloc((size_t)p->n * sizeof *who), *heap = malloc((size_t)p->n * sizeof *heap);
    const size_t places = (size_t)c->per_year < (size_t)p->n ? (size_t)c->per_year : (size_t)p->n;
    uint32_t *chosen = malloc((places ? places : 1) * sizeof *chosen);
    if (!score || !who || !heap || !chosen) {
        free(score), free(who), free(heap), free(chosen);
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory selecting equity investments");
    }
    size_t m = 0;
    for (uint32_t f = 0; f < (uint32_t)p->n; f++) {
        if (!zz_firm_aware(sim, f) || invested(in)[f] > 0 || !zz_prog_eligible(sim, g, f))
            continue;
        /* ties resolve by firm index: a stable order, not a random one */
        score[m] = p->capability[f] - 1e-12 * f;
        who[m] = f;
        heap[m] = (uint32_t)m;
        m++;
    }
    for (size_t i = m / 2; i-- > 0;)
        sift_down(heap, m, i, score);
    /* chosen first, all valued in the same state, then paid in order */
    size_t k = 0;
    while (m > 0 && k < places) {
        uint32_t f = who[heap[0]];
        heap[0] = heap[--m];
        sift_down(heap, m, 0, score);
        zz_valuation v;
        zz_value_project_until(sim, f, 0, ZZ_VALUE_OUTLAY, &v);
        if (v.borrowed > 0)
            chosen[k++] = f;
    }
    for (size_t j = 0; j < k; j++) {
        uint32_t f = chosen[j];
        double a = zz_pay_now(sim, g, f, fmin(c->amount, c->cap));
        if (a <= 0)
            break;
        invested(in)[f] += (float)a;
        zz_firm_mark_keeps(sim, f);
    }
    free(score), free(who), free(heap), free(chosen);
    return 0;
}

static int open(zz_sim *sim, zz_inst *in)
{
    /* the first selection at the start, then each January 1 */
    for (int j = 0; j < in->nprog; j++) {
        const zz_programme_cfg *pc = &sim->cfg.programme[in->prog[j]];
        if (pc->enabled && zz_programme_at(sim, in->prog[j], fmax(0, pc->start), 0, 0))
            return sim->rc;
    }
    return 0;
}

static int event(zz_sim *sim, zz_inst *in, int g, int tag, uint32_t id)
{
    return select_firms(sim, in, g);
}

static int new_year(zz_sim *sim, zz_inst *in)
{
    for (int j = 0; j < in->nprog; j++) {
        int g = in->prog[j];
        if (sim->now > sim->cfg.programme[g].start && select_firms(sim, in, g))
            return sim->rc;
    }
    return 0;
}

static double liquidity(zz_sim *sim, zz_inst *in, uint32_t f)
{
    return zz_firm_keeps(sim, f) ? invested(in)[f] : 0;
}

static const zz_param rows[] = {
    ZZ_ROW("amount", equity_cfg, amount, ZZ_PT_NUMBER, 0, 1e11, 5e6, ZZ_PF_LIVE,
           "liquidity added per selected firm, yuan"),
    ZZ_ROW("cap", equity_cfg, cap, ZZ_PT_NUMBER, 0, 1e12, 2e7, ZZ_PF_LIVE, "most invested in one firm, yuan"),
    ZZ_ROW("per_year", equity_cfg, per_year, ZZ_PT_INTEGER, 0, 1e7, 20, ZZ_PF_LIVE, "firms selected per year"),
};

const zz_instrument zz_equity = {
    .word = "equity",
    .title = "equity fund (股权投资): relaxes the liquidity of selected firms",
    .params = rows, .nparams = (int)(sizeof rows / sizeof *rows),
    .firm_bytes = sizeof(float),
    .open = open, .event = event, .new_year = new_year, .liquidity = liquidity,
};

/*
 * Equity fund (股权投资), by mechanism: the most capable constrained firms
 * are selected, each gets min(amount, cap) as liquidity and borrows less.
 */
#include "zz_world.h"

static void equity_fund(void)
{
    zz_scenario *sc = world_scenario();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("equity"), "equity", 1e12);
    zz_fixture_set(g, "per_year", 25);
    zz_fixture_set(g, "amount", 3e6);
    zz_fixture_set(g, "cap", 1e12);
    zz_sim *b = world_sim(sc);
    /* who is constrained before the fund moves */
    uint8_t *constrained = calloc((size_t)world->n, 1);
    double *borrowed = calloc((size_t)world->n, sizeof *borrowed);
    for (uint32_t f = 0; f < (uint32_t)world->n; f++) {
        zz_valuation v;
        zz_value_project(b, f, &v);
        constrained[f] = v.borrowed > 0 && (b->firm[f].dflags & ZZ_D_AWARE) && b->firm[f].state == ZZ_S_NONE;
        borrowed[f] = v.borrowed;
    }
    zz_inst *in = zz_fixture_inst(b, "equity");
    CHECK(in->ops->event(b, in, 0, 0, 0) == 0);
    const float *invested = in->firm;
    int selected = 0, all_constrained = 1, borrow_less = 1;
    for (uint32_t f = 0; f < (uint32_t)world->n; f++)
        if (invested[f] > 0) {
            selected++;
            all_constrained &= constrained[f];
            CHECK_NEAR(invested[f], 3e6, 1);
            zz_valuation v;
            zz_value_project(b, f, &v);
            borrow_less &= fabs(v.borrowed - fmax(0, borrowed[f] - 3e6)) < 2;
        }
    CHECKF(selected == 25, "selected %d", selected);
    CHECK(all_constrained && borrow_less);
    /* the best by capability among the firms that borrow: no firm left
     * out ranks above the weakest one chosen */
    double weakest = INFINITY;
    for (uint32_t f = 0; f < (uint32_t)world->n; f++)
        if (invested[f] > 0 && b->pop->capability[f] < weakest)
            weakest = b->pop->capability[f];
    int passed_over = 0;
    for (uint32_t f = 0; f < (uint32_t)world->n; f++)
        passed_over += constrained[f] && !(invested[f] > 0) && b->pop->capability[f] > weakest;
    CHECKF(passed_over == 0, "%d borrowing firms ranked above the weakest chosen were passed over",
           passed_over);
    CHECK_NEAR(b->prog[0].ledger.disbursed, 25 * 3e6, 1e-3);
    free(constrained);
    free(borrowed);
    zz_sim_close(b);
    free(sc);
}

int main(void)
{
    world_open();
    equity_fund();
    zz_population_free(world);
    return zz_test_finish();
}

/*
 * Properties of whole runs, firm by firm, on random scenarios drawn from
 * the parameter registry: every instrument at once, each of its own
 * parameters at a valid value within its row's range (the ends included),
 * random budgets (per year or not) and random filters. After each run:
 *   - every ledger balances (committed + disbursed + lapsed + available =
 *     initial) and is never overdrawn;
 *   - the money firms received adds up to what each ledger disbursed;
 *   - no firm outside a programme's filters received its money;
 *   - no firm received more than the programme's caps allow;
 *   - project money went only to firms that started a project, and
 *     rewards paid on success (contest, investment subsidy) only to firms
 *     that adopted.
 * The draws come from a fixed seed, so a failure reproduces; its draw
 * number and the programme are printed.
 */
#include <dirent.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include "sim.h"
#include "sim_internal.h"
#include "scenario/scenario.h"
#include "zz_fixture.h"
#include "zz_test.h"

enum { DRAWS = 30, FIRMS = 4000 };

/* A value within [lo, hi]: often an end of the range, else spread over its
 * orders of magnitude when it spans several. */
static double draw_in(gsl_rng *r, double lo, double hi)
{
    double u = gsl_rng_uniform(r);
    if (u < 0.1)
        return lo;
    if (u < 0.2)
        return hi;
    if (lo >= 0 && hi > 1e3 * (lo > 1 ? lo : 1)) {
        double a = log(lo > 1 ? lo : 1), b = log(hi);
        return exp(a + (b - a) * gsl_rng_uniform(r));
    }
    return lo + (hi - lo) * gsl_rng_uniform(r);
}

static void draw_row(gsl_rng *r, zz_programme_cfg *g, const zz_param *p)
{
    char *at = (char *)g + p->offset;
    switch (p->type) {
    case ZZ_PT_NUMBER:
        *(double *)at = draw_in(r, p->lo, p->hi);
        break;
    case ZZ_PT_INTEGER:
        /* the campaign's firms reach 1e8: the population caps what it does */
        *(int *)at = (int)floor(draw_in(r, p->lo, p->hi));
        break;
    case ZZ_PT_BOOLEAN:
        *(int *)at = (int)gsl_rng_uniform_int(r, 2);
        break;
    case ZZ_PT_CHOICE: {
        int n = 1;
        for (const char *c = p->choices; *c; c++)
            n += *c == '|';
        *(int *)at = (int)gsl_rng_uniform_int(r, (unsigned long)n);
        break;
    }
    default: /* dates: set below where an instrument needs them */
        break;
    }
}

static uint64_t random_mask(gsl_rng *r, int n)
{
    if (gsl_rng_uniform(r) < 0.6)
        return 0; /* all */
    uint64_t m = 0;
    while (!m)
        m = gsl_rng_get(r) & ((n < 64 ? (uint64_t)1 << n : 0) - 1);
    return m;
}

static zz_scenario *random_scenario(gsl_rng *r, const zz_config *names)
{
    zz_scenario *sc = zz_fixture_scenario();
    sc->cfg.population.firms = FIRMS;
    sc->cfg.seed = gsl_rng_get(r) % 1000;
    for (int k = 0; k < zz_ninstruments; k++) {
        char stem[64];
        zz_instrument_stem(k, stem, sizeof stem);
        const zz_instrument *ops = zz_instruments[k];
        char name[40];
        snprintf(name, sizeof name, ops->named ? "%s.p%d" : "%s", stem, k);
        double budget = gsl_rng_uniform(r) < 0.1 ? 0 : draw_in(r, 1e3, 1e10);
        zz_programme_cfg *g = zz_fixture_programme(sc, k, name, budget);
        for (int j = 0; j < ops->nparams; j++)
            draw_row(r, g, &ops->params[j]);
        g->budget_per_year = gsl_rng_uniform(r) < 0.3;
        g->filter.cities = random_mask(r, names->ncities);
        g->filter.industries = random_mask(r, names->nindustries);
        g->filter.sizes = (uint8_t)random_mask(r, ZZ_NSIZES);
        g->filter.gsz_only = gsl_rng_uniform(r) < 0.2;
        if (zz_fixture_has(g, "closes")) { /* a window within the first year */
            zz_fixture_set(g, "opens", 30 + gsl_rng_uniform_int(r, 60));
            zz_fixture_set(g, "closes", 120 + gsl_rng_uniform_int(r, 60));
        }
        if (zz_fixture_has(g, "date"))
            zz_fixture_set(g, "date", gsl_rng_uniform_int(r, 700));
    }
    return sc;
}

/* Most a firm may hold from programme g after its run. */
static double most(const zz_sim *sim, int g, uint32_t f)
{
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    char stem[64];
    zz_instrument_stem(pc->kind, stem, sizeof stem);
    const double projects = sim->firm[f].impls > 0 ? sim->firm[f].impls : 1;
    if (!strcmp(stem, "campaign"))
        return zz_fixture_get(pc, "amount"); /* reached once, at its cost */
    if (!strcmp(stem, "equity"))
        return zz_fixture_get(pc, "cap");
    if (!strcmp(stem, "contest"))
        return zz_fixture_get(pc, "reward_cap") * zz_fixture_get(pc, "rounds");
    if (!strcmp(stem, "chain_leader")) /* once */
        return zz_fixture_get(pc, "cap") > 0 ? zz_fixture_get(pc, "cap") : INFINITY;
    double cap = zz_fixture_has(pc, "cap") ? zz_fixture_get(pc, "cap") * projects : INFINITY;
    if (zz_fixture_has(pc, "firm_cap") && zz_fixture_get(pc, "firm_cap") > 0)
        cap = fmin(cap, zz_fixture_get(pc, "firm_cap"));
    return cap;
}

static int pays_for_projects(const char *stem) { return strcmp(stem, "campaign") && strcmp(stem, "equity"); }
static int pays_on_success(const char *stem)
{
    return !strcmp(stem, "contest") || !strcmp(stem, "subsidy.investment");
}

static void check_run(const zz_sim *sim, const zz_population *pop, const char *draw)
{
    for (int g = 0; g < sim->cfg.nprogrammes; g++) {
        const zz_programme_cfg *pc = &sim->cfg.programme[g];
        const zz_ledger *l = &sim->prog[g].ledger;
        const double tol = 1e-9 * fmax(1, l->initial);
        char stem[64];
        zz_instrument_stem(pc->kind, stem, sizeof stem);
        CHECKF(l->committed >= -tol && l->disbursed >= 0 && l->lapsed >= 0 &&
                   l->initial - l->committed - l->disbursed - l->lapsed >= -tol,
               "%s, %s: initial %.17g committed %.17g disbursed %.17g lapsed %.17g", draw, pc->name,
               l->initial, l->committed, l->disbursed, l->lapsed);
        double sum = 0;
        int outside = 0, over = 0, unstarted = 0, unsuccessful = 0;
        for (uint32_t f = 0; f < (uint32_t)pop->n; f++) {
            double got = zz_received(sim, g, f);
            CHECKF(got >= 0, "%s, %s: firm %u received %g", draw, pc->name, f, got);
            if (got <= 0)
                continue;
            sum += got;
            if (!zz_cell_match(sim, &pc->filter, pop->city[f], pop->industry[f], pop->size[f]) ||
                (pc->filter.gsz_only && !(pop->flags[f] & ZZ_F_GSZ)))
                outside++;
            double m = most(sim, g, f);
            if (got > m * (1 + 1e-12) + 1e-6) {
                if (!over)
                    fprintf(stderr, "%s, %s: firm %u received %.17g > %.17g\n", draw, pc->name, f, got, m);
                over++;
            }
            unstarted += pays_for_projects(stem) && sim->firm[f].impls == 0;
            unsuccessful += pays_on_success(stem) && sim->firm[f].state < ZZ_S_ADOPTED;
        }
        CHECKF(fabs(sum - l->disbursed) <= 1e-9 * fmax(1, l->disbursed),
               "%s, %s: firms received %.17g, ledger disbursed %.17g", draw, pc->name, sum, l->disbursed);
        CHECKF(outside == 0, "%s, %s: %d firms outside its filters paid", draw, pc->name, outside);
        CHECKF(over == 0, "%s, %s: %d firms paid beyond its caps", draw, pc->name, over);
        CHECKF(unstarted == 0, "%s, %s: %d firms paid without a project", draw, pc->name, unstarted);
        CHECKF(unsuccessful == 0, "%s, %s: %d firms paid a success they did not have", draw, pc->name,
               unsuccessful);
    }
}

static void random_scenarios(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2026);
    zz_config names;
    zz_config_defaults(&names);
    double paid = 0;
    for (int d = 0; d < DRAWS; d++) {
        zz_scenario *sc = random_scenario(r, &names);
        int block, index;
        char msg[400];
        CHECKF(zz_params_check(&sc->cfg, &block, &index, msg, sizeof msg) == 0, "draw %d: %s", d, msg);
        zz_population *pop;
        CHECKF(zz_population_build(&pop, sc, msg, sizeof msg) == 0, "draw %d: %s", d, msg);
        zz_sim *sim;
        int rc = zz_sim_open(&sim, sc, pop, 0, 0);
        CHECKF(rc == 0, "draw %d: %s", d, zz_errmsg(sim));
        if (!rc) {
            CHECKF(zz_sim_run(sim) == 0, "draw %d: %s", d, zz_errmsg(sim));
            char label[32];
            snprintf(label, sizeof label, "draw %d", d);
            check_run(sim, pop, label);
            for (int g = 0; g < sim->cfg.nprogrammes; g++)
                paid += sim->prog[g].ledger.disbursed > 0;
        }
        zz_sim_close(sim);
        zz_population_free(pop);
        free(sc);
    }
    /* the draws exercise the instruments: a good share of the programmes
     * pay someone (a quarter: since support is approved before the start
     * and beliefs start pessimistic, short random runs pay less often) */
    CHECKF(paid > DRAWS * zz_ninstruments / 4, "%g of %d programmes paid", paid, DRAWS * zz_ninstruments);
    gsl_rng_free(r);
}

/* Every scenario of the library (each .lua file of scenarios/ that is a scenario, not
 * an experiment, optimisation or calibration), at FIRMS firms. */
static void library_scenarios(void)
{
    const char *dir = zz_test_source("scenarios");
    DIR *d = opendir(dir);
    CHECKF(d != NULL, "%s", dir);
    if (!d)
        return;
    int ran = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".lua"))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        zz_scenario *sc = NULL;
        if (zz_scenario_open(&sc, path) != ZZ_OK) { /* experiments and the like */
            zz_scenario_close(sc);
            continue;
        }
        sc->cfg.population.firms = FIRMS;
        zz_population *pop;
        char msg[400];
        if (!sc->cfg.population.file[0]) {
            CHECKF(zz_population_build(&pop, sc, msg, sizeof msg) == 0, "%s: %s", e->d_name, msg);
            zz_sim *sim;
            int rc = zz_sim_open(&sim, sc, pop, 0, 0);
            CHECKF(rc == 0, "%s: %s", e->d_name, zz_errmsg(sim));
            if (!rc) {
                CHECKF(zz_sim_run(sim) == 0, "%s: %s", e->d_name, zz_errmsg(sim));
                check_run(sim, pop, e->d_name);
                ran++;
            }
            zz_sim_close(sim);
            zz_population_free(pop);
        }
        zz_scenario_close(sc);
    }
    closedir(d);
    CHECKF(ran >= 20, "%d library scenarios ran", ran);
}

int main(void)
{
    library_scenarios();
    random_scenarios();
    return zz_test_finish();
}

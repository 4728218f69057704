/*
 * A good scenario resolves to the right configuration: dates to days since
 * the start, filters to masks, a variant merged onto its base through
 * include, a pioneer with its own target, --set overrides applied and
 * recorded; `zhizao check` (zz_scenario_describe) lists every registry key.
 * Fixtures: tests/scenarios/load_base.lua, load_variant.lua, every_kind.lua.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/params.h"
#include "scenario/scenario.h"
#include "zz_fixture.h"
#include "zz_test.h"

static zz_scenario *open_file(const char *rel)
{
    zz_scenario *sc = NULL;
    int rc = zz_scenario_open(&sc, zz_test_source(rel));
    CHECKF(rc == ZZ_OK, "%s: %s", rel, zz_scenario_errmsg(sc));
    return rc == ZZ_OK ? sc : (zz_scenario_close(sc), NULL);
}

static zz_scenario *open_text(const char *text)
{
    zz_scenario *sc = NULL;
    int rc = zz_scenario_open_string(&sc, "text.lua", text);
    CHECKF(rc == ZZ_OK, "%s", zz_scenario_errmsg(sc));
    return rc == ZZ_OK ? sc : (zz_scenario_close(sc), NULL);
}

static int programme(const zz_config *c, const char *name)
{
    for (int g = 0; g < c->nprogrammes; g++)
        if (strcmp(c->programme[g].name, name) == 0)
            return g;
    return -1;
}

static int target(const zz_config *c, const char *name)
{
    for (int t = 0; t < c->ntargets; t++)
        if (strcmp(c->target[t].name, name) == 0)
            return t;
    return -1;
}

static void variant_resolves(void)
{
    zz_scenario *sc = open_file("tests/scenarios/load_variant.lua");
    if (!sc)
        return;
    const zz_config *c = &sc->cfg;
    CHECK(strcmp(c->name, "load_variant") == 0);
    CHECK(strcmp(c->start, "2026-01-01") == 0 && c->start_day == 20454);
    CHECK(c->years == 2 && c->horizon == 730); /* 2026-01-01 to 2028-01-01 */
    CHECK(c->seed == 7 && c->replications == 4);
    CHECK(strstr(c->path, "tests/scenarios/load_variant.lua") != NULL);

    /* population: base values, per-size table merged part by part */
    CHECK(c->population.firms == 5000);
    CHECK_NEAR(c->population.initial_adoption, 0.3, 0);
    CHECK_NEAR(c->population.size_share[ZZ_MICRO], 0.35, 0);
    CHECK_NEAR(c->population.size_share[ZZ_SMALL], 0.35, 0);
    CHECK_NEAR(c->population.size_share[ZZ_MEDIUM], 0.2, 0);
    CHECK_NEAR(c->population.size_share[ZZ_LARGE], 0.1, 0);
    for (int s = 0; s < ZZ_NSIZES; s++)
        CHECK_NEAR(c->population.credit_access[s], 0.5, 0); /* one number: every size */

    CHECK(c->decision.rule == ZZ_RULE_ECONOMIC);
    CHECK_NEAR(c->decision.temperature, 0.3, 0);
    CHECK_NEAR(c->decision.review_days_size[ZZ_MICRO], 300, 0);
    zz_config def;
    zz_config_defaults(&def);
    CHECK_NEAR(c->decision.review_days_size[ZZ_SMALL], def.decision.review_days_size[ZZ_SMALL],
               0); /* default kept */
    CHECK_NEAR(c->decision.review_days_size[ZZ_LARGE], 100, 0);

    /* the voucher: the variant's rate on the base's other fields */
    CHECK(c->nprogrammes == 3);
    int g = programme(c, "voucher.compute");
    CHECK(g == 0);
    if (g >= 0) {
        const zz_programme_cfg *v = &c->programme[g];
        CHECK(v->kind == ZZ_K("voucher.compute"));
        CHECK_NEAR(zz_fixture_get(v, "rate"), 0.4, 0);
        CHECK_NEAR(zz_fixture_get(v, "cap"), 1.5e6, 0);
        CHECK_NEAR(v->budget, 6e8, 0);
        CHECK_NEAR(v->start, 59, 0);  /* 2026-03-01 */
        CHECK_NEAR(v->end, 729, 0);   /* 2027-12-31 */
        CHECK(v->filter.cities == 3); /* Jinan, Qingdao */
        CHECK(v->filter.industries == 1);
        CHECK(v->filter.sizes == (1u << ZZ_SMALL | 1u << ZZ_MEDIUM));
        CHECK(v->filter.states == 1u << ZZ_S_NONE);
        CHECK(v->line == 5); /* the latest declaration, in load_variant.lua */
        CHECK_NEAR(zz_fixture_get(v, "review_days"), 30, 0); /* zz_programme_defaults */
    }
    g = programme(c, "contest.jiebang_2026");
    CHECK(g == 1);
    if (g >= 0) {
        const zz_programme_cfg *k = &c->programme[g];
        CHECK_NEAR(zz_fixture_get(k, "opens"), 59, 0);
        CHECK_NEAR(zz_fixture_get(k, "closes"), 120, 0);
        CHECK(k->filter.industries == (1u | 1u << 3)); /* electronics, machinery */
        CHECK(k->filter.cities == 1);
        CHECK(zz_fixture_get(k, "winners") == 30 && k->line == 20);
    }
    g = programme(c, "campaign.may_2026_training");
    CHECK(g == 2);
    if (g >= 0)
        CHECK(zz_fixture_get(&c->programme[g], "date") == 134 &&
              zz_fixture_get(&c->programme[g], "firms") == 300);

    /* at() in the base, when() in the variant, in registration order */
    CHECK(c->nactions == 2);
    CHECK(c->action[0].when == 365 && c->action[0].line == 27 && c->action[0].index == 0);
    CHECK(c->action[1].when == -1 && c->action[1].line == 10 && c->action[1].index == 1);

    /* the pioneer and its own target */
    CHECK(c->npioneers == 1);
    CHECK(c->pioneer[0].city == 0 && c->pioneer[0].industry == 0);
    CHECK_NEAR(c->pioneer[0].share, 0.6, 0);
    CHECK_NEAR(c->pioneer[0].within_days, 365, 0);
    int t = target(c, "pioneer_Jinan_electronics");
    CHECK(t >= 0);
    if (t >= 0) {
        CHECK(c->target[t].filter.gsz_only == 1);
        CHECK(c->target[t].filter.cities == 1 && c->target[t].filter.industries == 1);
        CHECK_NEAR(c->target[t].share, 0.6, 0);
    }
    t = target(c, "jinan_all");
    CHECK(t >= 0);
    if (t >= 0)
        CHECK(c->target[t].filter.cities == 1 && c->target[t].share == 0.45 && c->target[t].line == 8);
    CHECK(target(c, "province_gsz") == 0 && target(c, "all_firms") == 1);
    CHECK(c->compute.enabled == 0); /* no compute { } block */

    /* both files are kept, so each replication re-runs exactly this text */
    CHECK(c->source && strncmp(c->source, "--[[zhizao:file ", 16) == 0);
    CHECK(c->source && strstr(c->source, "scenario { name = \"load_variant\" }"));
    CHECK(c->source && strstr(c->source, "tests/scenarios/load_base.lua]]\n"));
    CHECK(c->source && strstr(c->source, "scenario { name = \"load_base\""));
    zz_scenario_close(sc);
}

static void dates_wait_for_the_start(void)
{
    /* the voucher's date comes before the scenario block that moves the start */
    zz_scenario *sc = open_text("voucher \"compute\" { start = \"2027-03-01\", budget = 1 }\n"
                                "at(\"2027-02-01\", function(sim) end)\n"
                                "scenario { start = \"2027-01-01\" }\n");
    if (sc) {
        const zz_config *c = &sc->cfg;
        CHECK_NEAR(c->programme[0].start, 59, 0);
        CHECK_NEAR(c->action[0].when, 31, 0);
        CHECK_NEAR(c->horizon, 1096, 0); /* 3 calendar years with 2028's leap day */
        CHECK(c->source && strcmp(c->source, "voucher \"compute\" { start = \"2027-03-01\", budget = 1 }\n"
                                              "at(\"2027-02-01\", function(sim) end)\n"
                                              "scenario { start = \"2027-01-01\" }\n") == 0);
    }
    zz_scenario_close(sc);
    sc = open_text("scenario { years = 0.5 }\n");
    if (sc)
        CHECK_NEAR(sc->cfg.horizon, 182.625, 1e-9);
    zz_scenario_close(sc);
}

static void overrides(void)
{
    zz_scenario *sc = open_file("tests/scenarios/load_variant.lua");
    if (!sc)
        return;
    const zz_config *c = &sc->cfg;
    static const char *const sets[] = {
        "voucher.compute.rate=0.45",        "population.firms=2000",
        "scenario.replications=6",          "contest.jiebang_2026.winners=10",
        "voucher.compute.cities=Jinan, Weifang", "voucher.compute.end=none",
        "population.credit_access.large=0.9", "scenario.years=1.5",
        "decision.temperature=0.5",         "target.jinan_all.share=0.5",
        "pioneer.Jinan_electronics.share=0.7", "voucher.compute.gsz_only=true",
        "scenario.name=\"renamed\"",
    };
    size_t n = sizeof sets / sizeof *sets;
    for (size_t i = 0; i < n; i++)
        CHECKF(zz_scenario_set(sc, sets[i]) == ZZ_OK, "%s: %s", sets[i], zz_scenario_errmsg(sc));
    const zz_programme_cfg *v = &c->programme[0];
    CHECK_NEAR(zz_fixture_get(v, "rate"), 0.45, 0);
    CHECK(c->population.firms == 2000 && c->replications == 6);
    CHECK(zz_fixture_get(&c->programme[1], "winners") == 10);
    CHECK(v->filter.cities == (1u | 1u << 6));
    CHECK(v->end == -1 && v->filter.gsz_only == 1);
    CHECK_NEAR(c->population.credit_access[ZZ_LARGE], 0.9, 0);
    CHECK_NEAR(c->horizon, 547.875, 1e-9);
    CHECK_NEAR(c->decision.temperature, 0.5, 0);
    CHECK_NEAR(c->target[target(c, "jinan_all")].share, 0.5, 0);
    CHECK_NEAR(c->pioneer[0].share, 0.7, 0);
    CHECK_NEAR(c->target[target(c, "pioneer_Jinan_electronics")].share, 0.7, 0);
    CHECK(strcmp(c->name, "renamed") == 0);
    CHECK(zz_scenario_set(sc, "voucher.compute.end=2027-06-30") == ZZ_OK && v->end == 545);

    /* recorded in order, one a line */
    char want[1024] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s\n", sets[i]);
    strcat(want, "voucher.compute.end=2027-06-30");
    CHECKF(c->overrides && strcmp(c->overrides, want) == 0, "overrides:\n%s", c->overrides);

    char *d = zz_scenario_describe(sc);
    CHECK(d && strstr(d, "\nvoucher.compute.rate = 0.45\n"));
    CHECK(d && strstr(d, "\nvoucher.compute.cities = Jinan, Weifang\n"));
    CHECK(d && strstr(d, "\nvoucher.compute.end = 2027-06-30\n"));
    CHECK(d && strncmp(d, "scenario.name = renamed\n", 24) == 0);
    free(d);
    zz_scenario_close(sc);

    /* bass parameters are settable in a bass scenario */
    sc = open_text("decision \"bass\" { p = 0.03, q = 0.38 }\n");
    if (sc) {
        CHECK(zz_scenario_set(sc, "decision.q=0.2") == ZZ_OK && sc->cfg.decision.q == 0.2);
        CHECK(zz_scenario_set(sc, "decision.review_days=30") == ZZ_OK && sc->cfg.decision.review_days == 30);
        CHECK(zz_scenario_set(sc, "decision.peers=city") == ZZ_OK && sc->cfg.decision.peers == ZZ_PEERS_CITY);
    }
    zz_scenario_close(sc);
}

static void set_number(void)
{
    zz_scenario *sc = open_file("tests/scenarios/load_variant.lua");
    if (!sc)
        return;
    zz_config *c = &sc->cfg;
    char err[512];
    CHECK(zz_param_set_number(c, "voucher.compute.rate", 0.5, err, sizeof err) == ZZ_OK);
    CHECK(zz_fixture_get(&c->programme[0], "rate") == 0.5);
    CHECK(zz_param_set_number(c, "voucher.compute.rate", 1.5, err, sizeof err) == ZZ_SCENARIO);
    CHECKF(strstr(err, "voucher.compute.rate: 1.5 is outside [0, 1]") != NULL, "%s", err);
    CHECK(zz_fixture_get(&c->programme[0], "rate") == 0.5);
    CHECK(zz_param_set_number(c, "voucher.compute.enabled", 0, err, sizeof err) == ZZ_OK);
    CHECK(c->programme[0].enabled == 0);
    CHECK(zz_param_set_number(c, "voucher.compute.end", 100, err, sizeof err) == ZZ_OK);
    CHECK(c->programme[0].end == 100);
    CHECK(zz_param_set_number(c, "voucher.compute.end", 10, err, sizeof err) == ZZ_SCENARIO);
    CHECKF(strstr(err, "must come after start") != NULL, "%s", err);
    CHECK(zz_param_set_number(c, "voucher.compute.budget", 7e8, err, sizeof err) == ZZ_OK);
    CHECK(c->programme[0].budget == 7e8);
    CHECK(zz_param_set_number(c, "contest.jiebang_2026.winners", 12.5, err, sizeof err) == ZZ_SCENARIO);
    CHECK(zz_param_set_number(c, "voucher.compute.cities", 1, err, sizeof err) == ZZ_SCENARIO);
    CHECKF(strstr(err, "cannot be set to a number") != NULL, "%s", err);
    CHECK(zz_param_set_number(c, "voucher.model.rate", 0.1, err, sizeof err) == ZZ_SCENARIO);
    CHECKF(strstr(err, "declared: voucher.compute, contest.jiebang_2026, campaign.may_2026_training") != NULL,
           "%s", err);
    const zz_param *p = zz_param_find(c, "voucher.compute.rate", err, sizeof err);
    CHECK(p && p->type == ZZ_PT_NUMBER && (p->flags & ZZ_PF_LIVE));
    p = zz_param_find(c, "population.firms", err, sizeof err);
    CHECK(p && !(p->flags & ZZ_PF_LIVE));
    zz_scenario_close(sc);
}

static int applies(const zz_param *p, int kind)
{
    return zz_param_field(ZZ_PB_PROGRAMME, kind, p->field) == p;
}

static int has_key(const char *text, const char *key)
{
    char line[512];
    snprintf(line, sizeof line, "%s = ", key);
    size_t n = strlen(line);
    for (const char *s = text; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
        if (strncmp(s, line, n) == 0)
            return 1;
    return 0;
}

static void describe_lists_every_key(void)
{
    zz_scenario *sc = open_file("tests/scenarios/every_kind.lua");
    if (!sc)
        return;
    const zz_config *c = &sc->cfg;
    char *d = zz_scenario_describe(sc);
    CHECK(d != NULL);
    if (!d) {
        zz_scenario_close(sc);
        return;
    }
    /* every row: the registry's and every instrument's (zz_param_next with
     * kind -1 walks them all) */
    for (int b = 0; b < ZZ_PB_COUNT; b++) {
    const zz_param *p;
    for (int cur = 0; (p = zz_param_next(b, -1, &cur));) {
        if (p->flags & ZZ_PF_IDENT)
            continue;
        char prefix[ZZ_MAX_PROGRAMMES + ZZ_MAX_TARGETS + 8][128];
        int n = 0;
        switch (p->block) {
        case ZZ_PB_SCENARIO:
        case ZZ_PB_POPULATION:
        case ZZ_PB_DECISION:
        case ZZ_PB_COMPUTE: snprintf(prefix[n++], 128, "%s", zz_param_block_name(p->block)); break;
        case ZZ_PB_PROGRAMME:
            for (int g = 0; g < c->nprogrammes; g++)
                if (applies(p, c->programme[g].kind))
                    snprintf(prefix[n++], 128, "%s", c->programme[g].name);
            break;
        case ZZ_PB_TARGET:
            for (int t = 0; t < c->ntargets; t++)
                snprintf(prefix[n++], 128, "target.%s", c->target[t].name);
            break;
        case ZZ_PB_PIONEER:
            for (int k = 0; k < c->npioneers; k++)
                snprintf(prefix[n++], 128, "pioneer.%s_%s", c->city[c->pioneer[k].city],
                         c->industry[c->pioneer[k].industry]);
            break;
        }
        CHECKF(n > 0, "every_kind.lua has no block for '%s'", p->field);
        for (int k = 0; k < n; k++) {
            char key[256];
            if (p->count == 1) {
                snprintf(key, sizeof key, "%.120s.%s", prefix[k], p->field);
                CHECKF(has_key(d, key), "describe lacks %s", key);
            } else {
                for (int s = 0; s < p->count; s++) {
                    snprintf(key, sizeof key, "%.120s.%s.%s", prefix[k], p->field,
                             p->count == ZZ_NSIZES ? zz_size_names[s] : zz_component_names[s]);
                    CHECKF(has_key(d, key), "describe lacks %s", key);
                }
            }
        }
    }
    }
    /* one "key = value" a line, and the same text every time */
    int lines = 0, good = 0;
    for (const char *s = d; *s; lines++) {
        const char *e = strchr(s, '\n');
        const char *eq = strstr(s, " = ");
        good += e && eq && eq < e;
        s = e ? e + 1 : s + strlen(s);
    }
    CHECKF(lines > 250 && good == lines, "%d lines, %d good", lines, good);
    CHECK(has_key(d, "decision.rule") && strstr(d, "\ndecision.rule = bass\n"));
    CHECK(strstr(d, "\ndecision.peers = city_industry\n") != NULL);
    CHECK(strstr(d, "\nsubsidy.interest.points = 1.5\n") != NULL);
    CHECK(strstr(d, "\ncampaign.spring.date = 2026-04-01\n") != NULL);
    CHECK(strstr(d, "\nscenario.horizon = 1096\n") != NULL);
    CHECK(strstr(d, "\ntarget.jinan.city = Jinan\n") != NULL);
    CHECK(strstr(d, "\npioneer.Qingdao_light_industry.within_days = 365\n") != NULL);
    /* compute: declaring it switches it on; expansions kept in date order */
    CHECK(c->compute.enabled == 1 && c->compute.capacity == 23180 && c->compute.nexpansions == 2);
    CHECK(c->compute.expansion_day[0] == 243 && c->compute.expansion_pflops[0] == 1000);
    CHECK(c->compute.expansion_day[1] == 516 && c->compute.expansion_pflops[1] == 5000);
    CHECK(strstr(d, "\ncompute.expansions = 2026-09-01:1000,2027-06-01:5000\n") != NULL);
    CHECK(strstr(d, "\ncompute.enabled = true\n") != NULL);
    zz_scenario *again = open_file("tests/scenarios/every_kind.lua");
    char *d2 = again ? zz_scenario_describe(again) : NULL;
    CHECK(d2 && strcmp(d, d2) == 0);
    /* what describe prints, --set reads back */
    CHECK(again && zz_scenario_set(again, "voucher.compute.rate=0.25") == ZZ_OK);
    CHECK(again && zz_scenario_set(again, "compute.expansions=2028-01-01:300,2026-02-01:7") == ZZ_OK);
    char *d3 = again ? zz_scenario_describe(again) : NULL;
    CHECK(d3 && strstr(d3, "\nvoucher.compute.rate = 0.25\n"));
    CHECK(d3 && strstr(d3, "\ncompute.expansions = 2026-02-01:7,2028-01-01:300\n"));
    CHECK(again && zz_scenario_set(again, "compute.expansions=none") == ZZ_OK &&
          again->cfg.compute.nexpansions == 0);
    free(d);
    free(d2);
    free(d3);
    zz_scenario_close(again);
    zz_scenario_close(sc);
}

int main(void)
{
    variant_resolves();
    dates_wait_for_the_start();
    overrides();
    set_number();
    describe_lists_every_key();
    return zz_test_finish();
}

/*
 * The scenario at run time (zz_script_*, through the engine): at() runs on
 * its date and its sim:set takes effect, when() fires once, sim:stop ends
 * the run, the sim methods answer, decision "lua" decides; and every misuse
 * stops the replication with a message naming the scenario's line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "zhizao/zhizao.h"
#include "zz_fixture.h"
#include "zz_test.h"

typedef struct run {
    zz_scenario *sc;
    zz_population *pop;
    zz_sim *sim;
    int rc;
} run;

/* Loads, builds, opens replication 0 and runs it. */
static run start(const char *source)
{
    run r = {NULL, NULL, NULL, ZZ_OK};
    char err[1024];
    r.rc = zz_scenario_open_string(&r.sc, "rt.lua", source);
    CHECKF(r.rc == ZZ_OK, "load: %.400s", zz_scenario_errmsg(r.sc));
    if (r.rc)
        return r;
    r.rc = zz_population_build(&r.pop, r.sc, err, sizeof err);
    CHECKF(r.rc == ZZ_OK, "population: %.400s", err);
    if (r.rc)
        return r;
    r.rc = zz_sim_open(&r.sim, r.sc, r.pop, 0, 0);
    if (r.rc == ZZ_OK)
        r.rc = zz_sim_run(r.sim);
    return r;
}

static void finish(run *r)
{
    zz_sim_close(r->sim);
    zz_population_free(r->pop);
    zz_scenario_close(r->sc);
}

/* A run that must fail with `rc` and a message holding s1 and s2. */
static void fails(const char *what, const char *source, int rc, const char *s1, const char *s2)
{
    run r = start(source);
    const char *msg = r.sim ? zz_errmsg(r.sim) : "";
    CHECKF(r.rc == rc, "%s: rc %d, expected %d (%s)", what, r.rc, rc, msg);
    CHECKF(strstr(msg, s1) && (!s2 || strstr(msg, s2)), "%s: message was: %s", what, msg);
    finish(&r);
}

#define HEAD                                                                                \
    "scenario { years = 1, seed = 5 }\n"                                                    \
    "population { firms = 2000 }\n"                                                         \
    "voucher \"compute\" { rate = 0.3, budget = 1e8 }\n"                                    \
    "contest \"jb\" { opens = \"2026-03-01\", closes = \"2026-05-01\", budget = 1e8 }\n"

static void actions(void)
{
    run r = start(HEAD
        "at(\"2026-06-01\", function(sim)\n"
        "  assert(sim:date() == \"2026-06-01\" and sim:day() == 151)\n"
        "  local left = sim:budget_left(\"voucher.compute\")\n"
        "  assert(type(left) == \"number\" and left >= 0 and left <= 1e8)\n"
        "  local s = sim:share{ city = \"Jinan\", industry = { \"electronics\", \"machinery\" } }\n"
        "  assert(s >= 0 and s <= 1 and sim:share() >= 0 and sim:share{ size = \"large\", gsz_only = true } >= 0)\n"
        "  local x, k = math.random(), math.random(1, 6)\n"
        "  assert(x >= 0 and x < 1 and k >= 1 and k <= 6 and math.random(3, 3) == 3)\n"
        "  sim:set(\"voucher.compute.rate\", 0.45)\n"
        "  sim:set(\"voucher.compute.end\", \"2026-11-30\")\n"
        "  sim:set(\"voucher.compute.enabled\", nil == nil)\n"
        "  sim:open_round(\"contest.jb\")\n"
        "end)\n"
        "fired = 0\n"
        "when(function(sim) return true end, function(sim) fired = fired + 1 assert(fired == 1) end)\n"
        "when(function(sim) return sim:day() > 160 end, function(sim) sim:stop() end)\n"
        "at(\"2026-09-01\", function(sim) error(\"the run should have stopped\") end)\n");
    CHECKF(r.rc == ZZ_OK, "%s", r.sim ? zz_errmsg(r.sim) : "");
    if (r.sim) {
        /* stopped at the first observation after day 160 (end of June),
         * after the at() of 2026-06-01 ran its assertions: its change shows */
        CHECKF(zz_sim_now(r.sim) > 160 && zz_sim_now(r.sim) < 190, "now %g", zz_sim_now(r.sim));
        CHECK_NEAR(zz_fixture_get(&zz_sim_config(r.sim)->programme[0], "rate"), 0.45, 0);
    }
    finish(&r);

    r = start(HEAD
        "at(\"2026-06-01\", function(sim)\n"
        "  sim:set(\"voucher.compute.rate\", 0.45)\n"
        "  sim:set(\"voucher.compute.end\", \"2026-11-30\")\n"
        "  sim:set(\"voucher.compute.enabled\", false)\n"
        "  sim:set(\"contest.jb.winners\", 12)\n"
        "end)\n");
    CHECKF(r.rc == ZZ_OK, "%s", r.sim ? zz_errmsg(r.sim) : "");
    if (r.sim) {
        const zz_programme_cfg *v = &zz_sim_config(r.sim)->programme[0];
        CHECK_NEAR(zz_fixture_get(v, "rate"), 0.45, 0);
        CHECK_NEAR(v->end, 333, 0); /* 2026-11-30 */
        CHECK(v->enabled == 0 && zz_fixture_get(&zz_sim_config(r.sim)->programme[1], "winners") == 12);
        /* the scenario's own config is untouched: the run changed its copy */
        CHECK_NEAR(zz_fixture_get(&r.sc->cfg.programme[0], "rate"), 0.3, 0);
    }
    finish(&r);
}

static void lua_rule(void)
{
    run r = start("scenario { years = 1 }\npopulation { firms = 1000, initial_adoption = 0 }\n"
                  "decision \"lua\" { review_days = 10, fn = function(firm)\n"
                  "  assert(type(firm.city) == \"string\" and type(firm.size) == \"string\")\n"
                  "  assert(firm.share_local >= 0 and firm.share_local <= 1 and firm.id >= 0)\n"
                  "  return 1 end }\n");
    CHECKF(r.rc == ZZ_OK, "%s", r.sim ? zz_errmsg(r.sim) : "");
    zz_filter all = {0};
    if (r.sim)
        CHECK_NEAR(zz_sim_share(r.sim, &all), 1.0, 0);

    /* the rule called directly, on a firm view */
    zz_scenario *sc = NULL;
    int rc = zz_scenario_open_string(&sc, "rule.lua",
        "decision \"lua\" { fn = function(firm)\n"
        "  if firm.city == \"Jinan\" and firm.size == \"large\" and firm.gsz then return firm.share_local end\n"
        "  if firm.industry == \"machinery\" then return \"high\" end\n"
        "  return 0.5 end }\n");
    CHECKF(rc == ZZ_OK, "%s", zz_scenario_errmsg(sc));
    if (rc == ZZ_OK && r.sim) {
        zz_script *s = NULL;
        char err[1024];
        rc = zz_script_open(&s, &sc->cfg, r.sim, err, sizeof err);
        CHECKF(rc == ZZ_OK, "%.400s", err);
        double p = -1;
        zz_firm_view f = {.id = 7, .city = 0, .industry = 0, .size = ZZ_LARGE, .gsz = 1, .share_local = 0.25};
        CHECK(s && zz_script_decide(s, &f, &p, err, sizeof err) == ZZ_OK && p == 0.25);
        f.city = 1;
        CHECK(s && zz_script_decide(s, &f, &p, err, sizeof err) == ZZ_OK && p == 0.5);
        f.industry = 3; /* machinery */
        CHECK(s && zz_script_decide(s, &f, &p, err, sizeof err) == ZZ_SCENARIO);
        CHECKF(strstr(err, "rule.lua:1: decision \"lua\" returned a string for firm 7") != NULL, "%.400s", err);
        zz_script_close(s);

        /* a script that registers other functions than at load is refused */
        zz_config *cfg = malloc(sizeof *cfg);
        if (cfg) {
            *cfg = sc->cfg;
            cfg->nactions = 1;
            cfg->action[0] = (zz_action_cfg){10, 1, 0};
            rc = zz_script_open(&s, cfg, r.sim, err, sizeof err);
            CHECK(rc == ZZ_SCENARIO && strstr(err, "registered 0 at/when functions") != NULL);
            free(cfg);
        }
    }
    zz_scenario_close(sc);
    finish(&r);
}

static void misuse(void)
{
    fails("decision returning 2",
          "population { firms = 300 }\ndecision \"lua\" { fn = function(firm) return 2 end }\n",
          ZZ_SCENARIO, "rt.lua:2: decision \"lua\" returned 2", "[0, 1]");
    fails("unknown key", HEAD "at(\"2026-02-01\", function(sim)\n sim:set(\"voucher.compute.rat\", 0.4) end)\n",
          ZZ_SCENARIO, "rt.lua:6: sim:set: unknown parameter", "did you mean 'voucher.compute.rate'?");
    fails("fixed parameter", HEAD "at(\"2026-02-01\", function(sim) sim:set(\"population.firms\", 10) end)\n",
          ZZ_SCENARIO, "rt.lua:5:", "cannot change during a run");
    fails("out of range", HEAD "at(\"2026-02-01\", function(sim) sim:set(\"voucher.compute.rate\", 1.5) end)\n",
          ZZ_SCENARIO, "rt.lua:5:", "1.5 is outside [0, 1]");
    fails("wrong type", HEAD "at(\"2026-02-01\", function(sim) sim:set(\"voucher.compute.rate\", \"high\") end)\n",
          ZZ_SCENARIO, "rt.lua:5:", "expected a number, got string");
    /* sim:set reads and stores a value as the file does (the type's row):
     * a choice gets its did-you-mean, a date its format */
    fails("choice with a typo",
          "scenario { years = 1, seed = 5 }\npopulation { firms = 2000 }\ndecision \"bass\" { }\n"
          "at(\"2026-02-01\", function(sim) sim:set(\"decision.peers\", \"industri\") end)\n",
          ZZ_SCENARIO, "rt.lua:4: sim:set: decision.peers: 'industri' is not a valid choice",
          "did you mean 'industry'?");
    fails("bad date", HEAD "at(\"2026-02-01\", function(sim) sim:set(\"voucher.compute.end\", \"2026-13-01\") end)\n",
          ZZ_SCENARIO, "rt.lua:5:", "'2026-13-01' is not a date");
    fails("unknown programme", HEAD "at(\"2026-02-01\", function(sim) sim:budget_left(\"voucher.model\") end)\n",
          ZZ_SCENARIO, "rt.lua:5: sim:budget_left: no programme 'voucher.model'",
          "programmes: voucher.compute, contest.jb");
    fails("round of a voucher", HEAD "at(\"2026-02-01\", function(sim) sim:open_round(\"voucher.compute\") end)\n",
          ZZ_SCENARIO, "rt.lua:5:", "'voucher.compute' is not a contest");
    fails("share with a bad city", HEAD "when(function(sim) return sim:share{ city = \"Jinnan\" } > 0 end, function() end)\n",
          ZZ_SCENARIO, "rt.lua:5:", "'Jinnan' is not a city");
    fails("share with a bad field", HEAD "when(function(sim) return sim:share{ town = \"Jinan\" } > 0 end, function() end)\n",
          ZZ_SCENARIO, "rt.lua:5: sim:share: unknown field 'town'", NULL);
    fails("condition returning a number", HEAD "when(function(sim) return 1 end, function(sim) end)\n",
          ZZ_SCENARIO, "rt.lua:5: the condition of when() returned number", "true or false");
    fails("endless loop", HEAD "at(\"2026-02-01\", function(sim)\n  while true do end\nend)\n",
          ZZ_LIMIT, "rt.lua:6: instruction limit exceeded", NULL);
    fails("declaration during the run", HEAD "at(\"2026-02-01\", function(sim) voucher \"model\" { budget = 1 } end)\n",
          ZZ_SCENARIO, "rt.lua:5: voucher: declarations belong at the top level", "sim:set");
    fails("at() during the run", HEAD "at(\"2026-02-01\", function(sim) at(\"2026-03-01\", print) end)\n",
          ZZ_SCENARIO, "rt.lua:5: at: register functions at the top level", NULL);
    fails("method called with a dot", HEAD "at(\"2026-02-01\", function(sim) sim.date() end)\n",
          ZZ_SCENARIO, "rt.lua:5: sim:date(): call it with a colon", NULL);
    fails("unknown method", HEAD "at(\"2026-02-01\", function(sim) sim:dat() end)\n",
          ZZ_SCENARIO, "rt.lua:5: sim has no method 'dat'; did you mean 'date'?", NULL);
    fails("writing to sim", HEAD "at(\"2026-02-01\", function(sim) sim.rate = 1 end)\n",
          ZZ_SCENARIO, "rt.lua:5: sim is read-only", NULL);
}

/* The kernel opened without the binding's functions (zz_sim_open_cfg with
 * no table): a scenario that needs them is refused with a message, not run
 * without its actions or crashed; one that does not runs as through
 * zz_sim_open. */
static void kernel_without_binding(void)
{
    const char *needs[] = {
        "decision \"lua\" { fn = function(firm) return 0 end }\n",
        "at(\"2026-03-01\", function(sim) sim:stop() end)\n",
    };
    for (int k = 0; k < 2; k++) {
        run r = start(needs[k]);
        CHECKF(r.rc == ZZ_OK, "%s", r.sim ? zz_errmsg(r.sim) : "");
        zz_sim *bare = NULL;
        if (r.pop) {
            int rc = zz_sim_open_cfg(&bare, &r.sc->cfg, NULL, r.pop, 0, 0);
            CHECKF(rc == ZZ_SCENARIO && strstr(zz_errmsg(bare), "scenario's functions"), "rc %d: %s",
                   rc, zz_errmsg(bare));
        }
        zz_sim_close(bare);
        finish(&r);
    }
    run r = start("population { firms = 500 }\n");
    zz_sim *bare = NULL;
    if (r.pop) {
        CHECK(zz_sim_open_cfg(&bare, &r.sc->cfg, NULL, r.pop, 0, 0) == ZZ_OK && zz_sim_run(bare) == ZZ_OK);
        CHECK(zz_sim_events(bare) == zz_sim_events(r.sim));
    }
    zz_sim_close(bare);
    finish(&r);
}

int main(void)
{
    actions();
    lua_rule();
    misuse();
    kernel_without_binding();
    return zz_test_finish();
}

/*
 * Bad scenarios must stop before the run with a message a planner can act
 * on: the file, the line, the field, and what would have been valid. Each
 * case is a scenario text (loaded as "bad.lua"), the expected result code,
 * and substrings the message must contain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zhizao/zhizao.h"
#include "zz_test.h"

typedef struct bad_case {
    const char *what;
    const char *source;
    int rc;
    const char *expect[4];
} bad_case;

static const bad_case cases[] = {
    {"value out of range",
     "scenario { name = \"x\" }\nvoucher \"compute\" { rate = 1.5, budget = 1e8 }\n",
     ZZ_SCENARIO, {"bad.lua:2:", "field 'rate' of voucher \"compute\"", "1.5 is outside [0, 1]"}},
    {"unknown field, near a valid one",
     "\n\nvoucher \"compute\" { rat = 0.3, budget = 1e8 }\n",
     ZZ_SCENARIO, {"bad.lua:3:", "voucher \"compute\": unknown field 'rat'", "did you mean 'rate'?"}},
    {"unknown field, nothing near: list the valid ones",
     "voucher \"compute\" { zzzzzzzz = 1, budget = 1e8 }\n",
     ZZ_SCENARIO, {"bad.lua:1:", "unknown field 'zzzzzzzz'", "valid fields:", "rate"}},
    {"city misspelt",
     "-- a comment\n\n\n\n\n\nvoucher \"compute\" { budget = 1e8, cities = { \"Jinan\", \"Jinnan\" } }\n",
     ZZ_SCENARIO, {"bad.lua:7:", "field 'cities' of voucher \"compute\"", "'Jinnan' is not a city",
                   "valid: Jinan, Qingdao"}},
    {"unknown voucher kind",
     "\n\n\n\nvoucher \"gpu\" { budget = 1e8 }\n",
     ZZ_SCENARIO, {"bad.lua:5:", "unknown voucher kind 'gpu'", "valid: compute, model, corpus, scenario"}},
    {"allocation misspelt: the valid rules listed",
     "scenario { name = \"x\" }\n\nvoucher \"compute\" { budget = 1e8, allocation = \"raffle\" }\n",
     ZZ_SCENARIO, {"bad.lua:3:", "field 'allocation' of voucher \"compute\"", "'raffle' is not a valid choice",
                   "valid: first_come, lottery, ranked"}},
    {"rank_by misspelt",
     "voucher \"model\" { budget = 1e8, allocation = \"ranked\", rank_by = \"small\" }\n",
     ZZ_SCENARIO, {"bad.lua:1:", "field 'rank_by' of voucher \"model\"", "valid: smallest, largest, readiest"}},
    {"wrong type",
     "subsidy \"investment\" { budget = \"lots\" }\n",
     ZZ_SCENARIO, {"bad.lua:1:", "field 'budget' of subsidy \"investment\": expected a number, got string"}},
    {"number written as a string",
     "voucher \"model\" { budget = 1e8, rate = \"0.3\" }\n",
     ZZ_SCENARIO, {"field 'rate'", "expected a number, got string", "without quotes"}},
    {"impossible date",
     "voucher \"compute\" { budget = 1e8, start = \"2026-02-30\" }\n",
     ZZ_SCENARIO, {"bad.lua:1:", "field 'start' of voucher \"compute\"", "'2026-02-30' is not a date",
                   "YYYY-MM-DD"}},
    {"date in the wrong format",
     "scenario { start = \"2026/01/01\" }\n",
     ZZ_SCENARIO, {"bad.lua:1:", "field 'start' of scenario", "'2026/01/01' is not a date"}},
    {"Lua syntax error",
     "scenario { name = \"x\" }\n\n\npopulation { firms = }\n",
     ZZ_SCENARIO, {"bad.lua:4:", "unexpected symbol"}},
    {"Lua runtime error",
     "scenario {}\nlocal t = nil\nlocal x = t.field\n",
     ZZ_SCENARIO, {"bad.lua:3:", "attempt to index"}},
    {"error() in the scenario",
     "\nerror(\"stop here\")\n",
     ZZ_SCENARIO, {"bad.lua:2:", "stop here"}},
    {"industry: case matters, with a suggestion",
     "voucher \"compute\" { budget = 1e8, industries = { \"Electronics\" } }\n",
     ZZ_SCENARIO, {"'Electronics' is not an industry", "did you mean 'electronics'?", "machinery"}},
    {"size class",
     "voucher \"compute\" { budget = 1e8, sizes = { \"huge\" } }\n",
     ZZ_SCENARIO, {"field 'sizes'", "'huge' is not a size class", "valid: micro, small, medium, large"}},
    {"adoption state",
     "voucher \"compute\" { budget = 1e8, states = \"done\" }\n",
     ZZ_SCENARIO, {"field 'states'", "not an adoption state", "none, implementing, adopted, scaled"}},
    {"empty list",
     "voucher \"compute\" { budget = 1e8, cities = {} }\n",
     ZZ_SCENARIO, {"field 'cities'", "empty", "\"all\""}},
    {"list given named fields",
     "voucher \"compute\" { budget = 1e8, cities = { first = \"Jinan\" } }\n",
     ZZ_SCENARIO, {"field 'cities'", "named fields"}},
    {"field of another kind",
     "voucher \"compute\" { budget = 1e8, points = 2 }\n",
     ZZ_SCENARIO, {"field 'points' does not apply", "subsidy \"interest\""}},
    {"integer expected",
     "scenario { replications = 2.5 }\n",
     ZZ_SCENARIO, {"field 'replications' of scenario", "expected an integer, got 2.5"}},
    {"boolean expected",
     "voucher \"compute\" { budget = 1e8, gsz_only = 1 }\n",
     ZZ_SCENARIO, {"field 'gsz_only'", "expected true or false, got number"}},
    {"programme without a budget",
     "\nvoucher \"model\" { rate = 0.5 }\n",
     ZZ_SCENARIO, {"bad.lua:2:", "voucher \"model\" has no budget", "budget ="}},
    {"size shares that do not add to 1",
     "\npopulation { size_share = { micro = 0.5 } }\n",
     ZZ_SCENARIO, {"bad.lua:2:", "size_share adds to 1.15", "must add to 1"}},
    {"per-size table with a wrong part",
     "population { size_share = { mid = 0.3 } }\n",
     ZZ_SCENARIO, {"field 'size_share' of population", "'mid' is not a size class", "micro, small"}},
    {"contest closing before it opens",
     "contest \"jb\" { budget = 1e8,\n opens = \"2026-03-01\", closes = \"2026-02-01\" }\n",
     ZZ_SCENARIO, {"bad.lua:1:", "contest \"jb\"", "closes (2026-02-01) must come after opens (2026-03-01)"}},
    {"contest without its window",
     "contest \"jb\" { budget = 1e8 }\n",
     ZZ_SCENARIO, {"contest \"jb\"", "give both dates"}},
    {"programme ending before it starts",
     "voucher \"compute\" { budget = 1, start = \"2027-01-01\", [\"end\"] = \"2026-06-01\" }\n",
     ZZ_SCENARIO, {"end (2026-06-01) must come after start (2027-01-01)"}},
    {"declaration missing its field table",
     "scenario {}\nvoucher \"compute\"\n",
     ZZ_SCENARIO, {"bad.lua:2:", "voucher \"compute\" has no fields", "voucher \"compute\" { ... }"}},
    {"misspelt declaration",
     "\n\nvouchr \"compute\" { budget = 1e8 }\n",
     ZZ_SCENARIO, {"bad.lua:3:", "unknown name 'vouchr'", "did you mean 'voucher'?"}},
    {"unknown decision rule",
     "decision \"logit\" { }\n",
     ZZ_SCENARIO, {"bad.lua:1:", "unknown decision kind 'logit'", "valid: economic, bass, lua"}},
    {"decision lua without its function",
     "decision \"lua\" { review_days = 30 }\n",
     ZZ_SCENARIO, {"bad.lua:1:", "decision \"lua\" needs its function"}},
    {"decision lua function of the wrong type",
     "decision \"lua\" { fn = 0.3 }\n",
     ZZ_SCENARIO, {"field 'fn' of decision \"lua\"", "expected a function"}},
    {"economic field in a bass rule",
     "decision \"bass\" { temperature = 0.2 }\n",
     ZZ_SCENARIO, {"field 'temperature' does not apply", "decision \"economic\""}},
    {"choice outside its words",
     "decision \"bass\" { peers = \"region\" }\n",
     ZZ_SCENARIO, {"field 'peers' of decision \"bass\"", "'region'", "all, industry, city, city_industry"}},
    {"decision given as a table only",
     "decision { p = 0.03 }\n",
     ZZ_SCENARIO, {"bad.lua:1:", "decision: give its kind or name first"}},
    {"kindless block given a name",
     "insurance \"x\" { budget = 1 }\n",
     ZZ_SCENARIO, {"insurance takes no kind or name"}},
    {"at() before the start",
     "scenario { start = \"2026-01-01\" }\n\nat(\"2025-12-31\", function(sim) end)\n",
     ZZ_SCENARIO, {"bad.lua:3:", "at: 2025-12-31 is before the scenario starts (2026-01-01)"}},
    {"at() with a number",
     "at(20270101, function(sim) end)\n",
     ZZ_SCENARIO, {"bad.lua:1:", "at: expected a date", "got number"}},
    {"when() without functions",
     "when(true, function(sim) end)\n",
     ZZ_SCENARIO, {"bad.lua:1:", "when: expected two functions", "got boolean"}},
    {"value without a field name",
     "voucher \"compute\" { 0.3, budget = 1 }\n",
     ZZ_SCENARIO, {"voucher \"compute\": '0.3' has no field name"}},
    {"derived parameter",
     "scenario { horizon = 100 }\n",
     ZZ_SCENARIO, {"'horizon' is computed"}},
    {"target without a name",
     "target { city = \"Jinan\" }\n",
     ZZ_SCENARIO, {"bad.lua:1:", "target: give it a name"}},
    {"pioneer in an unknown city",
     "pioneer { city = \"Jinnan\", industry = \"electronics\" }\n",
     ZZ_SCENARIO, {"field 'city' of pioneer", "'Jinnan' is not a city", "did you mean 'Jinan'?"}},
    {"campaign with a name that is not an identifier",
     "campaign \"may 2026\" { date = \"2026-05-01\" }\n",
     ZZ_SCENARIO, {"campaign name 'may 2026' must be letters, digits and '_'"}},
    {"scenario name with a space",
     "scenario { name = \"my run\" }\n",
     ZZ_SCENARIO, {"field 'name' of scenario", "contains ' '"}},
    {"include of a missing file",
     "include \"no_such_file_here.lua\"\n",
     ZZ_SCENARIO, {"bad.lua:1:", "include: cannot read 'no_such_file_here.lua'"}},
    {"include of an absolute path",
     "include \"/etc/passwd.lua\"\n",
     ZZ_SCENARIO, {"include:", "absolute path"}},
    {"include leaving the scenario's directory",
     "include \"../secret.lua\"\n",
     ZZ_SCENARIO, {"include:", "outside the scenario's directory"}},
    {"include of something that is not Lua",
     "include \"firms.csv\"\n",
     ZZ_SCENARIO, {"include:", "does not end in .lua"}},
    {"compute expansion that is not a date",
     "compute { capacity = 100, expansions = { [\"mid-2027\"] = 50 } }\n",
     ZZ_SCENARIO, {"bad.lua:1:", "field 'expansions' of compute", "'mid-2027' is not a date"}},
    {"compute expansion given as a list",
     "compute { expansions = { 5000 } }\n",
     ZZ_SCENARIO, {"field 'expansions' of compute", "got a number key"}},
    {"campaign that costs money without a budget",
     "campaign \"spring\" { date = \"2026-04-01\", amount = 20000 }\n",
     ZZ_SCENARIO, {"campaign \"spring\" has no budget"}},
    {"firm file outside the scenario's directory",
     "population { file = \"../../firms.csv\" }\n",
     ZZ_SCENARIO, {"field 'file' of population", "outside the scenario's directory"}},
};

/* --set overrides on this scenario */
static const char *const set_base =
    "scenario { name = \"base\" }\n"
    "decision \"bass\" { p = 0.03, q = 0.38 }\n"
    "voucher \"compute\" { rate = 0.3, budget = 6e8 }\n"
    "contest \"jiebang_2026\" { opens = \"2026-03-01\", closes = \"2026-05-01\", budget = 1.5e8 }\n";

typedef struct set_case {
    const char *assignment;
    int rc;
    const char *expect[3];
} set_case;

static const set_case set_cases[] = {
    {"voucher.compute.rat=0.4", ZZ_SCENARIO,
     {"unknown parameter 'voucher.compute.rat'", "did you mean 'voucher.compute.rate'?"}},
    {"voucher.compute.rate=1.4", ZZ_SCENARIO, {"voucher.compute.rate=1.4", "1.4 is outside [0, 1]"}},
    {"voucher.model.rate=0.4", ZZ_SCENARIO,
     {"no programme 'voucher.model'", "declared: voucher.compute, contest.jiebang_2026"}},
    {"insurance.cap=1e6", ZZ_SCENARIO, {"no programme 'insurance'", "declared: voucher.compute"}},
    {"population.firms=many", ZZ_SCENARIO, {"expected an integer, got 'many'"}},
    {"scenario.replications=2.5", ZZ_SCENARIO, {"expected an integer, got 2.5"}},
    {"voucher.compute.gsz_only=maybe", ZZ_SCENARIO, {"expected true or false, got 'maybe'"}},
    {"voucher.compute.cities=Jinan,Jinnan", ZZ_SCENARIO, {"'Jinnan' is not a city", "Qingdao"}},
    {"voucher.compute.end=2026-13-01", ZZ_SCENARIO, {"'2026-13-01' is not a date"}},
    {"scenario.start=2027-01-01", ZZ_SCENARIO, {"scenario.start can only be set in the scenario file"}},
    {"scenario.horizon=100", ZZ_SCENARIO, {"scenario.horizon is computed"}},
    {"decision.temperature=0.3", ZZ_SCENARIO,
     {"decision.temperature belongs to decision \"economic\"", "uses decision \"bass\""}},
    {"population.size_share.micro=0.9", ZZ_SCENARIO, {"size_share adds to"}},
    {"population.size_share.mid=0.3", ZZ_SCENARIO, {"'mid' is not a size class"}},
    {"target.nope.share=0.5", ZZ_SCENARIO, {"no target 'target.nope'", "target.province_gsz"}},
    {"contest.jiebang_2026.closes=2026-02-01", ZZ_SCENARIO, {"closes (2026-02-01) must come after opens"}},
    {"decision.rule=lua", ZZ_SCENARIO, {"decision \"lua\" needs its function"}},
    {"foo.bar=1", ZZ_SCENARIO, {"unknown parameter 'foo.bar'"}},
    {"voucher.compute.rate", ZZ_SCENARIO, {"expected key=value"}},
};

static int contains_all(const char *msg, const char *const *expect, int n)
{
    for (int i = 0; i < n && expect[i]; i++)
        if (!strstr(msg, expect[i]))
            return 0;
    return 1;
}

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const bad_case *c = &cases[i];
        zz_scenario *sc = NULL;
        int rc = zz_scenario_open_string(&sc, "bad.lua", c->source);
        const char *msg = zz_scenario_errmsg(sc);
        CHECKF(rc == c->rc, "%s: rc %d, expected %d (%s)", c->what, rc, c->rc, msg);
        CHECKF(contains_all(msg, c->expect, 4), "%s: message was: %s", c->what, msg);
        zz_scenario_close(sc);
    }

    /* the message names the included file and its own line */
    {
        zz_scenario *sc = NULL;
        int rc = zz_scenario_open(&sc, zz_test_source("tests/scenarios/err_include_parent.lua"));
        const char *msg = zz_scenario_errmsg(sc);
        CHECKF(rc == ZZ_SCENARIO, "rc %d", rc);
        CHECKF(strstr(msg, "tests/scenarios/err_include_child.lua:2:") != NULL, "%s", msg);
        CHECKF(strstr(msg, "'Jinnan' is not a city") != NULL, "%s", msg);
        zz_scenario_close(sc);
    }
    {
        zz_scenario *sc = NULL;
        int rc = zz_scenario_open(&sc, zz_test_source("tests/scenarios/err_cycle_a.lua"));
        const char *msg = zz_scenario_errmsg(sc);
        CHECKF(rc == ZZ_SCENARIO, "rc %d", rc);
        CHECKF(strstr(msg, "err_cycle_b.lua:2:") && strstr(msg, "includes itself"), "%s", msg);
        zz_scenario_close(sc);
    }
    {
        zz_scenario *sc = NULL;
        int rc = zz_scenario_open(&sc, "no/such/scenario.lua");
        CHECKF(rc == ZZ_IO, "rc %d", rc);
        CHECKF(strstr(zz_scenario_errmsg(sc), "cannot read 'no/such/scenario.lua'") != NULL, "%s",
               zz_scenario_errmsg(sc));
        zz_scenario_close(sc);
    }

    for (size_t i = 0; i < sizeof set_cases / sizeof *set_cases; i++) {
        const set_case *c = &set_cases[i];
        zz_scenario *sc = NULL;
        int rc = zz_scenario_open_string(&sc, "base.lua", set_base);
        CHECKF(rc == ZZ_OK, "base scenario: %s", zz_scenario_errmsg(sc));
        char *before = zz_scenario_describe(sc);
        rc = zz_scenario_set(sc, c->assignment);
        const char *msg = zz_scenario_errmsg(sc);
        CHECKF(rc == c->rc, "--set %s: rc %d (%s)", c->assignment, rc, msg);
        CHECKF(strncmp(msg, "--set ", 6) == 0 && contains_all(msg, c->expect, 3),
               "--set %s: message was: %s", c->assignment, msg);
        /* a failed override changes nothing and is not recorded */
        char *after = zz_scenario_describe(sc);
        CHECKF(before && after && strcmp(before, after) == 0, "--set %s changed the scenario",
               c->assignment);
        free(before);
        free(after);
        zz_scenario_close(sc);
    }
    return zz_test_finish();
}

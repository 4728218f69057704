/*
 * sim/scenario/, the scenario floor (docs/architecture.md). It offers the
 * Lua binding: loading and checking a scenario (this header), the parameter
 * registry (params.h), the sandbox and the sources (lua_sandbox.h,
 * lua_source.h), the scenario's functions at run time and the "lua" rule,
 * handed to the kernel as a zz_script_ops table. It may include every floor
 * below it (the kernel, policy/, model/, the schema, engine/) and output/,
 * never parallel/, the drivers or cli/.
 *
 * The scenario binding: Lua 5.4 scripts in, a validated zz_config out, and
 * the per-replication runtime that calls a script's at()/when() functions.
 *
 * A scenario is executed twice in its life:
 *  1. once at load (zz_scenario_open), in a sandbox, to build and validate
 *     the configuration; every declaration records its line number;
 *  2. once per replication (zz_script_open), in a fresh sandbox on that
 *     replication's thread, only to recover the at()/when() functions in
 *     their registration order. Replications never share a lua_State.
 */
#ifndef ZZ_SCENARIO_H
#define ZZ_SCENARIO_H

#include "config.h"
#include "sim.h"
#include "zhizao/zhizao.h"

struct zz_scenario {
    zz_config cfg;
    char errmsg[2048];
};

/* Runtime side: one per replication that has actions or triggers
 * (zz_script, declared in sim.h). */

/* Re-executes the scenario in a sandbox bound to `sim`. math.random inside
 * the script draws from the replication's own stream (zz_sim_uniform). */
int zz_script_open(zz_script **out, const zz_config *cfg, zz_sim *sim,
                   char *err, size_t errlen);
/* Runs action `index` (cfg->action[index]): an at() function, or a when()
 * trigger whose condition is evaluated and, if true the first time, its
 * function run. *fired tells which (may be NULL). Errors name the
 * scenario's line and are returned as ZZ_SCENARIO or ZZ_LIMIT. */
int zz_script_action(zz_script *s, int index, int *fired, char *err, size_t errlen);
void zz_script_close(zz_script *s);

/* What a scenario-defined decision rule (decision "lua") sees of a firm at
 * a review; the function returns an adoption probability in [0, 1]. */
typedef struct zz_firm_view {
    int64_t id;
    int city, industry, size, gsz, credit, leader, failures;
    double revenue, readiness, liquidity, hurdle, capability;
    double day;                        /* now, days since start */
    double share_all, share_city, share_industry, share_local; /* adopted shares */
} zz_firm_view;
int zz_script_decide(zz_script *s, const zz_firm_view *f, double *prob,
                     char *err, size_t errlen);

/* Sets a parameter of the live run: "voucher.compute.rate" etc., checked
 * by the same registry as the file. A budget change adds to or takes from
 * the remaining pot (never below what is committed). (scenario.c; what
 * else scenario functions may read and change is the kernel's: sim.h.) */
struct zz_pvalue;
int zz_sim_set(zz_sim *sim, const char *key, const struct zz_pvalue *value, char *err,
               size_t errlen);

/* The scenario-defined decision rule (decision "lua", rule_lua.c), and what
 * the binding offers a replication (zz_sim_open hands it to the kernel). */
extern const zz_rule_ops zz_rule_lua;
extern const zz_script_ops zz_script_binding;

#endif

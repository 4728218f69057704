/*
 * The public face of a scenario (zhizao.h): open a file or a string, apply
 * --set overrides, describe every resolved parameter, close; build its
 * firms and open a replication of it with the binding's functions.
 */
#include "scenario/scenario.h"
#include "model/population.h"
#include "policy/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/lua_declare.h"
#include "scenario/params.h"

static int open_scenario(zz_scenario **out, const char *name, const char *text)
{
    zz_scenario *sc = calloc(1, sizeof *sc);
    *out = sc;
    if (!sc)
        return ZZ_NOMEM;
    zz_config_defaults(&sc->cfg);
    if (!name) {
        snprintf(sc->errmsg, sizeof sc->errmsg, "no scenario file given");
        return ZZ_USAGE;
    }
    return zz_declare_load(&sc->cfg, name, text, sc->errmsg, sizeof sc->errmsg);
}

int zz_scenario_open(zz_scenario **out, const char *path)
{
    return open_scenario(out, path, NULL);
}

int zz_scenario_open_string(zz_scenario **out, const char *name, const char *source)
{
    return open_scenario(out, name ? name : "scenario.lua", source ? source : "");
}

int zz_scenario_set(zz_scenario *sc, const char *assignment)
{
    char err[sizeof sc->errmsg - 8];
    if (!assignment) {
        snprintf(sc->errmsg, sizeof sc->errmsg, "--set: no assignment given");
        return ZZ_USAGE;
    }
    int rc = zz_param_set_text(&sc->cfg, assignment, err, sizeof err);
    if (rc) {
        snprintf(sc->errmsg, sizeof sc->errmsg, "--set %s", err);
        return rc;
    }
    /* Recorded as given (one line each) so the output shows what differs
     * from the file. */
    size_t old = sc->cfg.overrides ? strlen(sc->cfg.overrides) : 0, add = strlen(assignment);
    char *s = realloc(sc->cfg.overrides, old + add + 2);
    if (!s) {
        snprintf(sc->errmsg, sizeof sc->errmsg, "out of memory");
        return ZZ_NOMEM;
    }
    if (old)
        s[old++] = '\n';
    memcpy(s + old, assignment, add + 1);
    sc->cfg.overrides = s;
    return ZZ_OK;
}

const char *zz_scenario_errmsg(const zz_scenario *sc)
{
    return sc ? sc->errmsg : "out of memory";
}

char *zz_scenario_describe(const zz_scenario *sc)
{
    return sc ? zz_params_describe(&sc->cfg) : NULL;
}

void zz_scenario_close(zz_scenario *sc)
{
    if (!sc)
        return;
    free(sc->cfg.source);
    free(sc->cfg.overrides);
    free(sc);
}

/* The firms a scenario asks for (model/population.c builds them). */
int zz_population_build(zz_population **out, const zz_scenario *sc, char *err, size_t errlen)
{
    if (!out)
        return ZZ_ERROR;
    *out = NULL;
    if (!sc) {
        snprintf(err, errlen, "population: no scenario");
        return ZZ_ERROR;
    }
    return zz_population_make(out, &sc->cfg, zz_config_chain_partners(&sc->cfg), err, errlen);
}

int zz_population_open(zz_population **out, const zz_scenario *sc)
{
    char err[1024] = "";
    int rc = zz_population_build(out, sc, err, sizeof err);
    if (rc == ZZ_OK)
        return ZZ_OK;
    if (!out)
        return rc;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return ZZ_NOMEM;
    snprintf((*out)->errmsg, sizeof (*out)->errmsg, "%s", err);
    return rc;
}

/* What the binding offers a replication (sim.h): the scenario's functions
 * (lua_runtime.c) and its decision rule (rule_lua.c). */
const zz_script_ops zz_script_binding = {
    .open = zz_script_open, .action = zz_script_action, .close = zz_script_close,
    .rule = &zz_rule_lua,
};

/* One replication (zhizao.h): the kernel's, with this binding's functions. */
int zz_sim_open(zz_sim **out, const zz_scenario *sc, const zz_population *pop, int replicate,
                int counterfactual)
{
    return zz_sim_open_cfg(out, &sc->cfg, &zz_script_binding, pop, replicate, counterfactual);
}

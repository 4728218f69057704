/* --set for several scenarios at once (experiment.h): compare and explore. */
#include <stdio.h>
#include <string.h>

#include "experiment/experiment.h"
#include "scenario/params.h"

static int scenario_named(zz_scenario *sc, const char *name, size_t len)
{
    if (strlen(sc->cfg.name) == len && !strncmp(sc->cfg.name, name, len))
        return 1;
    const char *base = strrchr(sc->cfg.path, '/');
    base = base ? base + 1 : sc->cfg.path;
    return strlen(base) == len + 4 && !strncmp(base, name, len) && !strcmp(base + len, ".lua");
}

int zz_scenarios_set(zz_scenario **sc, int n, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '='), *colon = strchr(assignment, ':');
    if (colon && (!eq || colon < eq)) {
        size_t len = (size_t)(colon - assignment);
        for (int i = 0; i < n; i++)
            if (scenario_named(sc[i], assignment, len)) {
                int rc = zz_scenario_set(sc[i], colon + 1);
                if (rc)
                    snprintf(err, errlen, "%s: %s", sc[i]->cfg.name, zz_scenario_errmsg(sc[i]));
                return rc;
            }
        char names[1024] = "";
        for (int i = 0; i < n; i++) {
            size_t at = strlen(names);
            snprintf(names + at, sizeof names - at, "%s%s", i ? ", " : "", sc[i]->cfg.name);
        }
        snprintf(err, errlen, "--set %s: no scenario named '%.*s'; scenarios: %s", assignment,
                 (int)len, assignment, names);
        return ZZ_USAGE;
    }
    /* for every scenario that has the key; an error only if none has it */
    char key[256], first[2048] = "";
    snprintf(key, sizeof key, "%.*s", eq ? (int)(eq - assignment) : 255, assignment);
    while (strlen(key) && key[strlen(key) - 1] == ' ')
        key[strlen(key) - 1] = '\0';
    int applied = 0;
    for (int i = 0; i < n; i++) {
        char msg[1024];
        if (n > 1 && eq && !zz_param_find(&sc[i]->cfg, key, msg, sizeof msg)) {
            if (!first[0])
                snprintf(first, sizeof first, "--set %s: %s", assignment, msg);
            continue;
        }
        int rc = zz_scenario_set(sc[i], assignment);
        if (rc) {
            snprintf(err, errlen, "%s: %s", sc[i]->cfg.name, zz_scenario_errmsg(sc[i]));
            return rc;
        }
        applied++;
    }
    if (!applied) {
        snprintf(err, errlen, "%s (in no scenario given)", first);
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

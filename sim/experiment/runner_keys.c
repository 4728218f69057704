/* What a no-policy twin and a synthetic population depend on: the keys
 * the runner shares them by (runner_internal.h). */
#include <stdlib.h>
#include <string.h>

#include "experiment/runner_internal.h"
#include "model/population.h"
#include "policy/policy.h"
#include "scenario/params.h"

uint64_t zz_names_hash(uint64_t h, const zz_config *cfg)
{
    for (int c = 0; c < cfg->ncities; c++)
        h = zz_fnv_str(h, cfg->city[c]);
    for (int i = 0; i < cfg->nindustries; i++)
        h = zz_fnv_str(h, cfg->industry[i]);
    return h;
}

/* What the twin depends on: every parameter outside the programmes (and
 * the targets it is measured on), and for a scenario-defined decision rule
 * the scenario's text. */
int zz_twin_signature(const zz_scenario *sc, uint64_t *out)
{
    zz_config *c = malloc(sizeof *c);
    if (!c)
        return -1;
    *c = sc->cfg;
    c->nprogrammes = 0;
    c->nactions = 0;
    c->name[0] = '\0';
    char *d = zz_params_describe(c);
    free(c);
    if (!d)
        return -1;
    uint64_t h = zz_names_hash(zz_fnv_str(ZZ_FNV0, d), &sc->cfg);
    if (sc->cfg.decision.rule == ZZ_RULE_LUA)
        h = zz_fnv_str(h, sc->cfg.source);
    free(d);
    *out = h;
    return 0;
}

/* What the synthetic population depends on: population.*, the seed, the
 * names of cities and industries, a chain leader's partners (and the firm
 * file's place). */
int zz_population_key(const zz_scenario *sc, uint64_t *out)
{
    char *d = zz_params_describe(&sc->cfg);
    if (!d)
        return -1;
    uint64_t h = ZZ_FNV0;
    for (char *line = d; *line;) {
        size_t n = strcspn(line, "\n");
        if (!strncmp(line, "population.", 11) || !strncmp(line, "scenario.seed", 13))
            h = zz_fnv(h, line, n);
        line += n + (line[n] == '\n');
    }
    free(d);
    h = zz_names_hash(h, &sc->cfg);
    /* the synthetic chains take their size from a chain-leader programme
     * (population.c) */
    const int partners = zz_config_chain_partners(&sc->cfg);
    h = zz_fnv(h, &partners, sizeof partners);
    if (sc->cfg.population.file[0])
        h = zz_fnv_str(h, sc->cfg.path);
    *out = h;
    return 0;
}

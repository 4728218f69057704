/* --scale F on run, compare, explore and optimise: parsing and the check
 * made before any work (the scaling itself: scenario/param_scale.c). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "scenario/params.h"
#include "scenario/scenario.h"
#include "zhizao/zhizao.h"

int zz_cli_parse_scale(const char *text, double *F)
{
    char *end;
    double v = strtod(text, &end);
    if (!*text || *end || !(v > 0 && v <= 1)) {
        fprintf(stderr, "zhizao: --scale must be a number in (0, 1], the fraction of the region "
                        "simulated (e.g. 0.1 for a rehearsal on a tenth of the firms), got '%s'\n",
                text);
        return ZZ_USAGE;
    }
    *F = v;
    return ZZ_OK;
}

int zz_cli_check_scale(const zz_scenario *sc, double F)
{
    zz_config *copy = malloc(sizeof *copy);
    if (!copy)
        return ZZ_NOMEM;
    *copy = sc->cfg;
    char msg[2048];
    int rc = zz_params_scale(copy, F, msg, sizeof msg);
    if (rc)
        fprintf(stderr, "zhizao: %s: %s\n", sc->cfg.path, msg);
    free(copy);
    return rc;
}

/* zz_ensemble_run with its error read back from a handle, like the rest of
 * the API (zhizao.h). */
#include <stdio.h>
#include <stdlib.h>

#include "zhizao/zhizao.h"

struct zz_ensemble {
    int rc;
    char errmsg[1024];
};

int zz_ensemble_exec(zz_ensemble **out, const zz_scenario *sc, const zz_run_options *opt)
{
    zz_ensemble *e = calloc(1, sizeof *e);
    *out = e;
    if (!e)
        return ZZ_NOMEM;
    e->rc = zz_ensemble_run(sc, opt, e->errmsg, sizeof e->errmsg);
    if (e->rc == ZZ_OK)
        e->errmsg[0] = 0;
    return e->rc;
}

const char *zz_ensemble_errmsg(const zz_ensemble *e)
{
    return e ? e->errmsg : "out of memory";
}

void zz_ensemble_close(zz_ensemble *e)
{
    free(e);
}

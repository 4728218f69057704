/* The output check every command that writes a result file makes before
 * any work (run, compare, explore): see output/outpath.h. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "experiment/experiment.h"
#include "output/outpath.h"
#include "scenario/lua_source.h"
#include "scenario/scenario.h"
#include "zhizao/zhizao.h"

struct inputs {
    char (*path)[ZZ_PATH_LEN];
    const char **list;
    int n, cap;
};

static void add_input(void *ud, const char *path)
{
    struct inputs *in = ud;
    if (in->n < in->cap && path && path[0]) {
        snprintf(in->path[in->n], ZZ_PATH_LEN, "%s", path);
        in->list[in->n] = in->path[in->n];
        in->n++;
    }
}

int zz_cli_check_output(const char *out, zz_scenario *const *sc, int nsc,
                        const zz_experiment *ex)
{
    /* each scenario, its includes and firm file; the experiment file, its
     * includes and design CSV */
    const int cap = (nsc + 1) * (ZZ_MAX_SOURCE_FILES + 2);
    struct inputs in = {malloc((size_t)cap * sizeof *in.path),
                        malloc((size_t)cap * sizeof *in.list), 0, cap};
    char err[2048];
    int rc = ZZ_NOMEM;
    if (in.path && in.list) {
        for (int i = 0; i < nsc; i++) {
            add_input(&in, sc[i]->cfg.path);
            if (sc[i]->cfg.source)
                zz_source_each(sc[i]->cfg.source, sc[i]->cfg.path, add_input, &in);
            add_input(&in, sc[i]->cfg.population.file);
        }
        if (ex) {
            add_input(&in, ex->path);
            if (ex->source)
                zz_source_each(ex->source, ex->path, add_input, &in);
            add_input(&in, ex->design_file);
        }
        rc = zz_outpath_check(out, in.list, in.n, err, sizeof err);
    } else {
        snprintf(err, sizeof err, "out of memory");
    }
    if (rc)
        fprintf(stderr, "zhizao: %s\n", err);
    free(in.path);
    free(in.list);
    return rc;
}

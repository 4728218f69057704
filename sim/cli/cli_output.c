/* The output check every command that writes a result file makes before
 * any work (run, compare, explore): see output/outpath.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

typedef int check_fn(const char *, const char *const *, int, char *, size_t);

static int check_against_inputs(check_fn *check, const char *out, zz_scenario *const *sc, int nsc,
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
        rc = check(out, in.list, in.n, err, sizeof err);
    } else {
        snprintf(err, sizeof err, "out of memory");
    }
    if (rc)
        fprintf(stderr, "zhizao: %s\n", err);
    free(in.path);
    free(in.list);
    return rc;
}

int zz_cli_check_output(const char *out, zz_scenario *const *sc, int nsc,
                        const zz_experiment *ex)
{
    return check_against_inputs(zz_outpath_check, out, sc, nsc, ex);
}

int zz_cli_check_side(const char *out, const char *name, zz_scenario *const *sc, int nsc,
                      const zz_experiment *ex)
{
    char side[4200];
    const char *slash = strrchr(out, '/');
    snprintf(side, sizeof side, "%.*s%s", slash ? (int)(slash - out + 1) : 0, out, name);
    return check_against_inputs(zz_outpath_check_side, side, sc, nsc, ex);
}

int zz_cli_claim_partial(const char *out, int resume, int *fd)
{
    char partial[4200], err[2048];
    snprintf(partial, sizeof partial, "%s.partial", out);
    *fd = -1;
    /* --resume with nothing to resume changes nothing on disk */
    if (resume && access(partial, F_OK) != 0) {
        fprintf(stderr, "zhizao: --resume: there is no %s to resume; run without --resume\n",
                partial);
        return ZZ_IO;
    }
    int rc = zz_outpath_claim(partial, fd, err, sizeof err);
    if (rc)
        fprintf(stderr, "zhizao: %s\n", err);
    return rc;
}

int zz_cli_claim_side(const char *out, const char *name, int *fd)
{
    char side[4200], err[2048];
    const char *slash = strrchr(out, '/');
    snprintf(side, sizeof side, "%.*s%s.writing", slash ? (int)(slash - out + 1) : 0, out, name);
    int rc = zz_outpath_claim(side, fd, err, sizeof err);
    if (rc)
        fprintf(stderr, "zhizao: %s\n", err);
    return rc;
}

void zz_cli_release_side(const char *out, const char *name, int fd)
{
    if (fd < 0)
        return;
    char side[4200];
    const char *slash = strrchr(out, '/');
    snprintf(side, sizeof side, "%.*s%s.writing", slash ? (int)(slash - out + 1) : 0, out, name);
    unlink(side); /* still ours (locked) when the command stopped before renaming it */
    zz_outpath_release(fd);
}

void zz_cli_release_partial(const char *out, int fd, int failed)
{
    if (fd < 0)
        return;
    char partial[4200];
    struct stat st;
    snprintf(partial, sizeof partial, "%s.partial", out);
    /* a command that stopped before keeping anything leaves no empty file
     * that looks like progress (the claim created it) */
    if (failed && fstat(fd, &st) == 0 && st.st_size == 0)
        unlink(partial);
    zz_outpath_release(fd);
}

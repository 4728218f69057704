/* zhizao explore: an experiment file's points x scenarios x replications. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "experiment/runner.h"
#include "parallel/mpi.h"
#include "zhizao/zhizao.h"

#define MAX_SETS 128

static void usage(FILE *out)
{
    fputs("usage: zhizao explore EXPERIMENT.lua -o OUT.h5 [--threads T] [--set [SCENARIO:]KEY=VALUE]...\n"
          "                      [--points N] [--replications R] [--resume] [--cells] [--design]\n"
          "                      [--scale F] [--quiet]\n"
          "  runs every (point, scenario, replication) of the experiment, with one no-policy\n"
          "  twin per (point, replication) shared by the scenarios; see docs/experiments.md.\n"
          "  --set KEY=VALUE       for every scenario that has KEY; SCENARIO:KEY=VALUE for one\n"
          "  --points N            the design's points (base points for saltelli and morris)\n"
          "                        instead of the file's `points`, e.g. a quick look\n"
          "  --replications R      replications per point and scenario instead of the file's\n"
          "  --resume              continue OUT.h5.partial without redoing finished tasks\n"
          "  --scale F             a rehearsal on a fraction F in (0, 1] of the region: firms,\n"
          "                        budgets and region-sized counts times F, each point's\n"
          "                        values first; counts and money read back per the full\n"
          "                        region (docs/scenario-language.md, \"Rehearsals\")\n"
          "  --cells               also adopted firms per city x industry x size (large)\n"
          "  --design              print the design as CSV (point, block, each factor) and stop\n",
          out);
}

/* A positive integer option, or -1 with a message. */
static long positive(const char *name, const char *arg, long max)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*end || end == arg || v < 1 || v > max) {
        fprintf(stderr, "zhizao: %s must be an integer in [1, %ld], got '%s'\n", name, max, arg);
        return -1;
    }
    return v;
}

/* --points and --replications over the experiment file's own. */
static int resize(zz_experiment *ex, long points, long reps, char *err, size_t errlen)
{
    if (reps > 0) {
        ex->replications = (int)reps;
        for (int s = 0; s < ex->nscenarios; s++)
            ex->sc[s]->cfg.replications = (int)reps;
    }
    if (points <= 0)
        return ZZ_OK;
    if (ex->design == ZZ_DESIGN_FILE || ex->design == ZZ_DESIGN_FACTORIAL) {
        snprintf(err, errlen, "%s: --points does not apply to a %s design (its points are "
                              "given by the %s)", ex->path, zz_design_names[ex->design],
                 ex->design == ZZ_DESIGN_FILE ? "file" : "factors' levels");
        return ZZ_USAGE;
    }
    free(ex->unit);
    free(ex->value);
    free(ex->block);
    ex->unit = ex->value = NULL;
    ex->block = NULL;
    ex->points = (int)points;
    return zz_experiment_design(ex, err, errlen);
}

static void print_design(const zz_experiment *ex)
{
    printf("point,block");
    for (int f = 0; f < ex->nfactors; f++)
        printf(",%s", ex->factor[f].key);
    putchar('\n');
    for (int p = 0; p < ex->npoints; p++) {
        printf("%d,%d", p, (int)ex->block[p]);
        for (int f = 0; f < ex->nfactors; f++)
            printf(",%.17g", ex->value[(size_t)p * ex->nfactors + f]);
        putchar('\n');
    }
}

/* The command line of explore. */
typedef struct explore_args {
    zz_explore_options opt;
    const char *sets[MAX_SETS];
    int nsets, design_only;
    long points, reps;
    double scale;   /* --scale F; 0: not given */
} explore_args;

/* 0: go on; -1: --help printed; else the exit code */
static int parse_explore(int argc, char **argv, explore_args *x)
{
    static const struct option longopts[] = {
        {"output", required_argument, 0, 'o'}, {"threads", required_argument, 0, 't'},
        {"set", required_argument, 0, 'S'},    {"resume", no_argument, 0, 'R'},
        {"cells", no_argument, 0, 'C'},        {"design", no_argument, 0, 'D'},
        {"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
        {"points", required_argument, 0, 'P'}, {"replications", required_argument, 0, 'r'},
        {"scale", required_argument, 0, 'X'},
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:t:r:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'P':
            if ((x->points = positive("--points", optarg, 1000000)) < 0)
                return ZZ_USAGE;
            break;
        case 'r':
            if ((x->reps = positive("--replications", optarg, 1000000)) < 0)
                return ZZ_USAGE;
            break;
        case 'o': x->opt.output = optarg; break;
        case 't': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 4096) {
                fprintf(stderr, "zhizao: --threads must be an integer in [1, 4096], got '%s'\n", optarg);
                return ZZ_USAGE;
            }
            x->opt.threads = (int)v;
            break;
        }
        case 'S':
            if (x->nsets == MAX_SETS) {
                fprintf(stderr, "zhizao: at most %d --set options\n", MAX_SETS);
                return ZZ_USAGE;
            }
            x->sets[x->nsets++] = optarg;
            break;
        case 'R': x->opt.resume = 1; break;
        case 'X':
            if (zz_cli_parse_scale(optarg, &x->scale))
                return ZZ_USAGE;
            break;
        case 'C': x->opt.cells = 1; break;
        case 'D': x->design_only = 1; break;
        case 'q': x->opt.progress = 0; break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return ZZ_USAGE;
        }
    }
    if (optind != argc - 1 || (!x->opt.output && !x->design_only)) {
        usage(stderr);
        return ZZ_USAGE;
    }
    return 0;
}

int zz_cli_explore(int argc, char **argv)
{
    explore_args x = {.opt = {.progress = 1}};
    int prc = parse_explore(argc, argv, &x);
    if (prc)
        return prc < 0 ? ZZ_OK : prc;
    zz_explore_options opt = x.opt;
    const char *const *sets = x.sets;
    const int nsets = x.nsets, design_only = x.design_only;
    const long points = x.points, reps = x.reps;
    /* under MPI, rank 0 speaks for the job */
    const int lead = zz_mpi_rank() == 0;
    opt.progress &= lead;
    zz_experiment *ex;
    int rc = zz_experiment_open(&ex, argv[optind]);
    char err[2048] = "", *overrides = calloc(1, 1);
    if (!rc && (points > 0 || reps > 0))
        rc = resize(ex, points, reps, err, sizeof err);
    if (overrides && (points > 0 || reps > 0)) {
        /* the file says how it was made: the options beside the --set ones */
        char *o = realloc(overrides, 80);
        int n = 0;
        if (o && points > 0)
            n = snprintf(o, 80, "--points %ld", points);
        if (o && reps > 0)
            snprintf(o + n, 80 - (size_t)n, "%s--replications %ld", n ? "\n" : "", reps);
        overrides = o;
    }
    for (int i = 0; !rc && i < nsets; i++) {
        rc = zz_scenarios_set(ex->sc, ex->nscenarios, sets[i], err, sizeof err);
        size_t n = strlen(overrides);
        char *o = realloc(overrides, n + strlen(sets[i]) + 2);
        if (o)
            sprintf(o + n, "%s%s", n ? "\n" : "", sets[i]);
        overrides = o;
    }
    for (int i = 0; !rc && x.scale > 0 && i < ex->nscenarios; i++)
        if ((rc = zz_cli_check_scale(ex->sc[i], x.scale)))
            snprintf(err, sizeof err, "--scale %g refused (above)", x.scale);
    if (!rc && x.scale > 0)
        ex->scale = x.scale;   /* each point's scenario shrinks after its factors */
    if (rc && !err[0])
        snprintf(err, sizeof err, "%s", ex ? ex->errmsg : "out of memory");
    /* The output is checked before the ranks agree, so that a bad one stops
     * every rank at once (it prints its own error). */
    if (!rc && !design_only)
        rc = zz_cli_check_output(opt.output, ex->sc, ex->nscenarios, ex);
    /* over MPI the other ranks wait to hear whether the set-up went well
     * (runner.c); design_only never gets that far */
    if (rc && !design_only)
        zz_mpi_agree(rc);
    if (!rc && design_only && lead) {
        print_design(ex);
    } else if (!rc && !design_only) {
        opt.overrides = overrides;
        if (opt.progress)
            fprintf(stderr, "zhizao: %s: %d points x %d scenarios x %d replications = %ld tasks\n",
                    ex->name, ex->npoints, ex->nscenarios, ex->replications,
                    (long)ex->npoints * ex->nscenarios * ex->replications);
        rc = zz_explore_run(ex, &opt, err, sizeof err);
        if (!rc && opt.progress)
            printf("wrote %s\n", opt.output);
    }
    /* the .partial is promised only when it is there: the writer removes
     * one that holds no finished task */
    char partial[4200];
    snprintf(partial, sizeof partial, "%s.partial", opt.output ? opt.output : "");
    if (rc == ZZ_INTERRUPTED && lead && access(partial, F_OK) != 0)
        snprintf(err, sizeof err, "interrupted before any task finished: nothing was kept (no "
                 "%.1000s); start again without --resume", partial);
    else if (rc == ZZ_INTERRUPTED)
        snprintf(err + strlen(err), sizeof err - strlen(err), "; finished tasks kept in %.1000s",
                 partial);
    /* HDF5 rewrites its metadata in place: a write that failed midway (a
     * full disk) can leave a .partial that reads back but cannot be
     * written on; the read-only check before resuming cannot see that */
    else if (rc == ZZ_IO && opt.resume && lead && !strstr(err, "--resume"))
        snprintf(err + strlen(err), sizeof err - strlen(err), "; if %.1000s was left by a "
                 "failed write, it cannot be continued: run without --resume to start again",
                 partial);
    if (rc && err[0] && (lead || rc == ZZ_NOMEM))
        fprintf(stderr, "zhizao: %s\n", err);
    free(overrides);
    zz_experiment_close(ex);
    return rc;
}

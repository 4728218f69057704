#define _POSIX_C_SOURCE 200809L
/* zhizao run / compare / check. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ensemble.h"
#include "experiment/experiment.h"
#include "experiment/runner.h"
#include "output/outpath.h"
#include "output/results.h"
#include "scenario/lua_source.h"
#include "parallel/mpi.h"
#include "scenario/scenario.h"
#include "scenario/params.h"
#include "zhizao/zhizao.h"

#define MAX_SETS 128
#define MAX_SCENARIOS 32

typedef struct cli_args {
    zz_run_options opt;
    const char *sets[MAX_SETS];
    int nsets;
    const char *files[MAX_SCENARIOS];
    int nfiles;
    const char *base;        /* compare --base NAME */
    double scale;            /* --scale F; 0: not given */
} cli_args;

static int parse_int(const char *s, const char *what, long long lo, long long hi, long long *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) {
        fprintf(stderr, "zhizao: %s must be an integer in [%lld, %lld], got '%s'\n", what, lo, hi, s);
        return ZZ_USAGE;
    }
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, cli_args *a)
{
    static const struct option longopts[] = {
        {"output", required_argument, 0, 'o'},   {"replications", required_argument, 0, 'r'},
        {"threads", required_argument, 0, 't'},  {"seed", required_argument, 0, 's'},
        {"set", required_argument, 0, 'S'},      {"counterfactual", no_argument, 0, 'c'},
        {"firms", no_argument, 0, 'F'},          {"quiet", no_argument, 0, 'q'},
        {"lua-instructions", required_argument, 0, 'I'},
        {"lua-seconds", required_argument, 0, 'W'},
        {"base", required_argument, 0, 'B'},    {"scale", required_argument, 0, 'X'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->opt.seed = -1;
    a->opt.progress = 1;
    optind = 1;
    int c;
    long long v;
    while ((c = getopt_long(argc, argv, "o:r:t:s:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': a->opt.output = optarg; break;
        case 'r':
            if (parse_int(optarg, "--replications", 1, 1000000, &v))
                return ZZ_USAGE;
            a->opt.replications = (int)v;
            break;
        case 't':
            if (parse_int(optarg, "--threads", 1, 4096, &v))
                return ZZ_USAGE;
            a->opt.threads = (int)v;
            break;
        case 's':
            if (parse_int(optarg, "--seed", 0, 0xffffffffffffLL, &v))
                return ZZ_USAGE;
            a->opt.seed = v;
            break;
        case 'S':
            if (a->nsets == MAX_SETS) {
                fprintf(stderr, "zhizao: at most %d --set options\n", MAX_SETS);
                return ZZ_USAGE;
            }
            a->sets[a->nsets++] = optarg;
            break;
        case 'I':
            if (parse_int(optarg, "--lua-instructions", 1000, 1000000000000000LL, &v))
                return ZZ_USAGE;
            a->opt.lua_instructions = v;
            break;
        case 'W':
            if (parse_int(optarg, "--lua-seconds", 1, 100000000, &v))
                return ZZ_USAGE;
            a->opt.lua_seconds = (double)v;
            break;
        case 'B': a->base = optarg; break;
        case 'X':
            if (zz_cli_parse_scale(optarg, &a->scale))
                return ZZ_USAGE;
            break;
        case 'c': a->opt.counterfactual = 1; break;
        case 'F': a->opt.firms_record = 1; break;
        case 'q': a->opt.progress = 0; break;
        case 'h': return -1;
        default: return ZZ_USAGE;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (a->nfiles == MAX_SCENARIOS) {
            fprintf(stderr, "zhizao: at most %d scenarios\n", MAX_SCENARIOS);
            return ZZ_USAGE;
        }
        a->files[a->nfiles++] = argv[i];
    }
    return 0;
}

/* Loads a scenario and applies the --set overrides (compare applies them
 * itself, scenario by scenario); prints the error. */
static int load(const cli_args *a, const char *path, zz_scenario **out, int with_sets)
{
    int rc = zz_scenario_open(out, path);
    for (int i = 0; !rc && with_sets && i < a->nsets; i++)
        rc = zz_scenario_set(*out, a->sets[i]);
    if (rc)
        fprintf(stderr, "zhizao: %s\n", *out ? zz_scenario_errmsg(*out) : "out of memory");
    return rc;
}

/* zhizao check --reference: the registry as Markdown (docs/scenario-language.md),
 * with the defaults of a scenario that declares one target and one pioneer. */
static int print_reference(void)
{
    zz_scenario *sc;
    int rc = zz_scenario_open_string(&sc, "reference.lua", "target { name = \"example\" }\n"
                                     "pioneer { city = \"Jinan\", industry = \"electronics\" }\n");
    char *text = rc ? NULL : zz_params_reference(&sc->cfg);
    if (text)
        fputs(text, stdout);
    else
        fprintf(stderr, "zhizao: %s\n", rc ? zz_scenario_errmsg(sc) : "out of memory");
    free(text);
    zz_scenario_close(sc);
    return rc ? rc : text ? ZZ_OK : ZZ_NOMEM;
}

int zz_cli_check(int argc, char **argv)
{
    cli_args a;
    if (argc == 2 && !strcmp(argv[1], "--reference"))
        return print_reference();
    int rc = parse_args(argc, argv, &a);
    if (rc || a.nfiles != 1) {
        fprintf(stderr, "usage: zhizao check SCENARIO.lua [--set KEY=VALUE]...\n"
                        "       zhizao check --reference   (every parameter, as Markdown)\n");
        return rc < 0 ? 0 : ZZ_USAGE;
    }
    zz_scenario *sc;
    rc = load(&a, a.files[0], &sc, 1);
    if (!rc)
        rc = zz_cli_check_files(stderr, sc);
    if (!rc) {
        zz_cli_warn_schedule(stderr, sc);
        char *text = zz_scenario_describe(sc);
        printf("# %s: valid\n%s", a.files[0], text ? text : "");
        free(text);
    }
    zz_scenario_close(sc);
    return rc;
}

/* Every scenario checked before any runs: --set, --base, distinct names,
 * the files each names, and work scheduled after its end (a warning). */
static int check_scenarios(cli_args *ap, zz_scenario **sc, int compare)
{
    cli_args a = *ap;
    int rc = 0;
    /* compare: KEY=VALUE for every scenario that has KEY, NAME:KEY=VALUE
     * for scenario NAME only */
    for (int i = 0; compare && !rc && i < a.nsets; i++) {
        char msg[2048];
        rc = zz_scenarios_set(sc, a.nfiles, a.sets[i], msg, sizeof msg);
        if (rc)
            fprintf(stderr, "zhizao: %s\n", msg);
    }
    if (!rc && a.base && !compare) {
        fprintf(stderr, "zhizao: --base is for compare (a run is counted against its twin)\n");
        rc = ZZ_USAGE;
    }
    if (!rc && a.base) {    /* a typo in --base must not cost the run */
        int found = 0;
        for (int i = 0; i < a.nfiles; i++)
            found |= !strcmp(sc[i]->cfg.name, a.base);
        if (!found) {
            fprintf(stderr, "zhizao: --base '%s' is not one of the scenarios:", a.base);
            for (int i = 0; i < a.nfiles; i++)
                fprintf(stderr, " %s", sc[i]->cfg.name);
            fputc('\n', stderr);
            rc = ZZ_USAGE;
        }
    }
    for (int i = 0; i < a.nfiles && !rc; i++)
        for (int j = 0; j < i && !rc; j++)
            if (!strcmp(sc[i]->cfg.name, sc[j]->cfg.name)) {
                fprintf(stderr, "zhizao: %s and %s have the same scenario name '%s'; "
                                "give each a distinct scenario { name = ... }\n",
                        a.files[j], a.files[i], sc[i]->cfg.name);
                rc = ZZ_USAGE;
            }
    for (int i = 0; i < a.nfiles && !rc; i++)
        rc = zz_cli_check_files(stderr, sc[i]);
    /* run: the scenario itself shrinks; compare: each point's scenario
     * (zz_experiment_scenario), here only checked */
    for (int i = 0; i < a.nfiles && !rc && a.scale > 0; i++)
        rc = zz_cli_check_scale(sc[i], a.scale);
    if (!rc && a.scale > 0 && !compare) {
        char msg[2048];
        if ((rc = zz_params_scale(&sc[0]->cfg, a.scale, msg, sizeof msg)))
            fprintf(stderr, "zhizao: %s\n", msg);
    }
    for (int i = 0; i < a.nfiles && !rc && a.opt.progress && zz_mpi_rank() == 0; i++)
        zz_cli_warn_schedule(stderr, sc[i]);
    return rc;
}

/* compare: the scenarios as an experiment of one point, each opening with
 * its headline, then the ranking (and --base's paired comparison). */
static int run_compare(cli_args *ap, zz_scenario **sc, char *out, char *err, size_t errlen)
{
    cli_args a = *ap;
    int rc;
    /* An experiment of one point: every scenario on the same
     * random numbers, the no-policy twin run once per replication
     * and shared by the scenarios it fits (sim/experiment/runner.c),
     * each scenario's results in a group of its name. */
    zz_experiment *ex;
    zz_summary sum[MAX_SCENARIOS];
    memset(sum, 0, sizeof sum);
    rc = zz_experiment_of_scenarios(&ex, sc, a.nfiles, a.opt.replications, a.opt.seed);
    memset(sc, 0, MAX_SCENARIOS * sizeof *sc); /* owned by the experiment now */
    if (ex)
        ex->scale = a.scale;
    zz_explore_options xo = {.output = out, .threads = a.opt.threads,
                             .progress = a.opt.progress, .compare = 1,
                             .firms_record = a.opt.firms_record, .summary = sum};
    if (rc) {
        snprintf(err, errlen, "%s", ex ? ex->errmsg : "out of memory");
        zz_mpi_agree(rc);
    } else
        rc = zz_explore_run(ex, &xo, err, errlen);
    if (!rc && a.opt.progress) {
        for (int i = 0; i < a.nfiles; i++)
            zz_summary_headline(stdout, &sum[i]);
        zz_print_ranking(stdout, sum, a.nfiles);
    }
    if (!rc && a.opt.progress && a.base && zz_mpi_rank() == 0) {
        /* each scenario against the base: the analysis package's
         * paired comparison (zhizao.incremental), on the file */
        fflush(stdout);
        char *args[] = {out, "--base", (char *)a.base, NULL};
        rc = zz_cli_python_wait("zhizao.against", 3, args);
    }
    for (int i = 0; i < a.nfiles; i++)
        zz_summary_free(&sum[i]);
    zz_experiment_close(ex);
    return rc;
}

int zz_cli_run(int argc, char **argv, int compare)
{
    cli_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc < 0) {
        printf("usage: zhizao %s SCENARIO.lua%s [-o OUT.h5] [options]; see zhizao --help\n",
               compare ? "compare" : "run", compare ? " ..." : "");
        return ZZ_OK;
    }
    if (rc)
        return rc;
    if ((!compare && a.nfiles != 1) || (compare && (a.nfiles < 1 || !a.opt.output))) {
        fprintf(stderr, compare ? "usage: zhizao compare A.lua B.lua ... -o OUT.h5\n"
                                : "usage: zhizao run SCENARIO.lua [-o OUT.h5]\n");
        return ZZ_USAGE;
    }
    /* run and compare over MPI: rank 0 speaks for the job (the others'
     * failures come back to it as text) */
    if (zz_mpi_quiet_workers())
        return ZZ_IO;
    /* Validate every scenario before running any: a typo in the third
     * file must not cost the first two runs. */
    zz_scenario *sc[MAX_SCENARIOS] = {0};
    for (int i = 0; i < a.nfiles && !rc; i++)
        rc = load(&a, a.files[i], &sc[i], !compare);
    if (!rc)
        rc = check_scenarios(&a, sc, compare);
    /* over MPI the other ranks wait to hear whether the set-up went well
     * (a bad scenario is bad on every rank) */
    if (rc)
        zz_mpi_agree(rc);
    char out[1100], err[2048] = "";
    if (!rc) {
        if (a.opt.output)
            snprintf(out, sizeof out, "%s", a.opt.output);
        else
            snprintf(out, sizeof out, "%s.h5", sc[0]->cfg.name);
        a.opt.output = out;
        /* the same paths on every rank, so the same answer */
        if ((rc = zz_cli_check_output(out, sc, a.nfiles, NULL)))
            zz_mpi_agree(rc);
    }
    if (!rc) {
        if (!compare) {
            rc = zz_ensemble_run(sc[0], &a.opt, err, sizeof err);
        } else {
            rc = run_compare(&a, sc, out, err, sizeof err);
        }
        char partial[1200];
        snprintf(partial, sizeof partial, "%s.partial", out);
        /* The writer removes a .partial that holds no replicate; one that
         * is left holds every replicate that finished. */
        if (rc && access(partial, F_OK) == 0 && rc != ZZ_IO)
            fprintf(stderr, "zhizao: %s; in %s (complete = 0)\n", err, partial);
        else if (rc)
            fprintf(stderr, "zhizao: %s\n", err);
        else if (a.opt.progress)
            printf("wrote %s\n", out);
    }
    for (int i = 0; i < a.nfiles; i++)
        zz_scenario_close(sc[i]);
    return rc;
}

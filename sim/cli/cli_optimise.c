/* zhizao optimise: the best mix for a budget and a deadline (docs/optimise.md). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ensemble.h"
#include "output/outpath.h"
#include "parallel/mpi.h"
#include "optimise/optimise.h"
#include "zhizao/zhizao.h"

static void usage(FILE *out)
{
    fputs("usage: zhizao optimise OPTIMISATION.lua -o OUT.h5 [--front N] [--resume]\n"
          "                        [--threads T] [--scale F] [--quiet]\n"
          "  splits the optimise block's budget between its shares (and sets the free\n"
          "  parameters) to do best on the objective, confirms the best few mixes against\n"
          "  the scenario as written on fresh seeds, and writes OUT.h5 and best_mix.lua\n"
          "  beside it; see docs/optimise.md.\n"
          "  --front N   also optimise at 1/N, 2/N, ... of the budget: the front of cost\n"
          "              against time to target and probability of the target\n"
          "  --scale F   a rehearsal on a fraction F in (0, 1] of the region: firms,\n"
          "              budgets (the optimise budget too) and region-sized counts\n"
          "              times F; the mix is written in full-region yuan\n"
          "  --resume    replay the evaluations kept in OUT.h5.partial, then go on\n"
          "  exit 8: interrupted (the evaluations so far kept in OUT.h5.partial)\n",
          out);
}

static void print_result(const zz_optimisation *o, const zz_opt_result *r)
{
    const zz_opt_row *b = &r->row[r->cand_row[r->best]];
    printf("%-32s %16s %8s\n", "programme", "budget (yuan)", "share");
    for (int i = 0; i < o->nshares; i++)
        printf("%-32s %16.6g %8.4f\n", o->share[i], b->budget[i], b->budget[i] / o->budget);
    for (int f = 0; f < o->cal->ex->nfactors; f++)
        printf("%-32s %16.6g\n", o->cal->ex->factor[f].key, b->free[f]);
    printf("\nconfirmation (%d replications, seed %lld): %s, candidate - plan as written\n", r->Rc,
           (long long)r->confirm_seed, zz_objective_names[o->objective]);
    for (int c = 1; c < r->ncand; c++)
        printf("  candidate %d (evaluation %d)%s: %.5g [%.5g, %.5g], P(beats the plan) = %.3f\n", c,
               r->cand_row[c], c == r->best ? " chosen" : "", r->diff_mean[c], r->diff_lo[c],
               r->diff_hi[c], r->p_beats[c]);
    printf("\n%-20s %30s %30s %30s\n", "measure", "plan as written", "chosen mix", "difference");
    for (int k = 0; k < ZZ_NOBJECTIVES; k++) {
        const size_t p = (size_t)k, b = (size_t)r->best * ZZ_NOBJECTIVES + k;
        double plo = r->m_lo[p], phi = r->m_hi[p], blo = r->m_lo[b], bhi = r->m_hi[b];
        if (k == ZZ_OBJ_P_TARGET && zz_optimisation_points(o) == 1 && r->Rc > 0) {
            /* a probability over Rc replications: the exact interval, not a
             * t interval that says "0 [0, 0]" when none reaches the target */
            zz_exact_interval((int)lround(r->m_value[p] * r->Rc), r->Rc, &plo, &phi);
            zz_exact_interval((int)lround(r->m_value[b] * r->Rc), r->Rc, &blo, &bhi);
        }
        printf("%-20s %10.4g [%8.4g, %8.4g] %10.4g [%8.4g, %8.4g] %10.4g [%8.4g, %8.4g]\n",
               zz_objective_names[k], r->m_value[p], plo, phi, r->m_value[b], blo, bhi,
               r->d_value[b], r->d_lo[b], r->d_hi[b]);
    }
    if (r->level_row) {
        printf("\nfront (the best mix at each budget, confirmation seeds)\n%16s %22s %22s %22s\n",
               "budget (yuan)", "p_target", "time_to_target", "cost_per_additional");
        for (int l = 0; l < r->nlevels; l++) {
            const double *v = r->f_value + (size_t)l * ZZ_NOBJECTIVES;
            printf("%16.6g %22.4g %22.4g %22.4g\n", r->level_budget[l], v[ZZ_OBJ_P_TARGET], v[ZZ_OBJ_TIME],
                   v[ZZ_OBJ_COST]);
        }
    }
    const int run = r->nrows - r->replayed;
    printf("%d evaluations (%d replayed) in %.1f s (%.1f per minute)\n", r->nrows, r->replayed,
           r->seconds, r->seconds > 0 ? run / r->seconds * 60 : 0);
}

/* An integer option in [lo, hi], or a message saying `what`. */
static int parse_count(const char *what, const char *arg, long lo, long hi, int *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < lo || v > hi) {
        fprintf(stderr, "zhizao: %s in [%ld, %ld], got '%s'\n", what, lo, hi, arg);
        return ZZ_USAGE;
    }
    *out = (int)v;
    return ZZ_OK;
}

int zz_cli_optimise(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, 0, 'o'}, {"threads", required_argument, 0, 't'},
        {"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
        {"front", required_argument, 0, 'F'},  {"resume", no_argument, 0, 'R'},
        {"scale", required_argument, 0, 'X'},
        {0, 0, 0, 0}};
    const char *output = NULL;
    int threads = 0, c;
    double scale = 0;
    zz_opt_options opt = {.progress = 1};
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:t:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'R': opt.resume = 1; break;
        case 'X':
            if (zz_cli_parse_scale(optarg, &scale))
                return ZZ_USAGE;
            break;
        case 'F':
            if (parse_count("--front must be a number of budget levels", optarg, 2, 100, &opt.front))
                return ZZ_USAGE;
            break;
        case 't':
            if (parse_count("--threads must be an integer", optarg, 1, 4096, &threads))
                return ZZ_USAGE;
            break;
        case 'q': opt.progress = 0; break;
        case 'h': usage(stdout); return ZZ_OK;
        default: usage(stderr); return ZZ_USAGE;
        }
    }
    if (optind != argc - 1 || !output) {
        usage(stderr);
        return ZZ_USAGE;
    }
    /* over MPI every rank runs the search on the same evaluations, each rank
     * some of their replications (optimise/evaluate.c); rank 0 alone writes
     * and speaks */
    const int root = zz_mpi_rank() == 0;
    if (zz_mpi_quiet_workers())
        return zz_mpi_agree(ZZ_IO);
    char err[2048] = "";
    zz_optimisation *o = NULL;
    zz_oeval *e = NULL;
    zz_opt_result res = {0};
    int rc = zz_optimisation_open(&o, argv[optind], err, sizeof err);
    /* before any work, as for run and explore: not a device, a directory or
     * one of the inputs (it prints its own error) */
    int checked = 0, lock = -1, side_lock = -1;
    if (!rc && scale > 0) {
        if ((rc = zz_cli_check_scale(o->cal->ex->sc[0], scale)))
            checked = 1;   /* printed */
        o->scale = scale;
    }
    if (!rc && ((rc = zz_cli_check_output(output, o->cal->ex->sc, o->cal->ex->nscenarios, o->cal->ex)) ||
                (rc = zz_cli_check_side(output, "best_mix.lua", o->cal->ex->sc, o->cal->ex->nscenarios,
                                        o->cal->ex)) ||
                (root && (rc = zz_cli_claim_side(output, "best_mix.lua", &side_lock))) ||
                (root && (rc = zz_cli_claim_partial(output, opt.resume, &lock)))))
        checked = 1;
    opt.lock = lock;
    if (!rc && (rc = zz_oeval_open(&e, o, threads)))
        snprintf(err, sizeof err, "out of memory");
    rc = zz_mpi_agree_text(rc, err, sizeof err);
    opt.output = output;
    if (!rc)
        rc = zz_optimise_run(e, o, &opt, &res, err, sizeof err);
    if (!rc && root)
        rc = zz_optimisation_write(o, &res, output, err, sizeof err);
    if (!rc && root)
        rc = zz_optimisation_mix(o, &res, output, err, sizeof err);
    if (!rc && root) {
        char partial[4200];
        snprintf(partial, sizeof partial, "%s.partial", output);
        unlink(partial); /* still ours: the lock goes with the last descriptor */
        if (opt.progress)
            print_result(o, &res);
    }
    if (rc && !checked)
        fprintf(stderr, "zhizao: %s\n", err);
    if (side_lock >= 0)
        zz_cli_release_side(output, "best_mix.lua", side_lock);
    zz_cli_release_partial(output, lock, rc && !opt.resume);
    /* every rank ends with rank 0's rc */
    rc = zz_mpi_agree(rc);
    zz_opt_result_free(&res);
    zz_oeval_close(e);
    zz_optimisation_close(o);
    return rc;
}

#define _POSIX_C_SOURCE 200809L /* strdup, strtok_r */
/* zhizao calibrate: the method of simulated moments (docs/calibration.md). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibrate/calibrate.h"
#include "scenario/params.h"
#include "cli.h"
#include "output/outpath.h"
#include "parallel/mpi.h"
#include "zhizao/zhizao.h"

/* the pseudo-data of --recover come from seeds no estimation run uses */
#define RECOVER_SEED_OFFSET 1000003

static void usage(FILE *out)
{
    fputs("usage: zhizao calibrate CALIBRATION.lua -o OUT.h5 [--threads T] [--resume] [--profile N] [--quiet]\n"
          "       zhizao calibrate CALIBRATION.lua -o OUT.h5 --recover [--truth KEY=VALUE,...]\n"
          "       zhizao calibrate CALIBRATION.lua --at KEY=VALUE,...\n"
          "       zhizao calibrate CALIBRATION.lua --at-default\n"
          "  estimates the free parameters by the method of simulated moments and writes\n"
          "  OUT.h5 and calibrated.lua beside it; see docs/calibration.md.\n"
          "  --resume      replay the evaluations kept in OUT.h5.partial, then go on\n"
          "  --profile N   also the objective at N points along each free parameter's range,\n"
          "                the others at the estimate (N x free more evaluations)\n"
          "  --recover     identification check: simulate the moments at a known parameter\n"
          "                vector (--truth, else the middle of the bounds) on other seeds and\n"
          "                estimate it back from the start grid\n"
          "  --at          print the simulated moments at these values (name,value CSV)\n"
          "  --at-default  print the simulated moments at the scenario's own values of the\n"
          "                free parameters, with target, se, t and 1 for a held-out moment\n"
          "                (moment,value,target,se,t,holdout)\n",
          out);
}

/* "key=value,key=value" over the free parameters; unnamed ones keep theta's. */
static int parse_point(const zz_calibration *c, const char *text, double *theta, char *err,
                       size_t errlen)
{
    char *copy = strdup(text), *save = NULL;
    int rc = copy ? ZZ_OK : ZZ_NOMEM;
    for (char *a = copy ? strtok_r(copy, ",", &save) : NULL; a && !rc; a = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(a, '=');
        int f = -1;
        if (eq) {
            *eq = '\0';
            for (int i = 0; i < c->ex->nfactors; i++)
                if (!strcmp(c->ex->factor[i].key, a))
                    f = i;
        }
        char *end = NULL;
        double v = eq ? strtod(eq + 1, &end) : NAN;
        if (f < 0 || !end || *end || end == eq + 1) {
            snprintf(err, errlen, "'%s': expected KEY=VALUE with KEY a free parameter of %s", a,
                     c->path);
            rc = ZZ_USAGE;
        } else if (v < c->ex->factor[f].lo || v > c->ex->factor[f].hi) {
            snprintf(err, errlen, "%s=%g is outside its bounds [%g, %g] (%s)", a, v,
                     c->ex->factor[f].lo, c->ex->factor[f].hi, c->ex->factor[f].where);
            rc = ZZ_USAGE;
        } else {
            theta[f] = v;
        }
    }
    free(copy);
    return rc;
}

/* An estimate's standard error, or why it has none. */
static const char *se_text(const zz_msm_result *r, int f, char *buf, size_t len)
{
    if (r->at_bound[f])
        snprintf(buf, len, "%s bound, no se", r->at_bound[f] < 0 ? "at lower" : "at upper");
    else if (!r->identified[f])
        snprintf(buf, len, "not identified, no se");
    else
        snprintf(buf, len, "%.4g", r->std_error[f]);
    return buf;
}

static void print_identification(const zz_calibration *c, const zz_msm_result *r)
{
    printf("\nidentification (Jacobian of the fitted moments, in standard errors across each "
           "range; rank %d of %d)\n%-36s %10s %12s  %-24s %s\n", r->rank, r->nfree,
           "free parameter", "moves", "independent", "moved most", "");
    for (int f = 0; f < r->nfree; f++) {
        int best = -1;
        double g = 0;
        for (int i = 0; i < c->nfit; i++) {
            const int k = c->fit[i];
            double v = fabs(r->jacobian[k * r->nfree + f]) / c->moment[k].se;
            if (v > g)
                g = v, best = k;
        }
        const char *why = r->identified[f] ? "identified"
                          : r->column_norm[f] < 1 ? "not identified by these moments (no moment moves it)"
                                                  : "not identified by these moments (collinear with";
        printf("%-36s %10.3g %12.3f  %-24s %s", c->ex->factor[f].key, r->column_norm[f],
               r->independence[f], best >= 0 ? c->moment[best].name : "-", why);
        if (!r->identified[f] && r->column_norm[f] >= 1)
            printf(" %s)", r->partner[f] >= 0 ? c->ex->factor[r->partner[f]].key : "the others");
        putchar('\n');
    }
    printf("singular values:");
    for (int f = 0; f < r->nfree; f++)
        printf(" %.3g", r->singular[f]);
    putchar('\n');
}

static void print_moments(const zz_calibration *c, const zz_msm_result *r, int holdout)
{
    if (holdout)
        printf("\nheld out (simulated, not fitted)\n%-24s %13s %12s %12s %10s %23s %8s\n",
               "moment", "kind", "observed", "predicted", "se", "95% interval", "t");
    else
        printf("\n%-24s %13s %12s %12s %10s %8s\n", "moment", "kind", "target", "simulated", "se",
               "t");
    for (int k = 0; k < r->nmoments; k++) {
        const zz_moment *m = &c->moment[k];
        if (m->holdout != holdout)
            continue;
        printf("%-24s %13s %12.5g %12.5g %10.4g", m->name, zz_moment_kind_names[m->kind],
               r->target[k], r->simulated[k], m->se);
        if (holdout) {
            /* against the observed figure's se and the prediction's */
            const double p = r->prediction_se[k];
            const double s = sqrt((isnan(m->se) ? 0 : m->se * m->se) + p * p);
            printf("   [%9.4g, %9.4g] %8.2f\n", r->simulated[k] - 1.96 * p,
                   r->simulated[k] + 1.96 * p, (r->simulated[k] - r->target[k]) / s);
        } else {
            printf(" %8.2f\n", (r->simulated[k] - r->target[k]) / m->se);
        }
    }
}

static void print_result(const zz_calibration *c, const zz_msm_result *r, const double *truth)
{
    char buf[64];
    printf("%-36s %12s %24s%s\n", "free parameter", "estimate", "std_error",
           truth ? "        truth  |est-truth|/se" : "");
    int bounded = 0;
    for (int f = 0; f < r->nfree; f++) {
        printf("%-36s %12.6g %24s", c->ex->factor[f].key, r->estimate[f],
               se_text(r, f, buf, sizeof buf));
        if (truth)
            printf(" %12.6g %14.3g", truth[f], fabs(r->estimate[f] - truth[f]) / r->std_error[f]);
        int b = r->at_bound[f]; /* one definition: zz_msm_diagnose */
        if (b) {
            printf("  ON ITS %s BOUND (%g)", b < 0 ? "LOWER" : "UPPER",
                   b < 0 ? c->ex->factor[f].lo : c->ex->factor[f].hi);
            bounded++;
        }
        putchar('\n');
    }
    if (bounded)
        printf("note: %d estimate%s on a bound of its range: the fit wants a value outside it, "
               "and the standard error (which assumes an optimum inside) does not hold; widen "
               "the range in the calibration file or question the moments\n",
               bounded, bounded > 1 ? "s" : "");
    print_identification(c, r);
    print_moments(c, r, 0);
    if (c->nfit < c->nmoments)
        print_moments(c, r, 1);
    printf("\nJ = %.4g with %d degrees of freedom, p = %.4g; %d evaluations (%d replayed) in %.1f s "
           "(%.1f per minute)\n", r->j_statistic, r->dof, r->j_pvalue, r->ntrace, r->replayed,
           r->seconds, r->seconds > 0 ? (r->ntrace - r->replayed) / r->seconds * 60 : 0);
}

int zz_cli_calibrate(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, 0, 'o'}, {"threads", required_argument, 0, 't'},
        {"resume", no_argument, 0, 'R'},       {"recover", no_argument, 0, 'V'},
        {"truth", required_argument, 0, 'T'},  {"at", required_argument, 0, 'A'},
        {"at-default", no_argument, 0, 'D'},  {"profile", required_argument, 0, 'P'},
        {"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    zz_msm_options opt = {.progress = 1};
    const char *truth_text = NULL, *at_text = NULL;
    int recover = 0, at_default = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:t:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': opt.output = optarg; break;
        case 't': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 4096) {
                fprintf(stderr, "zhizao: --threads must be an integer in [1, 4096], got '%s'\n", optarg);
                return ZZ_USAGE;
            }
            opt.threads = (int)v;
            break;
        }
        case 'R': opt.resume = 1; break;
        case 'V': recover = 1; break;
        case 'T': truth_text = optarg; break;
        case 'A': at_text = optarg; break;
        case 'D': at_default = 1; break;
        case 'P': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 3 || v > 1000) {
                fprintf(stderr, "zhizao: --profile must be an integer in [3, 1000] (points along "
                                "each free parameter), got '%s'\n", optarg);
                return ZZ_USAGE;
            }
            opt.profile = (int)v;
            break;
        }
        case 'q': opt.progress = 0; break;
        case 'h': usage(stdout); return ZZ_OK;
        default: usage(stderr); return ZZ_USAGE;
        }
    }
    if (optind != argc - 1 || (!opt.output && !at_text && !at_default) ||
        (truth_text && !recover) || (at_default && (at_text || opt.output || recover))) {
        usage(stderr);
        return ZZ_USAGE;
    }
    /* over MPI every rank runs the optimiser on the same evaluations, each
     * rank some of their replications (moments.c); rank 0 alone writes and
     * speaks, the others' failures come back to it as text */
    const int root = zz_mpi_rank() == 0;
    if (zz_mpi_quiet_workers())
        return zz_mpi_agree(ZZ_IO);
    zz_calibration *cal;
    char err[2048] = "";
    int rc = zz_calibration_open(&cal, argv[optind]);
    if (rc)
        snprintf(err, sizeof err, "%s", cal ? cal->errmsg : "out of memory");
    /* before any work, as for run and explore: not a device, a directory or
     * one of the inputs (it prints its own error) */
    int checked = 0, lock = -1, side_lock = -1;
    if (!rc && opt.output &&
        ((rc = zz_cli_check_output(opt.output, cal->ex->sc, cal->ex->nscenarios, cal->ex)) ||
         (!recover && (rc = zz_cli_check_side(opt.output, "calibrated.lua", cal->ex->sc,
                                               cal->ex->nscenarios, cal->ex))) ||
         (root && !recover && (rc = zz_cli_claim_side(opt.output, "calibrated.lua", &side_lock))) ||
         (root && (rc = zz_cli_claim_partial(opt.output, opt.resume, &lock)))))
        checked = 1;
    opt.lock = lock;
    const int K = cal && cal->ex ? cal->ex->nfactors : 0;
    double theta[ZZ_MAX_FACTORS], truth[ZZ_MAX_FACTORS], targets[ZZ_MAX_MOMENTS];
    for (int f = 0; f < K; f++)
        theta[f] = truth[f] = 0.5 * (cal->ex->factor[f].lo + cal->ex->factor[f].hi);
    if (!rc && at_text)
        rc = parse_point(cal, at_text, theta, err, sizeof err);
    /* the scenario's own values, as a run of it would use them */
    for (int f = 0; !rc && at_default && f < K; f++)
        rc = zz_param_get_number(&cal->ex->sc[0]->cfg, cal->ex->factor[f].key, &theta[f], err,
                                 sizeof err);
    if (!rc && truth_text)
        rc = parse_point(cal, truth_text, truth, err, sizeof err);
    zz_msim *m = NULL;
    if (!rc && (rc = zz_msim_open(&m, cal, opt.threads)))
        snprintf(err, sizeof err, "out of memory");
    /* what went wrong so far went wrong on every rank alike, but for memory */
    rc = zz_mpi_agree_text(rc, err, sizeof err);
    zz_msm_result res = {0};
    if (!rc && (at_text || at_default)) {
        double mom[ZZ_MAX_MOMENTS];
        rc = zz_msim_eval(m, theta, 0, mom, err, sizeof err);
        if (!rc) {
            printf(at_default ? "moment,value,target,se,t,holdout\n" : "moment,value\n");
            for (int k = 0; k < cal->nmoments; k++) {
                const zz_moment *mk = &cal->moment[k];
                printf("%s,%.17g", mk->name, mom[k]);
                if (at_default)
                    printf(",%.17g,%.17g,%.4f,%d", mk->value, mk->se, (mom[k] - mk->value) / mk->se,
                           mk->holdout);
                putchar('\n');
            }
        }
    } else if (!rc) {
        if (recover) {
            rc = zz_msim_eval(m, truth, RECOVER_SEED_OFFSET, targets, err, sizeof err);
            opt.targets = targets;
        }
        if (!rc)
            rc = zz_msm_estimate(m, cal, &opt, &res, err, sizeof err);
        if (!rc && root)
            rc = zz_calibration_write(cal, &res, opt.output, recover ? truth : NULL, err, sizeof err);
        /* a check, not a calibration: no calibrated.lua to be taken for one */
        if (!rc && !recover && root)
            rc = zz_calibration_fragment(cal, &res, opt.output, err, sizeof err);
        if (!rc && root) {
            char partial[4200];
            snprintf(partial, sizeof partial, "%s.partial", opt.output);
            unlink(partial); /* still ours: the lock goes with the last descriptor */
            if (opt.progress)
                print_result(cal, &res, recover ? truth : NULL);
        }
    }
    if (rc && !checked)
        fprintf(stderr, "zhizao: %s\n", err);
    if (side_lock >= 0)
        zz_cli_release_side(opt.output, "calibrated.lua", side_lock);
    zz_cli_release_partial(opt.output, lock, rc && !opt.resume);
    /* every rank ends with rank 0's rc */
    rc = zz_mpi_agree(rc);
    zz_msm_result_free(&res);
    zz_msim_close(m);
    zz_calibration_close(cal);
    return rc;
}

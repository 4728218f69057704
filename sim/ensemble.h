#ifndef ZZ_ENSEMBLE_H
#define ZZ_ENSEMBLE_H
#include "output/results.h"
#include "scenario/scenario.h"
#include <stdio.h>

#include "zhizao/zhizao.h"

/* Per-replicate figures a comparison ranks scenarios by. */
typedef struct zz_summary {
    char name[128];
    int R, G;
    char (*target)[ZZ_NAME_LEN]; /* [G] */
    double *target_share;        /* [G] the target's share, e.g. 0.5 */
    double *time_to_target;      /* [R][G] days, NAN = not reached */
    double *spent;               /* [R] money disbursed, all programmes */
    double *fiscal;              /* [R] of which fiscal money            */
    double *additional;          /* [R] additional adopters (all firms), NAN
                                    without a twin */
    double *target_by;           /* [G] deadline, days; < 0: none        */
    double horizon;              /* days                                 */
    int64_t start_day;
    /* for the headline (zz_headline_print); headline = 1 once filled    */
    int headline, T;
    double *time;                /* [T] observations, days               */
    double *level;               /* [G] = target_share                   */
    int *attributable;           /* [G] zz_cost_attributable             */
    double *cf_time_to_target;   /* [R][G]                               */
    double *share, *cf_share;    /* [R][T][G]                            */
    double *additional_g;        /* [R][G] every target's                */
} zz_summary;

/* Runs a scenario's replications into `group` (NULL = root) of an open
 * writer; `zhizao compare` calls it once per scenario on one file. If
 * `summary` is not NULL it receives the figures to rank by (free with
 * zz_summary_free). */
int zz_ensemble_into(zz_writer *w, const char *group, const zz_scenario *sc,
                     const zz_run_options *opt, char *err, size_t errlen,
                     zz_summary *summary);
/* Allocates a summary of R replicates of cfg's targets (values zero). */
int zz_summary_init(zz_summary *s, const zz_config *cfg, int R);
void zz_summary_free(zz_summary *s);
/* The layout (results.h) of a scenario's result set; the name arrays are
 * filled and must outlive L. */
void zz_ensemble_layout(zz_layout *L, const zz_config *cfg, const zz_population *pop,
                        int64_t nfirms, double *target_by, int *fiscal, const char **prog_names, const char **target_names,
                        const char **city_names, const char **industry_names, char *parameters,
                        double *time, int ntime);
/* Target g's deadline in days from the start (< 0: none); a pioneer's
 * group takes the pioneer's within_days. */
double zz_target_deadline(const zz_config *cfg, int g);
/* The headline of a scenario of a comparison (headline.c). */
void zz_summary_headline(FILE *out, const zz_summary *s);
/* What programme p of cfg cost by the end of run r (attribution.c): what
 * it disbursed, plus, for a guarantee, the cover still committed to loans
 * open at the end (docs/model.md 6.4; zhizao.io.outlay applies the same
 * rule to a file). */
double zz_outlay(const zz_rep_result *r, const zz_config *cfg, int p);
/* Prints the ranking of several scenarios (ensemble_rank.c). */
void zz_print_ranking(FILE *out, const zz_summary *s, int n);
/* "probability of reaching each target by its deadline": k of n and the
 * exact (Clopper-Pearson) 95% interval; tt [R][G] days (NAN: not
 * reached), by [G] days (< 0: none, then the horizon). ensemble_rank.c. */
void zz_deadline_block(FILE *out, const double *tt, int R, int G, const char *const *name,
                       const double *by, double horizon, int64_t start_day);
/* Additional adopters per target against the twin (additional [R][G]),
 * harm said as harm, and fiscal money per additional adopter of each
 * group the money can be attributed to (attributable [G], see
 * zz_cost_attributable); non-fiscal money shown apart. ensemble_rank.c. */
void zz_incremental_block(FILE *out, const double *additional, int R, int G,
                          const char *const *name, const int *attributable,
                          const double *fiscal, const double *other);
/* Clopper-Pearson: the exact 95% binomial interval of k of n (cli_rank.c). */
void zz_exact_interval(int k, int n, double *lo, double *hi);

/* What the headline is computed from (headline.c; the numbers are defined
 * in analysis/zhizao/answer.py). */
typedef struct zz_headline_in {
    int R, G, T;
    const char *const *name;    /* [G] target names                           */
    const double *level;        /* [G] the share each target asks for        */
    const double *by;           /* [G] deadline, days; < 0: none (the horizon) */
    const int *attributable;    /* [G] 1: a cost per adopter may be quoted   */
    const double *time;         /* [T] observations, days from the start     */
    const double *tt, *cf_tt;   /* [R][G] days to target, NAN: not reached;
                                   cf_tt NULL without a twin                  */
    const double *share, *cf_share; /* [R][T][G] target shares               */
    const double *additional;   /* [R][G] against the twin, NAN without       */
    const double *fiscal, *total; /* [R] money disbursed by the whole plan    */
    double horizon;
    int64_t start_day;
} zz_headline_in;
/* One line per target: P(by its deadline) with and without the policy, the
 * date reached, years and points gained, additional adopters, the cost per
 * additional adopter where the money can be attributed, and a verdict. */
void zz_headline_print(FILE *out, const zz_headline_in *h);
/* 1 if every enabled programme pays only firms of target g's group (or g
 * is all_firms): the plan's money may then be divided by g's gain. */
int zz_cost_attributable(const zz_config *cfg, int g);
#endif

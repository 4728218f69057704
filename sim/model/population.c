/*
 * The firm population: allocation, cell counts, and the synthetic
 * Shandong-like generator. Every figure that is a scenario parameter comes
 * from cfg->population (defaults and their sources in scenario/config.c);
 * the tables below are the generator's own assumptions, documented again
 * in docs/firms_csv.md.
 *
 * Reproducibility: firm i's attributes are drawn from its own addressed
 * stream (entity i, ZZ_RNG_POPULATION, k = 0), so they depend on the seed
 * and on i only, not on n, on other firms or on threads. Only the supplier
 * chains (a leader's partners are drawn from the firms not yet taken) depend
 * on the whole population; they are drawn serially in leader index order
 * from each leader's stream (entity = leader, k = 1).
 */
#include "model/population.h"
#include "engine/rng.h"
#include "model/streams.h"
#include "zhizao/zhizao.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

/* Partners per chain leader when the scenario declares no chain-leader
 * programme (whose `partners` field then wins). Assumption: Weichai's goal
 * of 500 partners (FACTS 004) is a flagship; 50 is a typical leader. */
/* Assumption: share of a leader's partners drawn from its own industry;
 * the rest come from any industry (steel, electronics for a machinery chain). */
#define ZZ_CHAIN_SAME_INDUSTRY 0.8

/* Assumption: Beta concentration (a + b) of readiness around its size-class
 * mean, and of capability around its mean; sd about 0.17 at mean 0.5. */
#define ZZ_READINESS_CONC 8.0
#define ZZ_CAPABILITY_CONC 10.0
/* Assumption: log-sd of liquidity around liquidity_share * revenue. */
#define ZZ_LIQUIDITY_LOGSD 0.5

/* Revenue within a size class: a lognormal (median, log-sd) truncated to the
 * class's band by inverting the normal CDF over the band's probability
 * range, so a draw is one uniform and the shape inside the band is kept
 * (clamping would pile mass on the edges). Medians and spreads are
 * assumptions (firm sizes are skewed to the bottom of each band); the micro
 * floor of 0.1m yuan excludes shell firms. */
static const struct {
    double median, logsd, lo, hi;
} revenue_band[ZZ_NSIZES] = {
    {1.2e6, 0.9, 1e5, ZZ_REVENUE_SMALL},
    {7e6, 0.7, ZZ_REVENUE_SMALL, ZZ_REVENUE_MEDIUM},
    {60e6, 1.0, ZZ_REVENUE_MEDIUM, ZZ_REVENUE_LARGE},
    {1e9, 1.0, ZZ_REVENUE_LARGE, HUGE_VAL},
};

/* Assumption: rough share (%) of Shandong's industrial firms by city, from
 * the order of magnitude of each city's count of 规上 industrial firms in
 * provincial yearbooks: Qingdao, Weifang, Jinan, Yantai, Linyi, Jining and
 * Zibo largest. Not calibrated; a CSV of real firms replaces it. A city of
 * the scenario that is not in the table gets the table's mean weight. */
struct name_weight {
    const char *name;
    double weight;
};

static const struct name_weight city_weight[] = {
    {"Qingdao", 13}, {"Weifang", 10}, {"Jinan", 9}, {"Yantai", 9},
    {"Linyi", 9}, {"Jining", 7}, {"Zibo", 7}, {"Heze", 5},
    {"Dezhou", 5}, {"Liaocheng", 4.5}, {"Binzhou", 4}, {"Weihai", 4},
    {"Taian", 4}, {"Dongying", 3.5}, {"Zaozhuang", 3}, {"Rizhao", 3},
};

/* Assumption: share (%) of firms by industry over the ten challenge
 * industries and "other" (every remaining sector, 25%); machinery and
 * chemicals are Shandong's largest. Unknown names get the mean weight. */
static const struct name_weight industry_weight[] = {
    {"electronics", 8}, {"light_industry", 8}, {"chemicals", 12},
    {"machinery", 14}, {"automotive", 5}, {"steel", 4}, {"textiles", 7},
    {"nonferrous", 3}, {"food", 9}, {"building_materials", 5}, {"other", 25},
};

/* Names match ignoring case and punctuation so that "Tai'an" finds "Taian"
 * and "light industry" finds "light_industry". */
static int name_match(const char *a, const char *b)
{
    for (;;) {
        while (*a && !isalnum((unsigned char)*a))
            a++;
        while (*b && !isalnum((unsigned char)*b))
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
        a++, b++;
    }
}

static void lookup_weights(const struct name_weight *table, int nt,
                           const char (*names)[ZZ_NAME_LEN], int n, double *out)
{
    double mean = 0;
    for (int t = 0; t < nt; t++)
        mean += table[t].weight / nt;
    for (int j = 0; j < n; j++) {
        out[j] = mean;
        for (int t = 0; t < nt; t++)
            if (name_match(names[j], table[t].name))
                out[j] = table[t].weight;
    }
}

struct zz_population *zz_population_alloc(int64_t n, int ncities, int nindustries)
{
    if (n < 0 || ncities < 1 || nindustries < 1)
        return NULL;
    struct zz_population *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    /* at least one element, so that n = 0 still gives valid pointers */
    size_t m = n > 0 ? (size_t)n : 1;
    size_t cells = (size_t)ncities * (size_t)nindustries * ZZ_NSIZES;
    p->n = n;
    p->ncities = ncities;
    p->nindustries = nindustries;
    p->city = calloc(m, 1);
    p->industry = calloc(m, 1);
    p->size = calloc(m, 1);
    p->flags = calloc(m, 1);
    p->revenue = calloc(m, sizeof *p->revenue);
    p->readiness = calloc(m, sizeof *p->readiness);
    p->liquidity = calloc(m, sizeof *p->liquidity);
    p->hurdle = calloc(m, sizeof *p->hurdle);
    p->capability = calloc(m, sizeof *p->capability);
    p->return_z = calloc(m, sizeof *p->return_z);
    p->leader = calloc(m, sizeof *p->leader);
    p->cell_firms = calloc(cells, sizeof *p->cell_firms);
    p->cell_firms_gsz = calloc(cells, sizeof *p->cell_firms_gsz);
    if (!p->city || !p->industry || !p->size || !p->flags || !p->revenue || !p->readiness ||
        !p->liquidity || !p->hurdle || !p->capability || !p->return_z || !p->leader || !p->cell_firms ||
        !p->cell_firms_gsz) {
        zz_population_free(p);
        return NULL;
    }
    return p;
}

void zz_population_free(zz_population *p)
{
    if (!p)
        return;
    free(p->city);
    free(p->industry);
    free(p->size);
    free(p->flags);
    free(p->revenue);
    free(p->readiness);
    free(p->liquidity);
    free(p->hurdle);
    free(p->capability);
    free(p->return_z);
    free(p->leader);
    free(p->by_capability);
    free(p->cell_firms);
    free(p->cell_firms_gsz);
    free(p);
}

int64_t zz_population_size(const zz_population *p)
{
    return p ? p->n : 0;
}

void zz_population_count(struct zz_population *p)
{
    size_t cells = (size_t)p->ncities * (size_t)p->nindustries * ZZ_NSIZES;
    memset(p->cell_firms, 0, cells * sizeof *p->cell_firms);
    memset(p->cell_firms_gsz, 0, cells * sizeof *p->cell_firms_gsz);
    for (int64_t i = 0; i < p->n; i++) {
        int64_t c = zz_cell(p, p->city[i], p->industry[i], p->size[i]);
        p->cell_firms[c]++;
        if (p->flags[i] & ZZ_F_GSZ)
            p->cell_firms_gsz[c]++;
    }
}

/* qsort_r is not C11: the capabilities being sorted, for by_capability */
typedef struct ranked {
    float capability;
    uint32_t firm;
} ranked;

static int by_capability_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->capability != y->capability)
        return x->capability > y->capability ? -1 : 1;
    return (x->firm > y->firm) - (x->firm < y->firm);
}

int zz_population_order(struct zz_population *p)
{
    size_t n = (size_t)p->n;
    ranked *r = malloc((n ? n : 1) * sizeof *r);
    uint32_t *order = realloc(p->by_capability, (n ? n : 1) * sizeof *order);
    if (!r || !order) {
        free(r);
        if (order)
            p->by_capability = order;
        return -1;
    }
    p->by_capability = order;
    for (size_t i = 0; i < n; i++)
        r[i] = (ranked){p->capability[i], (uint32_t)i};
    qsort(r, n, sizeof *r, by_capability_desc);
    for (size_t i = 0; i < n; i++)
        order[i] = r[i].firm;
    free(r);
    return 0;
}

/* Truncated lognormal revenue, stored as float; the float is kept inside
 * the band so that class, 规上 flag and stored revenue always agree. */
static float draw_revenue(gsl_rng *g, int s)
{
    double mu = log(revenue_band[s].median), sd = revenue_band[s].logsd;
    double lo = revenue_band[s].lo, hi = revenue_band[s].hi;
    double plo = gsl_cdf_ugaussian_P((log(lo) - mu) / sd);
    double phi = isinf(hi) ? 1.0 : gsl_cdf_ugaussian_P((log(hi) - mu) / sd);
    double u = plo + gsl_rng_uniform_pos(g) * (phi - plo);
    float x = (float)exp(mu + sd * gsl_cdf_ugaussian_Pinv(u));
    if (!(x >= (float)lo))
        x = (float)lo;
    if (!isinf(hi) && !(x < (float)hi))
        x = nextafterf((float)hi, 0.0f);
    if (isinf(x))
        x = 1e12f;
    return x;
}

/* Beta with the given mean and concentration; the mean is kept inside
 * (0, 1) so that both shape parameters are positive. */
static double draw_beta(gsl_rng *g, double mean, double conc)
{
    if (mean < 0.01)
        mean = 0.01;
    if (mean > 0.99)
        mean = 0.99;
    return gsl_ran_beta(g, mean * conc, (1 - mean) * conc);
}

/* Lognormal matched to the hurdle's mean and sd: positive, with exactly the
 * configured moments (a normal clamped at 0 would shift the mean). Its long
 * right tail is the few firms that will not invest at any price (不愿投). */
static double draw_hurdle(gsl_rng *g, double mean, double sd)
{
    if (mean <= 0)
        return 0;
    if (sd <= 0)
        return mean;
    double s2 = log1p(sd * sd / (mean * mean));
    return gsl_ran_lognormal(g, log(mean) - s2 / 2, sqrt(s2));
}

/* Initial adoption probability by size: the multipliers are normalised over
 * the 规上 size mix (medium and large are exactly the 规上 classes, revenue
 * >= 20m) so that the expected 规上 adopted share is initial_adoption.
 * Probabilities above 1 are cut to 1 (the target is then missed; only with
 * extreme multipliers). */
static void adoption_probs(const zz_population_cfg *pc, double prob[ZZ_NSIZES])
{
    double w = pc->size_share[ZZ_MEDIUM] + pc->size_share[ZZ_LARGE];
    double mbar = 1;
    if (w > 0) {
        double m = (pc->size_share[ZZ_MEDIUM] * pc->adoption_mult[ZZ_MEDIUM] +
                    pc->size_share[ZZ_LARGE] * pc->adoption_mult[ZZ_LARGE]) / w;
        if (m > 0)
            mbar = m;
    }
    for (int s = 0; s < ZZ_NSIZES; s++) {
        double q = pc->initial_adoption * pc->adoption_mult[s] / mbar;
        prob[s] = q < 0 ? 0 : q > 1 ? 1 : q;
    }
}

/* Supplier chains: each leader, in index order, takes `partners` firms that
 * are neither leaders nor already in a chain; a partner is from the
 * leader's industry with probability ZZ_CHAIN_SAME_INDUSTRY (while that
 * industry has firms left), otherwise from all remaining firms. Pools are
 * per industry with swap-removal, so a draw is O(industries). */
static int build_chains(struct zz_population *p, zz_rng *r, int partners)
{
    int nind = p->nindustries;
    int64_t start[ZZ_MAX_INDUSTRIES + 1] = {0}, left[ZZ_MAX_INDUSTRIES] = {0};
    int64_t nleaders = 0;
    for (int64_t i = 0; i < p->n; i++) {
        if (p->flags[i] & ZZ_F_LEADER)
            nleaders++;
        else
            left[p->industry[i]]++;
    }
    if (nleaders == 0)
        return ZZ_OK;
    for (int j = 0; j < nind; j++)
        start[j + 1] = start[j] + left[j];
    int64_t total = start[nind];
    uint32_t *pool = malloc((size_t)(total > 0 ? total : 1) * sizeof *pool);
    if (!pool)
        return ZZ_NOMEM;
    int64_t fill[ZZ_MAX_INDUSTRIES];
    memcpy(fill, start, sizeof fill);
    for (int64_t i = 0; i < p->n; i++)
        if (!(p->flags[i] & ZZ_F_LEADER))
            pool[fill[p->industry[i]]++] = (uint32_t)i;

    for (int64_t l = 0; l < p->n && total > 0; l++) {
        if ((l & 0xffff) == 0 && zz_interrupt_pending()) {
            free(pool);
            return ZZ_INTERRUPTED;
        }
        if (!(p->flags[l] & ZZ_F_LEADER))
            continue;
        gsl_rng *g = zz_rng_at(r, (uint32_t)l, ZZ_RNG_POPULATION, 1);
        int own = p->industry[l];
        for (int k = 0; k < partners && total > 0; k++) {
            int j = own;
            int64_t pos;
            if (gsl_rng_uniform(g) < ZZ_CHAIN_SAME_INDUSTRY && left[own] > 0) {
                pos = (int64_t)gsl_rng_uniform_int(g, (unsigned long)left[own]);
            } else {
                pos = (int64_t)gsl_rng_uniform_int(g, (unsigned long)total);
                for (j = 0; pos >= left[j]; j++)
                    pos -= left[j];
            }
            uint32_t f = pool[start[j] + pos];
            pool[start[j] + pos] = pool[start[j] + left[j] - 1];
            left[j]--;
            total--;
            p->leader[f] = (uint32_t)l;
        }
    }
    free(pool);
    return ZZ_OK;
}

static int check_weights(const double *w, int n, const char *what, char *err, size_t errlen)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        if (!(w[i] >= 0) || !isfinite(w[i])) {
            snprintf(err, errlen, "population: %s[%d] = %g must be >= 0", what, i + 1, w[i]);
            return ZZ_SCENARIO;
        }
        sum += w[i];
    }
    if (!(sum > 0)) {
        snprintf(err, errlen, "population: %s must have a positive entry", what);
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

/* Firm i's attributes from its own stream g, in the draw order that is
 * part of the reproducibility contract (append only). */
static void draw_firm(struct zz_population *p, int64_t i, gsl_rng *g, const zz_population_cfg *pc,
                      const gsl_ran_discrete_t *dsize, const gsl_ran_discrete_t *dcity,
                      const gsl_ran_discrete_t *dind, const double *prob)
{
    /* draw order is part of the reproducibility contract: append only */
    int s = (int)gsl_ran_discrete(g, dsize);
    p->size[i] = (uint8_t)s;
    p->city[i] = (uint8_t)gsl_ran_discrete(g, dcity);
    p->industry[i] = (uint8_t)gsl_ran_discrete(g, dind);
    float rev = draw_revenue(g, s);
    p->revenue[i] = rev;
    uint8_t fl = rev >= ZZ_REVENUE_GSZ ? ZZ_F_GSZ : 0;
    double d = draw_beta(g, pc->readiness_mean[s], ZZ_READINESS_CONC);
    p->readiness[i] = (float)d;
    double noise = gsl_ran_lognormal(g, -ZZ_LIQUIDITY_LOGSD * ZZ_LIQUIDITY_LOGSD / 2,
                                     ZZ_LIQUIDITY_LOGSD);
    p->liquidity[i] = (float)(pc->liquidity_share[s] * rev * noise);
    if (gsl_rng_uniform(g) < pc->credit_access[s])
        fl |= ZZ_F_CREDIT;
    p->hurdle[i] = (float)draw_hurdle(g, pc->hurdle_mean, pc->hurdle_sd);
    /* Assumption: contest capability rises with readiness and size
     * (mean 0.15 + 0.5 d + 0.1 size class, i.e. 0.15..0.95). */
    p->capability[i] = (float)draw_beta(g, 0.15 + 0.5 * d + 0.1 * s, ZZ_CAPABILITY_CONC);
    double u_leader = gsl_rng_uniform(g);
    if (s == ZZ_LARGE && u_leader < pc->leader_share)
        fl |= ZZ_F_LEADER;
    if (gsl_rng_uniform(g) < prob[s])
        fl |= ZZ_F_ADOPTED0 | ZZ_F_AWARE0;
    double u_aware = gsl_rng_uniform(g);
    if (!(fl & ZZ_F_ADOPTED0) && u_aware < pc->initial_aware)
        fl |= ZZ_F_AWARE0;
    p->flags[i] = fl;
    p->leader[i] = ZZ_NO_LEADER;
    /* appended last: every earlier attribute keeps its draw */
    p->return_z[i] = (float)gsl_ran_ugaussian(g);
}

int zz_population_synthetic(struct zz_population **out, const zz_config *cfg, int partners,
                            char *err, size_t errlen)
{
    gsl_set_error_handler_off();
    *out = NULL;
    const zz_population_cfg *pc = &cfg->population;
    int64_t n = pc->firms;
    if (n < 1 || n >= (int64_t)ZZ_NO_LEADER) {
        snprintf(err, errlen, "population: firms = %lld must be in 1..%lld", (long long)n,
                 (long long)ZZ_NO_LEADER - 1);
        return ZZ_SCENARIO;
    }
    if (cfg->ncities < 1 || cfg->ncities > ZZ_MAX_CITIES || cfg->nindustries < 1 ||
        cfg->nindustries > ZZ_MAX_INDUSTRIES) {
        snprintf(err, errlen, "population: %d cities and %d industries; need 1..%d of each",
                 cfg->ncities, cfg->nindustries, ZZ_MAX_CITIES);
        return ZZ_SCENARIO;
    }
    int rc = check_weights(pc->size_share, ZZ_NSIZES, "size_share", err, errlen);
    if (rc)
        return rc;

    double cw[ZZ_MAX_CITIES], iw[ZZ_MAX_INDUSTRIES], prob[ZZ_NSIZES];
    lookup_weights(city_weight, (int)(sizeof city_weight / sizeof *city_weight),
                   cfg->city, cfg->ncities, cw);
    lookup_weights(industry_weight, (int)(sizeof industry_weight / sizeof *industry_weight),
                   cfg->industry, cfg->nindustries, iw);
    adoption_probs(pc, prob);

    struct zz_population *p = zz_population_alloc(n, cfg->ncities, cfg->nindustries);
    gsl_ran_discrete_t *dsize = gsl_ran_discrete_preproc(ZZ_NSIZES, pc->size_share);
    gsl_ran_discrete_t *dcity = gsl_ran_discrete_preproc((size_t)cfg->ncities, cw);
    gsl_ran_discrete_t *dind = gsl_ran_discrete_preproc((size_t)cfg->nindustries, iw);
    zz_rng r = {0};
    rc = ZZ_NOMEM;
    if (!p || !dsize || !dcity || !dind || zz_rng_init(&r, cfg->seed, ZZ_RNG_ANY_REPLICATE))
        goto fail;

    for (int64_t i = 0; i < n; i++) {
        /* a million firms take seconds: Ctrl-C is heard within a fraction */
        if ((i & 0xffff) == 0 && zz_interrupt_pending()) {
            rc = ZZ_INTERRUPTED;
            goto fail;
        }
        draw_firm(p, i, zz_rng_at(&r, (uint32_t)i, ZZ_RNG_POPULATION, 0), pc, dsize, dcity, dind,
                  prob);
    }
    rc = build_chains(p, &r, partners);
    if (rc)
        goto fail;
    zz_population_count(p);
    if (zz_population_order(p)) {
        rc = ZZ_NOMEM;
        goto fail;
    }
    gsl_ran_discrete_free(dsize);
    gsl_ran_discrete_free(dcity);
    gsl_ran_discrete_free(dind);
    zz_rng_free(&r);
    *out = p;
    return ZZ_OK;

fail:
    if (rc == ZZ_INTERRUPTED)
        snprintf(err, errlen, "interrupted while building the population");
    else
        snprintf(err, errlen, "population: out of memory for %lld firms", (long long)n);
    if (dsize)
        gsl_ran_discrete_free(dsize);
    if (dcity)
        gsl_ran_discrete_free(dcity);
    if (dind)
        gsl_ran_discrete_free(dind);
    zz_rng_free(&r);
    zz_population_free(p);
    return rc;
}

/* The firms a configuration asks for: synthetic, or its CSV file. */
int zz_population_make(struct zz_population **out, const zz_config *cfg, int partners,
                       char *err, size_t errlen)
{
    const char *file = cfg->population.file;
    if (!file[0])
        return zz_population_synthetic(out, cfg, partners, err, errlen);

    /* A relative file name is relative to the scenario's directory, so a
     * scenario and its data move together. */
    char path[2048];
    const char *slash = strrchr(cfg->path, '/');
    if (file[0] == '/' || !slash)
        snprintf(path, sizeof path, "%s", file);
    else
        snprintf(path, sizeof path, "%.*s/%s", (int)(slash - cfg->path), cfg->path, file);
    return zz_population_csv(out, cfg, path, err, errlen);
}

const char *zz_population_errmsg(const zz_population *pop)
{
    return pop ? pop->errmsg : "out of memory";
}

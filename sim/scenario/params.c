/*
 * The parameter registry (see params.h): the table and walking it, the
 * derived values and the cross-field consistency checks. Storing a value
 * by its type is param_types.c's (with param_format.c), keys and setting by
 * key param_keys.c's, describe and the reference param_describe.c's.
 *
 * Defaults: zz_config_defaults (config.c) holds the scenario's; a
 * programme's are its instrument's rows' `def`, stored by
 * zz_programme_defaults below; describe prints whatever the config holds.
 */
#include "scenario/params.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/date.h"
#include "policy/instrument.h"
#include "scenario/params_internal.h"
#include "zhizao/zhizao.h"

/* ---- the table ---------------------------------------------------------- */

#define KB(k) (1u << (k))
#define R_ECON KB(ZZ_RULE_ECONOMIC)
#define R_BASS KB(ZZ_RULE_BASS)
#define R_LUA KB(ZZ_RULE_LUA)

#define MSIZE(T, m) sizeof(((T *)0)->m)
#define ENTRY(blk, T, fld, m, type, n, mask, lo, hi, flags, choices, doc)                 \
    {fld, blk, type, flags, mask, offsetof(T, m), MSIZE(T, m) / (n), n, lo, hi, choices, doc, 0}

#define SCN(fld, m, type, lo, hi, flags, doc)                                           \
    ENTRY(ZZ_PB_SCENARIO, zz_config, fld, m, type, 1, 0, lo, hi, flags, NULL, doc)
#define POP(fld, m, type, n, lo, hi, flags, doc)                                        \
    ENTRY(ZZ_PB_POPULATION, zz_population_cfg, fld, m, type, n, 0, lo, hi, flags, NULL, doc)
#define DEC(fld, m, n, rules, lo, hi, flags, doc)                                       \
    ENTRY(ZZ_PB_DECISION, zz_decision_cfg, fld, m, ZZ_PT_NUMBER, n, rules, lo, hi,      \
          (flags) | ZZ_PF_LIVE, NULL, doc)
#define DECC(fld, m, rules, flags, choices, doc)                                        \
    ENTRY(ZZ_PB_DECISION, zz_decision_cfg, fld, m, ZZ_PT_CHOICE, 1, rules, 0, 0, flags, \
          choices, doc)
#define PRG(fld, m, type, lo, hi, flags, doc)                                           \
    ENTRY(ZZ_PB_PROGRAMME, zz_programme_cfg, fld, m, type, 1, 0, lo, hi, flags, NULL, doc)
#define TGT(fld, m, type, lo, hi, flags, doc)                                           \
    ENTRY(ZZ_PB_TARGET, zz_target_cfg, fld, m, type, 1, 0, lo, hi, flags, NULL, doc)
#define PIO(fld, m, type, lo, hi, flags, doc)                                           \
    ENTRY(ZZ_PB_PIONEER, zz_pioneer_cfg, fld, m, type, 1, 0, lo, hi, flags, NULL, doc)
#define CMP(fld, m, type, lo, hi, flags, doc)                                           \
    ENTRY(ZZ_PB_COMPUTE, zz_compute_cfg, fld, m, type, 1, 0, lo, hi, flags, NULL, doc)

#define NUM ZZ_PT_NUMBER
#define INT ZZ_PT_INTEGER
#define BOOL ZZ_PT_BOOLEAN
#define DATE ZZ_PT_DATE
#define LIVE ZZ_PF_LIVE
#define MONEY_MAX 1e13 /* yuan: far above any provincial budget, below float trouble */

static const zz_param registry[] = {
    /* scenario */
    SCN("name", name, ZZ_PT_STRING, 0, 0, ZZ_PF_NAME, "run name, used for output groups"),
    SCN("start", start, DATE, 0, 0, ZZ_PF_START | ZZ_PF_FIXED,
        "start date; every date in the scenario is counted from it"),
    SCN("years", years, NUM, 0.01, 100, 0,
        "length of the run in years (a whole number: calendar years)"),
    SCN("horizon", horizon, NUM, 0, 0, ZZ_PF_DERIVED, "length of the run in days, from start and years"),
    SCN("seed", seed, INT, 0, 9007199254740991.0, 0, "random seed of the ensemble"),
    SCN("replications", replications, INT, 1, 100000, 0, "replications in the ensemble"),

    /* population */
    POP("firms", firms, INT, 1, 1, 1e8, ZZ_PF_SCALES, "synthetic firms (ignored when file is given)"),
    POP("file", file, ZZ_PT_STRING, 1, 0, 0, ZZ_PF_PATH,
        "CSV of real firms, relative to the scenario file; empty = synthetic"),
    POP("initial_adoption", initial_adoption, NUM, 1, 0, 1, 0,
        "share of above-size (gsz) firms adopted at the start"),
    POP("initial_aware", initial_aware, NUM, 1, 0, 1, 0,
        "share of non-adopters aware of AI at the start (assumption, range 0.3-0.8: data/observed.csv "
        "model_initial_aware, basis uk_sme_support_awareness_2013, ru_sme_support_awareness_2015)"),
    POP("size_share", size_share, NUM, ZZ_NSIZES, 0, 1, 0, "share of firms in each size class (adds to 1)"),
    POP("adoption_mult", adoption_mult, NUM, ZZ_NSIZES, 0, 100, 0,
        "relative initial adoption by size"),
    POP("credit_access", credit_access, NUM, ZZ_NSIZES, 0, 1, 0, "share of firms with bank credit, by size"),
    POP("liquidity_share", liquidity_share, NUM, ZZ_NSIZES, 0, 10, 0,
        "liquid funds / annual revenue, by size"),
    POP("readiness_mean", readiness_mean, NUM, ZZ_NSIZES, 0, 1, 0, "mean digital readiness, by size"),
    POP("hurdle_mean", hurdle_mean, NUM, 1, -10, 10, 0, "mean required return over cost"),
    POP("hurdle_sd", hurdle_sd, NUM, 1, 0, 10, 0, "spread of the hurdle across firms"),
    POP("leader_share", leader_share, NUM, 1, 0, 1, 0, "share of large firms that lead a chain"),

    /* decision: rule-specific fields name their rules; --set checks them */
    DECC("rule", rule, 0, ZZ_PF_NOLUA, "economic|bass|lua",
         "decision rule (the block's kind: decision \"bass\" { ... })"),
    DEC("p", p, 1, R_BASS, 0, 1, 0, "bass: innovation coefficient, per year"),
    DEC("q", q, 1, R_BASS, 0, 5, 0, "bass: imitation coefficient, per year"),
    DECC("peers", peers, R_BASS, LIVE, "all|industry|city|city_industry",
         "bass: peer group whose adopted share drives imitation"),
    DEC("review_days", review_days, 1, R_BASS | R_LUA, 1, 3650, 0,
        "bass, lua: mean days between a firm's reviews"),
    DEC("review_days", review_days_size, ZZ_NSIZES, R_ECON, 1, 3650, 0,
        "economic: mean days between reviews, by size"),
    DEC("awareness_rate", awareness_rate, 1, R_ECON, 0, 100, 0,
        "economic: rate at which unaware firms become aware, per year (assumption, range 0.1-0.5: "
        "data/observed.csv model_awareness_rate)"),
    DEC("cost_share", cost_share, ZZ_NSIZES, R_ECON, 0, 10, 0,
        "economic: project cost / annual revenue, by size"),
    DEC("cost_min", cost_min, 1, R_ECON, 0, 1e10, 0, "economic: smallest project cost, yuan"),
    DEC("component_share", component_share, ZZ_NCOMPONENTS, R_ECON, 0, 1, 0,
        "economic: split of a project's cost by component (adds to 1)"),
    DEC("gain_rate", gain_rate, 1, R_ECON, 0, 10, 0,
        "economic: annual gain / revenue of the median project at readiness 0.5"),
    DEC("gain_readiness", gain_readiness, 1, R_ECON, 0, 10, 0, "economic: slope of the gain in readiness"),
    DEC("return_sd", return_sd, 1, R_ECON, 0, 5, 0,
        "economic: log-sd of a firm's own project gain around the median firm's (0: none)"),
    DEC("horizon_years", horizon_years, 1, R_ECON, 0.1, 100, 0,
        "economic: years over which a firm values the gain"),
    DEC("discount_rate", discount_rate, 1, R_ECON, 0, 1, 0, "economic: firms' discount rate, per year"),
    DEC("belief_mean", belief_mean, 1, R_ECON, 0.01, 0.99, 0,
        "economic: prior mean of a project's success probability at readiness 0.5 (assumption, range "
        "0.3-0.55: pessimistic, seed 000)"),
    DEC("belief_strength", belief_strength, 1, R_ECON, 0, 1e6, ZZ_PF_LO_OPEN,
        "economic: weight of the prior, pseudo-observations (assumption, range 10-100)"),
    DEC("learn_local", learn_local, 1, R_ECON, 0, 1e6, 0,
        "economic: firms of its city x industry whose outcomes a firm follows (assumption, range 5-40)"),
    DEC("learn_industry", learn_industry, 1, R_ECON, 0, 1e6, 0,
        "economic: firms of its industry, province-wide, whose outcomes a firm follows (assumption, "
        "range 5-50)"),
    DEC("learn_province", learn_province, 1, R_ECON, 0, 1e6, 0,
        "economic: firms of the province whose outcomes a firm follows (assumption, range 0-100)"),
    DEC("learn_chain", learn_chain, 1, R_ECON, 0, 100, 0,
        "economic: observations each of its chain leader's outcomes counts for with a partner "
        "(assumption, range 0.5-3)"),
    DEC("learn_half_life", learn_half_life, 1, R_ECON, 1, 36500, 0,
        "economic: days for an observed outcome's weight to halve (assumption, range 730-2920)"),
    DEC("learn_publicity", learn_publicity, 1, R_ECON, 0, 100, 0,
        "economic: observations a contest benchmark's outcome counts for with every firm of its industry "
        "(publicised; assumption, range 0-10; 0: seen as any project)"),
    DEC("success_max", success_max, 1, R_ECON, 0, 1, 0, "economic: ceiling of the perceived probability"),
    DEC("cost_fall", cost_fall, 1, R_ECON, 0, 0.99, 0,
        "economic: yearly fall of the compute and model parts of a project's cost (assumption, range "
        "0-0.5; AI Index 2025: inference prices at fixed capability fall 9-900x a year)"),
    DEC("gain_growth", gain_growth, 1, R_ECON, 0, 1, 0,
        "economic: yearly rise of a project's gain with model capability (assumption, range 0-0.1)"),
    DEC("true_success_base", true_success_base, 1, R_ECON, 0, 1, 0,
        "economic: true success probability, base"),
    DEC("true_success_readiness", true_success_readiness, 1, R_ECON, 0, 1, 0,
        "economic: true success probability added per unit readiness"),
    DEC("loss_share", loss_share, 1, R_ECON, 0, 1, 0, "economic: share of the cost lost on failure"),
    DEC("market_rate", market_rate, 1, R_ECON, 0, 1, 0, "economic: borrowing rate, per year"),
    DEC("loan_years", loan_years, 1, R_ECON, 0.1, 50, 0, "economic: loan term, years"),
    DEC("temperature", temperature, 1, R_ECON, 0, 100, ZZ_PF_LO_OPEN,
        "economic: logit temperature of the adopt decision"),
    DEC("impl_days_mean", impl_days_mean, 1, R_ECON, 1, 3650, 0, "economic: mean implementation days"),
    DEC("impl_days_shape", impl_days_shape, 1, R_ECON, 0.1, 1000, 0,
        "economic: gamma shape of implementation days"),
    DEC("cooldown_days", cooldown_days, 1, R_ECON, 0, 36500, 0, "economic: days before a failed firm retries"),
    DEC("hurdle_raise", hurdle_raise, 1, R_ECON, 0, 100, 0, "economic: hurdle added by a failure"),
    DEC("scale_cost_mult", scale_cost_mult, 1, R_ECON, 0, 100, 0, "economic: scale-up cost / pilot cost"),
    DEC("scale_review_days", scale_review_days, 1, R_ECON, 1, 36500, 0,
        "economic: mean days between scale-up reviews"),
    DEC("scale_gain_mult", scale_gain_mult, 1, R_ECON, 0, 100, 0, "economic: scale-up gain / pilot gain"),

    /* the compute market: declaring compute { ... } switches it on */
    CMP("enabled", enabled, BOOL, 0, 1, 0, "true: firms compete for compute and its price moves"),
    CMP("capacity", capacity, NUM, 0, 1e9, LIVE | ZZ_PF_SCALES, "PFLOPS available to the firms modelled"),
    CMP("expansions", nexpansions, ZZ_PT_EXPANSIONS, 0, 1e9, ZZ_PF_SCALES,
        "capacity added on given dates, PFLOPS: { [\"2027-06-01\"] = 5000 }"),
    CMP("pflops_per_myuan", pflops_per_myuan, NUM, 0, 1e6, 0,
        "PFLOPS an adopter uses per million yuan of its project's compute cost"),
    CMP("base_utilisation", base_utilisation, NUM, 0, 0.999, LIVE,
        "utilisation below which compute sells at list price"),
    CMP("price_elasticity", price_elasticity, NUM, 0, 1000, LIVE,
        "price rise per unit of (u - base) / (1 - base)"),
    CMP("max_price", max_price, NUM, 1, 1000, LIVE, "price ceiling, times the list price"),

    /* every programme; each instrument adds its own rows (instrument.h) */
    PRG("enabled", enabled, BOOL, 0, 1, LIVE, "false switches the programme off"),
    PRG("start", start, DATE, 0, 0, 0, "first day the programme is open"),
    PRG("end", end, DATE, 0, 0, ZZ_PF_OPTIONAL | LIVE, "day it closes; none = open to the horizon"),
    PRG("budget", budget, NUM, 0, MONEY_MAX, LIVE | ZZ_PF_SCALES, "money in the pot, yuan"),
    PRG("budget_per_year", budget_per_year, BOOL, 0, 1, 0,
        "true: the pot is the yearly amount and resets each January 1"),
    PRG("fiscal", fiscal, BOOL, 0, 1, 0,
        "false: not fiscal money (e.g. an industry fund's equity); costs count fiscal money"),
    PRG("cities", filter.cities, ZZ_PT_CITIES, 0, 0, 0, "eligible cities; all if omitted"),
    PRG("industries", filter.industries, ZZ_PT_INDUSTRIES, 0, 0, 0,
        "eligible industries (contest: its challenge list); all if omitted"),
    PRG("sizes", filter.sizes, ZZ_PT_SIZES, 0, 0, 0, "eligible size classes; all if omitted"),
    PRG("states", filter.states, ZZ_PT_STATES, 0, 0, 0, "eligible adoption states; all if omitted"),
    PRG("gsz_only", filter.gsz_only, BOOL, 0, 1, 0, "true: above-size (gsz) firms only"),
    PRG("pioneer_only", filter.pioneer_only, BOOL, 0, 1, 0,
        "true: only the pioneer cities' chosen industries"),

    /* targets (reported groups) */
    TGT("name", name, ZZ_PT_STRING, 0, 0, ZZ_PF_IDENT | ZZ_PF_NAME, "target name"),
    TGT("city", filter.cities, ZZ_PT_CITIES, 0, 0, 0, "cities of the group; all if omitted"),
    TGT("industry", filter.industries, ZZ_PT_INDUSTRIES, 0, 0, 0, "industries of the group; all if omitted"),
    TGT("size", filter.sizes, ZZ_PT_SIZES, 0, 0, 0, "size classes of the group; all if omitted"),
    TGT("gsz_only", filter.gsz_only, BOOL, 0, 1, 0, "true: above-size (gsz) firms only"),
    TGT("share", share, NUM, 0, 1, ZZ_PF_LO_OPEN, "adoption share to reach"),
    TGT("by", by, DATE, 0, 0, ZZ_PF_OPTIONAL,
        "deadline \"YYYY-MM-DD\" for the share; none if omitted (pioneers: within_days)"),

    /* pioneer cities (一业一市) */
    PIO("city", city, ZZ_PT_CITY, 0, 0, ZZ_PF_IDENT, "the pioneer city"),
    PIO("industry", industry, ZZ_PT_INDUSTRY, 0, 0, ZZ_PF_IDENT, "its chosen industry"),
    PIO("share", share, NUM, 0, 1, ZZ_PF_LO_OPEN, "share of its gsz firms to bring to AI"),
    PIO("within_days", within_days, NUM, 0, 36500, 0, "the plan's deadline, days from the start"),
};

static const char *const block_names[ZZ_PB_COUNT] = {"scenario", "population", "decision",
                                                     "compute",  "programme",  "target",
                                                     "pioneer"};

const zz_param *zz_params_all(int *n)
{
    *n = (int)(sizeof registry / sizeof *registry);
    return registry;
}

const char *zz_param_block_name(int block)
{
    return block >= 0 && block < ZZ_PB_COUNT ? block_names[block] : "?";
}

int zz_pi_applies(const zz_param *p, int kind)
{
    return p->mask == 0 || kind < 0 || (p->mask >> kind & 1u);
}

#define NREGISTRY ((int)(sizeof registry / sizeof *registry))

/* The registry's rows, then (programmes) the instruments' own: those of
 * instrument `kind`, or of every instrument when kind < 0. */
const zz_param *zz_param_next(int block, int kind, int *cursor)
{
    for (;;) {
        int c = (*cursor)++;
        if (c < NREGISTRY) {
            if (registry[c].block == block)
                return &registry[c];
            continue;
        }
        if (block != ZZ_PB_PROGRAMME)
            return NULL;
        c -= NREGISTRY;
        /* instrument k's rows take 64 cursor positions */
        int k = c / 64, r = c % 64;
        if (kind >= 0) {
            if (k > 0 || r >= zz_instruments[kind]->nparams)
                return NULL;
            return &zz_instruments[kind]->params[r];
        }
        if (k >= zz_ninstruments)
            return NULL;
        if (r < zz_instruments[k]->nparams)
            return &zz_instruments[k]->params[r];
        *cursor = NREGISTRY + (k + 1) * 64;
    }
}

const zz_param *zz_param_field(int block, int kind, const char *field)
{
    const zz_param *p;
    for (int c = 0; (p = zz_param_next(block, kind, &c));)
        if (strcmp(p->field, field) == 0 && (block == ZZ_PB_PROGRAMME || zz_pi_applies(p, kind)))
            return p;
    return NULL;
}

void *zz_param_base(zz_config *cfg, int block, int index)
{
    switch (block) {
    case ZZ_PB_SCENARIO: return cfg;
    case ZZ_PB_POPULATION: return &cfg->population;
    case ZZ_PB_DECISION: return &cfg->decision;
    case ZZ_PB_COMPUTE: return &cfg->compute;
    case ZZ_PB_PROGRAMME: return &cfg->programme[index];
    case ZZ_PB_TARGET: return &cfg->target[index];
    case ZZ_PB_PIONEER: return &cfg->pioneer[index];
    }
    return NULL;
}


/* ---- derived values and consistency ---------------------------------------- */

void zz_params_resolve(zz_config *cfg)
{
    /* A whole number of years means calendar years (2026-01-01 + 3 years
     * = 2029-01-01, 1096 days with the leap day); otherwise 365.25 a year. */
    if (cfg->years == floor(cfg->years)) {
        int y, m, d;
        zz_civil_from_days(cfg->start_day, &y, &m, &d);
        cfg->horizon = (double)(zz_days_from_civil(y + (int)cfg->years, m, d) - cfg->start_day);
    } else {
        cfg->horizon = cfg->years * 365.25;
    }
}

static void fmt_date(const zz_config *cfg, double d, char *buf)
{
    zz_date_format(cfg->start_day + (int64_t)floor(d), buf);
}

int zz_params_check(const zz_config *cfg, int *block, int *index, char *msg, size_t len)
{
    double sum = 0;
    for (int s = 0; s < ZZ_NSIZES; s++)
        sum += cfg->population.size_share[s];
    if (fabs(sum - 1) > 1e-6) {
        *block = ZZ_PB_POPULATION, *index = 0;
        zz_pi_fmt(msg, len, "population: size_share adds to %.10g; the shares of micro, small, medium "
                      "and large firms must add to 1", sum);
        return 1;
    }
    sum = 0;
    for (int c = 0; c < ZZ_NCOMPONENTS; c++)
        sum += cfg->decision.component_share[c];
    if (fabs(sum - 1) > 1e-6) {
        *block = ZZ_PB_DECISION, *index = 0;
        zz_pi_fmt(msg, len, "decision: component_share adds to %.10g; the cost shares of compute, model, "
                      "data, integration and other must add to 1", sum);
        return 1;
    }
    if (cfg->decision.rule == ZZ_RULE_LUA && cfg->decision.lua_rule_line <= 0) {
        *block = ZZ_PB_DECISION, *index = 0;
        zz_pi_fmt(msg, len, "decision \"lua\" needs its function: decision \"lua\" { fn = function(firm) "
                      "... end }");
        return 1;
    }
    for (int g = 0; g < cfg->nprogrammes; g++) {
        const zz_programme_cfg *pc = &cfg->programme[g];
        char desc[ZZ_NAME_LEN + 16], a[11], b[11];
        zz_programme_desc(pc, desc, sizeof desc);
        *block = ZZ_PB_PROGRAMME, *index = g;
        if (pc->end >= 0 && pc->end <= pc->start) {
            fmt_date(cfg, pc->start, a), fmt_date(cfg, pc->end, b);
            zz_pi_fmt(msg, len, "%s: end (%s) must come after start (%s)", desc, b, a);
            return 1;
        }
        const zz_instrument *ops = zz_instruments[pc->kind];
        char why[512];
        if (ops->check && ops->check(cfg, pc, why, sizeof why)) {
            zz_pi_fmt(msg, len, "%s: %s", desc, why);
            return 1;
        }
    }
    return 0;
}

void zz_programme_desc(const zz_programme_cfg *g, char *buf, size_t len)
{
    const char *dot = strchr(g->name, '.');
    if (dot)
        snprintf(buf, len, "%.*s \"%s\"", (int)(dot - g->name), g->name, dot + 1);
    else
        snprintf(buf, len, "%s", g->name);
}

/* Defaults of a programme: enabled, open from the start to the horizon,
 * and each of its instrument's rows at the row's default. */
void zz_programme_defaults(zz_programme_cfg *g, int kind)
{
    memset(g, 0, sizeof *g);
    g->kind = kind;
    g->enabled = 1;
    g->fiscal = 1;
    g->end = -1;
    const zz_instrument *ops = zz_instruments[kind];
    for (int r = 0; r < ops->nparams; r++) {
        /* stored as a number through the type's own row, with its checks:
         * an instrument's row whose default its type refuses is a bug */
        const zz_param *p = &ops->params[r];
        zz_pvalue v = {.kind = ZZ_PV_NUMBER, .num = p->def};
        char msg[256];
        int rc = zz_param_type_of(p->type)->store(NULL, p, g, -1, &v, msg, sizeof msg);
        assert(rc == ZZ_OK && "an instrument row's default fits its type");
        (void)rc;
    }
}

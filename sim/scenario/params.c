/*
 * The parameter registry (see params.h): the table, storing a value into a
 * parameter with its checks, key lookup for --set and sim:set, describe,
 * and the cross-field consistency checks.
 *
 * Defaults are not here: zz_config_defaults and zz_programme_defaults
 * (config.c) own them; describe prints whatever the config holds.
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
#include "zhizao/zhizao.h"

const char *const zz_size_names[ZZ_NSIZES] = {"micro", "small", "medium", "large"};
const char *const zz_component_names[ZZ_NCOMPONENTS] = {"compute", "model", "data",
                                                        "integration", "other"};
const char *const zz_state_names[ZZ_NSTATES] = {"none", "implementing", "adopted", "scaled"};
const char *const zz_rule_names[3] = {"economic", "bass", "lua"};
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
    POP("firms", firms, INT, 1, 1, 1e8, 0, "synthetic firms (ignored when file is given)"),
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
        "0.3-0.55: pessimistic, FACTS 000)"),
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
    CMP("capacity", capacity, NUM, 0, 1e9, LIVE, "PFLOPS available to the firms modelled"),
    CMP("expansions", nexpansions, ZZ_PT_EXPANSIONS, 0, 1e9, 0,
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
    PRG("budget", budget, NUM, 0, MONEY_MAX, LIVE, "money in the pot, yuan"),
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

static int applies(const zz_param *p, int kind)
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
        if (strcmp(p->field, field) == 0 && (block == ZZ_PB_PROGRAMME || applies(p, kind)))
            return p;
    return NULL;
}

const char *zz_param_expect(const zz_param *p)
{
    const zz_param_type_row *r = zz_param_type_of(p->type);
    if (!r)
        return "a value";
    /* the other wording: per-size numbers, optional dates */
    if (r->expect_alt && (p->count > 1 || (p->flags & ZZ_PF_OPTIONAL)))
        return r->expect_alt;
    return r->expect;
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

/* ---- names and suggestions ---------------------------------------------- */

static void fmt(char *buf, size_t len, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, len, f, ap);
    va_end(ap);
}

/* "'Jinnan' is not a city; did you mean 'Jinan'? valid: Jinan, Qingdao, ..." */
static int bad_name(char *msg, size_t len, const char *item, const char *what,
                    const char *const *names, int n)
{
    fmt(msg, len, "'%s' is not %s; ", item, what);
    zz_suggest(msg, len, item, names, n, NULL, "did you mean '%s'? ");
    size_t at = strlen(msg);
    fmt(msg + at, len - at, "valid: ");
    zz_join_names(msg, len, names, n);
    return ZZ_SCENARIO;
}

static int find_name(const char *item, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(item, names[i]) == 0)
            return i;
    return -1;
}

/* The choices of a CHOICE parameter as an array of words (at most 8). */
static int split_choices(const char *choices, char words[8][24], const char *ptrs[8])
{
    int n = 0;
    for (const char *s = choices; *s && n < 8; n++) {
        size_t w = strcspn(s, "|");
        snprintf(words[n], sizeof words[n], "%.*s", (int)w, s);
        ptrs[n] = words[n];
        s += w + (s[w] == '|');
    }
    return n;
}

/* The name table a type draws from (its row's `names`), or none. */
static int names_of(const zz_config *cfg, int type, const char *const **names, const char **what,
                    const char *ptrs[ZZ_MAX_CITIES])
{
    const zz_param_type_row *r = zz_param_type_of(type);
    if (!r || !r->names)
        return 0;
    *what = r->what;
    return r->names(cfg, ptrs, names);
}

static int names_cities(const zz_config *cfg, const char *ptrs[], const char *const **names)
{
    for (int i = 0; i < cfg->ncities; i++)
        ptrs[i] = cfg->city[i];
    *names = ptrs;
    return cfg->ncities;
}

static int names_industries(const zz_config *cfg, const char *ptrs[], const char *const **names)
{
    for (int i = 0; i < cfg->nindustries; i++)
        ptrs[i] = cfg->industry[i];
    *names = ptrs;
    return cfg->nindustries;
}

static int names_sizes(const zz_config *cfg, const char *ptrs[], const char *const **names)
{
    (void)cfg, (void)ptrs;
    *names = zz_size_names;
    return ZZ_NSIZES;
}

static int names_states(const zz_config *cfg, const char *ptrs[], const char *const **names)
{
    (void)cfg, (void)ptrs;
    *names = zz_state_names;
    return ZZ_NSTATES;
}

/* ---- storing ------------------------------------------------------------ */

static const char *pv_kind_name(int kind)
{
    static const char *const names[] = {"number", "boolean", "string", "list", "none"};
    return kind >= 0 && kind <= ZZ_PV_NONE ? names[kind] : "value";
}

static int expect(const zz_param *p, const zz_pvalue *v, char *msg, size_t len)
{
    fmt(msg, len, "expected %s, got %s", zz_param_expect(p), pv_kind_name(v->kind));
    return ZZ_SCENARIO;
}

static void fmt_number(char *buf, size_t len, double x);

static int out_of_range(const zz_param *p, double x, char *msg, size_t len)
{
    char v[32], lo[32], hi[32];
    fmt_number(v, sizeof v, x);
    fmt_number(lo, sizeof lo, p->lo);
    fmt_number(hi, sizeof hi, p->hi);
    fmt(msg, len, "%s is outside %c%s, %s]", v, p->flags & ZZ_PF_LO_OPEN ? '(' : '[', lo, hi);
    return ZZ_SCENARIO;
}

static int in_range(const zz_param *p, double x)
{
    return (p->flags & ZZ_PF_LO_OPEN ? x > p->lo : x >= p->lo) && x <= p->hi;
}

static int store_mask(const zz_config *cfg, const zz_param *p, char *at, const zz_pvalue *v,
                      char *msg, size_t len)
{
    const char *ptrs[ZZ_MAX_CITIES], *what = "";
    const char *const *names = NULL;
    int n = names_of(cfg, p->type, &names, &what, ptrs);
    const char *single[1];
    const char *const *items;
    int nitems;
    if (v->kind == ZZ_PV_STRING) {
        if (strcmp(v->str, "all") == 0) {
            nitems = 0;
            items = NULL;
        } else {
            single[0] = v->str;
            items = single;
            nitems = 1;
        }
    } else if (v->kind == ZZ_PV_LIST) {
        if (v->nitems == 0) {
            fmt(msg, len, "the list is empty; leave the field out (or write \"all\") to cover every one");
            return ZZ_SCENARIO;
        }
        items = v->items;
        nitems = v->nitems;
    } else {
        return expect(p, v, msg, len);
    }
    uint64_t mask = 0;
    for (int i = 0; i < nitems; i++) {
        int k = find_name(items[i], names, n);
        if (k < 0)
            return bad_name(msg, len, items[i], what, names, n);
        mask |= (uint64_t)1 << k;
    }
    if (p->size == sizeof(uint64_t))
        memcpy(at, &mask, sizeof mask);
    else
        *(uint8_t *)at = (uint8_t)mask;
    return ZZ_OK;
}

/* Expansions arrive as items "YYYY-MM-DD:pflops" (from a Lua table or
 * from text), kept in date order; "none" or an empty list clears them. */
static int store_expansions(const zz_config *cfg, const zz_param *p, void *base,
                            const zz_pvalue *v, char *msg, size_t len)
{
    zz_compute_cfg *c = base, next = *c;
    const char *single[1];
    const char *const *items = v->items;
    int n = v->nitems;
    if (v->kind == ZZ_PV_STRING || v->kind == ZZ_PV_NONE) {
        single[0] = v->str;
        items = single;
        n = v->kind == ZZ_PV_NONE || strcmp(v->str, "none") == 0 ? 0 : 1;
    } else if (v->kind != ZZ_PV_LIST) {
        return expect(p, v, msg, len);
    }
    if (n > ZZ_MAX_EXPANSIONS) {
        fmt(msg, len, "%d expansions; at most %d", n, ZZ_MAX_EXPANSIONS);
        return ZZ_SCENARIO;
    }
    next.nexpansions = 0;
    for (int i = 0; i < n; i++) {
        char date[16];
        int64_t day;
        const char *colon = strchr(items[i], ':');
        char *end;
        double pf = colon ? strtod(colon + 1, &end) : 0;
        if (!colon || colon - items[i] >= (long)sizeof date || end == colon + 1 || *end) {
            fmt(msg, len, "'%s' is not date:PFLOPS, e.g. 2027-06-01:5000", items[i]);
            return ZZ_SCENARIO;
        }
        fmt(date, sizeof date, "%.*s", (int)(colon - items[i]), items[i]);
        if (zz_date_parse(date, &day) != 0) {
            fmt(msg, len, "'%s' is not a date; expected \"YYYY-MM-DD\"", date);
            return ZZ_SCENARIO;
        }
        if (!in_range(p, pf))
            return out_of_range(p, pf, msg, len);
        /* insertion in date order: the market adds what is due by now */
        int k = next.nexpansions++;
        while (k > 0 && next.expansion_day[k - 1] > (double)(day - cfg->start_day)) {
            next.expansion_day[k] = next.expansion_day[k - 1];
            next.expansion_pflops[k] = next.expansion_pflops[k - 1];
            k--;
        }
        next.expansion_day[k] = (double)(day - cfg->start_day);
        next.expansion_pflops[k] = pf;
    }
    *c = next;
    return ZZ_OK;
}

/* ---- one row per type ------------------------------------------------------
 * Everything that depends on a parameter's type: how it is stored, read
 * from text, formatted, described. Each function is that type's case; the
 * rows table (type_rows) is the only place that lists the types. */

static int store_number(const zz_config *cfg, const zz_param *p, void *base, int sub,
                        const zz_pvalue *v, char *msg, size_t len)
{
    (void)cfg;
    if (v->kind != ZZ_PV_NUMBER)
        return expect(p, v, msg, len);
    if (isnan(v->num)) {
        fmt(msg, len, "nan is not a number");
        return ZZ_SCENARIO;
    }
    if (!in_range(p, v->num))
        return out_of_range(p, v->num, msg, len);
    double *d = (double *)((char *)base + p->offset);
    for (int i = 0; i < p->count; i++)
        if (sub < 0 || sub == i)
            d[i] = v->num;
    return ZZ_OK;
}

static int store_integer(const zz_config *cfg, const zz_param *p, void *base, int sub,
                         const zz_pvalue *v, char *msg, size_t len)
{
    (void)cfg, (void)sub;
    char *at = (char *)base + p->offset;
    if (v->kind != ZZ_PV_NUMBER)
        return expect(p, v, msg, len);
    if (isnan(v->num)) {
        fmt(msg, len, "expected an integer, got NaN (not a number)");
        return ZZ_SCENARIO;
    }
    if (v->num != floor(v->num)) {
        fmt(msg, len, "expected an integer, got %.10g", v->num);
        return ZZ_SCENARIO;
    }
    if (!in_range(p, v->num))
        return out_of_range(p, v->num, msg, len);
    if (p->size == sizeof(int64_t)) {
        int64_t x = (int64_t)v->num;
        memcpy(at, &x, sizeof x);
    } else {
        *(int *)at = (int)v->num;
    }
    return ZZ_OK;
}

static int store_boolean(const zz_config *cfg, const zz_param *p, void *base, int sub,
                         const zz_pvalue *v, char *msg, size_t len)
{
    (void)cfg, (void)sub;
    char *at = (char *)base + p->offset;
    if (v->kind != ZZ_PV_BOOLEAN && !(v->kind == ZZ_PV_NUMBER && (v->num == 0 || v->num == 1)))
        return expect(p, v, msg, len);
    if (p->size == 1)
        *(uint8_t *)at = v->num != 0;
    else
        *(int *)at = v->num != 0;
    return ZZ_OK;
}

static int store_date(const zz_config *cfg, const zz_param *p, void *base, int sub,
                      const zz_pvalue *v, char *msg, size_t len)
{
    (void)sub;
    char *at = (char *)base + p->offset;
    int64_t day;
    if (v->kind == ZZ_PV_NONE && (p->flags & ZZ_PF_OPTIONAL)) {
        *(double *)at = -1;
        return ZZ_OK;
    }
    if (v->kind == ZZ_PV_NUMBER && !(p->flags & ZZ_PF_START)) {
        /* days since the start: from zz_param_set_number */
        if (!isfinite(v->num) || v->num > 36500 || (v->num < 0 && !(p->flags & ZZ_PF_OPTIONAL))) {
            fmt(msg, len, "%.10g is not a day of the run", v->num);
            return ZZ_SCENARIO;
        }
        *(double *)at = v->num < 0 ? -1 : v->num;
        return ZZ_OK;
    }
    if (v->kind != ZZ_PV_STRING)
        return expect(p, v, msg, len);
    if (zz_date_parse(v->str, &day) != 0) {
        fmt(msg, len, "'%s' is not a date; expected \"YYYY-MM-DD\"", v->str);
        return ZZ_SCENARIO;
    }
    if (p->flags & ZZ_PF_START) {
        zz_config *c = base;
        snprintf(c->start, sizeof c->start, "%s", v->str);
        c->start_day = day;
    } else {
        *(double *)at = (double)(day - cfg->start_day);
    }
    return ZZ_OK;
}

static int store_string(const zz_config *cfg, const zz_param *p, void *base, int sub,
                        const zz_pvalue *v, char *msg, size_t len)
{
    (void)cfg, (void)sub;
    if (v->kind != ZZ_PV_STRING)
        return expect(p, v, msg, len);
    size_t n = strlen(v->str);
    if (n >= p->size) {
        fmt(msg, len, "longer than %zu characters", p->size - 1);
        return ZZ_SCENARIO;
    }
    if (p->flags & ZZ_PF_NAME) {
        if (n == 0) {
            fmt(msg, len, "empty; give a name");
            return ZZ_SCENARIO;
        }
        for (const char *s = v->str; *s; s++)
            if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.') {
                fmt(msg, len, "'%s' contains '%c'; use letters, digits, '_', '-' and '.'",
                    v->str, *s);
                return ZZ_SCENARIO;
            }
    }
    memcpy((char *)base + p->offset, v->str, n + 1);
    return ZZ_OK;
}

static int store_choice(const zz_config *cfg, const zz_param *p, void *base, int sub,
                        const zz_pvalue *v, char *msg, size_t len)
{
    (void)cfg, (void)sub;
    char words[8][24];
    const char *ptrs[8];
    int n = split_choices(p->choices, words, ptrs), k;
    if (v->kind == ZZ_PV_NUMBER && v->num == floor(v->num) && v->num >= 0 && v->num < n)
        k = (int)v->num;
    else if (v->kind == ZZ_PV_STRING) {
        k = find_name(v->str, ptrs, n);
        if (k < 0)
            return bad_name(msg, len, v->str, "a valid choice", ptrs, n);
    } else {
        fmt(msg, len, "expected one of ");
        zz_join_names(msg, len, ptrs, n);
        return ZZ_SCENARIO;
    }
    *(int *)((char *)base + p->offset) = k;
    return ZZ_OK;
}

static int store_list(const zz_config *cfg, const zz_param *p, void *base, int sub,
                      const zz_pvalue *v, char *msg, size_t len)
{
    (void)sub;
    return store_mask(cfg, p, (char *)base + p->offset, v, msg, len);
}

static int store_one_name(const zz_config *cfg, const zz_param *p, void *base, int sub,
                          const zz_pvalue *v, char *msg, size_t len)
{
    (void)sub;
    const char *ptrs[ZZ_MAX_CITIES], *what = "";
    const char *const *names = NULL;
    int n = names_of(cfg, p->type, &names, &what, ptrs);
    if (v->kind != ZZ_PV_STRING)
        return expect(p, v, msg, len);
    int k = find_name(v->str, names, n);
    if (k < 0)
        return bad_name(msg, len, v->str, what, names, n);
    *(int *)((char *)base + p->offset) = k;
    return ZZ_OK;
}

static int store_expansions_row(const zz_config *cfg, const zz_param *p, void *base, int sub,
                                const zz_pvalue *v, char *msg, size_t len)
{
    (void)sub;
    return store_expansions(cfg, p, base, v, msg, len);
}

/* From --set text: the value as the type reads it (val may be cut up). */
static int text_number(const zz_param *p, char *val, zz_pvalue *v, const char **items, int max,
                       char *msg, size_t len)
{
    (void)items, (void)max;
    char *end;
    v->num = strtod(val, &end);
    if (end == val || *end != '\0') {
        fmt(msg, len, "expected %s, got '%s'", zz_param_expect(p), val);
        return ZZ_SCENARIO;
    }
    v->kind = ZZ_PV_NUMBER;
    return ZZ_OK;
}

static int text_boolean(const zz_param *p, char *val, zz_pvalue *v, const char **items, int max,
                        char *msg, size_t len)
{
    (void)p, (void)items, (void)max;
    if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0)
        *v = (zz_pvalue){ZZ_PV_BOOLEAN, 1, NULL, NULL, 0};
    else if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0)
        *v = (zz_pvalue){ZZ_PV_BOOLEAN, 0, NULL, NULL, 0};
    else {
        fmt(msg, len, "expected true or false, got '%s'", val);
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

static int text_date(const zz_param *p, char *val, zz_pvalue *v, const char **items, int max,
                     char *msg, size_t len)
{
    (void)items, (void)max, (void)msg, (void)len;
    if (strcmp(val, "none") == 0 && (p->flags & ZZ_PF_OPTIONAL))
        v->kind = ZZ_PV_NONE;
    return ZZ_OK;
}

static char *trim(char *s);

/* "a,b,c" is a list; one word stays a string ("all", "none", one name). */
static int text_list(const zz_param *p, char *val, zz_pvalue *v, const char **items, int max,
                     char *msg, size_t len)
{
    (void)p;
    if (!strchr(val, ','))
        return ZZ_OK;
    v->kind = ZZ_PV_LIST;
    for (char *s = strtok(val, ","); s; s = strtok(NULL, ",")) {
        if (v->nitems == max) {
            fmt(msg, len, "too many items");
            return ZZ_SCENARIO;
        }
        items[v->nitems++] = trim(s);
    }
    v->items = items;
    return ZZ_OK;
}

static int text_word(const zz_param *p, char *val, zz_pvalue *v, const char **items, int max,
                     char *msg, size_t len)
{
    (void)p, (void)val, (void)v, (void)items, (void)max, (void)msg, (void)len;
    return ZZ_OK;
}

static void fmt_number(char *buf, size_t len, double x);
static void fmt_mask(char *buf, size_t len, const zz_config *cfg, int type, uint64_t mask);

static void fmt_num(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                    const void *base, int sub)
{
    (void)cfg;
    fmt_number(buf, len, ((const double *)((const char *)base + p->offset))[sub < 0 ? 0 : sub]);
}

static void fmt_int(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                    const void *base, int sub)
{
    (void)cfg, (void)sub;
    const char *at = (const char *)base + p->offset;
    if (p->size == sizeof(int64_t)) {
        int64_t x;
        memcpy(&x, at, sizeof x);
        snprintf(buf, len, "%lld", (long long)x);
    } else {
        snprintf(buf, len, "%d", *(const int *)at);
    }
}

static void fmt_bool(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                     const void *base, int sub)
{
    (void)cfg, (void)sub;
    const char *at = (const char *)base + p->offset;
    snprintf(buf, len, "%s", (p->size == 1 ? *(const uint8_t *)at : *(const int *)at) ? "true" : "false");
}

static void fmt_date_row(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                         const void *base, int sub)
{
    (void)sub;
    if (p->flags & ZZ_PF_START) {
        snprintf(buf, len, "%s", cfg->start);
        return;
    }
    double d = *(const double *)((const char *)base + p->offset);
    if (d < 0 && (p->flags & ZZ_PF_OPTIONAL)) {
        snprintf(buf, len, "none");
        return;
    }
    char date[11];
    zz_date_format(cfg->start_day + (int64_t)floor(d), date);
    snprintf(buf, len, "%s", date);
}

static void fmt_string(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                       const void *base, int sub)
{
    (void)cfg, (void)sub;
    snprintf(buf, len, "%s", (const char *)base + p->offset);
}

static void fmt_choice(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                       const void *base, int sub)
{
    (void)cfg, (void)sub;
    char words[8][24];
    const char *ptrs[8];
    int n = split_choices(p->choices, words, ptrs), k = *(const int *)((const char *)base + p->offset);
    snprintf(buf, len, "%s", k >= 0 && k < n ? ptrs[k] : "?");
}

static void fmt_list(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                     const void *base, int sub)
{
    (void)sub;
    const char *at = (const char *)base + p->offset;
    uint64_t m;
    if (p->size == sizeof(uint64_t))
        memcpy(&m, at, sizeof m);
    else
        m = *(const uint8_t *)at;
    fmt_mask(buf, len, cfg, p->type, m);
}

static void fmt_one_name(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                         const void *base, int sub)
{
    (void)sub;
    const char *ptrs[ZZ_MAX_CITIES], *what = "";
    const char *const *names = NULL;
    int n = names_of(cfg, p->type, &names, &what, ptrs), k = *(const int *)((const char *)base + p->offset);
    snprintf(buf, len, "%s", k >= 0 && k < n ? names[k] : "?");
}

static void fmt_expansions(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                           const void *base, int sub)
{
    (void)p, (void)sub;
    const zz_compute_cfg *c = base;
    size_t at_ = 0;
    snprintf(buf, len, "none");
    for (int k = 0; k < c->nexpansions && at_ < len; k++) {
        char date[11], pf[32];
        zz_date_format(cfg->start_day + (int64_t)floor(c->expansion_day[k]), date);
        fmt_number(pf, sizeof pf, c->expansion_pflops[k]);
        at_ += (size_t)snprintf(buf + at_, len - at_, "%s%s:%s", k ? "," : "", date, pf);
    }
}

/* The reference's "valid" column, where it depends on the row. */
static void valid_range(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi)
{
    snprintf(buf, len, "%c%s, %s]", p->flags & ZZ_PF_LO_OPEN ? '(' : '[', lo, hi);
}

static void valid_date(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi)
{
    (void)lo, (void)hi;
    snprintf(buf, len, "\"YYYY-MM-DD\"%s", p->flags & ZZ_PF_OPTIONAL ? ", or false for none" : "");
}

static void valid_string(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi)
{
    (void)lo, (void)hi;
    if (p->flags & ZZ_PF_PATH)
        snprintf(buf, len, "a CSV file beside or below the scenario; \"\" for synthetic firms");
    else
        snprintf(buf, len, "letters, digits, `_` `-` `.`; at most %zu characters", p->size - 1);
}

static void valid_choice(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi)
{
    (void)lo, (void)hi;
    for (const char *s = p->choices; *s && strlen(buf) + 8 < len; s++) {
        size_t at = strlen(buf);
        if (*s == '|')
            snprintf(buf + at, len - at, ", ");
        else
            buf[at] = *s, buf[at + 1] = '\0';
    }
}

static void valid_expansions(char *buf, size_t len, const zz_param *p, const char *lo,
                             const char *hi)
{
    (void)p;
    snprintf(buf, len, "at most %d dates; PFLOPS in [%s, %s]", ZZ_MAX_EXPANSIONS, lo, hi);
}

#define LIST_ROW(exp, ref, valid, names, what)                                                 \
    {ZZ_PL_STRING | ZZ_PL_LIST, exp, NULL, ref, valid, NULL, text_list, store_list, fmt_list,   \
     names, what}

/* Indexed by enum zz_param_type: a new type is one row here. */
static const zz_param_type_row type_rows[] = {
    [ZZ_PT_NUMBER] = {ZZ_PL_NUMBER, "a number", "a number or a table of numbers", "number", NULL,
                      valid_range, text_number, store_number, fmt_num},
    [ZZ_PT_INTEGER] = {ZZ_PL_NUMBER, "an integer", NULL, "whole number", NULL, valid_range,
                       text_number, store_integer, fmt_int},
    [ZZ_PT_BOOLEAN] = {ZZ_PL_BOOLEAN, "true or false", NULL, "true/false", "true, false", NULL,
                       text_boolean, store_boolean, fmt_bool},
    [ZZ_PT_DATE] = {ZZ_PL_STRING | ZZ_PL_FALSE, "a date \"YYYY-MM-DD\"",
                    "a date \"YYYY-MM-DD\" or false", "date", NULL, valid_date, text_date,
                    store_date, fmt_date_row},
    [ZZ_PT_STRING] = {ZZ_PL_STRING, "a string", NULL, "text", NULL, valid_string, text_word,
                      store_string, fmt_string},
    [ZZ_PT_CHOICE] = {ZZ_PL_STRING, "one of the words listed", NULL, "word", NULL, valid_choice,
                      text_word, store_choice, fmt_choice},
    [ZZ_PT_CITIES] = LIST_ROW("a city name or a list of city names", "city or list of cities",
                              "city names (below), or \"all\"", names_cities, "a city"),
    [ZZ_PT_INDUSTRIES] = LIST_ROW("an industry name or a list of industry names",
                                  "industry or list", "industry names (below), or \"all\"",
                                  names_industries, "an industry"),
    [ZZ_PT_SIZES] = LIST_ROW("a size class or a list of them", "size class or list",
                             "micro, small, medium, large; or \"all\"", names_sizes,
                             "a size class"),
    [ZZ_PT_STATES] = LIST_ROW("an adoption state or a list of them", "state or list",
                              "none, implementing, adopted, scaled; or \"all\"", names_states,
                              "an adoption state"),
    [ZZ_PT_CITY] = {ZZ_PL_STRING, "a city name", NULL, "city", "one city name", NULL, text_word,
                    store_one_name, fmt_one_name, names_cities, "a city"},
    [ZZ_PT_INDUSTRY] = {ZZ_PL_STRING, "an industry name", NULL, "industry", "one industry name",
                        NULL, text_word, store_one_name, fmt_one_name, names_industries,
                        "an industry"},
    [ZZ_PT_EXPANSIONS] = {ZZ_PL_PAIRS,
                          "a table of dates and PFLOPS { [\"2027-06-01\"] = 5000 }", NULL,
                          "table date = PFLOPS", NULL, valid_expansions, text_list,
                          store_expansions_row, fmt_expansions},
};

const zz_param_type_row *zz_param_type_of(int type)
{
    return type >= 0 && type < (int)(sizeof type_rows / sizeof *type_rows) ? &type_rows[type] : NULL;
}

int zz_param_store(const zz_config *cfg, const zz_param *p, void *base, int sub,
                   const zz_pvalue *v, char *msg, size_t len)
{
    return type_rows[p->type].store(cfg, p, base, sub, v, msg, len);
}

int zz_param_format(const zz_config *cfg, const zz_param *p, const void *base, int sub, char *buf,
                    size_t len)
{
    buf[0] = '\0';
    type_rows[p->type].format(buf, len, cfg, p, base, sub);
    return ZZ_OK;
}

/* ---- instances and keys --------------------------------------------------- */

/* One block instance: scenario, population, decision, each programme, each
 * target, each pioneer. Its key prefix is "voucher.compute" etc. */
typedef struct inst {
    int block, index, kind;
    char prefix[ZZ_NAME_LEN * 2 + 16];
} inst;

#define MAX_INST (4 + ZZ_MAX_PROGRAMMES + ZZ_MAX_TARGETS + ZZ_MAX_CITIES)

static int instances(const zz_config *cfg, inst *out)
{
    int n = 0;
    for (int b = ZZ_PB_SCENARIO; b <= ZZ_PB_COMPUTE; b++) {
        out[n] = (inst){b, 0, b == ZZ_PB_DECISION ? cfg->decision.rule : -1, ""};
        snprintf(out[n].prefix, sizeof out[n].prefix, "%s", block_names[b]);
        n++;
    }
    for (int g = 0; g < cfg->nprogrammes; g++) {
        out[n] = (inst){ZZ_PB_PROGRAMME, g, cfg->programme[g].kind, ""};
        snprintf(out[n].prefix, sizeof out[n].prefix, "%s", cfg->programme[g].name);
        n++;
    }
    for (int t = 0; t < cfg->ntargets; t++) {
        out[n] = (inst){ZZ_PB_TARGET, t, -1, ""};
        snprintf(out[n].prefix, sizeof out[n].prefix, "target.%s", cfg->target[t].name);
        n++;
    }
    for (int k = 0; k < cfg->npioneers; k++) {
        const zz_pioneer_cfg *pc = &cfg->pioneer[k];
        out[n] = (inst){ZZ_PB_PIONEER, k, -1, ""};
        if (pc->city >= 0 && pc->city < cfg->ncities && pc->industry >= 0 &&
            pc->industry < cfg->nindustries)
            snprintf(out[n].prefix, sizeof out[n].prefix, "pioneer.%s_%s", cfg->city[pc->city],
                     cfg->industry[pc->industry]);
        else
            snprintf(out[n].prefix, sizeof out[n].prefix, "pioneer.%d", k);
        n++;
    }
    return n;
}

/* Parameters an instance shows: its block's, those that apply to its kind
 * (programmes only: a decision shows every rule's so --set can name them). */
static int shows(const zz_param *p, const inst *in)
{
    return p->block == in->block && !(p->flags & ZZ_PF_IDENT);
}

/* The kind an instance's rows are chosen by: its instrument (programmes);
 * every rule's for the decision, so --set can name them. */
static int row_kind(const inst *in)
{
    return in->block == ZZ_PB_PROGRAMME ? in->kind : -1;
}

/* Calls fn for every key of cfg, in describe order. */
typedef int (*key_fn)(void *ud, const char *key, const zz_param *p, const inst *in, int sub);

static int each_key(const zz_config *cfg, key_fn fn, void *ud)
{
    inst *ins = malloc(MAX_INST * sizeof *ins);
    if (!ins)
        return -1;
    int n = instances(cfg, ins), rc = 0;
    char key[256];
    for (int i = 0; i < n && !rc; i++) {
        const zz_param *p;
        for (int c = 0; !rc && (p = zz_param_next(ins[i].block, row_kind(&ins[i]), &c));) {
            if (!shows(p, &ins[i]))
                continue;
            if (p->count == 1) {
                snprintf(key, sizeof key, "%s.%s", ins[i].prefix, p->field);
                rc = fn(ud, key, p, &ins[i], -1);
            } else {
                const char *const *parts = p->count == ZZ_NSIZES ? zz_size_names : zz_component_names;
                for (int s = 0; s < p->count && !rc; s++) {
                    snprintf(key, sizeof key, "%s.%s.%s", ins[i].prefix, p->field, parts[s]);
                    rc = fn(ud, key, p, &ins[i], s);
                }
            }
        }
    }
    free(ins);
    return rc;
}

/* Collects keys (optionally only those under one prefix) for suggestions. */
typedef struct keylist {
    char (*key)[256]; /* as each_key's buffer: never cut */
    const char **ptr;
    int n, cap;
    const char *under;
} keylist;

static int collect_key(void *ud, const char *key, const zz_param *p, const inst *in, int sub)
{
    (void)p, (void)in, (void)sub;
    keylist *k = ud;
    if (k->under && strncmp(key, k->under, strlen(k->under)) != 0)
        return 0;
    if (k->n == k->cap) {
        int cap = k->cap ? 2 * k->cap : 256;
        void *nk = realloc(k->key, (size_t)cap * sizeof *k->key);
        if (!nk)
            return -1;
        k->key = nk;
        k->cap = cap;
    }
    snprintf(k->key[k->n++], sizeof *k->key, "%s", key);
    return 0;
}

/* "did you mean 'x'?" or ", e.g. its parameters: a, b, c" for an unknown key */
static void suggest_key(const zz_config *cfg, const char *key, const char *under, char *err,
                        size_t errlen)
{
    keylist k = {NULL, NULL, 0, 0, under};
    if (each_key(cfg, collect_key, &k) == 0 && k.n > 0 &&
        (k.ptr = malloc(2 * (size_t)k.n * sizeof *k.ptr))) {
        /* Within one instance compare only the field part: the shared
         * prefix would make any two keys look alike. The whole key is shown. */
        size_t skip = under ? strlen(under) : 0;
        for (int i = 0; i < k.n; i++) {
            k.ptr[i] = k.key[i] + skip;
            k.ptr[k.n + i] = k.key[i];
        }
        size_t at = strlen(err);
        if (zz_suggest(err, errlen, strlen(key) >= skip ? key + skip : key, k.ptr, k.n,
                       k.ptr + k.n, "; did you mean '%s'?") < 0) {
            if (under) {
                fmt(err + at, errlen - at, "; %.*s has: ", (int)skip - 1, under);
                zz_join_names(err, errlen, k.ptr, k.n);
            } else {
                fmt(err + at, errlen - at, "; `zhizao check` lists every key");
            }
        }
        free(k.ptr);
    }
    free(k.key);
}

/* Resolves key to an instance and parameter. sub = element or -1 (all). */
static const zz_param *resolve_key(const zz_config *cfg, const char *key, inst *found, int *sub,
                                   char *err, size_t errlen)
{
    inst *ins = malloc(MAX_INST * sizeof *ins);
    if (!ins) {
        fmt(err, errlen, "out of memory");
        return NULL;
    }
    int n = instances(cfg, ins), best = -1;
    size_t bestlen = 0;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(ins[i].prefix);
        if (strncmp(key, ins[i].prefix, l) == 0 && key[l] == '.' && l > bestlen) {
            best = i;
            bestlen = l;
        }
    }
    if (best < 0) {
        free(ins);
        /* Say what is declared when the key names a kind of block that
         * this scenario does not have, rather than guessing a spelling. */
        for (int k = 0; k < zz_ninstruments; k++) {
            const zz_instrument *ops = zz_instruments[k];
            size_t l = strlen(ops->word);
            if (strncmp(key, ops->word, l) != 0 || key[l] != '.')
                continue;
            /* the programme's name: one more part for variants and names */
            const char *end = ops->variant || ops->named ? strchr(key + l + 1, '.') : key + l;
            int nl = end ? (int)(end - key) : (int)strlen(key);
            fmt(err, errlen, "the scenario declares no programme '%.*s'; declared: ", nl, key);
            if (cfg->nprogrammes == 0)
                fmt(err + strlen(err), errlen - strlen(err), "none");
            for (int g = 0; g < cfg->nprogrammes; g++) {
                size_t at = strlen(err);
                fmt(err + at, errlen - at, "%s%s", g ? ", " : "", cfg->programme[g].name);
            }
            return NULL;
        }
        if (strncmp(key, "target.", 7) == 0 || strncmp(key, "pioneer.", 8) == 0) {
            int t = key[0] == 't';
            const char *end = strchr(key + (t ? 7 : 8), '.');
            fmt(err, errlen, "the scenario has no %s '%.*s'; it has: ", t ? "target" : "pioneer",
                end ? (int)(end - key) : (int)strlen(key), key);
            int m = t ? cfg->ntargets : cfg->npioneers;
            if (m == 0)
                fmt(err + strlen(err), errlen - strlen(err), "none");
            ins = malloc(MAX_INST * sizeof *ins);
            if (ins) {
                int ni = instances(cfg, ins), first = 1;
                for (int i = 0; i < ni; i++)
                    if (ins[i].block == (t ? ZZ_PB_TARGET : ZZ_PB_PIONEER)) {
                        size_t at = strlen(err);
                        fmt(err + at, errlen - at, "%s%s", first ? "" : ", ", ins[i].prefix);
                        first = 0;
                    }
                free(ins);
            }
            return NULL;
        }
        fmt(err, errlen, "unknown parameter '%s'", key);
        suggest_key(cfg, key, NULL, err, errlen);
        return NULL;
    }
    *found = ins[best];
    free(ins);
    char field[64], part[64] = "";
    const char *rest = key + bestlen + 1, *dot = strchr(rest, '.');
    if (dot) {
        fmt(field, sizeof field, "%.*s", (int)(dot - rest), rest);
        fmt(part, sizeof part, "%s", dot + 1);
    } else {
        fmt(field, sizeof field, "%s", rest);
    }
    /* A per-size entry and a scalar may share a field name
     * (decision.review_days and decision.review_days.micro): the part
     * decides, and without one the scalar wins. */
    const zz_param *p = NULL;
    const zz_param *q;
    for (int c = 0; (q = zz_param_next(found->block, row_kind(found), &c));) {
        if (!shows(q, found) || strcmp(q->field, field) != 0)
            continue;
        if (!p || (part[0] ? q->count > 1 : q->count == 1))
            p = q;
    }
    if (!p) {
        fmt(err, errlen, "unknown parameter '%s'", key);
        char under[ZZ_NAME_LEN * 2 + 20];
        fmt(under, sizeof under, "%s.", found->prefix);
        suggest_key(cfg, key, under, err, errlen);
        return NULL;
    }
    *sub = -1;
    if (part[0]) {
        if (p->count == 1) {
            fmt(err, errlen, "'%s.%s' has no part '%s'", found->prefix, field, part);
            return NULL;
        }
        const char *const *parts = p->count == ZZ_NSIZES ? zz_size_names : zz_component_names;
        *sub = find_name(part, parts, p->count);
        if (*sub < 0) {
            bad_name(err, errlen, part, p->count == ZZ_NSIZES ? "a size class" : "a cost component",
                     parts, p->count);
            return NULL;
        }
    }
    return p;
}

const zz_param *zz_param_find(const zz_config *cfg, const char *key, char *err, size_t errlen)
{
    inst in;
    int sub;
    return resolve_key(cfg, key, &in, &sub, err, errlen);
}

int zz_param_get_text(const zz_config *cfg, const char *key, char *buf, size_t len, char *err,
                      size_t errlen)
{
    inst in;
    int sub;
    const zz_param *p = resolve_key(cfg, key, &in, &sub, err, errlen);
    if (!p)
        return ZZ_SCENARIO;
    return zz_param_format(cfg, p, zz_param_base((zz_config *)cfg, in.block, in.index), sub, buf, len);
}

/* ---- setting -------------------------------------------------------------- */

/* Keeps a pioneer's own target in step with its share. */
static void sync_pioneer(zz_config *cfg, int k)
{
    const zz_pioneer_cfg *pc = &cfg->pioneer[k];
    char name[ZZ_NAME_LEN * 2 + 16];
    if (pc->city < 0 || pc->city >= cfg->ncities || pc->industry < 0 || pc->industry >= cfg->nindustries)
        return;
    snprintf(name, sizeof name, "pioneer_%s_%s", cfg->city[pc->city], cfg->industry[pc->industry]);
    for (int t = 0; t < cfg->ntargets; t++)
        if (strcmp(cfg->target[t].name, name) == 0)
            cfg->target[t].share = pc->share;
}

/* Store, derive, check; on any failure put the old bytes back so cfg is
 * unchanged (a --set that fails must not half-apply). */
static int apply(zz_config *cfg, const char *key, const zz_param *p, const inst *in, int sub,
                 const zz_pvalue *v, char *err, size_t errlen)
{
    if (p->flags & (ZZ_PF_DERIVED | ZZ_PF_FIXED | ZZ_PF_IDENT)) {
        if (p->flags & ZZ_PF_DERIVED)
            fmt(err, errlen, "%s is computed (%s); it cannot be set", key, p->doc);
        else
            fmt(err, errlen, "%s can only be set in the scenario file (%s)", key, p->doc);
        return ZZ_SCENARIO;
    }
    if (in->block == ZZ_PB_DECISION && p->mask && !applies(p, cfg->decision.rule)) {
        char rules[64] = "";
        for (int r = 0; r < 3; r++)
            if (p->mask >> r & 1u)
                fmt(rules + strlen(rules), sizeof rules - strlen(rules), "%sdecision \"%s\"",
                    rules[0] ? " or " : "", zz_rule_names[r]);
        fmt(err, errlen, "%s belongs to %s; this scenario uses decision \"%s\"", key, rules,
            zz_rule_names[cfg->decision.rule]);
        return ZZ_SCENARIO;
    }
    void *base = zz_param_base(cfg, in->block, in->index);
    char *at = (char *)base + p->offset;
    size_t bytes = p->size * (size_t)p->count;
    if (p->type == ZZ_PT_EXPANSIONS) { /* the list spans the struct's arrays */
        at = base;
        bytes = sizeof(zz_compute_cfg);
    }
    char old[sizeof(zz_compute_cfg) > 1024 ? sizeof(zz_compute_cfg) : 1024];
    if (bytes > sizeof old) {
        fmt(err, errlen, "%s: internal error (parameter too large)", key);
        return ZZ_ERROR;
    }
    memcpy(old, at, bytes);
    char msg[768];
    int rc = zz_param_store(cfg, p, base, sub, v, msg, sizeof msg);
    if (rc) {
        fmt(err, errlen, "%s", msg);
        return rc;
    }
    if (in->block == ZZ_PB_PIONEER)
        sync_pioneer(cfg, in->index);
    zz_params_resolve(cfg);
    int block, index;
    if (zz_params_check(cfg, &block, &index, msg, sizeof msg)) {
        memcpy(at, old, bytes);
        if (in->block == ZZ_PB_PIONEER)
            sync_pioneer(cfg, in->index);
        zz_params_resolve(cfg);
        fmt(err, errlen, "%s", msg);
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

int zz_param_set_value(zz_config *cfg, const char *key, const zz_pvalue *v, char *err,
                       size_t errlen)
{
    inst in;
    int sub;
    char msg[768];
    const zz_param *p = resolve_key(cfg, key, &in, &sub, msg, sizeof msg);
    if (!p) {
        fmt(err, errlen, "%s", msg);
        return ZZ_SCENARIO;
    }
    int rc = apply(cfg, key, p, &in, sub, v, msg, sizeof msg);
    if (rc)
        fmt(err, errlen, "%s: %s", key, msg);
    return rc;
}

int zz_param_set_number(zz_config *cfg, const char *key, double value, char *err, size_t errlen)
{
    char msg[768];
    const zz_param *p = zz_param_find(cfg, key, msg, sizeof msg);
    if (!p) {
        fmt(err, errlen, "%s", msg);
        return ZZ_SCENARIO;
    }
    zz_pvalue v = {ZZ_PV_NUMBER, value, NULL, NULL, 0};
    if (p->type == ZZ_PT_BOOLEAN)
        v.kind = ZZ_PV_BOOLEAN;
    if (p->type == ZZ_PT_BOOLEAN && value != 0 && value != 1) {
        fmt(err, errlen, "%s: expected true or false (1 or 0), got %.10g", key, value);
        return ZZ_SCENARIO;
    }
    if (p->type != ZZ_PT_NUMBER && p->type != ZZ_PT_INTEGER && p->type != ZZ_PT_BOOLEAN &&
        p->type != ZZ_PT_DATE && p->type != ZZ_PT_CHOICE) {
        fmt(err, errlen, "%s is %s; it cannot be set to a number", key, zz_param_expect(p));
        return ZZ_SCENARIO;
    }
    return zz_param_set_value(cfg, key, &v, err, errlen);
}

int zz_param_get_number(const zz_config *cfg, const char *key, double *value, char *err,
                        size_t errlen)
{
    inst in;
    int sub;
    char msg[768];
    const zz_param *p = resolve_key(cfg, key, &in, &sub, msg, sizeof msg);
    if (!p) {
        fmt(err, errlen, "%s", msg);
        return ZZ_SCENARIO;
    }
    const char *at = (const char *)zz_param_base((zz_config *)cfg, in.block, in.index) + p->offset;
    if (p->type == ZZ_PT_NUMBER) {
        *value = ((const double *)at)[sub > 0 ? sub : 0];
    } else if (p->type == ZZ_PT_INTEGER && p->size == sizeof(int64_t)) {
        int64_t x;
        memcpy(&x, at, sizeof x);
        *value = (double)x;
    } else if (p->type == ZZ_PT_INTEGER) {
        *value = *(const int *)at;
    } else {
        fmt(err, errlen, "%s is %s, not a number", key, zz_param_expect(p));
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int zz_param_set_text(zz_config *cfg, const char *assignment, char *err, size_t errlen)
{
    char buf[2048], msg[1024];
    if (strlen(assignment) >= sizeof buf) {
        fmt(err, errlen, "'%.40s...': too long", assignment);
        return ZZ_SCENARIO;
    }
    snprintf(buf, sizeof buf, "%s", assignment);
    char *eq = strchr(buf, '=');
    if (!eq) {
        fmt(err, errlen, "'%s': expected key=value, e.g. voucher.compute.rate=0.4", assignment);
        return ZZ_SCENARIO;
    }
    *eq = '\0';
    char *key = trim(buf), *val = trim(eq + 1);
    size_t vl = strlen(val);
    if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
        val[vl - 1] = '\0';
        val++;
    }
    inst in;
    int sub;
    const zz_param *p = resolve_key(cfg, key, &in, &sub, msg, sizeof msg);
    if (!p) {
        fmt(err, errlen, "'%s': %s", assignment, msg);
        return ZZ_SCENARIO;
    }
    zz_pvalue v = {ZZ_PV_STRING, 0, val, NULL, 0};
    const char *items[256];
    if (type_rows[p->type].parse_text(p, val, &v, items, (int)(sizeof items / sizeof *items), msg,
                                      sizeof msg)) {
        fmt(err, errlen, "'%s': %s", assignment, msg);
        return ZZ_SCENARIO;
    }
    int rc = apply(cfg, key, p, &in, sub, &v, msg, sizeof msg);
    if (rc)
        fmt(err, errlen, "'%s': %s", assignment, msg);
    return rc;
}

/* ---- describe ------------------------------------------------------------ */

/* Whole numbers as such (budgets in yuan read better as 600000000 than
 * 6e+08); otherwise the shortest text that reads back to the same double. */
static void fmt_number(char *buf, size_t len, double x)
{
    if (x == floor(x) && fabs(x) < 1e15) {
        snprintf(buf, len, "%.0f", x);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

static void fmt_mask(char *buf, size_t len, const zz_config *cfg, int type, uint64_t mask)
{
    const char *ptrs[ZZ_MAX_CITIES], *what;
    const char *const *names = NULL;
    int n = names_of(cfg, type, &names, &what, ptrs);
    buf[0] = '\0';
    if (mask == 0) {
        snprintf(buf, len, "all");
        return;
    }
    const char *sel[ZZ_MAX_CITIES];
    int k = 0;
    for (int i = 0; i < n; i++)
        if (mask >> i & 1u)
            sel[k++] = names[i];
    zz_join_names(buf, len, sel, k);
}

static void fmt_value(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                      const void *base, int sub)
{
    zz_param_format(cfg, p, base, sub, buf, len);
}

typedef struct text {
    char *s;
    size_t n, cap;
    const zz_config *cfg;
} text;

static int describe_key(void *ud, const char *key, const zz_param *p, const inst *in, int sub)
{
    text *t = ud;
    char val[1200];
    fmt_value(val, sizeof val, t->cfg, p, zz_param_base((zz_config *)t->cfg, in->block, in->index), sub);
    size_t need = strlen(key) + strlen(val) + 5;
    if (t->n + need >= t->cap) {
        size_t cap = (t->cap + need) * 2;
        char *s = realloc(t->s, cap);
        if (!s)
            return -1;
        t->s = s;
        t->cap = cap;
    }
    t->n += (size_t)sprintf(t->s + t->n, "%s = %s\n", key, val);
    return 0;
}

char *zz_params_describe(const zz_config *cfg)
{
    text t = {NULL, 0, 0, cfg};
    if (each_key(cfg, describe_key, &t) != 0) {
        free(t.s);
        return NULL;
    }
    if (!t.s)
        t.s = calloc(1, 1);
    return t.s;
}

/* ---- reference (zhizao check --reference) ---------------------------------- */

/* Appends to t; -1 when out of memory. */
static int tprintf(text *t, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int need = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    if (need < 0)
        return -1;
    if (t->n + (size_t)need + 1 > t->cap) {
        size_t cap = (t->cap + (size_t)need + 1) * 2;
        char *s = realloc(t->s, cap);
        if (!s)
            return -1;
        t->s = s;
        t->cap = cap;
    }
    va_start(ap, f);
    vsnprintf(t->s + t->n, t->cap - t->n, f, ap);
    va_end(ap);
    t->n += (size_t)need;
    return 0;
}

/* 6 significant digits, exponents as 1e9 rather than 1e+09. */
static void ref_number(char *buf, size_t len, double x)
{
    char tmp[48], *e;
    snprintf(tmp, sizeof tmp, "%.6g", x);
    if (x == floor(x) && fabs(x) < 1e16 && strtod(tmp, NULL) != x)
        snprintf(tmp, sizeof tmp, "%.0f", x); /* a whole number that 6 digits would round */
    if ((e = strchr(tmp, 'e')) != NULL) {
        const char *d = e + 1;
        int neg = *d == '-';
        d += *d == '+' || *d == '-';
        while (*d == '0' && d[1])
            d++;
        snprintf(buf, len, "%.*se%s%s", (int)(e - tmp), tmp, neg ? "-" : "", d);
    } else {
        snprintf(buf, len, "%s", tmp);
    }
}

static const char *ref_type(const zz_param *p)
{
    if (p->count == ZZ_NSIZES)
        return "number, or one per size class";
    if (p->count == ZZ_NCOMPONENTS)
        return "number, or one per cost component";
    if (p->flags & ZZ_PF_PATH) /* flagged on strings only */
        return "file name";
    return type_rows[p->type].ref_type;
}

static void ref_valid(char *buf, size_t len, const zz_param *p)
{
    char lo[32], hi[32];
    ref_number(lo, sizeof lo, p->lo);
    ref_number(hi, sizeof hi, p->hi);
    buf[0] = '\0';
    if (p->flags & ZZ_PF_DERIVED) {
        snprintf(buf, len, "computed");
        return;
    }
    const zz_param_type_row *r = &type_rows[p->type];
    if (r->valid_fn)
        r->valid_fn(buf, len, p, lo, hi);
    else
        snprintf(buf, len, "%s", r->valid);
}

/* A parameter's value in base, as a reader would write it. */
static void ref_value(char *buf, size_t len, const zz_config *cfg, const zz_param *p, const void *base)
{
    const char *at = (const char *)base + p->offset;
    if (p->type == ZZ_PT_NUMBER) {
        const double *d = (const double *)at;
        int same = 1;
        for (int i = 1; i < p->count; i++)
            same &= d[i] == d[0];
        if (same) {
            ref_number(buf, len, d[0]);
            return;
        }
        const char *const *parts = p->count == ZZ_NSIZES ? zz_size_names : zz_component_names;
        buf[0] = '\0';
        for (int i = 0; i < p->count; i++) {
            char x[32];
            size_t n = strlen(buf);
            ref_number(x, sizeof x, d[i]);
            snprintf(buf + n, len - n, "%s%s %s", i ? ", " : "", parts[i], x);
        }
        return;
    }
    if (p->type == ZZ_PT_DATE && !(p->flags & ZZ_PF_START)) {
        double d = *(const double *)at;
        if (d < 0 && (p->flags & ZZ_PF_OPTIONAL))
            snprintf(buf, len, "none");
        else if (d == 0)
            snprintf(buf, len, "the scenario's start");
        else
            snprintf(buf, len, "start + %g days", d);
        return;
    }
    if (p->type == ZZ_PT_STRING && !*at) {
        snprintf(buf, len, "\"\"");
        return;
    }
    fmt_value(buf, len, cfg, p, base, -1);
}

static const char *ref_changes(const zz_param *p)
{
    if (p->flags & ZZ_PF_DERIVED)
        return "computed";
    if (p->flags & ZZ_PF_IDENT)
        return "file (names it)";
    if (p->flags & ZZ_PF_FIXED)
        return "file";
    return p->flags & ZZ_PF_LIVE ? "file, --set, sim:set" : "file, --set";
}

static int ref_row(text *t, const zz_param *p, const char *deflt)
{
    char valid[512];
    const char *doc = p->doc, *colon = strstr(doc, ": ");
    ref_valid(valid, sizeof valid, p);
    /* a decision table is one rule's: drop the "economic: " of the doc */
    if (p->block == ZZ_PB_DECISION && colon && strspn(doc, "abcdefghijklmnopqrstuvwxyz, ") == (size_t)(colon - doc))
        doc = colon + 2;
    return tprintf(t, "| `%s` | %s | %s | %s | %s | %s |\n", p->field, ref_type(p), valid, deflt,
                   ref_changes(p), doc);
}

static int ref_head(text *t, const char *title, const char *keys)
{
    return tprintf(t, "\n### %s\n\nKeys: `%s`\n\n| field | type | valid | default | set in | meaning |\n"
                      "|---|---|---|---|---|---|\n", title, keys);
}

/* An instrument's table: its heading, what it does, then the rows. */
static int ref_instrument_head(text *t, const char *title, const char *keys, int first, int n)
{
    int rc = tprintf(t, "\n### %s\n\n", title);
    for (int j = 0; j < n; j++)
        rc |= tprintf(t, "%s%s", j ? "; " : "", zz_instruments[first + j]->title);
    return rc | tprintf(t, ".\n\nKeys: `%s`\n\n| field | type | valid | default | set in | meaning |\n"
                           "|---|---|---|---|---|---|\n", keys);
}

/* The rows of one block instance whose defaults live in base. */
static int ref_block(text *t, const zz_config *cfg, int block, int rule, const void *base)
{
    int np;
    const zz_param *all = zz_params_all(&np);
    for (int i = 0; i < np; i++) {
        const zz_param *p = &all[i];
        char v[1200];
        if (p->block != block || (p->flags & ZZ_PF_NOLUA) || (rule >= 0 && !(p->mask >> rule & 1u)))
            continue;
        if ((p->flags & (ZZ_PF_DERIVED | ZZ_PF_IDENT)) ||
            (block == ZZ_PB_PROGRAMME && strcmp(p->field, "budget") == 0))
            snprintf(v, sizeof v, "%s", p->flags & ZZ_PF_DERIVED ? "-" : "must be given");
        else
            ref_value(v, sizeof v, cfg, p, base);
        if (ref_row(t, p, v))
            return -1;
    }
    return 0;
}

/* The rows the instruments first .. first + n - 1 (one declaration word)
 * add to the fields of every programme, in order of first appearance;
 * defaults by variant when they differ. */
static int ref_programme(text *t, const zz_config *cfg, int first, int n)
{
    const char *seen[64];
    int nseen = 0;
    for (int k0 = first; k0 < first + n; k0++)
        for (int r = 0; r < zz_instruments[k0]->nparams; r++) {
            const zz_param *p = &zz_instruments[k0]->params[r];
            int dup = 0;
            for (int i = 0; i < nseen; i++)
                dup |= strcmp(seen[i], p->field) == 0;
            if (dup || nseen == 64)
                continue;
            seen[nseen++] = p->field;
            char v[1200] = "", one[256], prev[256] = "";
            int kinds = 0, differ = 0;
            for (int pass = 0; pass < 2; pass++)
                for (int k = first; k < first + n; k++) {
                    const zz_param *q = zz_param_field(ZZ_PB_PROGRAMME, k, p->field);
                    if (!q)
                        continue;
                    zz_programme_cfg g;
                    zz_programme_defaults(&g, k);
                    ref_value(one, sizeof one, cfg, q, &g);
                    if (pass == 0) {
                        differ |= kinds++ && strcmp(one, prev) != 0;
                        snprintf(prev, sizeof prev, "%s", one);
                        continue;
                    }
                    size_t at = strlen(v);
                    if (differ || kinds < n)
                        snprintf(v + at, sizeof v - at, "%s%s %s", at ? "; " : "",
                                 zz_instruments[k]->variant, one);
                    else if (!at)
                        snprintf(v, sizeof v, "%s", one);
                }
            if (ref_row(t, p, v))
                return -1;
        }
    return 0;
}

static int ref_names(text *t, const char *what, const char *const *names, int n)
{
    if (tprintf(t, "- %s: ", what))
        return -1;
    for (int i = 0; i < n; i++)
        if (tprintf(t, "%s`%s`", i ? ", " : "", names[i]))
            return -1;
    return tprintf(t, "\n");
}

char *zz_params_reference(const zz_config *cfg)
{
    text t = {NULL, 0, 0, cfg};
    int target = -1, rc = 0;
    for (int k = cfg->ntargets - 1; k >= 2; k--)
        if (strncmp(cfg->target[k].name, "pioneer_", 8) != 0)
            target = k;
    if (target < 0 || cfg->npioneers < 1)
        return NULL;
    rc |= tprintf(&t, "<!-- generated by `zhizao check --reference`: do not edit by hand -->\n");
    rc |= ref_head(&t, "scenario { ... }", "scenario.<field>");
    rc |= ref_block(&t, cfg, ZZ_PB_SCENARIO, -1, cfg);
    rc |= ref_head(&t, "population { ... }", "population.<field>, population.<field>.<size>");
    rc |= ref_block(&t, cfg, ZZ_PB_POPULATION, -1, &cfg->population);
    for (int r = 0; r < 3; r++) {
        char title[64];
        snprintf(title, sizeof title, "decision \"%s\" { ... }", zz_rule_names[r]);
        rc |= ref_head(&t, title, r == ZZ_RULE_ECONOMIC ? "decision.<field>, decision.<field>.<size>"
                                                         : "decision.<field>");
        rc |= ref_block(&t, cfg, ZZ_PB_DECISION, r, &cfg->decision);
    }
    rc |= ref_head(&t, "compute { ... }", "compute.<field>");
    rc |= ref_block(&t, cfg, ZZ_PB_COMPUTE, -1, &cfg->compute);
    rc |= ref_head(&t, "Fields of every programme", "<programme>.<field>");
    zz_programme_cfg any;
    zz_programme_defaults(&any, 0); /* the fields every programme has start alike */
    rc |= ref_block(&t, cfg, ZZ_PB_PROGRAMME, -1, &any);
    /* one table per declaration word: instruments sharing it are adjacent */
    for (int k = 0, n; k < zz_ninstruments; k += n) {
        const zz_instrument *ops = zz_instruments[k];
        char title[512], keys[128];
        for (n = 1; k + n < zz_ninstruments && strcmp(zz_instruments[k + n]->word, ops->word) == 0;)
            n++;
        if (ops->variant) {
            snprintf(title, sizeof title, "%s", ops->word);
            for (int j = 0; j < n; j++) {
                size_t at = strlen(title);
                snprintf(title + at, sizeof title - at, "%s\"%s\"", j ? " / " : " ",
                         zz_instruments[k + j]->variant);
            }
            snprintf(keys, sizeof keys, "%s.<kind>.<field>", ops->word);
        } else if (ops->named) {
            snprintf(title, sizeof title, "%s \"<name>\"", ops->word);
            snprintf(keys, sizeof keys, "%s.<name>.<field>", ops->word);
        } else {
            snprintf(title, sizeof title, "%s", ops->word);
            snprintf(keys, sizeof keys, "%s.<field>", ops->word);
        }
        rc |= ref_instrument_head(&t, title, keys, k, n);
        rc |= ref_programme(&t, cfg, k, n);
    }
    rc |= ref_head(&t, "target { ... }", "target.<name>.<field>");
    rc |= ref_block(&t, cfg, ZZ_PB_TARGET, -1, &cfg->target[target]);
    rc |= ref_head(&t, "pioneer { ... }", "pioneer.<City>_<industry>.<field>");
    rc |= ref_block(&t, cfg, ZZ_PB_PIONEER, -1, &cfg->pioneer[0]);
    const char *cities[ZZ_MAX_CITIES], *industries[ZZ_MAX_INDUSTRIES];
    for (int i = 0; i < cfg->ncities; i++)
        cities[i] = cfg->city[i];
    for (int i = 0; i < cfg->nindustries; i++)
        industries[i] = cfg->industry[i];
    rc |= tprintf(&t, "\n### Names\n\n");
    rc |= ref_names(&t, "cities", cities, cfg->ncities);
    rc |= ref_names(&t, "industries", industries, cfg->nindustries);
    rc |= ref_names(&t, "size classes", zz_size_names, ZZ_NSIZES);
    rc |= ref_names(&t, "adoption states", zz_state_names, ZZ_NSTATES);
    rc |= ref_names(&t, "cost components", zz_component_names, ZZ_NCOMPONENTS);
    if (rc) {
        free(t.s);
        return NULL;
    }
    return t.s;
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
        fmt(msg, len, "population: size_share adds to %.10g; the shares of micro, small, medium "
                      "and large firms must add to 1", sum);
        return 1;
    }
    sum = 0;
    for (int c = 0; c < ZZ_NCOMPONENTS; c++)
        sum += cfg->decision.component_share[c];
    if (fabs(sum - 1) > 1e-6) {
        *block = ZZ_PB_DECISION, *index = 0;
        fmt(msg, len, "decision: component_share adds to %.10g; the cost shares of compute, model, "
                      "data, integration and other must add to 1", sum);
        return 1;
    }
    if (cfg->decision.rule == ZZ_RULE_LUA && cfg->decision.lua_rule_line <= 0) {
        *block = ZZ_PB_DECISION, *index = 0;
        fmt(msg, len, "decision \"lua\" needs its function: decision \"lua\" { fn = function(firm) "
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
            fmt(msg, len, "%s: end (%s) must come after start (%s)", desc, b, a);
            return 1;
        }
        const zz_instrument *ops = zz_instruments[pc->kind];
        char why[512];
        if (ops->check && ops->check(cfg, pc, why, sizeof why)) {
            fmt(msg, len, "%s: %s", desc, why);
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
        int rc = type_rows[p->type].store(NULL, p, g, -1, &v, msg, sizeof msg);
        assert(rc == ZZ_OK && "an instrument row's default fits its type");
        (void)rc;
    }
}

/*
 * The resolved configuration of a scenario: every parameter the run uses,
 * defaults included. The Lua binding fills it (sim/scenario/), the engine
 * and the model read it, the output records it. Units: money in yuan, time
 * in days since the scenario's start date, rates per year unless a field
 * says otherwise.
 *
 * Every field reachable from a scenario has an entry in the parameter
 * registry (params.c): type, range, default and documentation live there,
 * once, and validation, --set overrides, `zhizao check` and the output's
 * attributes all read that one table.
 */
#ifndef ZZ_CONFIG_H
#define ZZ_CONFIG_H

#include <stdint.h>
#include <stddef.h>

#define ZZ_MAX_CITIES 64
#define ZZ_MAX_INDUSTRIES 64
#define ZZ_NSIZES 4
#define ZZ_NCOMPONENTS 5
#define ZZ_MAX_PROGRAMMES 64
#define ZZ_MAX_INSTRUMENTS 32 /* rows of the instrument table (sim/policy/instruments.c) */
#define ZZ_MAX_TARGETS 64
#define ZZ_MAX_ACTIONS 256
#define ZZ_MAX_ROUNDS 32     /* contest rounds reported; later ones add to the last */
#define ZZ_NAME_LEN 48
#define ZZ_CHAIN_PARTNERS 50 /* synthetic partners per chain leader, by default */

enum zz_size { ZZ_MICRO, ZZ_SMALL, ZZ_MEDIUM, ZZ_LARGE };

/* Cost components; each voucher kind covers its own component only. */
enum zz_component { ZZ_C_COMPUTE, ZZ_C_MODEL, ZZ_C_DATA, ZZ_C_INTEGRATION, ZZ_C_OTHER };

/* Adoption states (MODEL.md: none -> implementing -> adopted -> scaled). */
enum zz_state { ZZ_S_NONE, ZZ_S_IMPLEMENTING, ZZ_S_ADOPTED, ZZ_S_SCALED, ZZ_NSTATES };

enum zz_rule { ZZ_RULE_ECONOMIC, ZZ_RULE_BASS, ZZ_RULE_LUA };
enum zz_peers { ZZ_PEERS_ALL, ZZ_PEERS_INDUSTRY, ZZ_PEERS_CITY, ZZ_PEERS_CITY_INDUSTRY };

/* Which firms a programme or target group covers. A zero mask means "all". */
typedef struct zz_filter {
    uint64_t cities;     /* bit i = city i                                   */
    uint64_t industries; /* bit i = industry i                               */
    uint8_t sizes;       /* bit i = enum zz_size i                           */
    uint8_t states;      /* bit i = enum zz_state i (programmes only)        */
    uint8_t gsz_only;    /* 1 = above-designated-size (规上) firms only      */
    uint8_t pioneer_only;/* 1 = only the pioneer (一业一市) city x industry pairs */
} zz_filter;

/* A programme: one instance of an instrument (sim/policy/instrument.h).
 * The fields every programme has are here; an instrument's own parameters
 * live in `own`, laid out by the instrument's file. */
#define ZZ_OWN_BYTES 160
typedef struct zz_programme_cfg {
    int kind;                 /* row in zz_instruments                       */
    char name[ZZ_NAME_LEN];   /* "voucher.compute", "contest.jiebang_2026"   */
    int line;                 /* scenario line that declared it              */
    int enabled;
    double start, end;        /* active window, days; end < 0: to horizon   */
    zz_filter filter;
    double budget;            /* yuan; whole period or per fiscal year      */
    int budget_per_year;      /* 1 = pot resets each fiscal year (Jan 1)    */
    int fiscal;               /* 1 = fiscal money (counted in costs); 0 = not,
                                 e.g. an industry fund's equity             */
    int stage;                /* 0 = adoption (pilot), 1 = scale-up          */
    _Alignas(8) unsigned char own[ZZ_OWN_BYTES];
} zz_programme_cfg;

typedef struct zz_target_cfg {
    char name[ZZ_NAME_LEN];
    int line;
    zz_filter filter;
    double share;             /* target adoption share, (0, 1]              */
    double by;                /* deadline, days from the start; < 0: none   */
} zz_target_cfg;

/* A pioneer city (一业一市): a city x industry focus with its own target. */
typedef struct zz_pioneer_cfg {
    int city, industry;
    int line;
    double share;             /* target share of its 规上 firms             */
    double within_days;       /* the plan's deadline for it (reporting)     */
} zz_pioneer_cfg;

typedef struct zz_decision_cfg {
    int rule;                 /* enum zz_rule                               */
    /* bass: adoption probability per review = min(1, (p + q F) * review/365)
     * so that with Poisson reviews the hazard is p + q F per year whatever
     * the review interval (with review_days = 365 it is p + q F).           */
    double p, q;
    int peers;                /* enum zz_peers                              */
    double review_days;       /* mean days between reviews (bass: all firms) */
    /* economic */
    double review_days_size[ZZ_NSIZES];
    double awareness_rate;    /* per year, for unaware firms                */
    double cost_share[ZZ_NSIZES];        /* project cost / revenue          */
    double cost_min;                     /* yuan                            */
    double component_share[ZZ_NCOMPONENTS];
    double gain_rate;         /* annual gain / revenue at readiness 0.5     */
    double gain_readiness;    /* slope of gain in readiness                 */
    double return_sd;         /* log-sd of the firm's own project return    */
    double horizon_years, discount_rate;
    /* learning (model/learning.c): a Beta prior on the success of an AI
     * project at readiness 0.5, updated by outcomes the firm can see */
    double belief_mean, belief_strength;
    double learn_local, learn_industry, learn_province, learn_chain;
    double learn_half_life, learn_publicity;
    double success_max;       /* ceiling of the perceived probability       */
    /* technology: compute and model costs fall, gains may rise, per year */
    double cost_fall, gain_growth;
    double true_success_base, true_success_readiness;
    double loss_share;        /* share of cost lost on failure              */
    double market_rate, loan_years;
    double temperature;
    double impl_days_mean, impl_days_shape; /* gamma implementation time    */
    double cooldown_days, hurdle_raise;
    double scale_cost_mult, scale_review_days, scale_gain_mult;
    int lua_rule_line;        /* rule "lua": line of its function           */
} zz_decision_cfg;

typedef struct zz_population_cfg {
    int64_t firms;
    char file[1024];          /* CSV of real firms; empty = synthetic        */
    double initial_adoption;  /* share of 规上 firms adopted at start        */
    double initial_aware;     /* share of non-adopters aware at start        */
    double size_share[ZZ_NSIZES];
    double adoption_mult[ZZ_NSIZES];  /* relative initial adoption by size  */
    double credit_access[ZZ_NSIZES];
    double liquidity_share[ZZ_NSIZES];/* liquid funds / revenue             */
    double readiness_mean[ZZ_NSIZES];
    double hurdle_mean, hurdle_sd;
    double leader_share;      /* share of large firms that are chain leaders */
} zz_population_cfg;

/* The regional compute market: capacity in PFLOPS, scheduled expansions,
 * and a price that rises with utilisation. */
#define ZZ_MAX_EXPANSIONS 16
typedef struct zz_compute_cfg {
    int enabled;
    double capacity;          /* PFLOPS available to the firms modelled     */
    int nexpansions;
    double expansion_day[ZZ_MAX_EXPANSIONS];
    double expansion_pflops[ZZ_MAX_EXPANSIONS];
    double pflops_per_myuan;  /* PFLOPS a firm uses per million yuan of its
                                 project's compute cost, while adopted      */
    double base_utilisation;  /* below it the price is the list price       */
    double price_elasticity;  /* price rises by this x (u - base)/(1 - base) */
    double max_price;         /* price multiplier ceiling                   */
} zz_compute_cfg;

typedef struct zz_action_cfg {
    double when;              /* days; < 0 for a trigger checked monthly    */
    int line;                 /* scenario line                               */
    int index;                /* registration order in the script           */
} zz_action_cfg;

typedef struct zz_config {
    /* scenario block */
    char name[128];
    char start[11];           /* "YYYY-MM-DD"                               */
    int64_t start_day;        /* days since 1970-01-01 of start             */
    double years;
    double horizon;           /* days                                       */
    int64_t seed;
    int replications;
    /* categories (Shandong defaults; see population.c) */
    int ncities, nindustries;
    char city[ZZ_MAX_CITIES][ZZ_NAME_LEN];
    char industry[ZZ_MAX_INDUSTRIES][ZZ_NAME_LEN];
    zz_population_cfg population;
    zz_decision_cfg decision;
    int nprogrammes;
    zz_programme_cfg programme[ZZ_MAX_PROGRAMMES];
    int ntargets;
    zz_target_cfg target[ZZ_MAX_TARGETS];
    int npioneers;
    zz_pioneer_cfg pioneer[ZZ_MAX_CITIES];
    zz_compute_cfg compute;
    int nactions;             /* at(...) and when(...) callbacks             */
    zz_action_cfg action[ZZ_MAX_ACTIONS];
    /* Lua budget of one replication, over every call of its decision
     * function and callbacks (--lua-instructions, --lua-seconds); <= 0:
     * the defaults of lua_sandbox.h */
    /* --scale: the fraction of the region simulated (1: all of it);
     * counts and money are divided by it when reported */
    double scale;
    long long lua_total_instructions;
    double lua_total_seconds;
    /* provenance */
    char path[1024];
    char *source;             /* scenario text (owned)                      */
    char *overrides;          /* "--set" lines applied, newline-separated   */
} zz_config;

/* Fill with the documented defaults (Shandong, economic rule). A
 * programme's defaults are its registry rows' (zz_programme_defaults,
 * scenario/params.h); what the run sizes from the programmes is the
 * instruments' to say (zz_config_rounds, policy/policy.h). */
void zz_config_defaults(zz_config *cfg);
#endif

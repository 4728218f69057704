/*
 * The parameter schema: what a row of the parameter registry is (its block,
 * type, flags, place in zz_config, range and documentation) and the value
 * on its way into one. On the schema floor (docs/architecture.md) so that
 * the instruments, which declare their own rows (policy/instrument.h), and
 * the scenario binding, which owns the registry and reads the values
 * (scenario/params.h), both see it without one including the other.
 * Includes only config.h.
 */
#ifndef ZZ_PARAM_H
#define ZZ_PARAM_H

#include <stddef.h>

#include "config.h"

/* Which struct a parameter lives in; also the order of zz_params_describe. */
enum zz_param_block {
    ZZ_PB_SCENARIO,   /* zz_config                 */
    ZZ_PB_POPULATION, /* zz_population_cfg         */
    ZZ_PB_DECISION,   /* zz_decision_cfg           */
    ZZ_PB_COMPUTE,    /* zz_compute_cfg            */
    ZZ_PB_PROGRAMME,  /* zz_programme_cfg, by name */
    ZZ_PB_TARGET,     /* zz_target_cfg, by name    */
    ZZ_PB_PIONEER,    /* zz_pioneer_cfg            */
    ZZ_PB_COUNT
};

enum zz_param_type {
    ZZ_PT_NUMBER,     /* double (count > 1: one per size or per component) */
    ZZ_PT_INTEGER,    /* int or int64_t (by size)                         */
    ZZ_PT_BOOLEAN,    /* int or uint8_t (by size)                         */
    ZZ_PT_DATE,       /* double days since the scenario's start           */
    ZZ_PT_STRING,     /* char[size]                                       */
    ZZ_PT_CHOICE,     /* int index into `choices`                         */
    ZZ_PT_CITIES,     /* uint64_t mask of cfg->city; 0 = all              */
    ZZ_PT_INDUSTRIES, /* uint64_t mask of cfg->industry; 0 = all          */
    ZZ_PT_SIZES,      /* uint8_t mask of enum zz_size; 0 = all            */
    ZZ_PT_STATES,     /* uint8_t mask of enum zz_state; 0 = all           */
    ZZ_PT_CITY,       /* int index of one city (pioneer)                  */
    ZZ_PT_INDUSTRY,   /* int index of one industry (pioneer)              */
    ZZ_PT_EXPANSIONS  /* zz_compute_cfg's dated capacity additions: in the
                         file { ["2027-06-01"] = 5000, ... }, as text
                         "2027-06-01:5000,2028-01-01:3000" or "none"      */
};

enum zz_param_flag {
    ZZ_PF_LIVE = 1 << 0,     /* may change while a replication runs (sim:set)   */
    ZZ_PF_IDENT = 1 << 1,    /* names its instance (target name, pioneer city):
                                given in the file, part of the key, never set  */
    ZZ_PF_DERIVED = 1 << 2,  /* computed (scenario.horizon): shown, never set   */
    ZZ_PF_NOLUA = 1 << 3,    /* not a field in the file (decision.rule is the
                                block's string: decision "bass" { ... })        */
    ZZ_PF_FIXED = 1 << 4,    /* only the file sets it (scenario.start: every
                                date in the file is written against it)         */
    ZZ_PF_OPTIONAL = 1 << 5, /* date that may be "none" (stored as -1)          */
    ZZ_PF_LO_OPEN = 1 << 6,  /* the range excludes lo: (lo, hi]                 */
    ZZ_PF_NAME = 1 << 7,     /* string of letters, digits, '_', '-', '.'        */
    ZZ_PF_PATH = 1 << 8,     /* a file path (resolved against the scenario)     */
    ZZ_PF_START = 1 << 9,    /* scenario.start: stored as text and start_day    */
    ZZ_PF_SCALES = 1 << 10   /* grows with the region: a count of firms or money
                                for them; --scale F multiplies it by F          */
};

typedef struct zz_param {
    const char *field;   /* name in the Lua block, last part of the key    */
    unsigned char block; /* enum zz_param_block                            */
    unsigned char type;  /* enum zz_param_type                             */
    unsigned short flags;
    unsigned mask;       /* PROGRAMME: kinds (1 << kind) that accept it;
                            DECISION: rules (1 << rule) it applies to;
                            0 = every instance of the block               */
    size_t offset;       /* into the block's struct                        */
    size_t size;         /* of one element                                 */
    int count;           /* elements: 1, ZZ_NSIZES or ZZ_NCOMPONENTS       */
    double lo, hi;       /* NUMBER, INTEGER: valid range                   */
    const char *choices; /* CHOICE: "a|b|c" in enum order                  */
    const char *doc;
    double def;          /* instruments' rows: the default (zz_programme_defaults) */
} zz_param;

/* A value on its way into a parameter, from Lua or from text. */
enum zz_pvalue_kind { ZZ_PV_NUMBER, ZZ_PV_BOOLEAN, ZZ_PV_STRING, ZZ_PV_LIST, ZZ_PV_NONE };
typedef struct zz_pvalue {
    int kind;
    double num;               /* NUMBER; BOOLEAN: 0 or 1     */
    const char *str;          /* STRING                      */
    const char *const *items; /* LIST                        */
    int nitems;
} zz_pvalue;

#endif

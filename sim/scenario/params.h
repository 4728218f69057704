/*
 * The parameter registry: one table (params.c) describes every parameter a
 * scenario can set -- its key, type, place in zz_config, valid range or
 * choices, and a line of documentation. Everything that reads or writes a
 * parameter goes through it:
 *   - the Lua declarations (lua_fields.c) validate a block's fields;
 *   - `--set key=value` overrides (zz_param_set_text, zz_scenario_set);
 *   - changes from a running scenario (zz_param_set_number via zz_sim_set);
 *   - `zhizao check` and the output's `parameters` attribute
 *     (zz_params_describe).
 * So a parameter added to zz_config needs one line here and nothing else.
 *
 * Keys are "<instance>.<field>[.<part>]": scenario.seed, population.firms,
 * population.size_share.micro, decision.q, compute.capacity, voucher.compute.rate,
 * contest.jiebang_2026.winners, target.jinan_electronics.share,
 * pioneer.Jinan_electronics.within_days.
 */
#ifndef ZZ_PARAMS_H
#define ZZ_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "param.h"
#include "scenario/suggest.h"

/* The Lua values a type reads from a scenario (zz_lua_pvalue). */
enum zz_param_lua {
    ZZ_PL_NUMBER = 1 << 0,  /* a number ("0.3" in quotes gets a hint)           */
    ZZ_PL_BOOLEAN = 1 << 1, /* true or false                                    */
    ZZ_PL_STRING = 1 << 2,  /* a string                                         */
    ZZ_PL_FALSE = 1 << 3,   /* false for "none", when the row is ZZ_PF_OPTIONAL */
    ZZ_PL_LIST = 1 << 4,    /* a list of strings { "a", "b" }                   */
    ZZ_PL_PAIRS = 1 << 5    /* { ["2027-06-01"] = 5000 }: items "date:number"   */
};

/* One row per enum zz_param_type (params.c): everything that depends on a
 * parameter's type, so no caller switches on it. */
typedef struct zz_param_type_row {
    unsigned lua;           /* enum zz_param_lua: what a scenario may write      */
    const char *expect;     /* "a number": for "expected %s, got string"        */
    const char *expect_alt; /* instead, for per-size rows and optional dates    */
    const char *ref_type;   /* the reference's type column                      */
    const char *valid;      /* the reference's valid column, or NULL: valid_fn  */
    void (*valid_fn)(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi);
    /* --set text into a value; val may be cut up, items is scratch for lists */
    int (*parse_text)(const zz_param *p, char *val, zz_pvalue *v, const char **items,
                      int maxitems, char *msg, size_t len);
    /* zz_param_store's check and store for this type */
    int (*store)(const zz_config *cfg, const zz_param *p, void *base, int sub,
                 const zz_pvalue *v, char *msg, size_t len);
    /* the value at base as --set would take it back */
    void (*format)(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                   const void *base, int sub);
    /* types that name things (cities, sizes, ...): the names in index order
     * (in ptrs when they come from the config) and "a city" for errors */
    int (*names)(const zz_config *cfg, const char *ptrs[], const char *const **names);
    const char *what;
} zz_param_type_row;

/* The row of type, NULL when type is not an enum zz_param_type. */
const zz_param_type_row *zz_param_type_of(int type);
/* p's value in base (element sub, -1 = the first) as text that
 * zz_param_set_text reads back to the same value. */
int zz_param_format(const zz_config *cfg, const zz_param *p, const void *base, int sub, char *buf,
                    size_t len);

/* Constant name tables, in enum order. */
extern const char *const zz_size_names[ZZ_NSIZES];
extern const char *const zz_component_names[ZZ_NCOMPONENTS];
extern const char *const zz_state_names[ZZ_NSTATES];
extern const char *const zz_rule_names[3];

/* The registry's own rows, in describe order (instruments' rows are in
 * their files: walk them with zz_param_next). */
const zz_param *zz_params_all(int *n);
/* Next row of `block` from *cursor (start at 0), NULL at the end: the
 * registry's, then for programmes the own rows of instrument `kind` (every
 * instrument's when kind < 0). */
const zz_param *zz_param_next(int block, int kind, int *cursor);
const char *zz_param_block_name(int block);

/* The entry of `field` in `block` that applies to `kind` (programme kind or
 * decision rule; -1 = any). Entries flagged NOLUA or DERIVED are returned
 * too: the caller explains why they cannot be given. */
const zz_param *zz_param_field(int block, int kind, const char *field);
/* "a number", "true or false", "a date \"YYYY-MM-DD\"", ... */
const char *zz_param_expect(const zz_param *p);
/* The struct a block's parameters live in (index: programme, target or
 * pioneer number; ignored otherwise). */
void *zz_param_base(zz_config *cfg, int block, int index);

/* Checks v against p's type and range and stores it at base (sub: element,
 * or -1 for every element). On error returns ZZ_SCENARIO and puts a message
 * without position in msg ("1.5 is outside [0, 1]"). Dates are stored as
 * days since cfg->start_day. */
int zz_param_store(const zz_config *cfg, const zz_param *p, void *base, int sub,
                   const zz_pvalue *v, char *msg, size_t msglen);

/* The parameter `key` names in cfg ("voucher.compute.rate"); NULL with a
 * message (unknown key with a suggestion, undeclared programme listing the
 * declared ones). */
const zz_param *zz_param_find(const zz_config *cfg, const char *key, char *err, size_t errlen);

/* The value of `key` in cfg as text that zz_param_set_text reads back
 * ("0.3", "2027-06-30", "true"); ZZ_SCENARIO with a message for an
 * unknown key. */
int zz_param_get_text(const zz_config *cfg, const char *key, char *buf, size_t len, char *err,
                      size_t errlen);

/* Sets a numeric parameter ("voucher.compute.rate", 0.4) with the file's
 * checks. Booleans take 0 or 1, choices their index, dates days since the
 * start. Used at run time on a replication's copy of the config (zz_sim_set);
 * does not check ZZ_PF_LIVE (lua_runtime.c does, before calling zz_sim_set).
 * On error cfg is unchanged. */
int zz_param_set_number(zz_config *cfg, const char *key, double value, char *err, size_t errlen);
/* The current value of a number or integer parameter ("decision.return_sd",
 * "population.adoption_mult.large"); for a per-size key without a size,
 * the first size's. */
int zz_param_get_number(const zz_config *cfg, const char *key, double *value, char *err,
                        size_t errlen);
/* The same for a value as a scenario gives it (from zz_lua_pvalue: sim:set),
 * stored by the parameter type's own row. */
int zz_param_set_value(zz_config *cfg, const char *key, const zz_pvalue *v, char *err,
                       size_t errlen);
/* Applies "key=value" (a --set override): numbers, true/false, dates
 * YYYY-MM-DD or none, choice words, comma-separated lists or "all". On error
 * cfg is unchanged. Does not record the override (zz_scenario_set does). */
int zz_param_set_text(zz_config *cfg, const char *assignment, char *err, size_t errlen);

/* Every resolved parameter as "key = value" lines, registry order within
 * scenario, population, decision, compute, then programmes, targets and
 * pioneers in declaration order. Caller frees; NULL when out of memory. */
char *zz_params_describe(const zz_config *cfg);

/* The registry as Markdown (zhizao check --reference): a table per
 * declaration with each field's type, valid range or choices, default, where
 * it can be set and its documentation, then the names of cities, industries,
 * sizes, states and cost components. Defaults are read from cfg, a scenario
 * that declares one target and one pioneer and nothing else (so the loader's
 * own defaults show), and from zz_programme_defaults. Caller frees; NULL
 * when out of memory or cfg lacks the target or pioneer. */
char *zz_params_reference(const zz_config *cfg);

/* Recomputes what follows from other parameters: the horizon (from start and
 * years), each contest's challenge industries (= its industry filter). */
void zz_params_resolve(zz_config *cfg);
/* Consistency across fields (shares that must add to 1, windows that must
 * close after they open, ...). Returns 0 when consistent; otherwise names
 * the offending block and instance (*index) and explains in msg. */
int zz_params_check(const zz_config *cfg, int *block, int *index, char *msg, size_t msglen);

/* --scale F: multiplies every row flagged ZZ_PF_SCALES by F (counts round,
 * a positive count stays >= 1) and cfg->scale by F. F outside (0, 1], or a
 * population read from a firm file, is refused with a message in err. */
int zz_params_scale(zz_config *cfg, double F, char *err, size_t errlen);

/* Defaults of a programme of instrument `kind`: the registry rows'. */
void zz_programme_defaults(zz_programme_cfg *g, int kind);

/* "voucher \"compute\"", "campaign \"may\"", "insurance": how the file
 * declares programme g. */
void zz_programme_desc(const zz_programme_cfg *g, char *buf, size_t len);


#endif

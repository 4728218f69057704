/*
 * One row per parameter type (zz_param_type_row, params.h): what a scenario
 * may write, how a value is checked and stored (zz_param_store) and read
 * from --set text, with the names a type takes (cities, sizes, choices).
 * How a value is formatted back and its valid range described is
 * param_format.c's.
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

/* ---- what a type reads and the names it takes ----------------------------- */

/* "a number", "true or false", ...: how messages say what was expected. */
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

/* The name table a type draws from (its row's `names`), or none. */
int zz_pi_names_of(const zz_config *cfg, int type, const char *const **names, const char **what,
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
    zz_pi_fmt(msg, len, "expected %s, got %s", zz_param_expect(p), pv_kind_name(v->kind));
    return ZZ_SCENARIO;
}


static int out_of_range(const zz_param *p, double x, char *msg, size_t len)
{
    char v[32], lo[32], hi[32];
    zz_pi_fmt_number(v, sizeof v, x);
    zz_pi_fmt_number(lo, sizeof lo, p->lo);
    zz_pi_fmt_number(hi, sizeof hi, p->hi);
    zz_pi_fmt(msg, len, "%s is outside %c%s, %s]", v, p->flags & ZZ_PF_LO_OPEN ? '(' : '[', lo, hi);
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
    int n = zz_pi_names_of(cfg, p->type, &names, &what, ptrs);
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
            zz_pi_fmt(msg, len, "the list is empty; leave the field out (or write \"all\") to cover every one");
            return ZZ_SCENARIO;
        }
        items = v->items;
        nitems = v->nitems;
    } else {
        return expect(p, v, msg, len);
    }
    uint64_t mask = 0;
    for (int i = 0; i < nitems; i++) {
        int k = zz_pi_find_name(items[i], names, n);
        if (k < 0)
            return zz_pi_bad_name(msg, len, items[i], what, names, n);
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
        zz_pi_fmt(msg, len, "%d expansions; at most %d", n, ZZ_MAX_EXPANSIONS);
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
            zz_pi_fmt(msg, len, "'%s' is not date:PFLOPS, e.g. 2027-06-01:5000", items[i]);
            return ZZ_SCENARIO;
        }
        zz_pi_fmt(date, sizeof date, "%.*s", (int)(colon - items[i]), items[i]);
        if (zz_date_parse(date, &day) != 0) {
            zz_pi_fmt(msg, len, "'%s' is not a date; expected \"YYYY-MM-DD\"", date);
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
        zz_pi_fmt(msg, len, "nan is not a number");
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
        zz_pi_fmt(msg, len, "expected an integer, got NaN (not a number)");
        return ZZ_SCENARIO;
    }
    if (v->num != floor(v->num)) {
        zz_pi_fmt(msg, len, "expected an integer, got %.10g", v->num);
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
            zz_pi_fmt(msg, len, "%.10g is not a day of the run", v->num);
            return ZZ_SCENARIO;
        }
        *(double *)at = v->num < 0 ? -1 : v->num;
        return ZZ_OK;
    }
    if (v->kind != ZZ_PV_STRING)
        return expect(p, v, msg, len);
    if (zz_date_parse(v->str, &day) != 0) {
        zz_pi_fmt(msg, len, "'%s' is not a date; expected \"YYYY-MM-DD\"", v->str);
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
        zz_pi_fmt(msg, len, "longer than %zu characters", p->size - 1);
        return ZZ_SCENARIO;
    }
    if (p->flags & ZZ_PF_NAME) {
        if (n == 0) {
            zz_pi_fmt(msg, len, "empty; give a name");
            return ZZ_SCENARIO;
        }
        for (const char *s = v->str; *s; s++)
            if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.') {
                zz_pi_fmt(msg, len, "'%s' contains '%c'; use letters, digits, '_', '-' and '.'",
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
    int n = zz_pi_split_choices(p->choices, words, ptrs), k;
    if (v->kind == ZZ_PV_NUMBER && v->num == floor(v->num) && v->num >= 0 && v->num < n)
        k = (int)v->num;
    else if (v->kind == ZZ_PV_STRING) {
        k = zz_pi_find_name(v->str, ptrs, n);
        if (k < 0)
            return zz_pi_bad_name(msg, len, v->str, "a valid choice", ptrs, n);
    } else {
        zz_pi_fmt(msg, len, "expected one of ");
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
    int n = zz_pi_names_of(cfg, p->type, &names, &what, ptrs);
    if (v->kind != ZZ_PV_STRING)
        return expect(p, v, msg, len);
    int k = zz_pi_find_name(v->str, names, n);
    if (k < 0)
        return zz_pi_bad_name(msg, len, v->str, what, names, n);
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
        zz_pi_fmt(msg, len, "expected %s, got '%s'", zz_param_expect(p), val);
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
        zz_pi_fmt(msg, len, "expected true or false, got '%s'", val);
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
            zz_pi_fmt(msg, len, "too many items");
            return ZZ_SCENARIO;
        }
        items[v->nitems++] = zz_pi_trim(s);
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

#define LIST_ROW(exp, ref, valid, names, what)                                                 \
    {ZZ_PL_STRING | ZZ_PL_LIST, exp, NULL, ref, valid, NULL, text_list, store_list, zz_pi_fmt_list,   \
     names, what}

/* Indexed by enum zz_param_type: a new type is one row here. */
static const zz_param_type_row type_rows[] = {
    [ZZ_PT_NUMBER] = {ZZ_PL_NUMBER, "a number", "a number or a table of numbers", "number", NULL,
                      zz_pi_valid_range, text_number, store_number, zz_pi_fmt_num},
    [ZZ_PT_INTEGER] = {ZZ_PL_NUMBER, "an integer", NULL, "whole number", NULL, zz_pi_valid_range,
                       text_number, store_integer, zz_pi_fmt_int},
    [ZZ_PT_BOOLEAN] = {ZZ_PL_BOOLEAN, "true or false", NULL, "true/false", "true, false", NULL,
                       text_boolean, store_boolean, zz_pi_fmt_bool},
    [ZZ_PT_DATE] = {ZZ_PL_STRING | ZZ_PL_FALSE, "a date \"YYYY-MM-DD\"",
                    "a date \"YYYY-MM-DD\" or false", "date", NULL, zz_pi_valid_date, text_date,
                    store_date, zz_pi_fmt_date_row},
    [ZZ_PT_STRING] = {ZZ_PL_STRING, "a string", NULL, "text", NULL, zz_pi_valid_string, text_word,
                      store_string, zz_pi_fmt_string},
    [ZZ_PT_CHOICE] = {ZZ_PL_STRING, "one of the words listed", NULL, "word", NULL, zz_pi_valid_choice,
                      text_word, store_choice, zz_pi_fmt_choice},
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
                    store_one_name, zz_pi_fmt_one_name, names_cities, "a city"},
    [ZZ_PT_INDUSTRY] = {ZZ_PL_STRING, "an industry name", NULL, "industry", "one industry name",
                        NULL, text_word, store_one_name, zz_pi_fmt_one_name, names_industries,
                        "an industry"},
    [ZZ_PT_EXPANSIONS] = {ZZ_PL_PAIRS,
                          "a table of dates and PFLOPS { [\"2027-06-01\"] = 5000 }", NULL,
                          "table date = PFLOPS", NULL, zz_pi_valid_expansions, text_list,
                          store_expansions_row, zz_pi_fmt_expansions},
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

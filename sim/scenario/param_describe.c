/*
 * Every resolved parameter as "key = value" lines (zz_params_describe:
 * `zhizao check`, the output's `parameters` attribute) and the registry as
 * Markdown (zz_params_reference: `zhizao check --reference`).
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
#include "engine/grow.h"
#include "policy/instrument.h"
#include "scenario/params_internal.h"
#include "zhizao/zhizao.h"

/* ---- describe ------------------------------------------------------------ */

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

static int describe_key(void *ud, const char *key, const zz_param *p, const zz_param_inst *in, int sub)
{
    text *t = ud;
    char val[1200];
    fmt_value(val, sizeof val, t->cfg, p, zz_param_base((zz_config *)t->cfg, in->block, in->index), sub);
    size_t need = strlen(key) + strlen(val) + 5;
    char *s = zz_grow(t->s, &t->cap, t->n + need + 1, 1);
    if (!s)
        return -1;
    t->s = s;
    t->n += (size_t)sprintf(t->s + t->n, "%s = %s\n", key, val);
    return 0;
}

char *zz_params_describe(const zz_config *cfg)
{
    text t = {NULL, 0, 0, cfg};
    if (zz_pi_each_key(cfg, describe_key, &t) != 0) {
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
    char *s = zz_grow(t->s, &t->cap, t->n + (size_t)need + 1, 1);
    if (!s)
        return -1;
    t->s = s;
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
    return zz_param_type_of(p->type)->ref_type;
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
    const zz_param_type_row *r = zz_param_type_of(p->type);
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
    /* and which rows --scale multiplies, as each row declares it */
    if (p->flags & ZZ_PF_SCALES)
        return p->flags & ZZ_PF_LIVE ? "file, --set, sim:set; times F under --scale F"
                                     : "file, --set; times F under --scale F";
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
    rc |= tprintf(&t, "\nCities and industries may also be named in Chinese (济南 for Jinan, "
                      "青岛 for Qingdao, ..., 电子 for electronics, 化工 for chemicals, ...: "
                      "sim/scenario/aliases.c); `zhizao check` prints the English name.\n");
    if (rc) {
        free(t.s);
        return NULL;
    }
    return t.s;
}

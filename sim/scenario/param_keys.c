/*
 * Keys: every block instance of a configuration and its keys
 * ("voucher.compute.rate"), resolving a key to its parameter (with "did you
 * mean"), and setting a value by key (--set, sim:set).
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

/* ---- instances and keys --------------------------------------------------- */


#define MAX_INST (4 + ZZ_MAX_PROGRAMMES + ZZ_MAX_TARGETS + ZZ_MAX_CITIES)

static int instances(const zz_config *cfg, zz_param_inst *out)
{
    int n = 0;
    for (int b = ZZ_PB_SCENARIO; b <= ZZ_PB_COMPUTE; b++) {
        out[n] = (zz_param_inst){b, 0, b == ZZ_PB_DECISION ? cfg->decision.rule : -1, ""};
        snprintf(out[n].prefix, sizeof out[n].prefix, "%s", zz_param_block_name(b));
        n++;
    }
    for (int g = 0; g < cfg->nprogrammes; g++) {
        out[n] = (zz_param_inst){ZZ_PB_PROGRAMME, g, cfg->programme[g].kind, ""};
        snprintf(out[n].prefix, sizeof out[n].prefix, "%s", cfg->programme[g].name);
        n++;
    }
    for (int t = 0; t < cfg->ntargets; t++) {
        out[n] = (zz_param_inst){ZZ_PB_TARGET, t, -1, ""};
        snprintf(out[n].prefix, sizeof out[n].prefix, "target.%s", cfg->target[t].name);
        n++;
    }
    for (int k = 0; k < cfg->npioneers; k++) {
        const zz_pioneer_cfg *pc = &cfg->pioneer[k];
        out[n] = (zz_param_inst){ZZ_PB_PIONEER, k, -1, ""};
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
static int shows(const zz_param *p, const zz_param_inst *in)
{
    return p->block == in->block && !(p->flags & ZZ_PF_IDENT);
}

/* The kind an instance's rows are chosen by: its instrument (programmes);
 * every rule's for the decision, so --set can name them. */
static int row_kind(const zz_param_inst *in)
{
    return in->block == ZZ_PB_PROGRAMME ? in->kind : -1;
}

/* Calls fn for every key of cfg, in describe order. */

int zz_pi_each_key(const zz_config *cfg, zz_param_key_fn fn, void *ud)
{
    zz_param_inst *ins = malloc(MAX_INST * sizeof *ins);
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
    char (*key)[256]; /* as zz_pi_each_key's buffer: never cut */
    const char **ptr;
    int n;
    size_t cap;
    const char *under;
} keylist;

static int collect_key(void *ud, const char *key, const zz_param *p, const zz_param_inst *in,
                       int sub)
{
    (void)p, (void)in, (void)sub;
    keylist *k = ud;
    if (k->under && strncmp(key, k->under, strlen(k->under)) != 0)
        return 0;
    char (*nk)[256] = zz_grow(k->key, &k->cap, (size_t)k->n + 1, sizeof *k->key);
    if (!nk)
        return -1;
    k->key = nk;
    snprintf(k->key[k->n++], sizeof *k->key, "%s", key);
    return 0;
}

/* "did you mean 'x'?" or ", e.g. its parameters: a, b, c" for an unknown key */
static void suggest_key(const zz_config *cfg, const char *key, const char *under, char *err,
                        size_t errlen)
{
    keylist k = {NULL, NULL, 0, 0, under};
    if (zz_pi_each_key(cfg, collect_key, &k) == 0 && k.n > 0 &&
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
                zz_pi_fmt(err + at, errlen - at, "; %.*s has: ", (int)skip - 1, under);
                zz_join_names(err, errlen, k.ptr, k.n);
            } else {
                zz_pi_fmt(err + at, errlen - at, "; `zhizao check` lists every key");
            }
        }
        free(k.ptr);
    }
    free(k.key);
}

/* The message for a key that names no instance of the scenario: what is
 * declared when the key names a kind of block this scenario does not
 * have, rather than a guessed spelling. */
static void no_instance(const zz_config *cfg, const char *key, char *err, size_t errlen)
{
    for (int k = 0; k < zz_ninstruments; k++) {
        const zz_instrument *ops = zz_instruments[k];
        size_t l = strlen(ops->word);
        if (strncmp(key, ops->word, l) != 0 || key[l] != '.')
            continue;
        /* the programme's name: one more part for variants and names */
        const char *end = ops->variant || ops->named ? strchr(key + l + 1, '.') : key + l;
        int nl = end ? (int)(end - key) : (int)strlen(key);
        zz_pi_fmt(err, errlen, "the scenario declares no programme '%.*s'; declared: ", nl, key);
        if (cfg->nprogrammes == 0)
            zz_pi_fmt(err + strlen(err), errlen - strlen(err), "none");
        for (int g = 0; g < cfg->nprogrammes; g++) {
            size_t at = strlen(err);
            zz_pi_fmt(err + at, errlen - at, "%s%s", g ? ", " : "", cfg->programme[g].name);
        }
        return;
    }
    if (strncmp(key, "target.", 7) == 0 || strncmp(key, "pioneer.", 8) == 0) {
        int t = key[0] == 't';
        const char *end = strchr(key + (t ? 7 : 8), '.');
        zz_pi_fmt(err, errlen, "the scenario has no %s '%.*s'; it has: ", t ? "target" : "pioneer",
            end ? (int)(end - key) : (int)strlen(key), key);
        int m = t ? cfg->ntargets : cfg->npioneers;
        if (m == 0)
            zz_pi_fmt(err + strlen(err), errlen - strlen(err), "none");
        zz_param_inst *ins = malloc(MAX_INST * sizeof *ins);
        if (ins) {
            int ni = instances(cfg, ins), first = 1;
            for (int i = 0; i < ni; i++)
                if (ins[i].block == (t ? ZZ_PB_TARGET : ZZ_PB_PIONEER)) {
                    size_t at = strlen(err);
                    zz_pi_fmt(err + at, errlen - at, "%s%s", first ? "" : ", ", ins[i].prefix);
                    first = 0;
                }
            free(ins);
        }
        return;
    }
    zz_pi_fmt(err, errlen, "unknown parameter '%s'", key);
    suggest_key(cfg, key, NULL, err, errlen);
}

/* Resolves key to an instance and parameter. sub = element or -1 (all). */
static const zz_param *resolve_key(const zz_config *cfg, const char *key, zz_param_inst *found, int *sub,
                                   char *err, size_t errlen)
{
    zz_param_inst *ins = malloc(MAX_INST * sizeof *ins);
    if (!ins) {
        zz_pi_fmt(err, errlen, "out of memory");
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
        no_instance(cfg, key, err, errlen);
        return NULL;
    }
    *found = ins[best];
    free(ins);
    char field[64], part[64] = "";
    const char *rest = key + bestlen + 1, *dot = strchr(rest, '.');
    if (dot) {
        zz_pi_fmt(field, sizeof field, "%.*s", (int)(dot - rest), rest);
        zz_pi_fmt(part, sizeof part, "%s", dot + 1);
    } else {
        zz_pi_fmt(field, sizeof field, "%s", rest);
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
        zz_pi_fmt(err, errlen, "unknown parameter '%s'", key);
        char under[ZZ_NAME_LEN * 2 + 20];
        zz_pi_fmt(under, sizeof under, "%s.", found->prefix);
        suggest_key(cfg, key, under, err, errlen);
        return NULL;
    }
    *sub = -1;
    if (part[0]) {
        if (p->count == 1) {
            zz_pi_fmt(err, errlen, "'%s.%s' has no part '%s'", found->prefix, field, part);
            return NULL;
        }
        const char *const *parts = p->count == ZZ_NSIZES ? zz_size_names : zz_component_names;
        *sub = zz_pi_find_name(part, parts, p->count);
        if (*sub < 0) {
            zz_pi_bad_name(err, errlen, part, p->count == ZZ_NSIZES ? "a size class" : "a cost component",
                     parts, p->count);
            return NULL;
        }
    }
    return p;
}

const zz_param *zz_param_find(const zz_config *cfg, const char *key, char *err, size_t errlen)
{
    zz_param_inst in;
    int sub;
    return resolve_key(cfg, key, &in, &sub, err, errlen);
}

int zz_param_get_text(const zz_config *cfg, const char *key, char *buf, size_t len, char *err,
                      size_t errlen)
{
    zz_param_inst in;
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
static int apply(zz_config *cfg, const char *key, const zz_param *p, const zz_param_inst *in, int sub,
                 const zz_pvalue *v, char *err, size_t errlen)
{
    if (p->flags & (ZZ_PF_DERIVED | ZZ_PF_FIXED | ZZ_PF_IDENT)) {
        if (p->flags & ZZ_PF_DERIVED)
            zz_pi_fmt(err, errlen, "%s is computed (%s); it cannot be set", key, p->doc);
        else
            zz_pi_fmt(err, errlen, "%s can only be set in the scenario file (%s)", key, p->doc);
        return ZZ_SCENARIO;
    }
    if (in->block == ZZ_PB_DECISION && p->mask && !zz_pi_applies(p, cfg->decision.rule)) {
        char rules[64] = "";
        for (int r = 0; r < 3; r++)
            if (p->mask >> r & 1u)
                zz_pi_fmt(rules + strlen(rules), sizeof rules - strlen(rules), "%sdecision \"%s\"",
                    rules[0] ? " or " : "", zz_rule_names[r]);
        zz_pi_fmt(err, errlen, "%s belongs to %s; this scenario uses decision \"%s\"", key, rules,
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
        zz_pi_fmt(err, errlen, "%s: internal error (parameter too large)", key);
        return ZZ_ERROR;
    }
    memcpy(old, at, bytes);
    char msg[768];
    int rc = zz_param_store(cfg, p, base, sub, v, msg, sizeof msg);
    if (rc) {
        zz_pi_fmt(err, errlen, "%s", msg);
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
        zz_pi_fmt(err, errlen, "%s", msg);
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

int zz_param_set_value(zz_config *cfg, const char *key, const zz_pvalue *v, char *err,
                       size_t errlen)
{
    zz_param_inst in;
    int sub;
    char msg[768];
    const zz_param *p = resolve_key(cfg, key, &in, &sub, msg, sizeof msg);
    if (!p) {
        zz_pi_fmt(err, errlen, "%s", msg);
        return ZZ_SCENARIO;
    }
    int rc = apply(cfg, key, p, &in, sub, v, msg, sizeof msg);
    if (rc)
        zz_pi_fmt(err, errlen, "%s: %s", key, msg);
    return rc;
}

int zz_param_set_number(zz_config *cfg, const char *key, double value, char *err, size_t errlen)
{
    char msg[768];
    const zz_param *p = zz_param_find(cfg, key, msg, sizeof msg);
    if (!p) {
        zz_pi_fmt(err, errlen, "%s", msg);
        return ZZ_SCENARIO;
    }
    zz_pvalue v = {ZZ_PV_NUMBER, value, NULL, NULL, 0};
    if (p->type == ZZ_PT_BOOLEAN)
        v.kind = ZZ_PV_BOOLEAN;
    if (p->type == ZZ_PT_BOOLEAN && value != 0 && value != 1) {
        zz_pi_fmt(err, errlen, "%s: expected true or false (1 or 0), got %.10g", key, value);
        return ZZ_SCENARIO;
    }
    if (p->type != ZZ_PT_NUMBER && p->type != ZZ_PT_INTEGER && p->type != ZZ_PT_BOOLEAN &&
        p->type != ZZ_PT_DATE && p->type != ZZ_PT_CHOICE) {
        zz_pi_fmt(err, errlen, "%s is %s; it cannot be set to a number", key, zz_param_expect(p));
        return ZZ_SCENARIO;
    }
    return zz_param_set_value(cfg, key, &v, err, errlen);
}

int zz_param_get_number(const zz_config *cfg, const char *key, double *value, char *err,
                        size_t errlen)
{
    zz_param_inst in;
    int sub;
    char msg[768];
    const zz_param *p = resolve_key(cfg, key, &in, &sub, msg, sizeof msg);
    if (!p) {
        zz_pi_fmt(err, errlen, "%s", msg);
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
        zz_pi_fmt(err, errlen, "%s is %s, not a number", key, zz_param_expect(p));
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

int zz_param_set_text(zz_config *cfg, const char *assignment, char *err, size_t errlen)
{
    char buf[2048], msg[1024];
    if (strlen(assignment) >= sizeof buf) {
        zz_pi_fmt(err, errlen, "'%.40s...': too long", assignment);
        return ZZ_SCENARIO;
    }
    snprintf(buf, sizeof buf, "%s", assignment);
    char *eq = strchr(buf, '=');
    if (!eq) {
        zz_pi_fmt(err, errlen, "'%s': expected key=value, e.g. voucher.compute.rate=0.4", assignment);
        return ZZ_SCENARIO;
    }
    *eq = '\0';
    char *key = zz_pi_trim(buf), *val = zz_pi_trim(eq + 1);
    size_t vl = strlen(val);
    if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
        val[vl - 1] = '\0';
        val++;
    }
    zz_param_inst in;
    int sub;
    const zz_param *p = resolve_key(cfg, key, &in, &sub, msg, sizeof msg);
    if (!p) {
        zz_pi_fmt(err, errlen, "'%s': %s", assignment, msg);
        return ZZ_SCENARIO;
    }
    zz_pvalue v = {ZZ_PV_STRING, 0, val, NULL, 0};
    const char *items[256];
    if (zz_param_type_of(p->type)->parse_text(p, val, &v, items, (int)(sizeof items / sizeof *items), msg,
                                      sizeof msg)) {
        zz_pi_fmt(err, errlen, "'%s': %s", assignment, msg);
        return ZZ_SCENARIO;
    }
    int rc = apply(cfg, key, p, &in, sub, &v, msg, sizeof msg);
    if (rc)
        zz_pi_fmt(err, errlen, "'%s': %s", assignment, msg);
    return rc;
}

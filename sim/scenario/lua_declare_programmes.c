/*
 * The curried declarations of the scenario language (see
 * lua_declare_internal.h): `decision "bass" { ... }` and each instrument's
 * word, `voucher "compute" { ... }`, `campaign "name" { ... }` or
 * `equity { ... }`. The first call checks the kind or name and returns a
 * function that takes the fields; the loader remembers each such call until
 * its table arrives (a forgotten table would declare nothing).
 */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "engine/grow.h"
#include "policy/instrument.h"
#include "scenario/lua_declare_internal.h"
#include "scenario/lua_fields.h"
#include "scenario/params.h"
#include "scenario/suggest.h"

/* ---- curried declarations ------------------------------------------------ */

static int remember_open(lua_State *L, zz_ld_loader *ld, zz_ld_origin o, const char *desc)
{
    zz_ld_open *grown = zz_grow(ld->open, &ld->capopen, (size_t)ld->nopen + 1, sizeof *grown);
    if (!grown)
        return luaL_error(L, "out of memory");
    ld->open = grown;
    zz_ld_open *u = &ld->open[ld->nopen];
    u->at = o;
    u->done = 0;
    snprintf(u->desc, sizeof u->desc, "%s", desc);
    return ld->nopen++;
}

static int is_identifier(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

/* The second call of `voucher "compute" { ... }`: upvalues loader, what
 * (0 programme, 1 decision), kind, name, index in ld->open. */
static int l_fields(lua_State *L)
{
    zz_ld_loader *ld = zz_ld(L);
    zz_config *cfg = ld->cfg;
    int what = (int)lua_tointeger(L, lua_upvalueindex(2));
    int kind = (int)lua_tointeger(L, lua_upvalueindex(3));
    const char *name = lua_tostring(L, lua_upvalueindex(4));
    int open = (int)lua_tointeger(L, lua_upvalueindex(5));
    char where[ZZ_LD_WHERE_LEN];
    zz_ld_origin o = zz_ld_here(L, ld, where, sizeof where);
    const char *desc = ld->open[open].desc;
    ld->open[open].done = 1;
    zz_ld_need_table(L, 1, where, desc);
    if (what == 1) {
        zz_decision_cfg *d = &cfg->decision;
        static const char *const lua_skip[] = {"fn", NULL};
        d->rule = kind;
        ld->decision_at = o;
        zz_ld_read_block(L, ld, 1, ZZ_PB_DECISION, kind, d, desc, where,
                         kind == ZZ_RULE_LUA ? lua_skip : NULL);
        if (kind == ZZ_RULE_LUA && lua_getfield(L, 1, "fn") != LUA_TNIL) {
            lua_Debug ar;
            if (lua_type(L, -1) != LUA_TFUNCTION)
                zz_ld_fail(L, where, "field 'fn' of %s: expected a function(firm) returning a "
                               "probability, got %s", desc, luaL_typename(L, -1));
            lua_getinfo(L, ">S", &ar);
            d->lua_rule_line = ar.linedefined > 0 ? ar.linedefined : o.line;
        }
        return 0;
    }
    int g;
    for (g = 0; g < cfg->nprogrammes; g++)
        if (strcmp(cfg->programme[g].name, name) == 0)
            break;
    if (g == cfg->nprogrammes) {
        if (g == ZZ_MAX_PROGRAMMES)
            zz_ld_fail(L, where, "%s: too many programmes (at most %d)", desc, ZZ_MAX_PROGRAMMES);
        zz_programme_defaults(&cfg->programme[g], kind);
        snprintf(cfg->programme[g].name, sizeof cfg->programme[g].name, "%s", name);
        cfg->nprogrammes++;
    }
    /* the latest declaration is the one a reader looks at */
    cfg->programme[g].line = o.line;
    ld->programme_at[g] = o;
    zz_ld_read_block(L, ld, 1, ZZ_PB_PROGRAMME, kind, &cfg->programme[g], desc, where, NULL);
    return 0;
}

/* The first call: checks the kind or name and returns l_fields. */
static int curried(lua_State *L, int what, int kind, const char *name, const char *desc)
{
    zz_ld_loader *ld = zz_ld(L);
    char where[ZZ_LD_WHERE_LEN];
    zz_ld_origin o = zz_ld_here(L, ld, where, sizeof where);
    int open = remember_open(L, ld, o, desc);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushinteger(L, what);
    lua_pushinteger(L, kind);
    lua_pushstring(L, name);
    lua_pushinteger(L, open);
    lua_pushcclosure(L, l_fields, 5);
    return 1;
}

static const char *first_word(lua_State *L, const char *decl, const char *example)
{
    if (lua_type(L, 1) != LUA_TSTRING) {
        char where[ZZ_LD_WHERE_LEN];
        zz_ld_here(L, zz_ld(L), where, sizeof where);
        zz_ld_fail(L, where, "%s: give its kind or name first, e.g. %s", decl, example);
    }
    if (zz_lua_has_nul(L, 1)) {
        char where[ZZ_LD_WHERE_LEN];
        zz_ld_here(L, zz_ld(L), where, sizeof where);
        zz_ld_fail(L, where, "%s: a name with a NUL byte (\\0) is not accepted", decl);
    }
    return lua_tostring(L, 1);
}

static int pick_kind(lua_State *L, const char *decl, const char *word, const char *const *kinds,
                     int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(word, kinds[i]) == 0)
            return i;
    char where[ZZ_LD_WHERE_LEN], msg[512];
    zz_ld_here(L, zz_ld(L), where, sizeof where);
    snprintf(msg, sizeof msg, "unknown %s kind '%s'; ", decl, word);
    zz_suggest(msg, sizeof msg, word, kinds, n, NULL, "did you mean '%s'? ");
    size_t at = strlen(msg);
    snprintf(msg + at, sizeof msg - at, "valid: ");
    zz_join_names(msg, sizeof msg, kinds, n);
    return zz_ld_fail(L, where, "%s", msg);
}

int zz_ld_decision(lua_State *L)
{
    const char *w = first_word(L, "decision", "decision \"bass\" { p = 0.03, q = 0.38 }");
    int rule = pick_kind(L, "decision", w, zz_rule_names, 3);
    char desc[64];
    snprintf(desc, sizeof desc, "decision \"%s\"", w);
    return curried(L, 1, rule, "", desc);
}

/* word "name": a named instance (campaign, contest) */
static int named(lua_State *L, int kind, const char *decl, const char *example)
{
    const char *w = first_word(L, decl, example);
    size_t max = ZZ_NAME_LEN - 2 - strlen(decl);
    if (!is_identifier(w, max)) {
        char where[ZZ_LD_WHERE_LEN];
        zz_ld_here(L, zz_ld(L), where, sizeof where);
        zz_ld_fail(L, where, "%s name '%s' must be letters, digits and '_', at most %zu characters",
             decl, w, max);
    }
    char name[ZZ_NAME_LEN], desc[96];
    snprintf(name, sizeof name, "%s.%s", decl, w);
    snprintf(desc, sizeof desc, "%s \"%s\"", decl, w);
    return curried(L, 0, kind, name, desc);
}

/* word { ... }: one of each, no kind or name */
static int single(lua_State *L, int kind)
{
    const char *decl = zz_instruments[kind]->word;
    zz_ld_loader *ld = zz_ld(L);
    char where[ZZ_LD_WHERE_LEN];
    zz_ld_origin o = zz_ld_here(L, ld, where, sizeof where);
    if (lua_type(L, 1) == LUA_TSTRING)
        zz_ld_fail(L, where, "%s takes no kind or name: write %s { ... }", decl, decl);
    zz_ld_need_table(L, 1, where, decl);
    int open = remember_open(L, ld, o, decl);
    /* reuse l_fields: push it as if curried and call it at once */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushinteger(L, 0);
    lua_pushinteger(L, kind);
    lua_pushstring(L, decl);
    lua_pushinteger(L, open);
    lua_pushcclosure(L, l_fields, 5);
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 0);
    return 0;
}

/* An instrument's declaration; upvalue 2: the table row of its word's
 * first instrument (rows sharing a word are adjacent). */
int zz_ld_instrument(lua_State *L)
{
    int first = (int)lua_tointeger(L, lua_upvalueindex(2));
    const zz_instrument *ops = zz_instruments[first];
    char example[128];
    if (ops->named) {
        snprintf(example, sizeof example, "%s \"my_%s\" { budget = 1e8, ... }", ops->word, ops->word);
        return named(L, first, ops->word, example);
    }
    if (!ops->variant)
        return single(L, first);
    const char *variants[ZZ_MAX_INSTRUMENTS];
    int n = 0;
    while (first + n < zz_ninstruments && strcmp(zz_instruments[first + n]->word, ops->word) == 0) {
        variants[n] = zz_instruments[first + n]->variant;
        n++;
    }
    snprintf(example, sizeof example, "%s \"%s\" { budget = 1e8, ... }", ops->word, variants[0]);
    const char *w = first_word(L, ops->word, example);
    int k = first + pick_kind(L, ops->word, w, variants, n);
    char desc[64], name[ZZ_NAME_LEN];
    snprintf(desc, sizeof desc, "%s \"%s\"", ops->word, w);
    zz_instrument_stem(k, name, sizeof name);
    return curried(L, 0, k, name, desc);
}

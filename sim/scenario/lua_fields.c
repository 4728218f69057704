/*
 * Field tables into registry parameters (see lua_fields.h). Every message
 * starts with the declaration's "file:line" because Lua tables keep no line
 * per field: the declaration's line is the finest position there is.
 */
#include "scenario/lua_fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "policy/instrument.h"
#include "scenario/lua_sandbox.h"

#define MAX_ITEMS 256

static int listed(const char *const *list, const char *s)
{
    for (; list && *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

static int raise(lua_State *L, const zz_lua_block *b, const char *fmt, const char *a,
                 const char *c)
{
    char msg[1536];
    snprintf(msg, sizeof msg, fmt, a, c);
    lua_pushfstring(L, "%s: %s", b->where, msg);
    return lua_error(L);
}

int zz_lua_has_nul(lua_State *L, int idx)
{
    size_t n;
    const char *s = lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, &n) : NULL;
    return s && strlen(s) != n;
}

#define NUL_MSG "a string with a NUL byte (\\0) is not accepted: names and values are text"

/* { ["2027-06-01"] = 5000, ... } to items "2027-06-01:5000", as Lua
 * strings kept alive by a table left on the stack */
static int pairs_value(lua_State *L, int idx, const zz_param *p, zz_pvalue *v, const char **items,
                       int maxitems, char *msg, size_t len)
{
    idx = lua_absindex(L, idx);
    int n = zz_lua_sorted_keys(L, idx), keys = lua_gettop(L);
    if (n > maxitems) {
        snprintf(msg, len, "more than %d items", maxitems);
        return -1;
    }
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, keys, i);
        lua_pushvalue(L, -1);
        lua_rawget(L, idx);
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TNUMBER) {
            snprintf(msg, len, "expected %s, got a %s key with a %s value",
                     zz_param_expect(p), luaL_typename(L, -2), luaL_typename(L, -1));
            return -1;
        }
        lua_pushfstring(L, "%s:%f", lua_tostring(L, -2), lua_tonumber(L, -1));
        lua_rawseti(L, keys, i); /* the item replaces the key in the anchor */
        lua_pop(L, 2);
        lua_rawgeti(L, keys, i);
        items[i - 1] = lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    v->kind = ZZ_PV_LIST;
    v->items = items;
    v->nitems = n;
    return 0;
}

/* { "a", "b" } to items, the strings anchored by the table itself */
static int list_value(lua_State *L, int idx, const zz_param *p, zz_pvalue *v, const char **items,
                      int maxitems, char *msg, size_t len)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        count++;
    }
    if (count != n) {
        snprintf(msg, len, "expected %s like { \"a\", \"b\" }, got a table with named fields",
                 zz_param_expect(p));
        return -1;
    }
    if (n > maxitems) {
        snprintf(msg, len, "more than %d items", maxitems);
        return -1;
    }
    for (lua_Integer i = 1; i <= n; i++) {
        int it = lua_rawgeti(L, idx, i);
        if (it != LUA_TSTRING) {
            snprintf(msg, len, "item %lld is a %s; expected %s", (long long)i,
                     lua_typename(L, it), zz_param_expect(p));
            lua_pop(L, 1);
            return -1;
        }
        if (zz_lua_has_nul(L, -1)) {
            snprintf(msg, len, "item %lld: " NUL_MSG, (long long)i);
            lua_pop(L, 1);
            return -1;
        }
        items[i - 1] = lua_tostring(L, -1); /* anchored by the table */
        lua_pop(L, 1);
    }
    v->kind = ZZ_PV_LIST;
    v->items = items;
    v->nitems = (int)n;
    return 0;
}

int zz_lua_pvalue(lua_State *L, int idx, const zz_param *p, zz_pvalue *v, const char **items,
                  int maxitems, char *msg, size_t len)
{
    int t = lua_type(L, idx);
    memset(v, 0, sizeof *v);
    if (zz_lua_has_nul(L, idx)) {
        snprintf(msg, len, NUL_MSG);
        return -1;
    }
    const zz_param_type_row *r = zz_param_type_of(p->type);
    unsigned ok = r ? r->lua : 0;
    if ((ok & ZZ_PL_NUMBER) && t == LUA_TNUMBER) {
        v->kind = ZZ_PV_NUMBER;
        v->num = lua_tonumber(L, idx);
        return 0;
    }
    if ((ok & ZZ_PL_NUMBER) && t == LUA_TSTRING && lua_stringtonumber(L, lua_tostring(L, idx))) {
        lua_pop(L, 1);
        snprintf(msg, len, "expected %s, got string (write %s without quotes)",
                 zz_param_expect(p), lua_tostring(L, idx));
        return -1;
    }
    if ((ok & ZZ_PL_BOOLEAN) && t == LUA_TBOOLEAN) {
        v->kind = ZZ_PV_BOOLEAN;
        v->num = lua_toboolean(L, idx);
        return 0;
    }
    if ((ok & ZZ_PL_STRING) && t == LUA_TSTRING) {
        v->kind = ZZ_PV_STRING;
        v->str = lua_tostring(L, idx);
        return 0;
    }
    if ((ok & ZZ_PL_FALSE) && t == LUA_TBOOLEAN && !lua_toboolean(L, idx) &&
        (p->flags & ZZ_PF_OPTIONAL)) {
        v->kind = ZZ_PV_NONE;
        return 0;
    }
    if ((ok & ZZ_PL_PAIRS) && t == LUA_TTABLE)
        return pairs_value(L, idx, p, v, items, maxitems, msg, len);
    if ((ok & ZZ_PL_LIST) && t == LUA_TTABLE)
        return list_value(L, idx, p, v, items, maxitems, msg, len);
    snprintf(msg, len, "expected %s, got %s", zz_param_expect(p), lua_typename(L, t));
    return -1;
}

/* Fields a block accepts, for "valid fields: ..." */
static int valid_fields(const zz_lua_block *b, const char **out, int max)
{
    int n = 0;
    if (b->only) {
        for (const char *const *o = b->only; *o && n < max; o++)
            out[n++] = *o;
        return n;
    }
    const zz_param *p;
    for (int c = 0; n < max && (p = zz_param_next(b->block, b->block == ZZ_PB_PROGRAMME ? b->kind : -1, &c));) {
        if ((p->flags & (ZZ_PF_DERIVED | ZZ_PF_NOLUA)) ||
            zz_param_field(b->block, b->kind, p->field) != p)
            continue;
        int dup = 0;
        for (int k = 0; k < n; k++)
            dup |= strcmp(out[k], p->field) == 0;
        if (!dup && (!(p->flags & ZZ_PF_IDENT) || listed(b->skip, p->field)))
            out[n++] = p->field;
    }
    for (const char *const *s = b->skip; s && *s && n < max; s++) {
        int dup = 0;
        for (int k = 0; k < n; k++)
            dup |= strcmp(out[k], *s) == 0;
        if (!dup)
            out[n++] = *s;
    }
    return n;
}

static int unknown_field(lua_State *L, const zz_lua_block *b, const char *field)
{
    const char *names[160];
    char msg[1536];
    int n = valid_fields(b, names, 160);
    /* A field of another kind of the same block: say whose it is. */
    const zz_param *other = b->only ? NULL : zz_param_field(b->block, -1, field);
    char owners[512] = "";
    if (other && !(other->flags & (ZZ_PF_DERIVED | ZZ_PF_NOLUA))) {
        if (b->block == ZZ_PB_DECISION) {
            for (int k = 0; k < 3 && other->mask; k++)
                if (other->mask >> k & 1u) {
                    size_t at = strlen(owners);
                    snprintf(owners + at, sizeof owners - at, "%sdecision \"%s\"", at ? ", " : "",
                             zz_rule_names[k]);
                }
        } else if (b->block == ZZ_PB_PROGRAMME) {
            for (int k = 0; k < zz_ninstruments; k++) {
                if (!zz_param_field(b->block, k, field))
                    continue;
                zz_programme_cfg g;
                char d[64];
                zz_instrument_stem(k, g.name, sizeof g.name);
                zz_programme_desc(&g, d, sizeof d);
                size_t at = strlen(owners);
                snprintf(owners + at, sizeof owners - at, "%s%s", at ? ", " : "", d);
            }
        }
    }
    if (owners[0]) {
        snprintf(msg, sizeof msg, "%s: field '%s' does not apply here (it belongs to %s); valid: ",
                 b->desc, field, owners);
        zz_join_names(msg, sizeof msg, names, n);
        return raise(L, b, "%s%s", msg, "");
    }
    snprintf(msg, sizeof msg, "%s: unknown field '%s'", b->desc, field);
    if (zz_suggest(msg, sizeof msg, field, names, n, NULL, "; did you mean '%s'?") < 0) {
        size_t at = strlen(msg);
        snprintf(msg + at, sizeof msg - at, "; valid fields: ");
        zz_join_names(msg, sizeof msg, names, n);
    }
    return raise(L, b, "%s%s", msg, "");
}

static void store(lua_State *L, const zz_lua_block *b, const zz_param *p, int sub,
                  const zz_pvalue *v, const char *label)
{
    char msg[1024];
    if (zz_param_store(b->cfg, p, b->base, sub, v, msg, sizeof msg) != 0) {
        char head[256];
        snprintf(head, sizeof head, "field '%s' of %s", label, b->desc);
        raise(L, b, "%s: %s", head, msg);
    }
    if (b->stored)
        b->stored(b->ud, p, b->base, v);
}

/* A per-size or per-component field: a number for every part, or a table
 * { micro = .., large = .. } that updates only the parts it names. */
static void read_parts(lua_State *L, int vidx, const zz_lua_block *b, const zz_param *p)
{
    const char *const *parts = p->count == ZZ_NSIZES ? zz_size_names : zz_component_names;
    const char *noun = p->count == ZZ_NSIZES ? "size class" : "cost component";
    char head[256], msg[1024];
    snprintf(head, sizeof head, "field '%s' of %s", p->field, b->desc);
    if (lua_type(L, vidx) != LUA_TTABLE) {
        zz_pvalue v;
        const char *items[1];
        if (zz_lua_pvalue(L, vidx, p, &v, items, 0, msg, sizeof msg))
            raise(L, b, "%s: %s", head, msg);
        store(L, b, p, -1, &v, p->field);
        return;
    }
    int n = zz_lua_sorted_keys(L, vidx), keys = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, keys, i);
        if (lua_type(L, -1) != LUA_TSTRING) {
            snprintf(msg, sizeof msg, "%s: expected { %s = ..., %s = ... }, got a value without a "
                     "name", head, parts[0], parts[1]);
            raise(L, b, "%s%s", msg, "");
        }
        const char *part = lua_tostring(L, -1);
        int sub = -1;
        for (int k = 0; k < p->count; k++)
            if (strcmp(part, parts[k]) == 0)
                sub = k;
        if (sub < 0) {
            snprintf(msg, sizeof msg, "%s: '%s' is not a %s; ", head, part, noun);
            zz_suggest(msg, sizeof msg, part, parts, p->count, NULL, "did you mean '%s'? ");
            size_t at = strlen(msg);
            snprintf(msg + at, sizeof msg - at, "valid: ");
            zz_join_names(msg, sizeof msg, parts, p->count);
            raise(L, b, "%s%s", msg, "");
        }
        lua_pushvalue(L, -1);
        lua_rawget(L, vidx);
        zz_pvalue v;
        const char *items[1];
        char label[96];
        snprintf(label, sizeof label, "%s.%s", p->field, part);
        if (lua_type(L, -1) != LUA_TNUMBER) {
            snprintf(msg, sizeof msg, "field '%s' of %s: expected a number, got %s", label, b->desc,
                     luaL_typename(L, -1));
            raise(L, b, "%s%s", msg, "");
        }
        if (zz_lua_pvalue(L, -1, p, &v, items, 0, msg, sizeof msg) == 0)
            store(L, b, p, sub, &v, label);
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
}

void zz_lua_read_block(lua_State *L, int idx, const zz_lua_block *b)
{
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 16, "reading fields");
    int n = zz_lua_sorted_keys(L, idx), keys = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, keys, i);
        if (lua_type(L, -1) != LUA_TSTRING) {
            char what[64];
            lua_pushvalue(L, -1);
            lua_rawget(L, idx);
            if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)
                snprintf(what, sizeof what, "'%s'", lua_tostring(L, -1));
            else
                snprintf(what, sizeof what, "a %s", luaL_typename(L, -1));
            raise(L, b, "%s: %s has no field name; write field = value", b->desc, what);
        }
        const char *field = lua_tostring(L, -1);
        if (listed(b->skip, field)) {
            lua_pop(L, 1);
            continue;
        }
        const zz_param *p = zz_param_field(b->block, b->kind, field);
        if (!p || (b->only && !listed(b->only, field)) ||
            ((p->flags & ZZ_PF_IDENT) && !listed(b->skip, field)))
            unknown_field(L, b, field);
        if (p->flags & ZZ_PF_NOLUA)
            raise(L, b, "%s: '%s' is not a field; it is the word after the block's name, e.g. "
                        "decision \"bass\" { ... }", b->desc, field);
        if (p->flags & ZZ_PF_DERIVED) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s: '%s' is computed (%s); it cannot be set", b->desc, field,
                     p->doc);
            raise(L, b, "%s%s", msg, "");
        }
        lua_pushvalue(L, -1);
        lua_rawget(L, idx);
        int vidx = lua_gettop(L);
        if (p->count > 1) {
            read_parts(L, vidx, b, p);
        } else {
            const char *items[MAX_ITEMS];
            char msg[1024];
            zz_pvalue v;
            if (zz_lua_pvalue(L, vidx, p, &v, items, MAX_ITEMS, msg, sizeof msg)) {
                char head[256];
                snprintf(head, sizeof head, "field '%s' of %s", field, b->desc);
                raise(L, b, "%s: %s", head, msg);
            }
            store(L, b, p, -1, &v, field);
        }
        lua_settop(L, keys);
    }
    lua_pop(L, 1);
}

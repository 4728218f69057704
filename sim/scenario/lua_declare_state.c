/*
 * The scenario loader's shared steps (see lua_declare_internal.h): where
 * the calling Lua line is, raising an error there, and reading a block's
 * fields while recording what was stored (dates, converted once the whole
 * script has run; budgets given). Every declaration file uses these; they
 * use none of them, so the loader's files form no cycle.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "engine/date.h"
#include "engine/grow.h"
#include "scenario/lua_declare_internal.h"
#include "scenario/lua_fields.h"
#include "scenario/params.h"

zz_ld_origin zz_ld_here(lua_State *L, const zz_ld_loader *ld, char *where, size_t wlen)
{
    lua_Debug ar;
    zz_ld_origin o = {-1, 0};
    for (int l = 1; lua_getstack(L, l, &ar); l++)
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            const char *src = ar.source[0] == '@' ? ar.source + 1 : ar.short_src;
            o.line = ar.currentline;
            for (int f = 0; f < ld->nfiles; f++)
                if (strcmp(ld->files[f].path, src) == 0)
                    o.file = f;
            snprintf(where, wlen, "%s:%d", src, ar.currentline);
            return o;
        }
    snprintf(where, wlen, "%s", ld->cfg->path);
    return o;
}

int zz_ld_fail(lua_State *L, const char *where, const char *fmt, ...)
{
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lua_pushfstring(L, "%s: %s", where, msg);
    return lua_error(L);
}

void zz_ld_need_table(lua_State *L, int idx, const char *where, const char *desc)
{
    if (lua_type(L, idx) != LUA_TTABLE)
        zz_ld_fail(L, where, "%s: expected a table of fields { ... }, got %s", desc, luaL_typename(L, idx));
}

/* Records what the field reader stored: dates for finish(), budgets given. */
void zz_ld_stored(void *ud, const zz_param *p, void *base, const zz_pvalue *v)
{
    zz_ld_loader *ld = ud;
    zz_config *cfg = ld->cfg;
    if (p->block == ZZ_PB_PROGRAMME && strcmp(p->field, "budget") == 0)
        ld->budget_given[(zz_programme_cfg *)base - cfg->programme] = 1;
    if (p->type == ZZ_PT_EXPANSIONS) {
        /* each expansion's day, like any date (store sorted them by date,
         * which the final start does not change) */
        const zz_compute_cfg *c = base;
        for (int k = 0; k < c->nexpansions; k++) {
            zz_pvalue day = {ZZ_PV_STRING, 0, NULL, NULL, 0};
            char date[11];
            zz_date_format(cfg->start_day + (int64_t)c->expansion_day[k], date);
            day.str = date;
            zz_param at = {"expansion", ZZ_PB_COMPUTE, ZZ_PT_DATE, 0, 0, 0, sizeof(double), 1, 0, 0, NULL, "", 0};
            zz_ld_stored(ud, &at, (void *)&c->expansion_day[k], &day);
        }
        return;
    }
    if (p->type != ZZ_PT_DATE || (p->flags & ZZ_PF_START))
        return;
    zz_ld_date *grown = zz_grow(ld->dates, &ld->capdates, (size_t)ld->ndates + 1, sizeof *grown);
    if (!grown) { /* no Lua state here to raise on: finish() reports it */
        ld->oom = 1;
        return;
    }
    ld->dates = grown;
    zz_ld_date *d = &ld->dates[ld->ndates++];
    d->field = (double *)((char *)base + p->offset);
    d->none = v->kind == ZZ_PV_NONE;
    d->day = 0;
    if (!d->none && v->kind == ZZ_PV_STRING)
        zz_date_parse(v->str, &d->day); /* already validated by the store */
}

void zz_ld_read_block(lua_State *L, zz_ld_loader *ld, int idx, int block, int kind, void *base,
                       const char *desc, const char *where, const char *const *skip)
{
    zz_lua_block b = {ld->cfg, block, kind, base, desc, where, skip, NULL, zz_ld_stored, ld};
    zz_lua_read_block(L, idx, &b);
}

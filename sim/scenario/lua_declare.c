/*
 * The declaration functions of the scenario language, at load time (see
 * lua_declare.h). Each global (scenario, voucher, at, include, ...) is a C
 * closure whose first upvalue is the loader, so nothing is global and two
 * scenarios load side by side on different threads.
 *
 * Ordering constraints:
 *  - dates are written against scenario.start, which a scenario block may
 *    set after (or, through include, before) the blocks that use dates. So
 *    every date given is remembered as a calendar day and converted to
 *    "days since start" only when the whole script has run (finish()).
 *  - cross-field checks (shares adding to 1, windows that close after they
 *    open) also wait for the end: with merging, a field may be put right
 *    by a later declaration.
 *  - `voucher "compute"` returns a function that takes the field table; a
 *    forgotten table would silently declare nothing, so each such call is
 *    remembered until its table arrives and finish() reports any left.
 */
#include "scenario/lua_declare.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "engine/date.h"
#include "policy/instrument.h"
#include "scenario/lua_declare_internal.h"
#include "scenario/lua_fields.h"
#include "scenario/lua_sandbox.h"
#include "scenario/lua_source.h"
#include "scenario/params.h"
#include "zhizao/zhizao.h"

/* the blocks that are not instruments, with their functions (install) */
static const struct {
    zz_declaration d;
    lua_CFunction fn;
} fixed[] = {
    {{"scenario", 0}, zz_ld_scenario}, {{"population", 0}, zz_ld_population},
    {{"decision", 1}, zz_ld_decision}, {{"target", 0}, zz_ld_target},
    {{"pioneer", 0}, zz_ld_pioneer},   {{"compute", 0}, zz_ld_compute},
};
#define NFIXED ((int)(sizeof fixed / sizeof *fixed))

int zz_declarations(zz_declaration *out, int max)
{
    int n = 0;
    for (int i = 0; i < NFIXED && n < max; i++)
        out[n++] = fixed[i].d;
    for (int k = 0; k < zz_ninstruments && n < max; k++) {
        const zz_instrument *ops = zz_instruments[k];
        if (k > 0 && strcmp(zz_instruments[k - 1]->word, ops->word) == 0)
            continue; /* rows sharing a word are adjacent */
        out[n++] = (zz_declaration){ops->word, ops->variant || ops->named};
    }
    return n;
}

static void origin_text(const zz_ld_loader *ld, zz_ld_origin o, char *buf, size_t len)
{
    const char *file = o.file >= 0 ? ld->files[o.file].path : ld->cfg->path;
    if (o.line > 0)
        snprintf(buf, len, "%s:%d", file, o.line);
    else
        snprintf(buf, len, "%s", file);
}

static int l_include(lua_State *L)
{
    zz_ld_loader *ld = zz_ld(L);
    char where[ZZ_LD_WHERE_LEN], path[ZZ_PATH_LEN], msg[1024];
    zz_ld_origin o = zz_ld_here(L, ld, where, sizeof where);
    if (lua_type(L, 1) != LUA_TSTRING)
        zz_ld_fail(L, where, "include: expected a file name, e.g. include \"base.lua\"; got %s",
             luaL_typename(L, 1));
    if (zz_lua_has_nul(L, 1))
        zz_ld_fail(L, where, "include: a file name with a NUL byte (\\0)");
    const char *from = o.file >= 0 ? ld->files[o.file].path : ld->cfg->path;
    if (zz_source_resolve(ld->root, from, lua_tostring(L, 1), ".lua", path, sizeof path, msg, sizeof msg))
        zz_ld_fail(L, where, "include: %s", msg);
    int f;
    for (f = 0; f < ld->nfiles; f++)
        if (strcmp(ld->files[f].path, path) == 0)
            break;
    for (int d = 0; d < ld->depth; d++)
        if (ld->stack[d] == f) {
            char chain[1024] = "";
            for (int e = d; e < ld->depth; e++) {
                size_t at = strlen(chain);
                snprintf(chain + at, sizeof chain - at, "%s -> ", ld->files[ld->stack[e]].path);
            }
            zz_ld_fail(L, where, "include: '%s' includes itself (%s...)", path, chain);
        }
    if (ld->depth == ZZ_LD_MAX_DEPTH)
        zz_ld_fail(L, where, "include: nested too deep (%s)", path);
    if (f == ld->nfiles) {
        if (f == ZZ_MAX_SOURCE_FILES)
            zz_ld_fail(L, where, "include: too many files (%s)", path);
        zz_source_file *sf = &ld->files[f];
        int rc = zz_source_read(path, ZZ_LUA_MAX_SOURCE, &sf->text, &sf->len, msg, sizeof msg);
        if (rc)
            zz_ld_fail(L, where, "include: %s", msg);
        snprintf(sf->path, sizeof sf->path, "%s", path);
        ld->nfiles++;
    }
    if (zz_sandbox_load(ld->sb, ld->files[f].text, ld->files[f].len, path, msg, sizeof msg)) {
        lua_pushstring(L, msg); /* a syntax error already names file and line */
        return lua_error(L);
    }
    ld->stack[ld->depth++] = f;
    lua_call(L, 0, 0);
    ld->depth--;
    return 0;
}

/* ---- the whole load ------------------------------------------------------ */

static int finish(zz_ld_loader *ld, char *err, size_t errlen)
{
    zz_config *cfg = ld->cfg;
    char at[ZZ_LD_WHERE_LEN], msg[1024];
    if (ld->oom) {
        snprintf(err, errlen, "%s: out of memory", cfg->path);
        return ZZ_NOMEM;
    }
    for (int i = 0; i < ld->nopen; i++)
        if (!ld->open[i].done) {
            origin_text(ld, ld->open[i].at, at, sizeof at);
            snprintf(err, errlen, "%s: %s has no fields; write %s { ... }", at, ld->open[i].desc,
                     ld->open[i].desc);
            return ZZ_SCENARIO;
        }
    /* dates against the final start (see the top of the file) */
    for (int i = 0; i < ld->ndates; i++)
        *ld->dates[i].field = ld->dates[i].none ? -1 : (double)(ld->dates[i].day - cfg->start_day);
    for (int a = 0; a < cfg->nactions; a++)
        if (ld->at_day[a] != INT64_MIN && ld->at_day[a] < cfg->start_day) {
            char date[11];
            zz_date_format(ld->at_day[a], date);
            origin_text(ld, ld->action_at[a], at, sizeof at);
            snprintf(err, errlen, "%s: at: %s is before the scenario starts (%s)", at, date, cfg->start);
            return ZZ_SCENARIO;
        }
    /* No default budget would be right, and a programme with no money does
     * nothing: say so rather than run a silent no-op. A campaign that costs
     * nothing (amount = 0) needs none. */
    for (int g = 0; g < cfg->nprogrammes; g++)
        if (!ld->budget_given[g] &&
            !(zz_instruments[cfg->programme[g].kind]->costless &&
              zz_instruments[cfg->programme[g].kind]->costless(&cfg->programme[g]))) {
            zz_programme_desc(&cfg->programme[g], msg, sizeof msg);
            origin_text(ld, ld->programme_at[g], at, sizeof at);
            snprintf(err, errlen, "%s: %s has no budget; give one in yuan, e.g. budget = 5e8 "
                     "(budget = 0 for a programme that pays nothing)", at, msg);
            return ZZ_SCENARIO;
        }
    zz_params_resolve(cfg);
    int block, index;
    if (zz_params_check(cfg, &block, &index, msg, sizeof msg)) {
        zz_ld_origin o = {-1, 0};
        if (block == ZZ_PB_POPULATION)
            o = ld->population_at;
        else if (block == ZZ_PB_DECISION)
            o = ld->decision_at;
        else if (block == ZZ_PB_COMPUTE)
            o = ld->compute_at;
        else if (block == ZZ_PB_PROGRAMME)
            o = ld->programme_at[index];
        origin_text(ld, o, at, sizeof at);
        snprintf(err, errlen, "%s: %s", at, msg);
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

static void install(lua_State *L, zz_ld_loader *ld)
{
    for (int i = 0; i < NFIXED; i++) {
        lua_pushlightuserdata(L, ld);
        lua_pushcclosure(L, fixed[i].fn, 1);
        lua_setglobal(L, fixed[i].d.name);
    }
    for (int k = 0; k < zz_ninstruments; k++) {
        if (k > 0 && strcmp(zz_instruments[k - 1]->word, zz_instruments[k]->word) == 0)
            continue;
        lua_pushlightuserdata(L, ld);
        lua_pushinteger(L, k);
        lua_pushcclosure(L, zz_ld_instrument, 2);
        lua_setglobal(L, zz_instruments[k]->word);
    }
    static const struct {
        const char *name;
        lua_CFunction fn;
    } more[] = {{"at", zz_ld_at}, {"when", zz_ld_when}, {"include", l_include}};
    for (size_t i = 0; i < sizeof more / sizeof *more; i++) {
        lua_pushlightuserdata(L, ld);
        lua_pushcclosure(L, more[i].fn, 1);
        lua_setglobal(L, more[i].name);
    }
}

int zz_declare_load(zz_config *cfg, const char *path, const char *text, char *err, size_t errlen)
{
    zz_ld_loader *ld = calloc(1, sizeof *ld);
    if (!ld) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    int rc = ZZ_OK;
    ld->cfg = cfg;
    ld->population_at = ld->decision_at = ld->compute_at = (zz_ld_origin){-1, 0};
    snprintf(cfg->path, sizeof cfg->path, "%s", path);
    zz_source_dirname(path, ld->root, sizeof ld->root);
    zz_source_file *main = &ld->files[0];
    snprintf(main->path, sizeof main->path, "%s", path);
    if (text) {
        main->len = strlen(text);
        main->text = malloc(main->len + 1);
        if (main->text)
            memcpy(main->text, text, main->len + 1);
        else
            rc = ZZ_NOMEM, snprintf(err, errlen, "out of memory");
    } else {
        rc = zz_source_read(path, ZZ_LUA_MAX_SOURCE, &main->text, &main->len, err, errlen);
    }
    if (rc == ZZ_OK) {
        ld->nfiles = 1;
        ld->stack[ld->depth++] = 0;
        ld->sb = zz_sandbox_new(ZZ_LUA_MEMORY_LIMIT);
        if (!ld->sb) {
            snprintf(err, errlen, "out of memory");
            rc = ZZ_NOMEM;
        }
    }
    if (rc == ZZ_OK) {
        install(zz_sandbox_state(ld->sb), ld);
        rc = zz_sandbox_load(ld->sb, main->text, main->len, path, err, errlen);
    }
    if (rc == ZZ_OK)
        rc = zz_sandbox_call(ld->sb, 0, 0, ZZ_LUA_LOAD_INSTRUCTIONS, ZZ_LUA_LOAD_SECONDS, err, errlen);
    if (rc == ZZ_OK)
        rc = finish(ld, err, errlen);
    if (ld->nfiles > 0) {
        free(cfg->source);
        cfg->source = zz_source_bundle(ld->files, ld->nfiles);
        if (!cfg->source && rc == ZZ_OK) {
            snprintf(err, errlen, "out of memory");
            rc = ZZ_NOMEM;
        }
    }
    zz_sandbox_free(ld->sb);
    for (int f = 0; f < ZZ_MAX_SOURCE_FILES; f++)
        free(ld->files[f].text);
    free(ld->dates);
    free(ld->open);
    free(ld);
    return rc;
}

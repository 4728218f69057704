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
#include "scenario/lua_fields.h"
#include "scenario/lua_sandbox.h"
#include "scenario/lua_source.h"
#include "scenario/params.h"
#include "zhizao/zhizao.h"

#define MAX_DEPTH 16
#define WHERE_LEN (ZZ_PATH_LEN + 32) /* "path:line" */

/* Pioneer cities (一业一市): FACTS.md, seed 002, "at least 50% of 规上 firms
 * in the chosen industry within about one year". config.c has no pioneer
 * defaults, so they live here, once. A new target aims at the plan's 50%. */
#define PIONEER_SHARE 0.5
#define PIONEER_WITHIN_DAYS 365.0
#define TARGET_SHARE 0.5

/* the blocks that are not instruments, with their functions (install) */
static int l_scenario(lua_State *L), l_population(lua_State *L), l_decision(lua_State *L),
    l_target(lua_State *L), l_pioneer(lua_State *L), l_compute(lua_State *L);
static const struct {
    zz_declaration d;
    lua_CFunction fn;
} fixed[] = {
    {{"scenario", 0}, l_scenario}, {{"population", 0}, l_population}, {{"decision", 1}, l_decision},
    {{"target", 0}, l_target},     {{"pioneer", 0}, l_pioneer},       {{"compute", 0}, l_compute},
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

typedef struct origin {
    int file; /* index in loader.files; -1 unknown */
    int line;
} origin;

typedef struct pending_date {
    double *field;
    int64_t day;
    int none;
} pending_date;

typedef struct unfinished {
    origin at;
    char desc[96];
    int done;
} unfinished;

typedef struct loader {
    zz_config *cfg;
    zz_sandbox *sb;
    char root[ZZ_PATH_LEN];
    zz_source_file files[ZZ_MAX_SOURCE_FILES];
    int nfiles;
    int stack[MAX_DEPTH]; /* files being run, for include cycles */
    int depth;
    pending_date *dates;
    int ndates, capdates;
    unfinished *open;
    int nopen, capopen;
    origin population_at, decision_at, compute_at;
    origin programme_at[ZZ_MAX_PROGRAMMES], target_at[ZZ_MAX_TARGETS];
    origin pioneer_at[ZZ_MAX_CITIES], action_at[ZZ_MAX_ACTIONS];
    int budget_given[ZZ_MAX_PROGRAMMES];
    int64_t at_day[ZZ_MAX_ACTIONS]; /* at(): its calendar day; when(): INT64_MIN */
    int oom;                        /* a pending date could not be recorded */
} loader;

static loader *LD(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

/* The calling Lua function's file and line, as an origin and as text. */
static origin here(lua_State *L, const loader *ld, char *where, size_t wlen)
{
    lua_Debug ar;
    origin o = {-1, 0};
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

static void origin_text(const loader *ld, origin o, char *buf, size_t len)
{
    const char *file = o.file >= 0 ? ld->files[o.file].path : ld->cfg->path;
    if (o.line > 0)
        snprintf(buf, len, "%s:%d", file, o.line);
    else
        snprintf(buf, len, "%s", file);
}

#ifdef __GNUC__
__attribute__((format(printf, 3, 4)))
#endif
static int fail(lua_State *L, const char *where, const char *fmt, ...)
{
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lua_pushfstring(L, "%s: %s", where, msg);
    return lua_error(L);
}

static void need_table(lua_State *L, int idx, const char *where, const char *desc)
{
    if (lua_type(L, idx) != LUA_TTABLE)
        fail(L, where, "%s: expected a table of fields { ... }, got %s", desc, luaL_typename(L, idx));
}

/* Records what the field reader stored: dates for finish(), budgets given. */
static void stored(void *ud, const zz_param *p, void *base, const zz_pvalue *v)
{
    loader *ld = ud;
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
            stored(ud, &at, (void *)&c->expansion_day[k], &day);
        }
        return;
    }
    if (p->type != ZZ_PT_DATE || (p->flags & ZZ_PF_START))
        return;
    if (ld->ndates == ld->capdates) {
        int cap = ld->capdates ? 2 * ld->capdates : 64;
        pending_date *d = realloc(ld->dates, (size_t)cap * sizeof *d);
        if (!d) { /* no Lua state here to raise on: finish() reports it */
            ld->oom = 1;
            return;
        }
        ld->dates = d;
        ld->capdates = cap;
    }
    pending_date *d = &ld->dates[ld->ndates++];
    d->field = (double *)((char *)base + p->offset);
    d->none = v->kind == ZZ_PV_NONE;
    d->day = 0;
    if (!d->none && v->kind == ZZ_PV_STRING)
        zz_date_parse(v->str, &d->day); /* already validated by the store */
}

static void read_block(lua_State *L, loader *ld, int idx, int block, int kind, void *base,
                       const char *desc, const char *where, const char *const *skip)
{
    zz_lua_block b = {ld->cfg, block, kind, base, desc, where, skip, NULL, stored, ld};
    zz_lua_read_block(L, idx, &b);
}

/* ---- curried declarations ------------------------------------------------ */

static int remember_open(lua_State *L, loader *ld, origin o, const char *desc)
{
    if (ld->nopen == ld->capopen) {
        int cap = ld->capopen ? 2 * ld->capopen : 32;
        unfinished *u = realloc(ld->open, (size_t)cap * sizeof *u);
        if (!u)
            return luaL_error(L, "out of memory");
        ld->open = u;
        ld->capopen = cap;
    }
    unfinished *u = &ld->open[ld->nopen];
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
    loader *ld = LD(L);
    zz_config *cfg = ld->cfg;
    int what = (int)lua_tointeger(L, lua_upvalueindex(2));
    int kind = (int)lua_tointeger(L, lua_upvalueindex(3));
    const char *name = lua_tostring(L, lua_upvalueindex(4));
    int open = (int)lua_tointeger(L, lua_upvalueindex(5));
    char where[WHERE_LEN];
    origin o = here(L, ld, where, sizeof where);
    const char *desc = ld->open[open].desc;
    ld->open[open].done = 1;
    need_table(L, 1, where, desc);
    if (what == 1) {
        zz_decision_cfg *d = &cfg->decision;
        static const char *const lua_skip[] = {"fn", NULL};
        d->rule = kind;
        ld->decision_at = o;
        read_block(L, ld, 1, ZZ_PB_DECISION, kind, d, desc, where, kind == ZZ_RULE_LUA ? lua_skip : NULL);
        if (kind == ZZ_RULE_LUA && lua_getfield(L, 1, "fn") != LUA_TNIL) {
            lua_Debug ar;
            if (lua_type(L, -1) != LUA_TFUNCTION)
                fail(L, where, "field 'fn' of %s: expected a function(firm) returning a "
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
            fail(L, where, "%s: too many programmes (at most %d)", desc, ZZ_MAX_PROGRAMMES);
        zz_programme_defaults(&cfg->programme[g], kind);
        snprintf(cfg->programme[g].name, sizeof cfg->programme[g].name, "%s", name);
        cfg->nprogrammes++;
    }
    /* the latest declaration is the one a reader looks at */
    cfg->programme[g].line = o.line;
    ld->programme_at[g] = o;
    read_block(L, ld, 1, ZZ_PB_PROGRAMME, kind, &cfg->programme[g], desc, where, NULL);
    return 0;
}

/* The first call: checks the kind or name and returns l_fields. */
static int curried(lua_State *L, int what, int kind, const char *name, const char *desc)
{
    loader *ld = LD(L);
    char where[WHERE_LEN];
    origin o = here(L, ld, where, sizeof where);
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
        char where[WHERE_LEN];
        here(L, LD(L), where, sizeof where);
        fail(L, where, "%s: give its kind or name first, e.g. %s", decl, example);
    }
    if (zz_lua_has_nul(L, 1)) {
        char where[WHERE_LEN];
        here(L, LD(L), where, sizeof where);
        fail(L, where, "%s: a name with a NUL byte (\\0) is not accepted", decl);
    }
    return lua_tostring(L, 1);
}

static int pick_kind(lua_State *L, const char *decl, const char *word, const char *const *kinds,
                     int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(word, kinds[i]) == 0)
            return i;
    char where[WHERE_LEN], msg[512];
    here(L, LD(L), where, sizeof where);
    snprintf(msg, sizeof msg, "unknown %s kind '%s'; ", decl, word);
    zz_suggest(msg, sizeof msg, word, kinds, n, NULL, "did you mean '%s'? ");
    size_t at = strlen(msg);
    snprintf(msg + at, sizeof msg - at, "valid: ");
    zz_join_names(msg, sizeof msg, kinds, n);
    return fail(L, where, "%s", msg);
}

static int l_decision(lua_State *L)
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
        char where[WHERE_LEN];
        here(L, LD(L), where, sizeof where);
        fail(L, where, "%s name '%s' must be letters, digits and '_', at most %zu characters",
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
    loader *ld = LD(L);
    char where[WHERE_LEN];
    origin o = here(L, ld, where, sizeof where);
    if (lua_type(L, 1) == LUA_TSTRING)
        fail(L, where, "%s takes no kind or name: write %s { ... }", decl, decl);
    need_table(L, 1, where, decl);
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
static int l_instrument(lua_State *L)
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

/* ---- scenario, population, targets, pioneers ---------------------------- */

static int l_scenario(lua_State *L)
{
    loader *ld = LD(L);
    char where[WHERE_LEN];
    here(L, ld, where, sizeof where);
    need_table(L, 1, where, "scenario");
    read_block(L, ld, 1, ZZ_PB_SCENARIO, -1, ld->cfg, "scenario", where, NULL);
    return 0;
}

/* compute { ... }: declaring the market switches it on */
static int l_compute(lua_State *L)
{
    loader *ld = LD(L);
    char where[WHERE_LEN];
    origin o = here(L, ld, where, sizeof where);
    need_table(L, 1, where, "compute");
    ld->compute_at = o;
    ld->cfg->compute.enabled = 1;
    read_block(L, ld, 1, ZZ_PB_COMPUTE, -1, &ld->cfg->compute, "compute", where, NULL);
    return 0;
}

static int l_population(lua_State *L)
{
    static const char *const skip[] = {"file", NULL};
    loader *ld = LD(L);
    zz_config *cfg = ld->cfg;
    char where[WHERE_LEN];
    origin o = here(L, ld, where, sizeof where);
    need_table(L, 1, where, "population");
    ld->population_at = o;
    read_block(L, ld, 1, ZZ_PB_POPULATION, -1, &cfg->population, "population", where, skip);
    /* The firm file is named relative to the scenario and must stay beside
     * or below it, like an include. */
    if (lua_getfield(L, 1, "file") != LUA_TNIL) {
        char path[ZZ_PATH_LEN], msg[1024];
        const zz_param *p = zz_param_field(ZZ_PB_POPULATION, -1, "file");
        if (lua_type(L, -1) != LUA_TSTRING)
            fail(L, where, "field 'file' of population: expected a file name, got %s",
                 luaL_typename(L, -1));
        if (zz_lua_has_nul(L, -1))
            fail(L, where, "field 'file' of population: a file name with a NUL byte (\\0)");
        const char *rel = lua_tostring(L, -1);
        if (rel[0] == '\0') {
            path[0] = '\0';
        } else {
            lua_Debug ar;
            lua_getstack(L, 1, &ar);
            lua_getinfo(L, "S", &ar);
            const char *from = ar.source[0] == '@' ? ar.source + 1 : cfg->path;
            if (zz_source_resolve(ld->root, from, rel, NULL, path, sizeof path, msg, sizeof msg))
                fail(L, where, "field 'file' of population: %s", msg);
        }
        zz_pvalue v = {ZZ_PV_STRING, 0, path, NULL, 0};
        if (zz_param_store(cfg, p, &cfg->population, -1, &v, msg, sizeof msg))
            fail(L, where, "field 'file' of population: %s", msg);
    }
    return 0;
}

static int find_target(const zz_config *cfg, const char *name)
{
    for (int t = 0; t < cfg->ntargets; t++)
        if (strcmp(cfg->target[t].name, name) == 0)
            return t;
    return -1;
}

static int new_target(lua_State *L, zz_config *cfg, const char *name, const char *where)
{
    if (cfg->ntargets == ZZ_MAX_TARGETS)
        fail(L, where, "target \"%s\": too many targets", name);
    int t = cfg->ntargets++;
    memset(&cfg->target[t], 0, sizeof cfg->target[t]);
    snprintf(cfg->target[t].name, ZZ_NAME_LEN, "%s", name);
    cfg->target[t].share = TARGET_SHARE;
    cfg->target[t].by = -1;
    return t;
}

static int l_target(lua_State *L)
{
    static const char *const skip[] = {"name", NULL};
    loader *ld = LD(L);
    zz_config *cfg = ld->cfg;
    char where[WHERE_LEN], desc[96], msg[512];
    origin o = here(L, ld, where, sizeof where);
    need_table(L, 1, where, "target");
    if (lua_getfield(L, 1, "name") != LUA_TSTRING)
        fail(L, where, "target: give it a name, e.g. target { name = \"jinan_electronics\", "
                       "city = \"Jinan\", share = 0.5 }");
    if (zz_lua_has_nul(L, -1))
        fail(L, where, "target: a name with a NUL byte (\\0) is not accepted");
    const char *name = lua_tostring(L, -1);
    zz_target_cfg probe;
    zz_pvalue v = {ZZ_PV_STRING, 0, name, NULL, 0};
    if (zz_param_store(cfg, zz_param_field(ZZ_PB_TARGET, -1, "name"), &probe, -1, &v, msg, sizeof msg))
        fail(L, where, "field 'name' of target: %s", msg);
    snprintf(desc, sizeof desc, "target \"%s\"", name);
    int t = find_target(cfg, name);
    if (t < 0)
        t = new_target(L, cfg, name, where);
    cfg->target[t].line = o.line;
    ld->target_at[t] = o;
    read_block(L, ld, 1, ZZ_PB_TARGET, -1, &cfg->target[t], desc, where, skip);
    return 0;
}

static int l_pioneer(lua_State *L)
{
    static const char *const skip[] = {"city", "industry", NULL};
    loader *ld = LD(L);
    zz_config *cfg = ld->cfg;
    char where[WHERE_LEN], desc[160], msg[1024];
    origin o = here(L, ld, where, sizeof where);
    need_table(L, 1, where, "pioneer");
    zz_pioneer_cfg probe = {0};
    for (int i = 0; i < 2; i++) {
        const zz_param *p = zz_param_field(ZZ_PB_PIONEER, -1, skip[i]);
        zz_pvalue v;
        const char *items[1];
        lua_getfield(L, 1, skip[i]);
        if (lua_isnil(L, -1))
            fail(L, where, "pioneer: give its %s, e.g. pioneer { city = \"Jinan\", industry = "
                           "\"electronics\" }", skip[i]);
        if (zz_lua_pvalue(L, -1, p, &v, items, 0, msg, sizeof msg) ||
            zz_param_store(cfg, p, &probe, -1, &v, msg, sizeof msg)) {
            char head[64];
            snprintf(head, sizeof head, "field '%s' of pioneer", skip[i]);
            fail(L, where, "%s: %s", head, msg);
        }
        lua_pop(L, 1);
    }
    snprintf(desc, sizeof desc, "pioneer (%s, %s)", cfg->city[probe.city], cfg->industry[probe.industry]);
    int k;
    for (k = 0; k < cfg->npioneers; k++)
        if (cfg->pioneer[k].city == probe.city && cfg->pioneer[k].industry == probe.industry)
            break;
    if (k == cfg->npioneers) {
        if (k == ZZ_MAX_CITIES)
            fail(L, where, "%s: too many pioneers", desc);
        cfg->pioneer[k] = probe;
        cfg->pioneer[k].share = PIONEER_SHARE;
        cfg->pioneer[k].within_days = PIONEER_WITHIN_DAYS;
        cfg->npioneers++;
    }
    cfg->pioneer[k].line = o.line;
    ld->pioneer_at[k] = o;
    read_block(L, ld, 1, ZZ_PB_PIONEER, -1, &cfg->pioneer[k], desc, where, skip);
    /* Its own reported group: the pair's gsz firms, under a fixed name. */
    char name[ZZ_NAME_LEN * 3];
    snprintf(name, sizeof name, "pioneer_%s_%s", cfg->city[probe.city], cfg->industry[probe.industry]);
    if (strlen(name) >= ZZ_NAME_LEN)
        fail(L, where, "%s: the target name '%s' is too long", desc, name);
    int t = find_target(cfg, name);
    if (t < 0)
        t = new_target(L, cfg, name, where);
    zz_target_cfg *tg = &cfg->target[t];
    tg->line = o.line;
    ld->target_at[t] = o;
    tg->filter.cities = (uint64_t)1 << probe.city;
    tg->filter.industries = (uint64_t)1 << probe.industry;
    tg->filter.gsz_only = 1;
    tg->share = cfg->pioneer[k].share;
    return 0;
}

/* ---- at, when, include --------------------------------------------------- */

static int add_action(lua_State *L, loader *ld, origin o, const char *where, double when)
{
    zz_config *cfg = ld->cfg;
    if (cfg->nactions == ZZ_MAX_ACTIONS)
        fail(L, where, "too many at/when functions (at most %d)", ZZ_MAX_ACTIONS);
    int a = cfg->nactions++;
    cfg->action[a].when = when;
    cfg->action[a].line = o.line;
    cfg->action[a].index = a;
    ld->action_at[a] = o;
    return a;
}

static int l_at(lua_State *L)
{
    loader *ld = LD(L);
    char where[WHERE_LEN];
    origin o = here(L, ld, where, sizeof where);
    int64_t day;
    if (lua_type(L, 1) != LUA_TSTRING)
        fail(L, where, "at: expected a date \"YYYY-MM-DD\" first, got %s; e.g. at(\"2027-01-01\", "
                       "function(sim) ... end)", luaL_typename(L, 1));
    if (zz_date_parse(lua_tostring(L, 1), &day))
        fail(L, where, "at: '%s' is not a date; expected \"YYYY-MM-DD\"", lua_tostring(L, 1));
    if (lua_type(L, 2) != LUA_TFUNCTION)
        fail(L, where, "at: expected a function(sim) after the date, got %s", luaL_typename(L, 2));
    int a = add_action(L, ld, o, where, 0);
    ld->at_day[a] = day;
    zz_pvalue v = {ZZ_PV_STRING, 0, lua_tostring(L, 1), NULL, 0};
    zz_param at_param = {"at", ZZ_PB_SCENARIO, ZZ_PT_DATE, 0, 0, 0, sizeof(double), 1, 0, 0, NULL, "", 0};
    stored(ld, &at_param, &ld->cfg->action[a].when, &v);
    return 0;
}

static int l_when(lua_State *L)
{
    loader *ld = LD(L);
    char where[WHERE_LEN];
    origin o = here(L, ld, where, sizeof where);
    if (lua_type(L, 1) != LUA_TFUNCTION || lua_type(L, 2) != LUA_TFUNCTION)
        fail(L, where, "when: expected two functions, a condition and what to do: when(function(sim) "
                       "return ... end, function(sim) ... end); got %s and %s",
             luaL_typename(L, 1), luaL_typename(L, 2));
    ld->at_day[add_action(L, ld, o, where, -1)] = INT64_MIN;
    return 0;
}

static int l_include(lua_State *L)
{
    loader *ld = LD(L);
    char where[WHERE_LEN], path[ZZ_PATH_LEN], msg[1024];
    origin o = here(L, ld, where, sizeof where);
    if (lua_type(L, 1) != LUA_TSTRING)
        fail(L, where, "include: expected a file name, e.g. include \"base.lua\"; got %s",
             luaL_typename(L, 1));
    if (zz_lua_has_nul(L, 1))
        fail(L, where, "include: a file name with a NUL byte (\\0)");
    const char *from = o.file >= 0 ? ld->files[o.file].path : ld->cfg->path;
    if (zz_source_resolve(ld->root, from, lua_tostring(L, 1), ".lua", path, sizeof path, msg, sizeof msg))
        fail(L, where, "include: %s", msg);
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
            fail(L, where, "include: '%s' includes itself (%s...)", path, chain);
        }
    if (ld->depth == MAX_DEPTH)
        fail(L, where, "include: nested too deep (%s)", path);
    if (f == ld->nfiles) {
        if (f == ZZ_MAX_SOURCE_FILES)
            fail(L, where, "include: too many files (%s)", path);
        zz_source_file *sf = &ld->files[f];
        int rc = zz_source_read(path, ZZ_LUA_MAX_SOURCE, &sf->text, &sf->len, msg, sizeof msg);
        if (rc)
            fail(L, where, "include: %s", msg);
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

static int finish(loader *ld, char *err, size_t errlen)
{
    zz_config *cfg = ld->cfg;
    char at[WHERE_LEN], msg[1024];
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
        origin o = {-1, 0};
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

static void install(lua_State *L, loader *ld)
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
        lua_pushcclosure(L, l_instrument, 2);
        lua_setglobal(L, zz_instruments[k]->word);
    }
    static const struct {
        const char *name;
        lua_CFunction fn;
    } more[] = {{"at", l_at}, {"when", l_when}, {"include", l_include}};
    for (size_t i = 0; i < sizeof more / sizeof *more; i++) {
        lua_pushlightuserdata(L, ld);
        lua_pushcclosure(L, more[i].fn, 1);
        lua_setglobal(L, more[i].name);
    }
}

int zz_declare_load(zz_config *cfg, const char *path, const char *text, char *err, size_t errlen)
{
    loader *ld = calloc(1, sizeof *ld);
    if (!ld) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    int rc = ZZ_OK;
    ld->cfg = cfg;
    ld->population_at = ld->decision_at = ld->compute_at = (origin){-1, 0};
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

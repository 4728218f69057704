/* Shared between the scenario loader's files; not part of the interface
 * (lua_declare.h). Each file has one job and uses only those below it:
 *   lua_declare.c             the load: the globals it installs, include,
 *                             the checks once the whole script has run
 *   lua_declare_blocks.c      the fixed blocks: scenario, population,
 *                             compute, target, pioneer, and at, when
 *   lua_declare_programmes.c  the curried declarations: decision "..." and
 *                             each instrument's word (voucher "compute" {...})
 *   lua_declare_state.c       where a call is, errors, reading a block's
 *                             fields and recording what was stored
 * Every declaration is a C closure whose first upvalue is the loader. */
#ifndef ZZ_LUA_DECLARE_INTERNAL_H
#define ZZ_LUA_DECLARE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "config.h"
#include "scenario/lua_sandbox.h"
#include "scenario/lua_source.h"
#include "scenario/params.h"

#define ZZ_LD_MAX_DEPTH 16                 /* nested includes            */
#define ZZ_LD_WHERE_LEN (ZZ_PATH_LEN + 32) /* "path:line"                */

typedef struct zz_ld_origin {
    int file; /* index in loader.files; -1 unknown */
    int line;
} zz_ld_origin;

typedef struct zz_ld_date {
    double *field;
    int64_t day;
    int none;
} zz_ld_date;

typedef struct zz_ld_open {
    zz_ld_origin at;
    char desc[96];
    int done;
} zz_ld_open;

typedef struct zz_ld_loader {
    zz_config *cfg;
    zz_sandbox *sb;
    char root[ZZ_PATH_LEN];
    zz_source_file files[ZZ_MAX_SOURCE_FILES];
    int nfiles;
    int stack[ZZ_LD_MAX_DEPTH]; /* files being run, for include cycles */
    int depth;
    zz_ld_date *dates;
    int ndates;
    size_t capdates;
    zz_ld_open *open;
    int nopen;
    size_t capopen;
    zz_ld_origin population_at, decision_at, compute_at;
    zz_ld_origin programme_at[ZZ_MAX_PROGRAMMES], target_at[ZZ_MAX_TARGETS];
    zz_ld_origin pioneer_at[ZZ_MAX_CITIES], action_at[ZZ_MAX_ACTIONS];
    int budget_given[ZZ_MAX_PROGRAMMES];
    int64_t at_day[ZZ_MAX_ACTIONS]; /* at(): its calendar day; when(): INT64_MIN */
    int oom;                        /* a pending date could not be recorded */
} zz_ld_loader;


static inline zz_ld_loader *zz_ld(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

/* lua_declare_state.c */
/* The calling Lua function's file and line, as an origin and as text. */
zz_ld_origin zz_ld_here(lua_State *L, const zz_ld_loader *ld, char *where, size_t wlen);
/* Raises "where: message" (does not return). */
#ifdef __GNUC__
__attribute__((format(printf, 3, 4)))
#endif
int zz_ld_fail(lua_State *L, const char *where, const char *fmt, ...);
void zz_ld_need_table(lua_State *L, int idx, const char *where, const char *desc);
/* The field reader's callback: records dates for the end of the load and
 * the budgets given (ud: the loader). */
void zz_ld_stored(void *ud, const zz_param *p, void *base, const zz_pvalue *v);
void zz_ld_read_block(lua_State *L, zz_ld_loader *ld, int idx, int block, int kind, void *base,
                      const char *desc, const char *where, const char *const *skip);

/* lua_declare_blocks.c */
int zz_ld_scenario(lua_State *L);
int zz_ld_population(lua_State *L);
int zz_ld_compute(lua_State *L);
int zz_ld_target(lua_State *L);
int zz_ld_pioneer(lua_State *L);
int zz_ld_at(lua_State *L);
int zz_ld_when(lua_State *L);

/* lua_declare_programmes.c */
int zz_ld_decision(lua_State *L);
/* upvalue 2: the table row of its word's first instrument */
int zz_ld_instrument(lua_State *L);

#endif

#ifndef ZZ_LUA_INCLUDE_H
#define ZZ_LUA_INCLUDE_H
/*
 * `include "FILE"` for the Lua files that are not scenarios (experiment,
 * calibration and optimisation files): the same rules as a scenario's
 * include (lua_source.c: beside or below the root, regular files only,
 * bounded size), each file read once, cycles and depth refused, errors
 * pointing at the including line.
 */
#include <lua.h>

#include "scenario/lua_sandbox.h"
#include "scenario/lua_source.h"

#define ZZ_INCLUDE_DEPTH 16

/* The files read so far (files[0] is the main file) and the chain of
 * files being run, innermost last. */
typedef struct zz_include_stack {
    zz_source_file files[ZZ_MAX_SOURCE_FILES];
    int nfiles;
    int stack[ZZ_INCLUDE_DEPTH];
    int depth;
} zz_include_stack;

/* The file now running (the main file before any include). */
const char *zz_include_current(const zz_include_stack *inc);
/* The body of an include function: reads argument 1 of L as a file name,
 * runs that file in sb. `example` completes "expected a file name, e.g.". */
int zz_lua_include(lua_State *L, zz_sandbox *sb, const char *root, zz_include_stack *inc,
                   const char *example);
#endif

/* Reading an experiment file's Lua (experiment_lua.c); used by experiment.c. */
#ifndef ZZ_EXPERIMENT_LUA_H
#define ZZ_EXPERIMENT_LUA_H

#include <stddef.h>

#include "experiment/experiment.h"

/* Runs ex->path in the sandbox and fills ex's fields, factors (key,
 * range, where) and source. ZZ_OK, or an error with "file:line: message". */
int zz_experiment_read(zz_experiment *ex, char *err, size_t errlen);

/* uncertain "key" { lo, hi } (or { values = { ... } }, scale = "log"):
 * a closure whose upvalue 1 is the zz_experiment its factors go to. */
struct lua_State;
int zz_lua_uncertain(struct lua_State *L);

#endif

/*
 * Loading a scenario: runs the script (and what it includes) in a sandbox
 * where scenario, population, decision, voucher, subsidy, ... fill a
 * zz_config through the parameter registry, then checks the result as a
 * whole. Declarations of the same block merge: a later one changes only
 * the fields it gives.
 */
#ifndef ZZ_LUA_DECLARE_H
#define ZZ_LUA_DECLARE_H

#include <stddef.h>

#include "config.h"

/* Fills cfg (already holding the defaults) from the scenario at `path`, or
 * from `text` when not NULL (path then only names it in messages and
 * anchors includes). Sets cfg->path and cfg->source (the bundle of every
 * file read, see lua_source.h). Returns ZZ_OK, or ZZ_SCENARIO, ZZ_LIMIT,
 * ZZ_IO, ZZ_NOMEM with "file:line: message" in err. */
int zz_declare_load(zz_config *cfg, const char *path, const char *text, char *err, size_t errlen);

/* The block declarations a scenario can make, and whether each takes a
 * kind or name before its fields (voucher "compute" { ... }) or only the
 * fields (population { ... }). The runtime (lua_runtime.c) installs
 * stand-ins for the same names. */
typedef struct zz_declaration {
    const char *name;
    int curried;
} zz_declaration;
/* Fills out[0 .. max) with the fixed blocks, then each instrument's word
 * once (policy/instruments.c); returns the count. */
int zz_declarations(zz_declaration *out, int max);
#define ZZ_MAX_DECLARATIONS 64

#endif

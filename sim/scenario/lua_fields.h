/*
 * Reading a Lua table of fields ({ rate = 0.3, cities = { "Jinan" } }) into
 * a block of zz_config through the parameter registry: unknown fields get
 * a suggestion, wrong types and out-of-range values a message naming the
 * field, the block and what is valid. Keys are walked in sorted order, so
 * which error is reported first never depends on Lua's hash order.
 */
#ifndef ZZ_LUA_FIELDS_H
#define ZZ_LUA_FIELDS_H

#include <lua.h>

#include "scenario/params.h"

typedef struct zz_lua_block {
    const zz_config *cfg;     /* names (cities, industries) and start date      */
    int block;                /* enum zz_param_block                            */
    int kind;                 /* programme kind or decision rule; -1 otherwise  */
    void *base;               /* the struct the fields go into                  */
    const char *desc;         /* "voucher \"compute\"", for messages            */
    const char *where;        /* "file:line" of the declaration                 */
    const char *const *skip;  /* fields the caller reads itself (NULL-ended)    */
    const char *const *only;  /* if set: the only fields accepted (NULL-ended)  */
    /* told of every value stored (the loader records dates and budgets) */
    void (*stored)(void *ud, const zz_param *p, void *base, const zz_pvalue *v);
    void *ud;
} zz_lua_block;

/* Stores every field of the table at idx. Raises a Lua error
 * "where: field 'rate' of voucher "compute": ..." at the first bad one. */
void zz_lua_read_block(lua_State *L, int idx, const zz_lua_block *b);

/* The Lua value at idx as a value for p. Lists use items[0..maxitems) as
 * scratch (the strings stay owned by the Lua table; for expansions by a
 * table this leaves on the stack). 0, or -1 with a message ("expected a
 * number, got string"). */
int zz_lua_pvalue(lua_State *L, int idx, const zz_param *p, zz_pvalue *v, const char **items,
                  int maxitems, char *msg, size_t len);

/* 1 if the string at idx holds a NUL byte (C would cut it short there). */
int zz_lua_has_nul(lua_State *L, int idx);

#endif

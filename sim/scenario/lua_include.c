#include "scenario/lua_include.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

const char *zz_include_current(const zz_include_stack *inc)
{
    return inc->files[inc->stack[inc->depth - 1]].path;
}

int zz_lua_include(lua_State *L, zz_sandbox *sb, const char *root, zz_include_stack *inc,
                   const char *example)
{
    char path[ZZ_PATH_LEN], msg[1024];
    if (lua_type(L, 1) != LUA_TSTRING)
        return zz_lua_error(L, "include: expected a file name, e.g. %s", example);
    if (zz_source_resolve(root, zz_include_current(inc), lua_tostring(L, 1), ".lua", path,
                          sizeof path, msg, sizeof msg))
        return zz_lua_error(L, "include: %s", msg);
    int f;
    for (f = 0; f < inc->nfiles && strcmp(inc->files[f].path, path); f++)
        ;
    for (int d = 0; d < inc->depth; d++)
        if (inc->stack[d] == f)
            return zz_lua_error(L, "include: '%s' includes itself", path);
    if (inc->depth == ZZ_INCLUDE_DEPTH)
        return zz_lua_error(L, "include: nested too deep (%s)", path);
    if (f == inc->nfiles) {
        if (f == ZZ_MAX_SOURCE_FILES)
            return zz_lua_error(L, "include: too many files (%s)", path);
        zz_source_file *sf = &inc->files[f];
        if (zz_source_read(path, ZZ_LUA_MAX_SOURCE, &sf->text, &sf->len, msg, sizeof msg))
            return zz_lua_error(L, "include: %s", msg);
        snprintf(sf->path, sizeof sf->path, "%s", path);
        inc->nfiles++;
    }
    if (zz_sandbox_load(sb, inc->files[f].text, inc->files[f].len, path, msg, sizeof msg)) {
        lua_pushstring(L, msg);
        return lua_error(L);
    }
    inc->stack[inc->depth++] = f;
    lua_call(L, 0, 0);
    inc->depth--;
    return 0;
}

/*
 * best_mix.lua written outside the scenario's directory cannot include the
 * scenario: the sandbox refuses absolute paths and paths that leave the
 * including file's directory. So the scenario's text is carried, and each
 * `include "x.lua"` line in it is replaced by the text of the file it names
 * (from the scenario's bundle, as the run read it), recursively; otherwise
 * best_mix.lua would include x.lua beside itself, which is not there.
 */
#include "optimise/opt_carry.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "scenario/lua_source.h"

#define MAX_DEPTH 16

/* The file an `include "x"` line names, in name[]; 0 if the line is not
 * one (anything else on it but a comment keeps it as written). */
static int include_name(const char *line, size_t n, char *name, size_t namelen)
{
    const char *p = line, *end = line + n;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if ((size_t)(end - p) < 8 || strncmp(p, "include", 7) != 0)
        return 0;
    p += 7;
    while (p < end && isspace((unsigned char)*p))
        p++;
    int paren = p < end && *p == '(';
    if (paren)
        p++;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p >= end || (*p != '"' && *p != '\''))
        return 0;
    char q = *p++;
    const char *s = p;
    while (p < end && *p != q && *p != '\\')
        p++;
    if (p >= end || *p != q || (size_t)(p - s) >= namelen)
        return 0;
    snprintf(name, namelen, "%.*s", (int)(p - s), s);
    p++;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (paren) {
        if (p >= end || *p != ')')
            return 0;
        p++;
        while (p < end && isspace((unsigned char)*p))
            p++;
    }
    return p == end || (end - p >= 2 && p[0] == '-' && p[1] == '-');
}

static int carry(FILE *fp, const char *bundle, const char *main_path, const char *root,
                 const char *path, int depth, char *err, size_t errlen)
{
    const char *text;
    size_t len;
    if (depth > MAX_DEPTH) {
        snprintf(err, errlen, "%s: includes nested too deep to carry into best_mix.lua", path);
        return -1;
    }
    if (!zz_source_find(bundle, main_path, path, &text, &len)) {
        snprintf(err, errlen, "%s: not among the files the scenario read", path);
        return -1;
    }
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        char name[ZZ_PATH_LEN], inc[ZZ_PATH_LEN], msg[512];
        const char *itext;
        size_t ilen;
        /* only an include the run really read (one inside a block comment
         * or a string is not in the bundle, and stays as written) */
        if (include_name(p, n, name, sizeof name) &&
            !zz_source_resolve(root, path, name, ".lua", inc, sizeof inc, msg, sizeof msg) &&
            zz_source_find(bundle, main_path, inc, &itext, &ilen)) {
            fprintf(fp, "-- %.*s  (%s, carried:)\n", (int)n, p, inc);
            if (carry(fp, bundle, main_path, root, inc, depth + 1, err, errlen))
                return -1;
            fprintf(fp, "-- (end of %s)\n", inc);
        } else {
            fprintf(fp, "%.*s\n", (int)n, p);
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

int zz_opt_carry_scenario(FILE *fp, const char *bundle, const char *main_path, char *err,
                          size_t errlen)
{
    char root[ZZ_PATH_LEN];
    zz_source_dirname(main_path, root, sizeof root);
    return carry(fp, bundle, main_path, root, main_path, 0, err, errlen);
}

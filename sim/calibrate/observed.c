/*
 * Reading data/observed.csv (observed.h). The file is small (a row per
 * published figure), so it is read whole and checked line by line; a
 * field is plain or double-quoted as RFC 4180 writes it (Python's csv
 * module, a spreadsheet), with "" for a quote inside. A quoted field may
 * not span lines: every row is one line, so an error can name its line.
 */
#include "calibrate/observed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/lua_source.h"
#include "scenario/suggest.h"
#include "zhizao/zhizao.h"

#ifndef ZZ_DATA_FILE
#define ZZ_DATA_FILE "data/observed.csv"
#endif

#define OBS_MAX_BYTES (4u << 20)
#define OBS_FIELD 256

struct zz_observed {
    char path[ZZ_PATH_LEN];
    char *text;
    size_t len;
    int nrows;
    zz_observed_row *row;
};

/* ---- finding the file ---------------------------------------------------- */

static int readable(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f)
        fclose(f);
    return f != NULL;
}

/* One folder up, lexically: "a/b" -> "a", "a" -> ".", "." -> "..",
 * ".." -> "../..". */
static void parent(char *dir, size_t len)
{
    const char *slash = strrchr(dir, '/');
    const char *last = slash ? slash + 1 : dir;
    if (!strcmp(dir, "."))
        snprintf(dir, len, "..");
    else if (!strcmp(last, ".."))
        strncat(dir, "/..", len - strlen(dir) - 1);
    else if (slash)
        dir[slash == dir ? 1 : slash - dir] = '\0';
    else
        snprintf(dir, len, ".");
}

int zz_observed_locate(const char *calib_path, char *out, size_t outlen, char *err, size_t errlen)
{
    char dir[ZZ_PATH_LEN], tried[2048] = "";
    zz_source_dirname(calib_path, dir, sizeof dir);
    for (int up = 0; up < 4; up++) {
        if (!strcmp(dir, "."))
            snprintf(out, outlen, "data/observed.csv");
        else
            snprintf(out, outlen, "%s/data/observed.csv", dir);
        if (readable(out))
            return 0;
        size_t at = strlen(tried);
        snprintf(tried + at, sizeof tried - at, "%s%s", at ? ", " : "", out);
        parent(dir, sizeof dir);
    }
    snprintf(out, outlen, "%s", ZZ_DATA_FILE);
    if (readable(out))
        return 0;
    snprintf(err, errlen, "no data file: tried %s and the project's %s", tried, ZZ_DATA_FILE);
    return -1;
}

/* ---- parsing --------------------------------------------------------------- */

/* Reads the field at *s (plain, or quoted with "" for a quote) into buf,
 * truncated to OBS_FIELD - 1 bytes, and moves *s past it and its comma.
 * 1 if another field follows, 0 at the end of the line, -1 for a quote
 * left open. */
static int next_field(const char **sp, const char *end, char buf[OBS_FIELD])
{
    const char *s = *sp;
    size_t k = 0;
    if (s < end && *s == '"') {
        for (s++;; s++) {
            if (s >= end)
                return -1;
            if (*s == '"' && (s + 1 >= end || s[1] != '"'))
                break;
            s += *s == '"'; /* "" is one quote */
            if (k + 1 < OBS_FIELD)
                buf[k++] = *s;
        }
        s++;
    }
    for (; s < end && *s != ','; s++)
        if (k + 1 < OBS_FIELD)
            buf[k++] = *s;
    buf[k] = '\0';
    *sp = s < end ? s + 1 : s;
    return s < end;
}

/* Splits one line; keeps the fields whose index is in want[0..3) in
 * got[]. Returns the number of fields, or -1 for a quote left open. */
static int split(const char *s, const char *end, const int want[3], char got[3][OBS_FIELD])
{
    char buf[OBS_FIELD];
    for (int n = 0;; n++) {
        int more = next_field(&s, end, buf);
        if (more < 0)
            return -1;
        for (int w = 0; w < 3; w++)
            if (want[w] == n)
                memcpy(got[w], buf, strlen(buf) + 1);
        if (!more)
            return n + 1;
    }
}

static int number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return *s && !*end && isfinite(*v);
}

/* The header: the columns of id, value and se in col[]; returns the
 * number of fields or -1 with err. */
static int parse_header(const zz_observed *o, const char *s, const char *end, int col[3],
                        char *err, size_t errlen)
{
    static const char *const names[3] = {"id", "value", "se"};
    char buf[OBS_FIELD];
    int n = 0, more = 1;
    col[0] = col[1] = col[2] = -1;
    while (more > 0) {
        more = next_field(&s, end, buf);
        for (int w = 0; w < 3; w++)
            if (more >= 0 && col[w] < 0 && !strcmp(buf, names[w]))
                col[w] = n;
        n++;
    }
    for (int w = 0; w < 3; w++)
        if (more < 0 || col[w] < 0) {
            snprintf(err, errlen, "%s:1: the header has no column '%s' (it needs id, value and se)",
                     o->path, names[w]);
            return -1;
        }
    return n;
}

/* One data line into row; 0 or an error naming path:line and the field. */
static int parse_row(const zz_observed *o, const char *s, const char *end, int line,
                     const int col[3], int nfields, zz_observed_row *row, char *err, size_t errlen)
{
    char got[3][OBS_FIELD] = {""};
    int n = split(s, end, col, got);
    if (n < 0) {
        snprintf(err, errlen, "%s:%d: a quoted field is not closed (a row is one line)", o->path, line);
        return ZZ_SCENARIO;
    }
    if (n != nfields) {
        snprintf(err, errlen, "%s:%d: %d fields, the header has %d (a comma inside a field needs "
                              "quotes)", o->path, line, n, nfields);
        return ZZ_SCENARIO;
    }
    if (!got[0][0] || strlen(got[0]) >= sizeof row->id ||
        strspn(got[0], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
            strlen(got[0])) {
        snprintf(err, errlen, "%s:%d: id must be a name of 1 to %zu letters, digits or '_', got '%s'",
                 o->path, line, sizeof row->id - 1, got[0]);
        return ZZ_SCENARIO;
    }
    snprintf(row->id, sizeof row->id, "%s", got[0]);
    row->line = line;
    if (!number(got[1], &row->value)) {
        snprintf(err, errlen, "%s:%d: row '%s': value must be a number, got '%s'", o->path, line,
                 row->id, got[1]);
        return ZZ_SCENARIO;
    }
    row->se = NAN;
    if (got[2][0] && (!number(got[2], &row->se) || !(row->se > 0))) {
        snprintf(err, errlen, "%s:%d: row '%s': se must be empty or a number > 0, got '%s'", o->path,
                 line, row->id, got[2]);
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

static int parse(zz_observed *o, char *err, size_t errlen)
{
    int col[3], nfields = 0, line = 0, rc = ZZ_OK;
    size_t cap = 16;
    o->row = malloc(cap * sizeof *o->row);
    if (!o->row)
        return ZZ_NOMEM;
    for (const char *s = o->text, *stop = o->text + o->len; s < stop && !rc; line++) {
        const char *nl = memchr(s, '\n', (size_t)(stop - s));
        const char *end = nl ? nl : stop;
        const char *next = nl ? nl + 1 : stop;
        if (end > s && end[-1] == '\r')
            end--;
        if (line == 0) {
            if ((nfields = parse_header(o, s, end, col, err, errlen)) < 0)
                return ZZ_SCENARIO;
        } else if (end > s) {
            if (o->nrows == (int)cap) {
                zz_observed_row *r = realloc(o->row, 2 * cap * sizeof *r);
                if (!r)
                    return ZZ_NOMEM;
                o->row = r;
                cap *= 2;
            }
            zz_observed_row *row = &o->row[o->nrows];
            rc = parse_row(o, s, end, line + 1, col, nfields, row, err, errlen);
            const zz_observed_row *first = rc ? NULL : zz_observed_find(o, row->id);
            if (first) {
                snprintf(err, errlen, "%s:%d: id '%s' again (first on line %d)", o->path, line + 1,
                         row->id, first->line);
                rc = ZZ_SCENARIO;
            }
            o->nrows += !rc;
        }
        s = next;
    }
    if (!rc && line == 0) {
        snprintf(err, errlen, "%s: empty; it needs a header line with id, value and se", o->path);
        rc = ZZ_SCENARIO;
    }
    return rc;
}

int zz_observed_open(zz_observed **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    zz_observed *o = calloc(1, sizeof *o);
    if (!o)
        return ZZ_NOMEM;
    snprintf(o->path, sizeof o->path, "%s", path);
    int rc = zz_source_read(path, OBS_MAX_BYTES, &o->text, &o->len, err, errlen);
    if (!rc)
        rc = parse(o, err, errlen);
    if (rc == ZZ_NOMEM)
        snprintf(err, errlen, "out of memory");
    if (rc) {
        zz_observed_close(o);
        return rc;
    }
    *out = o;
    return ZZ_OK;
}

void zz_observed_close(zz_observed *o)
{
    if (!o)
        return;
    free(o->text);
    free(o->row);
    free(o);
}

const zz_observed_row *zz_observed_find(const zz_observed *o, const char *id)
{
    for (int i = 0; i < o->nrows; i++)
        if (!strcmp(o->row[i].id, id))
            return &o->row[i];
    return NULL;
}

void zz_observed_nearest(const zz_observed *o, const char *id, char *buf, size_t len)
{
    const char **ids = malloc((size_t)(o->nrows ? o->nrows : 1) * sizeof *ids);
    if (!ids)
        return;
    int n = 0, shown = 0;
    for (int i = 0; i < o->nrows; i++)
        ids[n++] = o->row[i].id;
    /* zz_nearest gives the closest one; take it out and ask again */
    for (int k = 0; k < 3; k++) {
        int near = zz_nearest(id, ids, n);
        if (near < 0)
            break;
        size_t at = strlen(buf);
        snprintf(buf + at, len - at, "%s%s", shown++ ? ", " : "", ids[near]);
        ids[near] = ids[--n];
    }
    /* nothing close: the ids that share its first word ("eu_", "cn_") */
    const int close = shown;
    const char *us = strchr(id, '_');
    size_t word = us ? (size_t)(us - id) + 1 : strlen(id);
    for (int i = 0; i < o->nrows && !close && shown < 5; i++)
        if (!strncmp(o->row[i].id, id, word)) {
            size_t at = strlen(buf);
            snprintf(buf + at, len - at, "%s%s", shown++ ? ", " : "", o->row[i].id);
        }
    free(ids);
}

const char *zz_observed_path(const zz_observed *o) { return o->path; }

const char *zz_observed_text(const zz_observed *o, size_t *len)
{
    *len = o->len;
    return o->text;
}

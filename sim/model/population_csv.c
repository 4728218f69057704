/*
 * Firms from a CSV file of real firms. Columns and their rules are in
 * docs/firms_csv.md. The file is read in two streaming passes (count lines,
 * then parse), so memory stays near the population's own arrays plus the
 * ids, whatever the file's size.
 *
 * Errors are data errors (ZZ_DATA) with "file:line: column 'x': ..." and,
 * for categorical fields, the valid choices: the user's next step is to fix
 * the file, so the message must point at the cell.
 */
#define _POSIX_C_SOURCE 200809L /* fileno */
#include "model/population.h"
#include "engine/escape.h"
#include "engine/rng.h"
#include "model/streams.h"
#include "zhizao/zhizao.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

enum col {
    COL_ID, COL_CITY, COL_INDUSTRY, COL_SIZE, COL_REVENUE, COL_GSZ, COL_READINESS,
    COL_LIQUIDITY, COL_CREDIT, COL_HURDLE, COL_CAPABILITY, COL_ADOPTED, COL_AWARE,
    COL_LEADER, COL_LEADER_ID, NCOLS
};

static const struct {
    const char *name;
    int required;
} columns[NCOLS] = {
    {"id", 1}, {"city", 1}, {"industry", 1}, {"size", 0}, {"revenue", 1},
    {"gsz", 0}, {"readiness", 1}, {"liquidity", 1}, {"credit", 1}, {"hurdle", 0},
    {"capability", 0}, {"adopted", 1}, {"aware", 0}, {"leader", 0}, {"leader_id", 0},
};

static const char *const size_names[ZZ_NSIZES] = {"micro", "small", "medium", "large"};

/* ---- reading records (RFC 4180: quotes, doubled quotes, CRLF) ---------- */

struct reader {
    FILE *f;
    size_t len, pos;
    int stopped;          /* an interrupt ended the reading                 */
    unsigned char buf[1 << 16];
};

/* Ctrl-C is looked at on every refill: a signal also cuts a blocked read
 * short (the handler is installed without SA_RESTART), so a slow pipe or
 * disk does not hold the run. */
static int rd_get(struct reader *rd)
{
    if (rd->pos == rd->len) {
        rd->len = rd->stopped ? 0 : fread(rd->buf, 1, sizeof rd->buf, rd->f);
        rd->pos = 0;
        if (zz_interrupt_pending()) {
            rd->stopped = 1;
            rd->len = 0;
        }
        if (rd->len == 0)
            return EOF;
    }
    return rd->buf[rd->pos++];
}

static int rd_peek(struct reader *rd)
{
    int c = rd_get(rd);
    if (c != EOF)
        rd->pos--;
    return c;
}

struct record {
    char *text;           /* fields, each NUL-terminated                    */
    size_t len, cap;
    size_t *off;          /* start of each field in text                    */
    int nf, fcap;
    int64_t line;         /* physical line where the record starts          */
    int blank;            /* an empty line: skipped                         */
};

static int rec_put(struct record *r, char c)
{
    if (r->len == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        char *t = realloc(r->text, cap);
        if (!t)
            return -1;
        r->text = t;
        r->cap = cap;
    }
    r->text[r->len++] = c;
    return 0;
}

static int rec_field(struct record *r)
{
    if (r->nf == r->fcap) {
        int cap = r->fcap ? 2 * r->fcap : 32;
        size_t *o = realloc(r->off, (size_t)cap * sizeof *o);
        if (!o)
            return -1;
        r->off = o;
        r->fcap = cap;
    }
    r->off[r->nf++] = r->len;
    return 0;
}

/* Ends the current field: trailing blanks dropped unless they were inside
 * quotes (keep = length at the closing quote). */
static int rec_end_field(struct record *r, size_t keep)
{
    size_t start = r->off[r->nf - 1];
    if (keep < start)
        keep = start;
    while (r->len > keep && (r->text[r->len - 1] == ' ' || r->text[r->len - 1] == '\t'))
        r->len--;
    return rec_put(r, '\0');
}

/* 1: a record; 0: end of file; -1: out of memory; -2: unterminated quote;
 * -3: a NUL byte (C strings would cut the field short there). */
static int read_record(struct reader *rd, struct record *r, int64_t *line)
{
    r->len = 0;
    r->nf = 0;
    r->line = *line;
    r->blank = 0;
    int c = rd_get(rd);
    if (c == EOF)
        return 0;
    int quoted_any = 0;
    for (;;) {
        if (rec_field(r))
            return -1;
        size_t keep = 0;
        while (c == ' ' || c == '\t')
            c = rd_get(rd);
        if (c == '"') {
            quoted_any = 1;
            for (;;) {
                c = rd_get(rd);
                if (c == EOF)
                    return -2;
                if (c == '\0')
                    return -3;
                if (c == '"') {
                    if (rd_peek(rd) != '"')
                        break;
                    c = rd_get(rd);
                } else if (c == '\n') {
                    (*line)++;
                }
                if (rec_put(r, (char)c))
                    return -1;
            }
            keep = r->len;
            c = rd_get(rd);
        }
        /* unquoted text, or (leniently) text after a closing quote */
        while (c != ',' && c != '\n' && c != EOF) {
            if (c == '\0')
                return -3;
            if (!(c == '\r' && rd_peek(rd) == '\n') && rec_put(r, (char)c))
                return -1;
            c = rd_get(rd);
        }
        if (rec_end_field(r, keep))
            return -1;
        if (c == ',') {
            c = rd_get(rd);
            continue;
        }
        if (c == '\n')
            (*line)++;
        break;
    }
    r->blank = r->nf == 1 && !quoted_any && r->text[r->off[0]] == '\0';
    return 1;
}

/* ---- ids: an open-addressing hash from id to firm index ------------------ */

struct ids {
    char *arena;          /* every id, NUL-terminated                       */
    size_t len, cap;
    size_t *off;          /* firm -> its id in arena                        */
    size_t *leader_off;   /* firm -> its leader_id in arena, or SIZE_MAX    */
    int64_t *line;        /* firm -> line of its row                        */
    uint32_t *slot;       /* firm index + 1, 0 = free                       */
    size_t mask;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static size_t ids_store(struct ids *t, const char *s)
{
    size_t n = strlen(s) + 1;
    if (t->len + n > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n)
            cap *= 2;
        char *a = realloc(t->arena, cap);
        if (!a)
            return SIZE_MAX;
        t->arena = a;
        t->cap = cap;
    }
    memcpy(t->arena + t->len, s, n);
    t->len += n;
    return t->len - n;
}

/* Index of the firm with this id, or -1; *slot_out is where it would go. */
static int64_t ids_find(const struct ids *t, const char *s, size_t *slot_out)
{
    size_t h = (size_t)hash(s) & t->mask;
    while (t->slot[h]) {
        uint32_t i = t->slot[h] - 1;
        if (strcmp(t->arena + t->off[i], s) == 0)
            return i;
        h = (h + 1) & t->mask;
    }
    if (slot_out)
        *slot_out = h;
    return -1;
}

static void ids_free(struct ids *t)
{
    free(t->arena);
    free(t->off);
    free(t->leader_off);
    free(t->line);
    free(t->slot);
}

/* ---- fields -------------------------------------------------------------- */

struct ctx {
    const char *path;
    const zz_config *cfg;
    char *err;
    size_t errlen;
    int64_t line;
};

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

static int data_err(struct ctx *x, int col, const char *val, const char *fmt, ...)
{
    int k = snprintf(x->err, x->errlen, "%s:%lld: column '%s': ", x->path, (long long)x->line,
                     columns[col].name);
    char shown[200];
    if (val && k >= 0 && (size_t)k < x->errlen)
        k += snprintf(x->err + k, x->errlen - (size_t)k, "'%s' ",
                      zz_escape(val, strlen(val), shown, sizeof shown));
    if (k >= 0 && (size_t)k < x->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->err + k, x->errlen - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return ZZ_DATA;
}

/* Appends "a, b, c" to err (the valid choices after a message). */
static void append_list(struct ctx *x, const char *const *names, int n)
{
    size_t k = strlen(x->err);
    for (int i = 0; i < n && k < x->errlen; i++) {
        int w = snprintf(x->err + k, x->errlen - k, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        k += (size_t)w;
    }
}

static int parse_choice(struct ctx *x, int col, const char *v, const char (*names)[ZZ_NAME_LEN],
                        int n, const char *what, int *out)
{
    for (int i = 0; i < n; i++)
        if (ieq(v, names[i])) {
            *out = i;
            return ZZ_OK;
        }
    data_err(x, col, v, "is not %s; valid: ", what);
    const char *list[ZZ_MAX_CITIES > ZZ_MAX_INDUSTRIES ? ZZ_MAX_CITIES : ZZ_MAX_INDUSTRIES];
    for (int i = 0; i < n; i++)
        list[i] = names[i];
    append_list(x, list, n);
    return ZZ_DATA;
}

static int parse_number(struct ctx *x, int col, const char *v, double lo, double hi,
                        int lo_open, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || !isfinite(d))
        return data_err(x, col, v, "is not a number");
    if (d < lo || (lo_open && d == lo) || d > hi) {
        if (hi >= FLT_MAX)
            return data_err(x, col, v, "is out of range: must be %s %g%s", lo_open ? ">" : ">=",
                            lo, d > hi ? " and fit a float" : "");
        return data_err(x, col, v, "is out of range: must be in [%g, %g]", lo, hi);
    }
    *out = d;
    return ZZ_OK;
}

static int parse_flag(struct ctx *x, int col, const char *v, int *out)
{
    if (strcmp(v, "0") == 0 || strcmp(v, "1") == 0) {
        *out = v[0] - '0';
        return ZZ_OK;
    }
    return data_err(x, col, v, "is not 0 or 1");
}

/* ---- the loader ------------------------------------------------------------ */

/* -1 if interrupted. */
static int64_t count_lines(FILE *f)
{
    unsigned char buf[1 << 16];
    int64_t n = 1;
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0 && !zz_interrupt_pending())
        for (size_t i = 0; i < k; i++)
            n += buf[i] == '\n';
    return zz_interrupt_pending() ? -1 : n;
}

/* The file is read twice (count, then parse): a pipe (a FIFO, /dev/stdin,
 * a shell's <(zcat firms.csv.gz)) is first copied to a temporary file.
 * Anything else that is not a regular file is refused. NULL with err set
 * (and *rc) on failure; the original is closed either way. */
static FILE *seekable(FILE *f, const char *path, char *err, size_t errlen, int *rc)
{
    struct stat st;
    char shown[600];
    zz_escape(path, strlen(path), shown, sizeof shown);
    if (fstat(fileno(f), &st) != 0 || S_ISREG(st.st_mode))
        return f;
    if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
        snprintf(err, errlen, "%s: cannot read as a firm file: it is %s, not a file", shown,
                 S_ISDIR(st.st_mode) ? "a directory" : "a device or socket");
        fclose(f);
        *rc = ZZ_IO;
        return NULL;
    }
    FILE *t = tmpfile();
    unsigned char buf[1 << 16];
    size_t k;
    while (t && (k = fread(buf, 1, sizeof buf, f)) > 0 && !zz_interrupt_pending())
        if (fwrite(buf, 1, k, t) != k)
            break;
    int bad = !t || ferror(t) || (ferror(f) && !zz_interrupt_pending());
    if (zz_interrupt_pending()) {
        snprintf(err, errlen, "%s: interrupted while reading the firm file", shown);
        *rc = ZZ_INTERRUPTED;
    } else if (bad) {
        snprintf(err, errlen, "%s: cannot read the firm file: %s", shown, strerror(errno));
        *rc = ZZ_IO;
    }
    fclose(f);
    if (*rc != ZZ_OK) {
        if (t)
            fclose(t);
        return NULL;
    }
    rewind(t);
    return t;
}

static void list_columns(struct ctx *x, int required_only)
{
    const char *names[NCOLS];
    int n = 0;
    for (int c = 0; c < NCOLS; c++)
        if (!required_only || columns[c].required)
            names[n++] = columns[c].name;
    append_list(x, names, n);
}

/* One data row into firm i. */
static int parse_row(struct ctx *x, const struct record *r, const int *colidx,
                     struct zz_population *p, int64_t i, struct ids *ids, const zz_rng *rng)
{
    const zz_config *cfg = x->cfg;
    const char *v[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        v[c] = colidx[c] >= 0 ? r->text + r->off[colidx[c]] : "";
    for (int c = 0; c < NCOLS; c++)
        if (columns[c].required && !v[c][0])
            return data_err(x, c, NULL, "empty; a value is required");

    size_t slot;
    int64_t dup = ids_find(ids, v[COL_ID], &slot);
    if (dup >= 0)
        return data_err(x, COL_ID, v[COL_ID], "duplicates the id of the firm on line %lld",
                        (long long)ids->line[dup]);
    size_t off = ids_store(ids, v[COL_ID]);
    if (off == SIZE_MAX)
        return ZZ_NOMEM;
    ids->off[i] = off;
    ids->slot[slot] = (uint32_t)i + 1;
    ids->line[i] = x->line;

    int city, ind, size = -1, flag = 0;
    int rc;
    if ((rc = parse_choice(x, COL_CITY, v[COL_CITY], cfg->city, cfg->ncities, "a city", &city)))
        return rc;
    if ((rc = parse_choice(x, COL_INDUSTRY, v[COL_INDUSTRY], cfg->industry, cfg->nindustries,
                           "an industry", &ind)))
        return rc;
    if (v[COL_SIZE][0]) {
        for (int s = 0; s < ZZ_NSIZES; s++)
            if (ieq(v[COL_SIZE], size_names[s]))
                size = s;
        if (size < 0) {
            data_err(x, COL_SIZE, v[COL_SIZE], "is not a size; valid: ");
            append_list(x, size_names, ZZ_NSIZES);
            return ZZ_DATA;
        }
    }
    double rev, ready, liq, hurdle = cfg->population.hurdle_mean, cap;
    if ((rc = parse_number(x, COL_REVENUE, v[COL_REVENUE], 0, FLT_MAX, 1, &rev)) ||
        (rc = parse_number(x, COL_READINESS, v[COL_READINESS], 0, 1, 0, &ready)) ||
        (rc = parse_number(x, COL_LIQUIDITY, v[COL_LIQUIDITY], 0, FLT_MAX, 0, &liq)))
        return rc;
    if (v[COL_HURDLE][0] && (rc = parse_number(x, COL_HURDLE, v[COL_HURDLE], 0, FLT_MAX, 0, &hurdle)))
        return rc;
    /* default capability: the firm's readiness (no random draw for data) */
    cap = ready;
    if (v[COL_CAPABILITY][0] &&
        (rc = parse_number(x, COL_CAPABILITY, v[COL_CAPABILITY], 0, 1, 0, &cap)))
        return rc;

    float frev = (float)rev;
    if (!(frev > 0))
        return data_err(x, COL_REVENUE, v[COL_REVENUE], "is out of range: must be > 0");
    /* size and gsz derive from the stored (float) revenue so that they agree
     * with what the model later reads */
    if (size < 0)
        size = zz_size_of_revenue(frev);
    uint8_t fl = 0;
    if (v[COL_GSZ][0]) {
        if ((rc = parse_flag(x, COL_GSZ, v[COL_GSZ], &flag)))
            return rc;
        fl |= flag ? ZZ_F_GSZ : 0;
    } else if (frev >= ZZ_REVENUE_GSZ) {
        fl |= ZZ_F_GSZ;
    }
    if ((rc = parse_flag(x, COL_CREDIT, v[COL_CREDIT], &flag)))
        return rc;
    fl |= flag ? ZZ_F_CREDIT : 0;
    if ((rc = parse_flag(x, COL_ADOPTED, v[COL_ADOPTED], &flag)))
        return rc;
    /* adopters know of AI by definition, whatever the aware column says */
    fl |= flag ? ZZ_F_ADOPTED0 | ZZ_F_AWARE0 : 0;
    if (v[COL_AWARE][0]) {
        if ((rc = parse_flag(x, COL_AWARE, v[COL_AWARE], &flag)))
            return rc;
        fl |= flag ? ZZ_F_AWARE0 : 0;
    } else if (zz_rng_uniform(rng, (uint32_t)i, ZZ_RNG_POPULATION, 0) <
               cfg->population.initial_aware) {
        /* as the synthetic generator: reproducible per row and seed */
        fl |= ZZ_F_AWARE0;
    }
    if (v[COL_LEADER][0]) {
        if ((rc = parse_flag(x, COL_LEADER, v[COL_LEADER], &flag)))
            return rc;
        fl |= flag ? ZZ_F_LEADER : 0;
    }
    ids->leader_off[i] = SIZE_MAX;
    if (v[COL_LEADER_ID][0]) {
        if (strcmp(v[COL_LEADER_ID], v[COL_ID]) == 0)
            return data_err(x, COL_LEADER_ID, v[COL_LEADER_ID],
                            "is the firm's own id; a firm cannot supply itself");
        if ((ids->leader_off[i] = ids_store(ids, v[COL_LEADER_ID])) == SIZE_MAX)
            return ZZ_NOMEM;
    }

    p->city[i] = (uint8_t)city;
    p->industry[i] = (uint8_t)ind;
    p->size[i] = (uint8_t)size;
    p->flags[i] = fl;
    p->revenue[i] = frev;
    p->readiness[i] = (float)ready;
    p->liquidity[i] = (float)liq;
    p->hurdle[i] = (float)hurdle;
    p->capability[i] = (float)cap;
    p->leader[i] = ZZ_NO_LEADER;
    /* A project's return is not in firm data: drawn as the synthetic
     * generator does, from the row's own stream (k = 2: k = 0 is the
     * awareness draw above, so the two are independent). */
    p->return_z[i] = (float)gsl_cdf_ugaussian_Pinv(
        zz_rng_uniform(rng, (uint32_t)i, ZZ_RNG_POPULATION, 2));

    return ZZ_OK;
}

/* leader_id may name a firm further down the file, so links resolve last. */
static int resolve_leaders(struct ctx *x, struct zz_population *p, struct ids *ids)
{
    for (int64_t i = 0; i < p->n; i++) {
        if (ids->leader_off[i] == SIZE_MAX)
            continue;
        const char *lid = ids->arena + ids->leader_off[i];
        x->line = ids->line[i];
        int64_t l = ids_find(ids, lid, NULL);
        if (l < 0)
            return data_err(x, COL_LEADER_ID, lid, "is not the id of any firm in the file");
        if (!(p->flags[l] & ZZ_F_LEADER))
            return data_err(x, COL_LEADER_ID, lid,
                            "names the firm on line %lld, which is not a chain leader (its leader column is not 1)",
                            (long long)ids->line[l]);
        p->leader[i] = (uint32_t)l;
    }
    return ZZ_OK;
}

int zz_population_csv(struct zz_population **out, const zz_config *cfg, const char *path,
                      char *err, size_t errlen)
{
    gsl_set_error_handler_off();
    *out = NULL;
    struct ctx x = {path, cfg, err, errlen, 1};
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open firm file: %s", path, strerror(errno));
        return ZZ_IO;
    }
    int rc = ZZ_OK;
    if (!(f = seekable(f, path, err, errlen, &rc)))
        return rc;
    int64_t nmax = count_lines(f);
    rewind(f);
    if (nmax < 0) {
        snprintf(err, errlen, "%s: interrupted while reading the firm file", path);
        fclose(f);
        return ZZ_INTERRUPTED;
    }

    struct reader *rd = malloc(sizeof *rd);
    struct record rec = {0};
    struct ids ids = {0};
    struct zz_population *p = NULL;
    zz_rng rng = {0};
    int colidx[NCOLS];
    rc = ZZ_NOMEM;
    if (!rd || zz_rng_init(&rng, cfg->seed, ZZ_RNG_ANY_REPLICATE))
        goto nomem;
    rd->f = f;
    rd->len = rd->pos = 0;
    rd->stopped = 0;
    /* a UTF-8 byte-order mark, as spreadsheets write it */
    if (rd_peek(rd) == 0xEF && rd->len >= 3 && memcmp(rd->buf, "\xEF\xBB\xBF", 3) == 0)
        rd->pos = 3;

    int64_t line = 1;
    int got;
    do
        got = read_record(rd, &rec, &line);
    while (got == 1 && rec.blank);
    if (got == 0) {
        snprintf(err, errlen, "%s:%lld: empty file; expected a header row naming the columns: ",
                 path, (long long)line);
        list_columns(&x, 0);
        rc = ZZ_DATA;
        goto fail;
    }
    if (rd->stopped)
        goto interrupted;
    if (got == -1)
        goto nomem;
    if (got == -2)
        goto unterminated;
    if (got == -3)
        goto nul;

    x.line = rec.line;
    /* A file that names none of our columns is not a firm file (perhaps
     * not meant to be read at all): nothing of it is shown. */
    int known = 0;
    for (int k = 0; k < rec.nf; k++)
        for (int c = 0; c < NCOLS; c++)
            known += ieq(rec.text + rec.off[k], columns[c].name);
    if (!known) {
        snprintf(err, errlen, "%s:%lld: not a firm file: its first row names none of the "
                 "columns; valid columns: ", path, (long long)rec.line);
        list_columns(&x, 0);
        rc = ZZ_DATA;
        goto fail;
    }
    for (int c = 0; c < NCOLS; c++)
        colidx[c] = -1;
    /* Real registers carry more columns than the model uses (employees,
     * founding year, ...): those are left out with a note, not an error. */
    char ignored[sizeof p->note - 96] = "";
    int nignored = 0;
    for (int k = 0; k < rec.nf; k++) {
        const char *h = rec.text + rec.off[k];
        int c = 0;
        while (c < NCOLS && !ieq(h, columns[c].name))
            c++;
        if (c == NCOLS) {
            char shown[200];
            zz_escape(h, strlen(h), shown, sizeof shown);
            size_t used = strlen(ignored);
            if (used + strlen(shown) + 8 < sizeof ignored)
                snprintf(ignored + used, sizeof ignored - used, "%s'%s'", nignored ? ", " : "", shown);
            else if (used + 6 < sizeof ignored && !strstr(ignored, ", ..."))
                snprintf(ignored + used, sizeof ignored - used, ", ...");
            nignored++;
            continue;
        }
        if (colidx[c] >= 0) {
            snprintf(err, errlen, "%s:%lld: column '%s' appears twice in the header", path,
                     (long long)rec.line, columns[c].name);
            rc = ZZ_DATA;
            goto fail;
        }
        colidx[c] = k;
    }
    for (int c = 0; c < NCOLS; c++)
        if (columns[c].required && colidx[c] < 0) {
            snprintf(err, errlen, "%s:%lld: missing required column '%s'; required: ", path,
                     (long long)rec.line, columns[c].name);
            list_columns(&x, 1);
            rc = ZZ_DATA;
            goto fail;
        }
    int nfields = rec.nf;
    int64_t header_line = rec.line;

    /* rows after the header: at most the number of lines left */
    int64_t cap = nmax - line + 1;
    if (cap < 1)
        cap = 1;
    if (cap >= (int64_t)ZZ_NO_LEADER)
        cap = (int64_t)ZZ_NO_LEADER - 1;
    size_t hcap = 2;
    while (hcap < 2 * (size_t)cap)
        hcap *= 2;
    p = zz_population_alloc(cap, cfg->ncities, cfg->nindustries);
    ids.off = malloc((size_t)cap * sizeof *ids.off);
    ids.leader_off = malloc((size_t)cap * sizeof *ids.leader_off);
    ids.line = malloc((size_t)cap * sizeof *ids.line);
    ids.slot = calloc(hcap, sizeof *ids.slot);
    ids.mask = hcap - 1;
    if (!p || !ids.off || !ids.leader_off || !ids.line || !ids.slot)
        goto nomem;

    int64_t n = 0;
    for (;;) {
        got = read_record(rd, &rec, &line);
        if (rd->stopped)
            goto interrupted;
        if (got == 0)
            break;
        if (got == -1)
            goto nomem;
        if (got == -2)
            goto unterminated;
        if (got == -3)
            goto nul;
        if (rec.blank)
            continue;
        x.line = rec.line;
        if (rec.nf != nfields) {
            snprintf(err, errlen, "%s:%lld: %d field%s, but the header has %d columns", path,
                     (long long)rec.line, rec.nf, rec.nf == 1 ? "" : "s", nfields);
            rc = ZZ_DATA;
            goto fail;
        }
        if (n == cap) {
            snprintf(err, errlen, "%s:%lld: too many firms (at most %lld)", path,
                     (long long)rec.line, (long long)cap);
            rc = ZZ_DATA;
            goto fail;
        }
        if ((rc = parse_row(&x, &rec, colidx, p, n, &ids, &rng)))
            goto rowfail;
        n++;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
        rc = ZZ_IO;
        goto fail;
    }
    if (n == 0) {
        snprintf(err, errlen, "%s:%lld: no firms: the file has a header row but no data rows",
                 path, (long long)line);
        rc = ZZ_DATA;
        goto fail;
    }
    p->n = n;
    if ((rc = resolve_leaders(&x, p, &ids)))
        goto fail;
    zz_population_count(p);
    if (zz_population_order(p)) {
        snprintf(err, errlen, "%s: out of memory for %lld firms", path, (long long)n);
        rc = ZZ_NOMEM;
        goto fail;
    }
    if (nignored)
        snprintf(p->note, sizeof p->note, "%s:%lld: ignored %d column%s the model does not use: %s",
                 path, (long long)header_line, nignored, nignored == 1 ? "" : "s", ignored);

    ids_free(&ids);
    free(rec.text);
    free(rec.off);
    free(rd);
    zz_rng_free(&rng);
    fclose(f);
    *out = p;
    return ZZ_OK;

interrupted:
    snprintf(err, errlen, "%s:%lld: interrupted while reading the firm file", path,
             (long long)line);
    rc = ZZ_INTERRUPTED;
    goto fail;
nul:
    snprintf(err, errlen, "%s:%lld: a NUL byte; a firm file is text (CSV), and a NUL would cut "
             "the field short", path, (long long)line);
    rc = ZZ_DATA;
    goto fail;
unterminated:
    snprintf(err, errlen, "%s:%lld: unterminated quoted field (a '\"' is never closed)", path,
             (long long)rec.line);
    rc = ZZ_DATA;
    goto fail;
rowfail:
    if (rc != ZZ_NOMEM)
        goto fail;
nomem:
    snprintf(err, errlen, "%s: out of memory", path);
    rc = ZZ_NOMEM;
fail:
    ids_free(&ids);
    free(rec.text);
    free(rec.off);
    free(rd);
    zz_rng_free(&rng);
    zz_population_free(p);
    fclose(f);
    return rc;
}

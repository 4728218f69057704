/* Scheduled work the run never reaches: a target's deadline, a
 * programme's start, a contest round, a campaign date or an `at` action
 * after the run's end is accepted by the language (a longer run may reach
 * it) but says nothing in this one (a fourth round past the end gives
 * results bit-identical to three); `check`, `run` and `compare` name it
 * with the scenario's file and line. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine/date.h"
#include "ensemble.h"
#include "policy/instrument.h"
#include "scenario/lua_source.h"
#include "scenario/scenario.h"

struct find {
    const zz_config *cfg;
    int line;
    char key[96];            /* the name as the declaration writes it, quoted */
    char found[ZZ_PATH_LEN];
};

/* Is `key` on line `line` of this file? The declaration's own file, among
 * the scenario's includes (the loader records the line, not the file). */
static void look(void *ud, const char *path)
{
    struct find *f = ud;
    const char *text;
    size_t len;
    if (f->found[0] || !zz_source_find(f->cfg->source, f->cfg->path, path, &text, &len))
        return;
    const char *p = text, *end = text + len;
    for (int l = 1; l < f->line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = (size_t)((nl ? nl : end) - p);
    char buf[512];
    snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), p);
    if (strstr(buf, f->key))
        snprintf(f->found, sizeof f->found, "%s", path);
}

/* The file of a declaration at `line` naming `key`; the scenario's own
 * file first, then its includes. Written into buf. */
static const char *file_of(const zz_config *cfg, int line, const char *key, char *buf, size_t n)
{
    struct find f = {.cfg = cfg, .line = line};
    snprintf(f.key, sizeof f.key, "\"%s\"", key);
    if (cfg->source && line > 0) {
        look(&f, cfg->path);
        zz_source_each(cfg->source, cfg->path, look, &f);
    }
    snprintf(buf, n, "%s", f.found[0] ? f.found : cfg->path);
    return buf;
}

static const char *stem(const char *name)
{
    return strrchr(name, '.') ? strrchr(name, '.') + 1 : name;
}

/* Contest rounds and campaign dates (the instrument's `late`), and `at`
 * actions, after the run's end. */
static int warn_late_work(FILE *out, const zz_config *cfg, const char *end)
{
    char what[160], when[11], file[ZZ_PATH_LEN];
    int n = 0;
    for (int p = 0; p < cfg->nprogrammes; p++) {
        const zz_programme_cfg *pr = &cfg->programme[p];
        const zz_instrument *ins = zz_instruments[pr->kind];
        if (!pr->enabled || pr->start > cfg->horizon || !ins->late ||
            !ins->late(cfg, pr, what, sizeof what))
            continue;
        fprintf(out, "zhizao: warning: %s:%d: %s: %s, after the run's end (%s): it never "
                     "happens; results are those without it\n",
                file_of(cfg, pr->line, stem(pr->name), file, sizeof file), pr->line, pr->name,
                what, end);
        n++;
    }
    for (int a = 0; a < cfg->nactions; a++) {
        const zz_action_cfg *ac = &cfg->action[a];
        if (ac->when < 0 || ac->when <= cfg->horizon)
            continue;
        zz_date_format(cfg->start_day + (int64_t)ac->when, when);
        fprintf(out, "zhizao: warning: %s:%d: at(\"%s\", ...) is after the run's end (%s): "
                     "its function never runs\n",
                file_of(cfg, ac->line, when, file, sizeof file), ac->line, when, end);
        n++;
    }
    return n;
}

int zz_cli_warn_schedule(FILE *out, const struct zz_scenario *sc)
{
    const zz_config *cfg = &sc->cfg;
    char end[11], when[11], file[ZZ_PATH_LEN];
    zz_date_format(cfg->start_day + (int64_t)cfg->horizon, end);
    int n = 0;
    for (int g = 0; g < cfg->ntargets; g++) {
        double by = zz_target_deadline(cfg, g);
        if (by <= cfg->horizon)
            continue;
        zz_date_format(cfg->start_day + (int64_t)by, when);
        fprintf(out, "zhizao: warning: %s:%d: target %s: deadline %s is after the run's end "
                     "(%s): whether it is met by then is not identified; lengthen the run "
                     "(scenario { years = ... }) or give an earlier `by`\n",
                file_of(cfg, cfg->target[g].line, cfg->target[g].name, file, sizeof file),
                cfg->target[g].line,
                cfg->target[g].name, when, end);
        n++;
    }
    for (int p = 0; p < cfg->nprogrammes; p++) {
        const zz_programme_cfg *pr = &cfg->programme[p];
        if (!pr->enabled || pr->start <= cfg->horizon)
            continue;
        zz_date_format(cfg->start_day + (int64_t)pr->start, when);
        fprintf(out, "zhizao: warning: %s:%d: %s starts %s, after the run's end (%s): it "
                     "never runs; results are those without it\n",
                file_of(cfg, pr->line,
                        strrchr(pr->name, '.') ? strrchr(pr->name, '.') + 1 : pr->name, file,
                        sizeof file),
                pr->line, pr->name, when, end);
        n++;
    }
    return n + warn_late_work(out, cfg, end);
}

struct where {
    const zz_config *cfg;
    const char *needle;
    char at[ZZ_PATH_LEN + 16];
};

/* The first line of this file holding the needle, as "path:line". */
static void where_in(void *ud, const char *path)
{
    struct where *w = ud;
    const char *text;
    size_t len;
    if (w->at[0] || !zz_source_find(w->cfg->source, w->cfg->path, path, &text, &len))
        return;
    int line = 1;
    for (const char *p = text; p < text + len; p++) {
        if (*p == '\n')
            line++;
        else if (!strncmp(p, w->needle, strlen(w->needle))) {
            snprintf(w->at, sizeof w->at, "%s:%d", path, line);
            return;
        }
    }
}

int zz_cli_check_files(FILE *out, const struct zz_scenario *sc)
{
    const zz_config *cfg = &sc->cfg;
    const char *file = cfg->population.file;
    if (!file[0])
        return ZZ_OK;
    /* access, not open: a named pipe must not block the check (the loader
     * refuses it itself, with its own message) */
    if (access(file, R_OK) == 0)
        return ZZ_OK;
    int e = errno;
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    struct where w = {.cfg = cfg, .needle = base};
    if (cfg->source) {
        where_in(&w, cfg->path);
        zz_source_each(cfg->source, cfg->path, where_in, &w);
    }
    fprintf(out, "zhizao: %s: population { file = ... }: cannot read the firm file %s: %s\n",
            w.at[0] ? w.at : cfg->path, file, strerror(e));
    return ZZ_IO;
}

/*
 * A calibration file checked against its scenario (calibrate.h): the free
 * keys and bounds as an experiment's factors, each moment's groups
 * resolved to cells, its dates to observations of the run.
 */
#include "calibrate/calibrate.h"
#include "output/outpath.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/date.h"
#include "scenario/lua_declare.h"
#include "scenario/lua_source.h"
#include "scenario/params.h"

static int find_name(const char (*names)[ZZ_NAME_LEN], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

static int unknown_name(const zz_moment *m, const char *what, const char *name,
                        const char (*names)[ZZ_NAME_LEN], int n, char *err, size_t errlen)
{
    const char *list[ZZ_MAX_CITIES > ZZ_MAX_INDUSTRIES ? ZZ_MAX_CITIES : ZZ_MAX_INDUSTRIES];
    for (int i = 0; i < n; i++)
        list[i] = names[i];
    char valid[1024] = "";
    zz_join_names(valid, sizeof valid, list, n);
    snprintf(err, errlen, "%s: moment \"%s\": unknown %s '%s'; valid: %s", m->where, m->name, what,
             name, valid);
    return ZZ_SCENARIO;
}

/* The group's cells: [city][industry][size], as a population's tables. */
static int resolve_group(const zz_config *cfg, zz_moment *m, int k, char *err, size_t errlen)
{
    const zz_group_spec *g = &m->group[k];
    uint8_t city[ZZ_MAX_CITIES] = {0}, ind[ZZ_MAX_INDUSTRIES] = {0};
    for (int i = 0; i < g->ncity; i++) {
        int c = find_name(cfg->city, cfg->ncities, g->city[i]);
        if (c < 0)
            return unknown_name(m, "city", g->city[i], cfg->city, cfg->ncities, err, errlen);
        city[c] = 1;
    }
    for (int i = 0; i < g->nindustry; i++) {
        int c = find_name(cfg->industry, cfg->nindustries, g->industry[i]);
        if (c < 0)
            return unknown_name(m, "industry", g->industry[i], cfg->industry, cfg->nindustries,
                                err, errlen);
        ind[c] = 1;
    }
    const size_t n = (size_t)cfg->ncities * cfg->nindustries * ZZ_NSIZES;
    m->cells[k] = calloc(n, 1);
    if (!m->cells[k]) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    for (int c = 0; c < cfg->ncities; c++)
        for (int i = 0; i < cfg->nindustries; i++)
            for (int s = 0; s < ZZ_NSIZES; s++)
                m->cells[k][((size_t)c * cfg->nindustries + i) * ZZ_NSIZES + s] =
                    (!g->ncity || city[c]) && (!g->nindustry || ind[i]) &&
                    (!g->sizes || (g->sizes >> s & 1));
    return ZZ_OK;
}

/* The last observation at or before the date; an error outside the run. */
static int resolve_date(const zz_calibration *c, const zz_moment *m, const char *field,
                        const char *date, int *t, char *err, size_t errlen)
{
    const zz_config *cfg = &c->ex->sc[0]->cfg;
    int64_t day;
    if (zz_date_parse(date, &day)) {
        snprintf(err, errlen, "%s: moment \"%s\": %s = \"%s\" is not a date YYYY-MM-DD", m->where,
                 m->name, field, date);
        return ZZ_SCENARIO;
    }
    double d = (double)(day - cfg->start_day);
    if (d < 0 || d > c->time[c->ntime - 1]) {
        char end[16];
        zz_date_format(cfg->start_day + (int64_t)c->time[c->ntime - 1], end);
        snprintf(err, errlen, "%s: moment \"%s\": %s = \"%s\" is outside the run (%s to %s, "
                              "scenario %s)", m->where, m->name, field, date, cfg->start, end,
                 cfg->path);
        return ZZ_SCENARIO;
    }
    int k = 0;
    while (k + 1 < c->ntime && c->time[k + 1] <= d)
        k++;
    *t = k;
    return ZZ_OK;
}

/* A policy moment's firms as classes (cell x 规上, zz_firm_class): the
 * accounting walks the firms, not the cells. */
static int policy_classes(const zz_config *cfg, zz_moment *m, char *err, size_t errlen)
{
    const size_t n = (size_t)cfg->ncities * cfg->nindustries * ZZ_NSIZES;
    m->cells[1] = calloc(2 * n, 1);
    if (!m->cells[1]) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    for (size_t k = 0; k < n; k++)
        for (int g = 0; g < 2; g++)
            m->cells[1][2 * k + g] = m->cells[0][k] && (m->group[0].gsz < 0 || m->group[0].gsz == g);
    return ZZ_OK;
}

/* The policy scenarios of additionality and effect moments join the
 * calibration's experiment after its own (one each, however many moments
 * name it), so that free parameters reach them and are checked against
 * them as against the calibration's scenario. */
static int open_policy_scenarios(zz_calibration *c, char *err, size_t errlen)
{
    zz_experiment *ex = c->ex;
    for (int k = 0; k < c->nmoments; k++) {
        zz_moment *m = &c->moment[k];
        if (!ZZ_MOMENT_POLICY(m->kind))
            continue;
        int s = 1;
        while (s < ex->nscenarios && strcmp(ex->scenario_path[s], m->scenario_path))
            s++;
        if (s == ex->nscenarios) {
            if (s == ZZ_MAX_EXP_SCENARIOS) {
                snprintf(err, errlen, "%s: moment \"%s\": at most %d policy scenarios", m->where,
                         m->name, ZZ_MAX_EXP_SCENARIOS - 1);
                return ZZ_SCENARIO;
            }
            snprintf(ex->scenario_path[s], sizeof ex->scenario_path[s], "%s", m->scenario_path);
            snprintf(ex->scenario_given[s], sizeof ex->scenario_given[s], "%s", m->scenario_given);
            ex->nscenarios++;
            int rc = zz_scenario_open(&ex->sc[s], m->scenario_path);
            if (rc) {
                snprintf(err, errlen, "%.300s: moment \"%s\": scenario '%.300s' is invalid:\n%.1200s",
                         m->where, m->name, m->scenario_given,
                         ex->sc[s] ? ex->sc[s]->errmsg : "out of memory");
                return rc;
            }
            ex->sc[s]->cfg.replications = c->replications;
        }
        m->sc = s;
    }
    return ZZ_OK;
}

static int resolve_moment(zz_calibration *c, zz_moment *m, char *err, size_t errlen)
{
    const zz_config *cfg = &c->ex->sc[m->sc]->cfg;
    int rc = resolve_group(cfg, m, 0, err, errlen);
    if (ZZ_MOMENT_POLICY(m->kind))
        return rc ? rc : policy_classes(cfg, m, err, errlen);
    if (!rc && m->kind == ZZ_MOMENT_RATIO)
        rc = resolve_group(cfg, m, 1, err, errlen);
    if (rc)
        return rc;
    if (m->kind == ZZ_MOMENT_HAZARD) {
        rc = resolve_date(c, m, "from", m->from, &m->t_from, err, errlen);
        if (!rc)
            rc = resolve_date(c, m, "to", m->to, &m->t_to, err, errlen);
        if (!rc && m->t_to <= m->t_from) {
            snprintf(err, errlen, "%s: moment \"%s\": from = \"%s\" and to = \"%s\" fall on the "
                                  "same observation or in the wrong order (observations are month "
                                  "ends)", m->where, m->name, m->from, m->to);
            rc = ZZ_SCENARIO;
        }
    } else {
        rc = resolve_date(c, m, "at", m->at, &m->t_at, err, errlen);
    }
    return rc;
}

int zz_calibration_open(zz_calibration **out, const char *path)
{
    zz_calibration *c = calloc(1, sizeof *c);
    *out = c;
    if (!c)
        return ZZ_NOMEM;
    c->ex = calloc(1, sizeof *c->ex);
    if (!c->ex)
        return ZZ_NOMEM;
    c->seed = -1;
    c->evaluations = 150;
    c->jacobian_step = 0.05;
    snprintf(c->path, sizeof c->path, "%s", path);
    snprintf(c->ex->path, sizeof c->ex->path, "%s", path);
    char *err = c->errmsg;
    const size_t errlen = sizeof c->errmsg;
    int rc = zz_calibration_read(c, err, errlen);
    zz_experiment *ex = c->ex;
    c->nfit = 0;
    for (int k = 0; k < c->nmoments; k++)
        if (!c->moment[k].holdout)
            c->fit[c->nfit++] = k;
    if (!rc && (rc = zz_scenario_open(&ex->sc[0], ex->scenario_path[0])) != ZZ_OK)
        snprintf(err, errlen, "%.300s: calibrate: scenario '%.300s' is invalid:\n%.1200s", c->where,
                 c->scenario_given, ex->sc[0] ? ex->sc[0]->errmsg : "out of memory");
    if (!rc) {
        zz_config *cfg = &ex->sc[0]->cfg;
        if (c->seed < 0)
            c->seed = cfg->seed;
        if (c->replications < 1)
            c->replications = cfg->replications;
        cfg->replications = c->replications;
        ex->seed = c->seed;
        ex->replications = c->replications;
        snprintf(ex->name, sizeof ex->name, "calibration");
        if (!ex->nfactors) {
            snprintf(err, errlen, "%s: no free parameter; declare one, e.g. free "
                                  "\"population.hurdle_mean\" { 0.2, 1.5 }", path);
            rc = ZZ_SCENARIO;
        } else if (c->nfit < ex->nfactors) {
            snprintf(err, errlen, "%s: %d fitted moments (%d held out) for %d free parameters; the "
                                  "parameters are not identified (give at least as many fitted "
                                  "moments)", path, c->nfit, c->nmoments - c->nfit, ex->nfactors);
            rc = ZZ_SCENARIO;
        }
        if (!c->starts)
            c->starts = 4 * ex->nfactors + 4;
    }
    if (!rc)
        rc = open_policy_scenarios(c, err, errlen);
    for (int f = 0; !rc && f < ex->nfactors; f++)
        rc = zz_factor_check(ex, &ex->factor[f], "free", err, errlen);
    if (!rc)
        rc = zz_calibration_weighting(c, err, errlen);
    if (!rc) {
        const zz_config *cfg = &ex->sc[0]->cfg;
        c->ntime = zz_month_ends(cfg->start_day, cfg->horizon, NULL);
        c->time = malloc((size_t)c->ntime * sizeof *c->time);
        ex->npoints = 1;
        ex->unit = calloc((size_t)ex->nfactors, sizeof *ex->unit);
        ex->value = calloc((size_t)ex->nfactors, sizeof *ex->value);
        ex->block = calloc(1, sizeof *ex->block);
        if (!c->time || !ex->unit || !ex->value || !ex->block) {
            snprintf(err, errlen, "out of memory");
            rc = ZZ_NOMEM;
        } else {
            zz_month_ends(cfg->start_day, cfg->horizon, c->time);
        }
    }
    for (int k = 0; !rc && k < c->nmoments; k++)
        rc = resolve_moment(c, &c->moment[k], err, errlen);
    return rc;
}

void zz_calibration_close(zz_calibration *c)
{
    if (!c)
        return;
    for (int k = 0; k < c->nmoments; k++) {
        free(c->moment[k].cells[0]);
        free(c->moment[k].cells[1]);
    }
    free(c->time);
    free(c->cov);
    free(c->weight);
    zz_experiment_close(c->ex);
    free(c);
}

/* ---- calibrated.lua ---------------------------------------------------------- */

/* "block.field", "block.field.size", "block.name.field[.size]" as the
 * scenario declaration that sets it: a named block (decision, voucher,
 * ...) takes its name, the decision block the scenario's rule. */
void zz_calibration_declaration(const zz_config *cfg, const char *key, double v, FILE *out)
{
    char part[4][128] = {{0}};
    int n = 0;
    for (const char *p = key; n < 4; n++) {
        size_t len = strcspn(p, ".");
        snprintf(part[n], sizeof part[n], "%.*s", (int)len, p);
        if (!p[len]) {
            n++;
            break;
        }
        p += len + 1;
    }
    int named = 0;
    zz_declaration decl[ZZ_MAX_DECLARATIONS];
    const int ndecl = zz_declarations(decl, ZZ_MAX_DECLARATIONS);
    for (int i = 0; i < ndecl; i++)
        if (!strcmp(decl[i].name, part[0]))
            named = decl[i].curried;
    const char *name = NULL;
    int f = 1;
    if (!strcmp(part[0], "decision"))
        name = zz_rule_names[cfg->decision.rule];
    else if (named)
        name = part[f++];
    fprintf(out, "%s", part[0]);
    if (name)
        fprintf(out, " \"%s\"", name);
    if (f + 1 < n)
        fprintf(out, " { %s = { %s = %.17g } }", part[f], part[f + 1], v);
    else
        fprintf(out, " { %s = %.17g }", part[f], v);
}

int zz_calibration_fragment(const zz_calibration *c, const zz_msm_result *r, const char *path,
                            char *err, size_t errlen)
{
    char out[1100], dir[1024];
    zz_source_dirname(path, dir, sizeof dir);
    snprintf(out, sizeof out, "%s/calibrated.lua", dir);
    FILE *fp;
    if (zz_outpath_text_begin(out, &fp, err, errlen))
        return ZZ_IO;
    const zz_config *cfg = &c->ex->sc[0]->cfg;
    fprintf(fp, "-- calibrated.lua: written by `zhizao calibrate %s` (%s)\n"
                "-- %d replications, seed %lld; J = %.4g (p = %.3g, %d degrees of freedom).\n"
                "-- include \"calibrated.lua\" after the scenario's own declarations.\n",
            c->path, path, c->replications, (long long)c->seed, r->j_statistic, r->j_pvalue, r->dof);
    for (int f = 0; f < r->nfree; f++) {
        const zz_factor *fa = &c->ex->factor[f];
        zz_calibration_declaration(cfg, fa->key, r->estimate[f], fp);
        if (r->at_bound[f])
            fprintf(fp, "   -- %s: AT ITS %s BOUND, no std. error; bounds [%g, %g]\n", fa->key,
                    r->at_bound[f] < 0 ? "LOWER" : "UPPER", fa->lo, fa->hi);
        else if (!r->identified[f])
            fprintf(fp, "   -- %s: NOT IDENTIFIED by the moments, no std. error; bounds [%g, %g]\n",
                    fa->key, fa->lo, fa->hi);
        else
            fprintf(fp, "   -- %s: std. error %.4g, bounds [%g, %g]\n", fa->key, r->std_error[f],
                    fa->lo, fa->hi);
    }
    return zz_outpath_text_end(fp, out, 1, err, errlen);
}

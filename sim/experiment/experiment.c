/*
 * An experiment file, checked against its scenarios, and its design
 * (experiment.h). The Lua side is experiment_lua.c.
 */
#include "experiment/experiment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/grow.h"
#include "experiment/experiment_lua.h"
#include "scenario/lua_sandbox.h"
#include "scenario/lua_source.h"
#include "scenario/params.h"

/* ---- checks against the scenarios ---------------------------------------- */

int zz_factor_check(zz_experiment *ex, zz_factor *f, const char *word, char *err, size_t errlen)
{
    char first[1024] = "";
    const zz_param *p = NULL;
    for (int s = 0; s < ex->nscenarios; s++) {
        char msg[1024];
        const zz_param *q = zz_param_find(&ex->sc[s]->cfg, f->key, msg, sizeof msg);
        if (q) {
            f->used |= 1ull << s;
            p = q;
        } else if (!first[0]) {
            snprintf(first, sizeof first, "%s", msg);
        }
    }
    if (!p) {
        snprintf(err, errlen, "%s: %s \"%s\": no listed scenario uses this parameter (%s)",
                 f->where, word, f->key, first);
        return ZZ_SCENARIO;
    }
    if (p->type != ZZ_PT_NUMBER && p->type != ZZ_PT_INTEGER) {
        snprintf(err, errlen, "%s: %s \"%s\": the parameter is %s; only numbers can be "
                              "varied", f->where, word, f->key, zz_param_expect(p));
        return ZZ_SCENARIO;
    }
    if (p->flags & (ZZ_PF_FIXED | ZZ_PF_DERIVED | ZZ_PF_IDENT | ZZ_PF_NOLUA) ||
        !strncmp(f->key, "scenario.", 9)) {
        snprintf(err, errlen, "%s: %s \"%s\": set by the experiment or the scenario file "
                              "only, it cannot vary between points", f->where, word, f->key);
        return ZZ_SCENARIO;
    }
    f->integer = p->type == ZZ_PT_INTEGER;
    double lo = f->scale == ZZ_SCALE_VALUES ? INFINITY : f->lo;
    double hi = f->scale == ZZ_SCALE_VALUES ? -INFINITY : f->hi;
    for (int i = 0; i < f->nvalues; i++) {
        lo = fmin(lo, f->values[i]);
        hi = fmax(hi, f->values[i]);
        if (f->integer && f->values[i] != floor(f->values[i])) {
            snprintf(err, errlen, "%s: %s \"%s\": %g is not a whole number", f->where,
                     word, f->key, f->values[i]);
            return ZZ_SCENARIO;
        }
    }
    int lo_open = (p->flags & ZZ_PF_LO_OPEN) != 0;
    if (lo < p->lo || (lo_open && lo == p->lo) || hi > p->hi) {
        snprintf(err, errlen, "%s: %s \"%s\": [%g, %g] is outside the parameter's valid "
                              "range %s%g, %g]", f->where, word, f->key, lo, hi, lo_open ? "(" : "[",
                 p->lo, p->hi);
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

double zz_factor_value(const zz_factor *f, double u)
{
    double v;
    if (f->scale == ZZ_SCALE_VALUES) {
        int j = (int)floor(u * f->nvalues);
        return f->values[j < 0 ? 0 : j >= f->nvalues ? f->nvalues - 1 : j];
    }
    if (f->scale == ZZ_SCALE_LOG)
        v = exp(log(f->lo) + u * (log(f->hi) - log(f->lo)));
    else
        v = f->lo + u * (f->hi - f->lo);
    v = fmin(fmax(v, f->lo), f->hi); /* exp(log(x)) may stray by an ulp */
    return f->integer ? nearbyint(v) : v;
}

static double factor_unit(const zz_factor *f, double v)
{
    if (f->scale == ZZ_SCALE_VALUES) {
        for (int j = 0; j < f->nvalues; j++)
            if (f->values[j] == v)
                return (j + 0.5) / f->nvalues;
        return NAN;
    }
    if (v < f->lo || v > f->hi)
        return NAN;
    if (f->scale == ZZ_SCALE_LOG)
        return (log(v) - log(f->lo)) / (log(f->hi) - log(f->lo));
    return (v - f->lo) / (f->hi - f->lo);
}

/* design "file": a CSV whose header names the factors (any order) and whose
 * rows are points in actual values. */
static int read_design_file(zz_experiment *ex, char *err, size_t errlen)
{
    char *text = NULL, msg[1024];
    size_t len;
    int rc = zz_source_read(ex->design_file, (size_t)256 << 20, &text, &len, msg, sizeof msg);
    if (rc) {
        snprintf(err, errlen, "%s: experiment: file: %s", ex->where, msg);
        return rc;
    }
    const int k = ex->nfactors;
    int col[ZZ_MAX_FACTORS], ncol = 0, n = 0, line = 1;
    size_t cap = 64, rowsize = (size_t)(k ? k : 1) * sizeof(double); /* one row of the design */
    double *val = malloc(cap * rowsize);
    char *save = NULL, *row = strtok_r(text, "\r\n", &save);
    rc = ZZ_SCENARIO;
    if (!val || !row) {
        snprintf(err, errlen, "%s:1: empty design file; the first line names the factors",
                 ex->design_file);
        goto out;
    }
    for (char *s2 = NULL, *c = strtok_r(row, ",", &s2); c; c = strtok_r(NULL, ",", &s2)) {
        while (*c == ' ' || *c == '"')
            c++;
        char *e = c + strlen(c);
        while (e > c && (e[-1] == ' ' || e[-1] == '"'))
            *--e = '\0';
        int f = -1;
        for (int i = 0; i < k; i++)
            if (!strcmp(ex->factor[i].key, c))
                f = i;
        if (f < 0 || ncol == ZZ_MAX_FACTORS) {
            snprintf(err, errlen, "%.400s:1: column '%.128s' is not an uncertain parameter of %.400s",
                     ex->design_file, c, ex->path);
            goto out;
        }
        col[ncol++] = f;
    }
    if (ncol != k) {
        snprintf(err, errlen, "%s:1: %d columns; the experiment has %d uncertain parameters",
                 ex->design_file, ncol, k);
        goto out;
    }
    while ((row = strtok_r(NULL, "\r\n", &save))) {
        line++;
        if (!row[strspn(row, " ,")])
            continue;
        double *nv = zz_grow(val, &cap, (size_t)n + 1, rowsize);
        if (!nv) {
            snprintf(err, errlen, "out of memory");
            rc = ZZ_NOMEM;
            goto out;
        }
        val = nv;
        char *p = row;
        for (int c = 0; c < k; c++) {
            char *end;
            double v = strtod(p, &end);
            const zz_factor *f = &ex->factor[col[c]];
            if (end == p || (*end && *end != ',') || isnan(factor_unit(f, v)) ||
                (f->integer && v != floor(v))) {
                snprintf(err, errlen, "%s:%d: column %d (%s): '%.*s' is not a value of the "
                                      "declared range or values (%s)", ex->design_file, line, c + 1,
                         f->key, (int)strcspn(p, ","), p, f->where);
                goto out;
            }
            val[(size_t)n * k + col[c]] = v;
            p = *end ? end + 1 : end;
        }
        if (p[strspn(p, " ,")]) { /* a value the header names no column for */
            snprintf(err, errlen, "%s:%d: more fields than the %d columns the first line names: "
                                  "'%.128s' is left over", ex->design_file, line, k, p);
            goto out;
        }
        n++;
    }
    ex->npoints = n;
    ex->value = val;
    val = NULL;
    rc = ZZ_OK;
out:
    free(val);
    free(text);
    return rc;
}

int zz_experiment_design(zz_experiment *ex, char *err, size_t errlen)
{
    const int k = ex->nfactors;
    int levels[ZZ_MAX_FACTORS];
    if (ex->design == ZZ_DESIGN_FILE) {
        if (!ex->design_file[0]) {
            snprintf(err, errlen, "%s: experiment: design \"file\" needs file = \"points.csv\"",
                     ex->where);
            return ZZ_SCENARIO;
        }
        int rc = read_design_file(ex, err, errlen);
        if (rc)
            return rc;
    } else {
        if (ex->points < 1) {
            snprintf(err, errlen, "%s: experiment: points = %d; an experiment needs at least one "
                                  "point", ex->where, ex->points);
            return ZZ_SCENARIO;
        }
        for (int f = 0; f < k; f++)
            levels[f] = ex->factor[f].scale == ZZ_SCALE_VALUES ? ex->factor[f].nvalues : ex->points;
        int64_t n = k == 0 ? 1 : zz_design_size(ex->design, ex->points, k, levels);
        if (n < 0 || n > 10000000) {
            snprintf(err, errlen, "%s: experiment: the %s design would have too many points",
                     ex->where, zz_design_names[ex->design]);
            return ZZ_SCENARIO;
        }
        ex->npoints = (int)n;
    }
    const size_t cells = (size_t)ex->npoints * (k ? k : 1);
    ex->unit = calloc(cells, sizeof *ex->unit);
    ex->block = calloc((size_t)ex->npoints, sizeof *ex->block);
    if (!ex->value)
        ex->value = calloc(cells, sizeof *ex->value);
    if (!ex->unit || !ex->value || !ex->block) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    if (ex->npoints == 0) {
        snprintf(err, errlen, "%s: the design has zero points", ex->design_file);
        return ZZ_SCENARIO;
    }
    if (k == 0) /* no uncertain parameter: one point, the scenarios as they are */
        return ZZ_OK;
    char msg[512] = "out of memory";
    int bad = 0;
    switch (ex->design) {
    case ZZ_DESIGN_SOBOL: bad = zz_design_sobol(ex->unit, ex->npoints, k, msg, sizeof msg); break;
    case ZZ_DESIGN_LHS: bad = zz_design_lhs(ex->unit, ex->npoints, k, (uint64_t)ex->seed); break;
    case ZZ_DESIGN_MORRIS:
        bad = zz_design_morris(ex->unit, ex->block, ex->points, k, ex->levels, (uint64_t)ex->seed);
        break;
    case ZZ_DESIGN_FACTORIAL: bad = zz_design_factorial(ex->unit, k, levels); break;
    case ZZ_DESIGN_SALTELLI:
        bad = zz_design_saltelli(ex->unit, ex->block, ex->points, k, msg, sizeof msg);
        break;
    default: break;
    }
    if (bad) {
        snprintf(err, errlen, "%s: experiment: %s", ex->where, msg);
        return ZZ_SCENARIO;
    }
    for (int p = 0; p < ex->npoints; p++)
        for (int f = 0; f < k; f++) {
            size_t i = (size_t)p * k + f;
            if (ex->design == ZZ_DESIGN_FILE)
                ex->unit[i] = factor_unit(&ex->factor[f], ex->value[i]);
            else
                ex->value[i] = zz_factor_value(&ex->factor[f], ex->unit[i]);
        }
    if (ex->joint && ex->design == ZZ_DESIGN_FILE) {
        snprintf(err, errlen, "%s: experiment: design \"file\" gives the values themselves; "
                              "uncertain { from = \"%s\" } needs a design that draws them (sobol, "
                              "lhs, saltelli, morris)", ex->where, zz_joint_path(ex->joint));
        return ZZ_SCENARIO;
    }
    zz_joint_apply(ex);
    return ZZ_OK;
}

int zz_experiment_scenario(const zz_experiment *ex, int p, int s, zz_scenario *out, char *err,
                           size_t errlen)
{
    *out = *ex->sc[s];
    for (int f = 0; f < ex->nfactors; f++) {
        if (!(ex->factor[f].used >> s & 1))
            continue;
        char msg[1024];
        if (zz_param_set_number(&out->cfg, ex->factor[f].key, ex->value[(size_t)p * ex->nfactors + f],
                                msg, sizeof msg)) {
            snprintf(err, errlen, "point %d, scenario %s: %s", p, out->cfg.name, msg);
            return ZZ_SCENARIO;
        }
    }
    int block, index;
    char msg[1024];
    /* after the factors: an uncertain budget is a full-region budget */
    if (ex->scale > 0 && ex->scale != 1 && zz_params_scale(&out->cfg, ex->scale, msg, sizeof msg)) {
        snprintf(err, errlen, "scenario %s: %s", out->cfg.name, msg);
        return ZZ_USAGE;
    }
    if (zz_params_check(&out->cfg, &block, &index, msg, sizeof msg)) {
        snprintf(err, errlen, "point %d, scenario %s: %s", p, out->cfg.name, msg);
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

int zz_experiment_open(zz_experiment **out, const char *path)
{
    zz_experiment *ex = calloc(1, sizeof *ex);
    *out = ex;
    if (!ex)
        return ZZ_NOMEM;
    ex->design = ZZ_DESIGN_SOBOL;
    ex->points = 64;
    ex->levels = 4;
    ex->seed = -1; /* not given: the first scenario's seed and replications */
    snprintf(ex->path, sizeof ex->path, "%s", path);
    char *err = ex->errmsg;
    const size_t errlen = sizeof ex->errmsg;
    int rc = zz_experiment_read(ex, err, errlen);
    for (int s = 0; !rc && s < ex->nscenarios; s++) {
        if (s == 0 && !ex->sc[0] && (rc = zz_scenario_open(&ex->sc[0], ex->scenario_path[0])) == ZZ_OK) {
            if (ex->seed < 0)
                ex->seed = ex->sc[0]->cfg.seed;
            if (ex->replications < 1)
                ex->replications = ex->sc[0]->cfg.replications;
        }
        if (s > 0)
            rc = zz_scenario_open(&ex->sc[s], ex->scenario_path[s]);
        if (rc) {
            if (ex->sc[s] && strstr(ex->sc[s]->errmsg, "cannot read"))
                snprintf(err, errlen, "%.300s: experiment: scenario '%.300s': %.1200s", ex->where,
                         ex->scenario_given[s], ex->sc[s]->errmsg);
            else
                snprintf(err, errlen, "%.300s: experiment: scenario '%.300s' is invalid:\n%.1200s", ex->where,
                         ex->scenario_given[s], ex->sc[s] ? ex->sc[s]->errmsg : "out of memory");
            break;
        }
        ex->sc[s]->cfg.seed = ex->seed;
        ex->sc[s]->cfg.replications = ex->replications;
        for (int t = 0; t < s && !rc; t++)
            if (!strcmp(ex->sc[t]->cfg.name, ex->sc[s]->cfg.name)) {
                snprintf(err, errlen, "%s: experiment: '%s' and '%s' have the same scenario name "
                                      "'%s'; give each a distinct scenario { name = ... }",
                         ex->where, ex->scenario_given[t], ex->scenario_given[s], ex->sc[s]->cfg.name);
                rc = ZZ_SCENARIO;
            }
    }
    if (!ex->name[0] && !rc) {
        const char *base = strrchr(path, '/');
        snprintf(ex->name, sizeof ex->name, "%.*s", (int)strcspn(base ? base + 1 : path, "."),
                 base ? base + 1 : path);
    }
    for (int f = 0; !rc && f < ex->nfactors; f++)
        rc = zz_factor_check(ex, &ex->factor[f], "uncertain", err, errlen);
    if (!rc)
        rc = zz_experiment_design(ex, err, errlen);
    return rc;
}

void zz_experiment_close(zz_experiment *ex)
{
    if (!ex)
        return;
    for (int s = 0; s < ZZ_MAX_EXP_SCENARIOS; s++)
        zz_scenario_close(ex->sc[s]);
    free(ex->source);
    free(ex->unit);
    free(ex->value);
    free(ex->block);
    zz_joint_free(ex->joint);
    free(ex);
}

int zz_experiment_of_scenarios(zz_experiment **out, zz_scenario **sc, int n, int replications,
                               int64_t seed)
{
    zz_experiment *ex = calloc(1, sizeof *ex);
    *out = ex;
    if (!ex || n < 1 || n > ZZ_MAX_EXP_SCENARIOS) {
        for (int s = 0; s < n; s++)
            zz_scenario_close(sc[s]);
        if (ex)
            snprintf(ex->errmsg, sizeof ex->errmsg, "compare takes 1 to %d scenarios",
                     ZZ_MAX_EXP_SCENARIOS);
        return ex ? ZZ_USAGE : ZZ_NOMEM;
    }
    int R = replications;
    for (int s = 0; s < n && R <= 0; s++)
        R = R > sc[s]->cfg.replications ? R : sc[s]->cfg.replications;
    for (int s = 0; s < n; s++) {
        ex->sc[s] = sc[s];
        if (replications <= 0 && sc[s]->cfg.replications > R)
            R = sc[s]->cfg.replications;
    }
    for (int s = 0; s < n; s++) {
        ex->sc[s]->cfg.replications = R;
        if (seed >= 0)
            ex->sc[s]->cfg.seed = seed;
        snprintf(ex->scenario_path[s], sizeof ex->scenario_path[s], "%s", sc[s]->cfg.path);
    }
    ex->nscenarios = n;
    ex->replications = R;
    ex->seed = ex->sc[0]->cfg.seed;
    ex->npoints = 1;
    snprintf(ex->name, sizeof ex->name, "compare");
    snprintf(ex->path, sizeof ex->path, "%s", sc[0]->cfg.path);
    ex->source = calloc(1, 1);
    ex->unit = calloc(1, sizeof *ex->unit);
    ex->value = calloc(1, sizeof *ex->value);
    ex->block = calloc(1, sizeof *ex->block);
    if (!ex->source || !ex->unit || !ex->value || !ex->block) {
        snprintf(ex->errmsg, sizeof ex->errmsg, "out of memory");
        return ZZ_NOMEM;
    }
    return ZZ_OK;
}


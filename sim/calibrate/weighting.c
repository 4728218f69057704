/*
 * The weighting matrix of the MSM objective (calibrate.h): W = Sigma^-1,
 * the efficient choice (Hansen 1982), from the covariance of the observed
 * moments that calibrate's `covariance` field gives, or from
 * `correlation` and each moment's se (Sigma = D R D, D = diag(se)).
 * Checked here, once the moments are declared, because calibrate { }
 * comes before them in the file.
 */
#include "calibrate/calibrate.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <lauxlib.h>

#include "scenario/lua_sandbox.h"
#include "sim_internal.h"


int zz_calibration_weighting(zz_calibration *c, char *err, size_t errlen)
{
    if (c->cov_kind == ZZ_COV_NONE)
        return ZZ_OK;
    /* one row and column per fitted moment: a held-out moment is not weighted */
    const int M = c->nfit, corr = c->cov_kind == ZZ_COV_CORRELATION;
    const char *name = corr ? "correlation" : "covariance";
    double *S = c->cov;
    if (c->cov_n != M) {
        snprintf(err, errlen, "%s: calibrate: %s is %d x %d but the file declares %d moments (to "
                              "fit); give one row and column per fitted moment, in the order of "
                              "the moment lines, held-out ones left out",
                 c->cov_where, name, c->cov_n, c->cov_n, M);
        return ZZ_SCENARIO;
    }
    for (int i = 0; i < M; i++)
        for (int j = 0; j < i; j++) {
            double a = S[i * M + j], b = S[j * M + i];
            if (fabs(a - b) > 1e-12 * fmax(fabs(a), fabs(b))) {
                snprintf(err, errlen, "%s: calibrate: %s is not symmetric: [%d][%d] = %g but "
                                      "[%d][%d] = %g (moments '%s' and '%s')",
                         c->cov_where, name, i + 1, j + 1, a, j + 1, i + 1, b, c->moment[c->fit[i]].name,
                         c->moment[c->fit[j]].name);
                return ZZ_SCENARIO;
            }
        }
    for (int k = 0; k < M; k++) {
        const zz_moment *m = &c->moment[c->fit[k]];
        double d = S[k * M + k];
        if (corr && d != 1) {
            snprintf(err, errlen, "%s: calibrate: correlation[%d][%d] is %g; a correlation matrix "
                                  "has ones on its diagonal (moment '%s')",
                     c->cov_where, k + 1, k + 1, d, m->name);
            return ZZ_SCENARIO;
        }
        /* the diagonal must be each moment's se^2: it also catches a matrix
         * written in another order than the moments */
        if (!corr && !(fabs(sqrt(d) - m->se) <= 1e-6 * m->se)) {
            snprintf(err, errlen, "%s: calibrate: covariance[%d][%d] = %g, so moment '%s' (%s) "
                                  "would have se %g, but it gives se = %g; the diagonal is each "
                                  "moment's se^2, in the order of the moment lines",
                     c->cov_where, k + 1, k + 1, d, m->name, m->where, d >= 0 ? sqrt(d) : NAN,
                     m->se);
            return ZZ_SCENARIO;
        }
    }
    if (corr) /* Sigma = D R D */
        for (int i = 0; i < M; i++)
            for (int j = 0; j < M; j++)
                S[i * M + j] *= c->moment[c->fit[i]].se * c->moment[c->fit[j]].se;
    c->weight = malloc((size_t)M * M * sizeof *c->weight);
    if (!c->weight) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    gsl_matrix_view W = gsl_matrix_view_array(c->weight, (size_t)M, (size_t)M);
    gsl_matrix_const_view Sv = gsl_matrix_const_view_array(S, (size_t)M, (size_t)M);
    gsl_matrix_memcpy(&W.matrix, &Sv.matrix);
    /* decomp1 fails with GSL_EDOM on a matrix that is not positive
     * definite; with GSL's handler off it returns instead of aborting */
    gsl_set_error_handler_off();
    if (gsl_linalg_cholesky_decomp1(&W.matrix) != GSL_SUCCESS ||
        gsl_linalg_cholesky_invert(&W.matrix) != GSL_SUCCESS) {
        snprintf(err, errlen, "%s: calibrate: %s is not positive definite, so it is not the "
                              "covariance of any moments (a correlation above 1 in absolute value, "
                              "or rows that contradict each other); check the off-diagonal terms",
                 c->cov_where, name);
        free(c->weight);
        c->weight = NULL;
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

/* covariance = { {...}, ... } or correlation = { ... }: a square table of
 * numbers, kept as given; its size and meaning are checked against the
 * moments once they are all declared (zz_calibration_weighting). */
void zz_calibration_read_matrix(lua_State *L, zz_calibration *c)
{
    static const char *const names[] = {"", "covariance", "correlation"};
    int given[2];
    for (int i = 0; i < 2; i++) {
        given[i] = lua_getfield(L, 1, names[i + 1]) != LUA_TNIL;
        lua_pop(L, 1);
    }
    if (given[0] && given[1])
        zz_lua_error(L, "calibrate: give covariance or correlation, not both");
    if (!given[0] && !given[1])
        return;
    c->cov_kind = given[0] ? ZZ_COV_COVARIANCE : ZZ_COV_CORRELATION;
    const char *name = names[c->cov_kind];
    snprintf(c->cov_where, sizeof c->cov_where, "%s", c->where);
    lua_getfield(L, 1, name);
    int n = lua_istable(L, -1) ? (int)luaL_len(L, -1) : 0;
    if (n < 1 || n > ZZ_MAX_MOMENTS)
        zz_lua_error(L, "calibrate: %s must be a matrix in moment order, one row per moment, "
                        "e.g. %s = { { 4e-4, 1e-4 }, { 1e-4, 1e-4 } }", name, name);
    c->cov = malloc((size_t)n * n * sizeof *c->cov);
    if (!c->cov)
        zz_lua_error(L, "out of memory");
    c->cov_n = n;
    for (int i = 0; i < n; i++) {
        if (lua_geti(L, -1, i + 1) != LUA_TTABLE || luaL_len(L, -1) != n)
            zz_lua_error(L, "calibrate: %s: row %d must be a list of %d numbers (the matrix is "
                            "square, one row and column per moment)", name, i + 1, n);
        for (int j = 0; j < n; j++) {
            int ok;
            lua_geti(L, -1, j + 1);
            double v = lua_tonumberx(L, -1, &ok);
            if (!ok || !isfinite(v))
                zz_lua_error(L, "calibrate: %s[%d][%d] must be a number, got %s", name, i + 1,
                             j + 1, luaL_tolstring(L, -1, NULL));
            c->cov[(size_t)i * n + j] = v;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

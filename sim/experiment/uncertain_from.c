/*
 * uncertain { from = "calib.h5" } (experiment.h): the free parameters of a
 * calibration as uncertain parameters of an experiment, each point a world
 * consistent with the data (docs/experiments.md, "Uncertainty from a
 * calibration").
 *
 * The estimated parameters (inside their bounds and identified) are drawn
 * jointly from the estimate's normal approximation, mean the estimate and
 * covariance the sandwich V the file holds, truncated to the calibration's
 * bounds. The design's own uniform columns u are mapped through the
 * Cholesky factor L of V (GSL gsl_linalg_cholesky_decomp1) in the
 * sequential (GHK) way: parameter j's standardised draw is
 *     z_j = Pinv(Phi(a_j) + u_j (Phi(b_j) - Phi(a_j)))
 * with a_j, b_j its bounds given z_1..z_{j-1} (GSL gsl_cdf_ugaussian_P,
 * _Pinv), and x = mean + L z. When the bounds lie far out this is the plain
 * map x = mean + L Pinv(u); when they bite, every draw stays inside them and
 * the draws follow the GHK sampler (close to the truncated normal, not equal
 * to it). Each u_j enters once and monotonically, so the design's structure
 * (Sobol, LHS strata, Saltelli blocks) is kept on the u scale: sensitivity
 * indices refer to these independent inputs, u_j being the part of
 * parameter j not explained by those before it (in the file's order).
 * Parameters at a bound or not identified stay independent uniform ranges
 * over their calibration bounds.
 */
#include "experiment/experiment.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/h5internal.h"

struct zz_joint {
    char path[1024];
    int n;                          /* jointly drawn parameters           */
    int factor[ZZ_MAX_FACTORS];     /* their factor indices, file order   */
    double mean[ZZ_MAX_FACTORS];
    double chol[ZZ_MAX_FACTORS * ZZ_MAX_FACTORS]; /* lower triangle, n x n */
};

const char *zz_joint_path(const zz_joint *j) { return j ? j->path : NULL; }

void zz_joint_free(zz_joint *j) { free(j); }

/* Reads a whole dataset of K (or K x K) values; -1 if absent or of another size. */
static int read_var(hid_t f, const char *name, hid_t mtype, hsize_t n, void *out)
{
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0)
        return -1;
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT), sp = ds >= 0 ? H5Dget_space(ds) : -1;
    int ok = sp >= 0 && (hsize_t)H5Sget_simple_extent_npoints(sp) == n &&
             H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0;
    zz_h5_close(sp);
    zz_h5_close(ds);
    return ok ? 0 : -1;
}

typedef struct calib {
    int K;
    char key[ZZ_MAX_FACTORS][128];
    double est[ZZ_MAX_FACTORS], lo[ZZ_MAX_FACTORS], hi[ZZ_MAX_FACTORS];
    double cov[ZZ_MAX_FACTORS * ZZ_MAX_FACTORS];
    int32_t at_bound[ZZ_MAX_FACTORS], identified[ZZ_MAX_FACTORS];
} calib;

static int read_calib(const char *path, calib *c, char *err, size_t errlen)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, errlen, "cannot open '%s' as an HDF5 file (the output of zhizao calibrate "
                              "-o calib.h5)", path);
        return ZZ_IO;
    }
    int rc = ZZ_OK;
    hid_t ds = H5Lexists(f, "free", H5P_DEFAULT) > 0 ? H5Dopen2(f, "free", H5P_DEFAULT) : -1;
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hssize_t K = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (K < 1 || K > ZZ_MAX_FACTORS) {
        snprintf(err, errlen, "'%s' is not a calibration file (no free parameters; write one with "
                              "zhizao calibrate CAL.lua -o calib.h5)", path);
        rc = ZZ_SCENARIO;
    }
    char *keys[ZZ_MAX_FACTORS] = {0};
    hid_t st = zz_h5_vlen_str();
    if (!rc && H5Dread(ds, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, keys) < 0) {
        snprintf(err, errlen, "'%s': cannot read the free parameters' keys", path);
        rc = ZZ_IO;
    }
    for (int i = 0; !rc && i < K; i++)
        snprintf(c->key[i], sizeof c->key[i], "%s", keys[i] ? keys[i] : "");
    if (!rc)
        H5Dvlen_reclaim(st, sp, H5P_DEFAULT, keys);
    zz_h5_close(st);
    zz_h5_close(sp);
    zz_h5_close(ds);
    c->K = (int)K;
    const hsize_t n = (hsize_t)(K > 0 ? K : 0);
    if (!rc && (read_var(f, "estimate", H5T_NATIVE_DOUBLE, n, c->est) ||
                read_var(f, "lower", H5T_NATIVE_DOUBLE, n, c->lo) ||
                read_var(f, "upper", H5T_NATIVE_DOUBLE, n, c->hi) ||
                read_var(f, "covariance", H5T_NATIVE_DOUBLE, n * n, c->cov) ||
                read_var(f, "at_bound", H5T_NATIVE_INT32, n, c->at_bound) ||
                read_var(f, "identified", H5T_NATIVE_INT32, n, c->identified))) {
        snprintf(err, errlen, "'%s' lacks estimate, lower, upper, covariance, at_bound or "
                              "identified (written by an older zhizao calibrate? run it again)",
                 path);
        rc = ZZ_SCENARIO;
    }
    H5Fclose(f);
    return rc;
}

int zz_uncertain_from(zz_experiment *ex, const char *path, const char *where, char *err,
                      size_t errlen)
{
    calib *c = calloc(1, sizeof *c);
    zz_joint *j = calloc(1, sizeof *j);
    if (!c || !j) {
        free(c);
        free(j);
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    int rc = read_calib(path, c, err, errlen);
    if (!rc && ex->joint) {
        snprintf(err, errlen, "uncertain: a second from = (the first: %s); one calibration per "
                              "experiment", ex->joint->path);
        rc = ZZ_SCENARIO;
    }
    for (int k = 0; !rc && k < c->K; k++) {
        for (int i = 0; i < ex->nfactors && !rc; i++)
            if (!strcmp(ex->factor[i].key, c->key[k])) {
                snprintf(err, errlen, "uncertain: '%s' of %s is declared twice (first at %s)",
                         c->key[k], path, ex->factor[i].where);
                rc = ZZ_SCENARIO;
            }
        if (!rc && ex->nfactors == ZZ_MAX_FACTORS) {
            snprintf(err, errlen, "uncertain: at most %d uncertain parameters", ZZ_MAX_FACTORS);
            rc = ZZ_SCENARIO;
        }
        if (rc)
            break;
        const int f = ex->nfactors++;
        zz_factor *fa = &ex->factor[f];
        memset(fa, 0, sizeof *fa);
        snprintf(fa->key, sizeof fa->key, "%s", c->key[k]);
        snprintf(fa->where, sizeof fa->where, "%.400s (from %.90s)", where, path);
        fa->scale = ZZ_SCALE_LINEAR;
        fa->lo = c->lo[k];
        fa->hi = c->hi[k];
        const double v = c->cov[k * c->K + k];
        if (!c->at_bound[k] && c->identified[k] && isfinite(v) && v > 0) {
            j->factor[j->n] = f;
            j->mean[j->n++] = c->est[k];
        }
    }
    /* the covariance of the jointly drawn ones, then its Cholesky factor */
    int idx[ZZ_MAX_FACTORS], m = 0;
    for (int k = 0; !rc && k < c->K; k++)
        if (m < j->n && !strcmp(ex->factor[j->factor[m]].key, c->key[k]))
            idx[m++] = k;
    for (int a = 0; !rc && a < j->n; a++)
        for (int b = 0; b < j->n; b++)
            j->chol[a * j->n + b] = c->cov[idx[a] * c->K + idx[b]];
    if (!rc && j->n) {
        gsl_set_error_handler_off();
        gsl_matrix_view L = gsl_matrix_view_array(j->chol, j->n, j->n);
        if (gsl_linalg_cholesky_decomp1(&L.matrix) != GSL_SUCCESS) {
            snprintf(err, errlen, "'%s': the estimates' covariance is not positive definite", path);
            rc = ZZ_SCENARIO;
        }
    }
    snprintf(j->path, sizeof j->path, "%s", path);
    free(c);
    if (rc)
        free(j);
    else
        ex->joint = j;
    return rc;
}

void zz_joint_apply(zz_experiment *ex)
{
    const zz_joint *j = ex->joint;
    const int k = ex->nfactors, n = j ? j->n : 0;
    double z[ZZ_MAX_FACTORS];
    for (int p = 0; p < ex->npoints; p++)
        for (int a = 0; a < n; a++) {
            const zz_factor *fa = &ex->factor[j->factor[a]];
            double shift = j->mean[a];
            for (int b = 0; b < a; b++)
                shift += j->chol[a * n + b] * z[b];
            const double l = j->chol[a * n + a];
            const double pa = gsl_cdf_ugaussian_P((fa->lo - shift) / l);
            const double pb = gsl_cdf_ugaussian_P((fa->hi - shift) / l);
            const size_t i = (size_t)p * k + j->factor[a];
            /* a design's 0 or 1 (Morris, factorial) maps to the bound */
            const double u = fmin(fmax(pa + ex->unit[i] * (pb - pa), 1e-15), 1 - 1e-15);
            z[a] = gsl_cdf_ugaussian_Pinv(u);
            ex->value[i] = fmin(fmax(shift + l * z[a], fa->lo), fa->hi);
        }
}

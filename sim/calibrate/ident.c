/*
 * What the Jacobian at the estimate says (calibrate.h): which estimates lie
 * on a bound, which parameters the fitted moments identify, and the
 * sandwich covariance of the others.
 *
 * The Jacobian is scaled so that its columns are comparable: rows by the
 * weighting (Gs = L' G with W = L L', i.e. each moment in its standard
 * errors) and columns by each parameter's range, so column f says how far,
 * in standard errors, the fitted moments move when parameter f crosses its
 * whole range (to first order). With the efficient weighting, the standard
 * error of parameter f as a share of its range is about 1 / |r_f|, r_f the
 * part of column f that the other columns do not explain (its residual on
 * them). So |r_f| < 1 means the moments cannot pin the parameter inside its
 * own range: no moment moves it (a short column) or another parameter moves
 * the moments the same way (a column collinear with the others). Such a
 * parameter is flagged as not identified, as is an estimate on a bound;
 * neither gets a standard error (a standard error at a bound or along a
 * flat direction has no meaning), and the others' covariance is computed
 * with the flagged parameters held at their estimates.
 */
#include "calibrate/calibrate.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* |residual| in standard errors over the whole range, below which a
 * parameter is not identified (its standard error would exceed its range) */
#define IDENT_MIN 1.0

static double range(const zz_calibration *c, int f)
{
    return c->ex->factor[f].hi - c->ex->factor[f].lo;
}

/* Gs = L' G_fit D, L the Cholesky factor of W (diagonal: 1 / se). */
static int scaled_jacobian(const zz_calibration *c, const zz_msm_result *r, gsl_matrix *Gs)
{
    const int K = r->nfree, Mf = c->nfit;
    if (!c->weight) {
        for (int i = 0; i < Mf; i++)
            for (int f = 0; f < K; f++)
                gsl_matrix_set(Gs, i, f, r->jacobian[c->fit[i] * K + f] * range(c, f) /
                                             c->moment[c->fit[i]].se);
        return ZZ_OK;
    }
    gsl_matrix *L = gsl_matrix_alloc(Mf, Mf);
    if (!L)
        return ZZ_NOMEM;
    gsl_matrix_const_view W = gsl_matrix_const_view_array(c->weight, Mf, Mf);
    gsl_matrix_memcpy(L, &W.matrix);
    int rc = gsl_linalg_cholesky_decomp1(L) == GSL_SUCCESS ? ZZ_OK : ZZ_ERROR;
    for (int i = 0; !rc && i < Mf; i++)
        for (int f = 0; f < K; f++) {
            double s = 0;
            for (int j = i; j < Mf; j++) /* (L')_ij = L_ji, lower triangle */
                s += gsl_matrix_get(L, j, i) * r->jacobian[c->fit[j] * K + f];
            gsl_matrix_set(Gs, i, f, s * range(c, f));
        }
    gsl_matrix_free(L);
    return rc;
}

/* The norm of column f's residual on the other columns (least squares). */
static double residual_norm(const gsl_matrix *Gs, int f)
{
    const size_t M = Gs->size1, K = Gs->size2;
    gsl_vector_const_view y = gsl_matrix_const_column(Gs, f);
    double others = 0;
    for (size_t j = 0; j < K; j++)
        if ((int)j != f) {
            gsl_vector_const_view col = gsl_matrix_const_column(Gs, j);
            others = fmax(others, gsl_blas_dnrm2(&col.vector));
        }
    if (K == 1 || others == 0)
        return gsl_blas_dnrm2(&y.vector);
    gsl_matrix *X = gsl_matrix_alloc(M, K - 1), *cov = gsl_matrix_alloc(K - 1, K - 1);
    gsl_vector *b = gsl_vector_alloc(K - 1);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(M, K - 1);
    double chisq = NAN;
    if (X && cov && b && w) {
        for (size_t j = 0, k = 0; j < K; j++)
            if ((int)j != f) {
                gsl_vector_const_view col = gsl_matrix_const_column(Gs, j);
                gsl_matrix_set_col(X, k++, &col.vector);
            }
        /* SVD-based: a rank-deficient X (collinear others) is fine */
        if (gsl_multifit_linear(X, &y.vector, b, cov, &chisq, w) != GSL_SUCCESS)
            chisq = NAN;
    }
    gsl_multifit_linear_free(w);
    gsl_vector_free(b);
    gsl_matrix_free(cov);
    gsl_matrix_free(X);
    return sqrt(fmax(0, chisq));
}

static void identification(zz_msm_result *r, const gsl_matrix *Gs)
{
    const int K = r->nfree;
    for (int f = 0; f < K; f++) {
        gsl_vector_const_view a = gsl_matrix_const_column(Gs, f);
        const double na = gsl_blas_dnrm2(&a.vector);
        const double res = residual_norm(Gs, f);
        r->column_norm[f] = na;
        r->independence[f] = na > 0 ? fmin(1, res / na) : 0;
        r->identified[f] = res >= IDENT_MIN;
        r->partner[f] = -1;
        double best = 0;
        for (int j = 0; j < K && na > 0; j++) {
            gsl_vector_const_view b = gsl_matrix_const_column(Gs, j);
            const double nb = gsl_blas_dnrm2(&b.vector);
            double dot;
            gsl_blas_ddot(&a.vector, &b.vector, &dot);
            if (j != f && nb > 0 && fabs(dot) / (na * nb) > best) {
                best = fabs(dot) / (na * nb);
                r->partner[f] = j;
            }
        }
    }
    /* singular values: how many independent directions the moments see */
    gsl_matrix *U = gsl_matrix_alloc(Gs->size1, Gs->size2), *V = gsl_matrix_alloc(K, K);
    gsl_vector *s = gsl_vector_alloc(K), *work = gsl_vector_alloc(K);
    r->rank = 0;
    if (U && V && s && work) {
        gsl_matrix_memcpy(U, Gs);
        if (gsl_linalg_SV_decomp(U, V, s, work) == GSL_SUCCESS) {
            for (int f = 0; f < K; f++) {
                r->singular[f] = gsl_vector_get(s, f);
                r->rank += r->singular[f] > 1e-9 * gsl_vector_get(s, 0) && r->singular[f] > 0;
            }
        } else {
            for (int f = 0; f < K; f++)
                r->singular[f] = NAN;
        }
    }
    gsl_matrix_free(U);
    gsl_matrix_free(V);
    gsl_vector_free(s);
    gsl_vector_free(work);
}

/* V = (G'WG)^-1 G'W Sigma W G (G'WG)^-1 (1 + 1/R) over the columns in S. */
static int sandwich(const zz_calibration *c, zz_msm_result *r, const int *S, int n)
{
    const int K = r->nfree, Mf = c->nfit;
    for (int i = 0; i < K * K; i++)
        r->covariance[i] = NAN;
    for (int f = 0; f < K; f++)
        r->std_error[f] = NAN;
    if (!n)
        return ZZ_OK;
    gsl_matrix *G = gsl_matrix_alloc(Mf, n), *WG = gsl_matrix_alloc(Mf, n);
    gsl_matrix *SWG = gsl_matrix_alloc(Mf, n), *A = gsl_matrix_alloc(n, n);
    gsl_matrix *Ai = gsl_matrix_alloc(n, n), *B = gsl_matrix_alloc(n, n);
    gsl_matrix *T = gsl_matrix_alloc(n, n), *V = gsl_matrix_alloc(n, n);
    gsl_permutation *perm = gsl_permutation_alloc(n);
    int rc = G && WG && SWG && A && Ai && B && T && V && perm ? ZZ_OK : ZZ_NOMEM;
    for (int i = 0; !rc && i < Mf; i++)
        for (int j = 0; j < n; j++)
            gsl_matrix_set(G, i, j, r->jacobian[c->fit[i] * K + S[j]]);
    if (!rc && c->weight) {
        gsl_matrix_const_view W = gsl_matrix_const_view_array(c->weight, Mf, Mf);
        gsl_matrix_const_view Sg = gsl_matrix_const_view_array(c->cov, Mf, Mf);
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &W.matrix, G, 0.0, WG);
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Sg.matrix, WG, 0.0, SWG);
    } else if (!rc) {
        for (int i = 0; i < Mf; i++)
            for (int j = 0; j < n; j++) {
                const double se = c->moment[c->fit[i]].se, g = gsl_matrix_get(G, i, j);
                gsl_matrix_set(WG, i, j, g / (se * se));
                gsl_matrix_set(SWG, i, j, g); /* Sigma W G = G */
            }
    }
    if (!rc) {
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, G, WG, 0.0, A);
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, WG, SWG, 0.0, B);
        int sign;
        gsl_matrix_memcpy(T, A);
        gsl_linalg_LU_decomp(T, perm, &sign);
        if (gsl_linalg_LU_det(T, sign) == 0 || gsl_linalg_LU_invert(T, perm, Ai)) {
            for (int j = 0; j < n; j++)
                r->std_error[S[j]] = INFINITY; /* a flat direction the flags missed */
        } else {
            gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Ai, B, 0.0, T);
            gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0 + 1.0 / c->replications, T, Ai, 0.0, V);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++)
                    r->covariance[S[i] * K + S[j]] = gsl_matrix_get(V, i, j);
                r->std_error[S[i]] = sqrt(fmax(0, gsl_matrix_get(V, i, i)));
            }
        }
    }
    gsl_matrix_free(G);
    gsl_matrix_free(WG);
    gsl_matrix_free(SWG);
    gsl_matrix_free(A);
    gsl_matrix_free(Ai);
    gsl_matrix_free(B);
    gsl_matrix_free(T);
    gsl_matrix_free(V);
    gsl_permutation_free(perm);
    return rc;
}

int zz_msm_diagnose(const zz_calibration *c, zz_msm_result *r, char *err, size_t errlen)
{
    const int K = r->nfree;
    gsl_set_error_handler_off();
    for (int f = 0; f < K; f++) {
        const zz_factor *fa = &c->ex->factor[f];
        const double tol = ZZ_AT_BOUND_TOL * (fa->hi - fa->lo);
        r->at_bound[f] = r->estimate[f] <= fa->lo + tol ? -1 : r->estimate[f] >= fa->hi - tol ? 1 : 0;
    }
    gsl_matrix *Gs = gsl_matrix_alloc(c->nfit, K);
    int rc = Gs ? scaled_jacobian(c, r, Gs) : ZZ_NOMEM;
    if (!rc)
        identification(r, Gs);
    gsl_matrix_free(Gs);
    int S[ZZ_MAX_FACTORS], n = 0;
    for (int f = 0; !rc && f < K; f++)
        if (!r->at_bound[f] && r->identified[f])
            S[n++] = f;
    if (!rc)
        rc = sandwich(c, r, S, n);
    if (rc)
        snprintf(err, errlen, rc == ZZ_NOMEM ? "out of memory"
                                             : "the weighting matrix has no Cholesky factor");
    return rc;
}

void zz_msm_prediction(const zz_calibration *c, zz_msm_result *r, const double *rep)
{
    const int K = r->nfree, M = r->nmoments, R = c->replications;
    for (int k = 0; k < M; k++) {
        double mean = 0, ss = 0;
        for (int i = 0; i < R; i++)
            mean += rep[i * M + k] / R;
        for (int i = 0; i < R; i++)
            ss += (rep[i * M + k] - mean) * (rep[i * M + k] - mean);
        /* the pooled moment is about the mean of R replications' moments */
        r->sim_se[k] = R > 1 ? sqrt(ss / (R - 1) / R) : NAN;
        double v = 0; /* g V g' over the parameters with a covariance */
        for (int i = 0; i < K; i++)
            for (int j = 0; j < K; j++) {
                const double cv = r->covariance[i * K + j];
                if (isfinite(cv))
                    v += r->jacobian[k * K + i] * cv * r->jacobian[k * K + j];
            }
        r->prediction_se[k] = sqrt(fmax(0, v) + (R > 1 ? r->sim_se[k] * r->sim_se[k] : 0));
    }
}

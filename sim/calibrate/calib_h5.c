/*
 * The calibration file (docs/calibration.md), netCDF-4 conventions as the
 * other writers (dimension scales as coordinate variables):
 *
 *   dims   free(K) moment(M) evaluation(E) free_(K) direction(K)
 *   data   estimate, std_error, lower, upper, truth (--recover)   [free]
 *          target, simulated, se                                  [moment]
 *          trace [evaluation, free], trace_moments [evaluation, moment],
 *          objective, stage (0 start grid, 1 local, 2 jacobian)   [evaluation]
 *          at_bound, identified, column_norm, independence,
 *          collinear_with                                         [free]
 *          covariance [free, free_], jacobian [moment, free]
 *          singular_value [direction]; holdout, sim_se, prediction_se [moment]
 *   attrs  j_statistic, j_pvalue, dof, objective, weighting, replications, seed,
 *          calibration_path, calibration_source, scenario_path, complete
 *
 * Written to "<path>.writing" and renamed when complete.
 */
#include "calibrate/calibrate.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/h5internal.h"
#include "output/outpath.h"
#include "calibrate/h5w.h"

enum { D_FREE, D_MOMENT, D_EVAL, D_FREE2, D_DIR, D_PROF, ND };

int zz_h5w_dim(zz_h5w *w, int d, const char *name, const char *const *labels)
{
    hid_t p = zz_h5_dcpl(), sp = H5Screate_simple(1, &w->len[d], NULL), st = -1, ds = -1;
    int ok = p >= 0 && sp >= 0;
    if (labels) {
        st = zz_h5_vlen_str();
        ok = ok && st >= 0 && (ds = H5Dcreate2(w->file, name, st, sp, H5P_DEFAULT, p, H5P_DEFAULT)) >= 0 &&
             (w->len[d] == 0 || H5Dwrite(ds, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels) >= 0);
    } else {
        int32_t *ix = malloc((w->len[d] + 1) * sizeof *ix);
        for (hsize_t i = 0; ix && i < w->len[d]; i++)
            ix[i] = (int32_t)i;
        ok = ok && ix &&
             (ds = H5Dcreate2(w->file, name, H5T_STD_I32LE, sp, H5P_DEFAULT, p, H5P_DEFAULT)) >= 0 &&
             (w->len[d] == 0 || H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, ix) >= 0);
        free(ix);
    }
    ok = ok && H5DSset_scale(ds, name) >= 0;
    zz_h5_close(st);
    zz_h5_close(sp);
    zz_h5_close(p);
    if (!ok) {
        zz_h5_close(ds);
        return -1;
    }
    w->dim[d] = ds;
    return 0;
}

int zz_h5w_put(zz_h5w *w, const char *name, hid_t ftype, hid_t mtype, int rank, const int *dims,
               const void *data, const char *long_name)
{
    hsize_t cur[ZZ_H5W_MAXDIMS];
    for (int k = 0; k < rank; k++)
        cur[k] = w->len[dims[k]];
    hid_t p = zz_h5_dcpl(), sp = H5Screate_simple(rank, cur, NULL), ds = -1;
    hsize_t n = 1;
    for (int k = 0; k < rank; k++)
        n *= cur[k];
    /* one chunk with a Fletcher-32 checksum: a damaged byte is found when
     * the file is read back (here before its final name, and by zhizao.open)
     * instead of passing as a number (a scalar cannot be chunked) */
    int ok = p >= 0 && sp >= 0 &&
             (n == 0 || rank == 0 || H5Tis_variable_str(ftype) > 0 ||
              (H5Pset_chunk(p, rank, cur) >= 0 && H5Pset_fletcher32(p) >= 0)) &&
             (ds = H5Dcreate2(w->file, name, ftype, sp, H5P_DEFAULT, p, H5P_DEFAULT)) >= 0;
    ok = ok && (n == 0 || H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    for (int k = 0; ok && k < rank; k++)
        ok = H5DSattach_scale(ds, w->dim[dims[k]], (unsigned)k) >= 0;
    ok = ok && zz_h5_attr_str(ds, "long_name", long_name) >= 0;
    if (!ok && !w->why[0])
        zz_h5_reason(w->why, sizeof w->why); /* before the clean-up clears it */
    if (ok) {
        ok = zz_h5_close_written(ds) == 0;
        if (!ok && !w->why[0])
            zz_h5_reason(w->why, sizeof w->why);
    } else {
        zz_h5_close(ds);
    }
    zz_h5_close(sp);
    zz_h5_close(p);
    return ok ? 0 : -1;
}

void zz_h5w_fail(const zz_h5w *w, char *err, size_t errlen, const char *path, const char *what)
{
    if (w->why[0])
        snprintf(err, errlen, "%s: %s (HDF5: %s)", path, what, w->why);
    else
        zz_h5_fail(err, errlen, path, "%s", what);
}

int zz_h5w_f64(zz_h5w *w, const char *name, int rank, const int *dims, const double *data,
                   const char *long_name)
{
    return zz_h5w_put(w, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims, data, long_name);
}

int zz_h5w_create(zz_h5w *w, const char *path)
{
    /* never through a link planted at the temporary name (outpath.h) */
    char err[600];
    int fd;
    if (zz_outpath_fresh(path, &fd, err, sizeof err))
        return -1;
    close(fd);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    int ok = fcpl >= 0 &&
             H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0 &&
             H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0 &&
             H5Pset_obj_track_times(fcpl, 0) >= 0 &&
             (w->file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT)) >= 0;
    zz_h5_close(fcpl);
    return ok ? 0 : -1;
}

int zz_calibration_write(const zz_calibration *c, const zz_msm_result *r, const char *path,
                         const double *truth, char *err, size_t errlen)
{
    const int K = r->nfree, M = r->nmoments, E = r->ntrace;
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.writing", path);
    zz_h5w w = {.file = -1, .dim = {-1, -1, -1, -1, -1, -1},
                .len = {(hsize_t)K, (hsize_t)M, (hsize_t)E, (hsize_t)K, (hsize_t)K,
                        (hsize_t)r->nprofile}};
    const char *keys[ZZ_MAX_FACTORS], *names[ZZ_MAX_MOMENTS];
    double lower[ZZ_MAX_FACTORS], upper[ZZ_MAX_FACTORS], se[ZZ_MAX_MOMENTS];
    int32_t holdout[ZZ_MAX_MOMENTS];
    const char *kinds[ZZ_MAX_MOMENTS], *policy[ZZ_MAX_MOMENTS];
    for (int f = 0; f < K; f++) {
        keys[f] = c->ex->factor[f].key;
        lower[f] = c->ex->factor[f].lo;
        upper[f] = c->ex->factor[f].hi;
    }
    for (int k = 0; k < M; k++) {
        names[k] = c->moment[k].name;
        se[k] = c->moment[k].se;
        holdout[k] = c->moment[k].holdout;
        kinds[k] = zz_moment_kind_names[c->moment[k].kind];
        policy[k] = c->moment[k].scenario_given;
    }
    double *trace = malloc(((size_t)E * K + 1) * sizeof *trace);
    double *tmom = malloc(((size_t)E * M + 1) * sizeof *tmom);
    double *obj = malloc(((size_t)E + 1) * sizeof *obj);
    int32_t *stage = malloc(((size_t)E + 1) * sizeof *stage);
    int ok = trace && tmom && obj && stage;
    for (int e = 0; ok && e < E; e++) {
        memcpy(trace + (size_t)e * K, r->trace[e].theta, (size_t)K * sizeof *trace);
        memcpy(tmom + (size_t)e * M, r->trace[e].moments, (size_t)M * sizeof *tmom);
        obj[e] = r->trace[e].objective;
        stage[e] = r->trace[e].stage;
    }
    ok = ok && zz_h5w_create(&w, tmp) == 0;
    ok = ok && zz_h5w_dim(&w, D_FREE, "free", keys) == 0 && zz_h5w_dim(&w, D_MOMENT, "moment", names) == 0 &&
         zz_h5w_dim(&w, D_EVAL, "evaluation", NULL) == 0 &&
         zz_h5w_dim(&w, D_FREE2, "free_", keys) == 0 && zz_h5w_dim(&w, D_DIR, "direction", NULL) == 0 &&
         (!r->nprofile || zz_h5w_dim(&w, D_PROF, "profile", NULL) == 0);
    const int df[1] = {D_FREE}, dm[1] = {D_MOMENT}, de[1] = {D_EVAL}, def[2] = {D_EVAL, D_FREE},
              dem[2] = {D_EVAL, D_MOMENT}, dff[2] = {D_FREE, D_FREE2}, dmf[2] = {D_MOMENT, D_FREE},
              dd[1] = {D_DIR}, dfp[2] = {D_FREE, D_PROF};
    ok = ok && zz_h5w_f64(&w, "estimate", 1, df, r->estimate, "estimate of the free parameter") == 0 &&
         zz_h5w_f64(&w, "std_error", 1, df, r->std_error,
                 "standard error (sandwich, inflated by 1 + 1/R)") == 0 &&
         zz_h5w_f64(&w, "lower", 1, df, lower, "lower bound") == 0 &&
         zz_h5w_f64(&w, "upper", 1, df, upper, "upper bound") == 0 &&
         (!truth || zz_h5w_f64(&w, "truth", 1, df, truth, "parameter that simulated the targets") == 0) &&
         zz_h5w_f64(&w, "target", 1, dm, r->target, "observed (targeted) moment") == 0 &&
         zz_h5w_f64(&w, "simulated", 1, dm, r->simulated, "simulated moment at the estimate") == 0 &&
         zz_h5w_f64(&w, "se", 1, dm, se, "standard error of the observed moment") == 0 &&
         zz_h5w_f64(&w, "trace", 2, def, trace, "parameters of each evaluation") == 0 &&
         zz_h5w_f64(&w, "trace_moments", 2, dem, tmom, "simulated moments of each evaluation") == 0 &&
         zz_h5w_f64(&w, "objective", 1, de, obj, "objective (m - v)' W (m - v)") == 0 &&
         zz_h5w_put(&w, "stage", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, de, stage,
             "0 Sobol start grid, 1 local search, 2 Jacobian, 3 profile") == 0 &&
         zz_h5w_put(&w, "at_bound", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, df, r->at_bound,
             "estimate on a bound: -1 lower, 1 upper, 0 inside (no standard error on a bound)") == 0 &&
         zz_h5w_put(&w, "identified", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, df, r->identified,
             "1 if the fitted moments identify the parameter, 0 if not (no standard error)") == 0 &&
         zz_h5w_f64(&w, "column_norm", 1, df, r->column_norm,
             "fitted moments' move, in standard errors, across the parameter's range") == 0 &&
         zz_h5w_f64(&w, "independence", 1, df, r->independence,
             "share of that move the other parameters cannot make (sine of the angle)") == 0 &&
         zz_h5w_put(&w, "collinear_with", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, df, r->partner,
             "index of the parameter whose column is closest to this one's, -1 none") == 0 &&
         zz_h5w_f64(&w, "singular_value", 1, dd, r->singular,
             "singular values of the scaled Jacobian of the fitted moments") == 0 &&
         zz_h5w_f64(&w, "covariance", 2, dff, r->covariance,
             "sandwich covariance of the estimates (NaN for a parameter at a bound or not identified)") == 0 &&
         zz_h5w_f64(&w, "jacobian", 2, dmf, r->jacobian,
             "derivative of each simulated moment in each parameter at the estimate") == 0 &&
         zz_h5w_put(&w, "holdout", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, dm, holdout,
             "1 held out: simulated and reported, not fitted") == 0 &&
         zz_h5w_f64(&w, "sim_se", 1, dm, r->sim_se,
             "simulation standard error of the moment (spread across replications)") == 0 &&
         zz_h5w_f64(&w, "prediction_se", 1, dm, r->prediction_se,
             "standard error of the simulated moment: estimate's covariance and simulation") == 0;
    ok = ok && (!r->nprofile ||
                (zz_h5w_f64(&w, "profile_value", 2, dfp, r->profile_value,
                            "value of the parameter along its range") == 0 &&
                 zz_h5w_f64(&w, "profile_objective", 2, dfp, r->profile_objective,
                            "objective there, the other parameters at their estimates") == 0));
    hid_t st = zz_h5_vlen_str();
    ok = ok && st >= 0 &&
         zz_h5w_put(&w, "kind", st, st, 1, dm, kinds,
                    "share, hazard, ratio, additionality or effect") == 0 &&
         zz_h5w_put(&w, "policy_scenario", st, st, 1, dm, policy,
                    "additionality, effect: the policy scenario run against its twin") == 0;
    zz_h5_close(st);
    ok = ok && zz_h5_attr_f64(w.file, "j_statistic", r->j_statistic) == 0 &&
         zz_h5_attr_f64(w.file, "j_pvalue", r->j_pvalue) == 0 &&
         zz_h5_attr_i32(w.file, "dof", r->dof) == 0 &&
         zz_h5_attr_i32(w.file, "jacobian_rank", r->rank) == 0 &&
         zz_h5_attr_f64(w.file, "at_bound_tolerance", ZZ_AT_BOUND_TOL) == 0 &&
         zz_h5_attr_f64(w.file, "objective", r->objective) == 0 &&
         zz_h5_attr_i32(w.file, "replications", c->replications) == 0 &&
         zz_h5_attr_i64(w.file, "seed", c->seed) == 0 &&
         zz_h5_attr_i32(w.file, "replayed_evaluations", r->replayed) == 0 &&
         zz_h5_attr_str(w.file, "local_optimiser", c->local ? "NLOPT_LN_BOBYQA" : "NLOPT_LN_SBPLX") == 0 &&
         zz_h5_attr_str(w.file, "calibration_path", c->path) == 0 &&
         zz_h5_attr_str(w.file, "calibration_source", c->ex->source) == 0 &&
         zz_h5_attr_str(w.file, "weighting",
                        c->cov_kind == ZZ_COV_COVARIANCE ? "covariance: W = inverse of the given covariance"
                        : c->cov_kind == ZZ_COV_CORRELATION
                            ? "correlation: W = inverse of diag(se) R diag(se)"
                            : "diagonal: W = diag(1 / se^2)") == 0 &&
         zz_h5_attr_str(w.file, "scenario_path", c->ex->sc[0]->cfg.path) == 0 &&
         zz_h5_attr_str(w.file, "program_version", ZZ_VERSION_STRING) == 0 &&
         zz_h5_attr_i32(w.file, "complete", 1) == 0;
    if (!ok)
        zz_h5w_fail(&w, err, errlen, tmp, "cannot write the calibration");
    for (int d = 0; d < ND; d++)
        if (zz_h5_close_written(w.dim[d]) && ok) {
            zz_h5w_fail(&w, err, errlen, tmp, "cannot write the calibration");
            ok = 0;
        }
    if (w.file >= 0 && H5Fclose(w.file) < 0 && ok) {
        zz_h5_fail(err, errlen, tmp, "cannot close");
        ok = 0;
    }
    free(trace);
    free(tmom);
    free(obj);
    free(stage);
    if (ok && (zz_h5_verify(tmp, err, errlen) || zz_outpath_commit(tmp, path, err, errlen)))
        ok = 0;
    if (!ok)
        remove(tmp);
    return ok ? ZZ_OK : ZZ_IO;
}

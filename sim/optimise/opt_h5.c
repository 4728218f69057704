#define _XOPEN_SOURCE 700 /* realpath */
/*
 * The optimisation file (docs/optimise.md), netCDF-4 conventions as the
 * calibration's (calibrate/h5w.h):
 *
 *   dims   programme(S, the shares) free(K) evaluation(E) candidate(C)
 *          confirm_replicate(Rc)
 *   data   best_budget [programme], best_free [free]
 *          evaluation_budget [evaluation, programme], evaluation_free
 *          [evaluation, free], objective, objective_se, stage [evaluation]
 *          candidate_budget [candidate, programme], candidate_free,
 *          candidate_evaluation, confirm_objective [candidate,
 *          confirm_replicate], difference, difference_lower,
 *          difference_upper, p_beats_plan [candidate]
 *
 * Written to "<path>.writing" and renamed when complete. best_mix.lua
 * beside it.
 */
#include "optimise/optimise.h"
#include "optimise/opt_carry.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate/h5w.h"
#include "output/h5internal.h"
#include "output/outpath.h"
#include "scenario/lua_sandbox.h"
#include "scenario/lua_source.h"

enum { D_PROG, D_FREE, D_EVAL, D_CAND, D_CREP, D_MEAS, D_QTY, D_LEVEL, D_POINT, D_UNC, ND };

/* a [n][m] copy of rows' fields, where each row is a struct */
#define GATHER(dst, n, m, src_expr)                                                                \
    for (int i_ = 0; i_ < (n); i_++)                                                               \
        for (int j_ = 0; j_ < (m); j_++)                                                           \
            (dst)[(size_t)i_ * (m) + j_] = (src_expr)

int zz_optimisation_write(const zz_optimisation *o, const zz_opt_result *r, const char *path, char *err,
                          size_t errlen)
{
    const zz_experiment *ex = o->cal->ex, *u = o->unc;
    const int S = o->nshares, K = ex->nfactors, E = r->nrows, C = r->ncand, Rc = r->Rc,
              M = ZZ_NOBJECTIVES, L = r->level_row ? r->nlevels : 0, NU = u->nfactors,
              NP = NU ? u->npoints : 0;
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.writing", path);
    zz_h5w w = {.file = -1,
                .len = {(hsize_t)S, (hsize_t)K, (hsize_t)E, (hsize_t)C, (hsize_t)Rc, (hsize_t)M,
                        (hsize_t)ZZ_NQ, (hsize_t)L, (hsize_t)NP, (hsize_t)NU}};
    for (int d = 0; d < ZZ_H5W_MAXDIMS; d++)
        w.dim[d] = -1;
    const char *progs[ZZ_MAX_SHARES], *keys[ZZ_MAX_FACTORS], *ukeys[ZZ_MAX_FACTORS], *cands[33];
    char cname[33][16];
    for (int i = 0; i < S; i++)
        progs[i] = o->share[i];
    for (int f = 0; f < K; f++)
        keys[f] = ex->factor[f].key;
    for (int f = 0; f < NU; f++)
        ukeys[f] = u->factor[f].key;
    for (int c = 0; c < C; c++) {
        if (c)
            snprintf(cname[c], sizeof cname[c], "candidate_%d", c);
        else
            snprintf(cname[c], sizeof cname[c], "plan");
        cands[c] = cname[c];
    }
    double pb[ZZ_MAX_SHARES], pf[ZZ_MAX_FACTORS];
    zz_optimisation_plan(o, pb, pf);
    const size_t big = (size_t)E * (S + K + M + 4) + (size_t)C * (S + K) + (size_t)L * S + 1;
    double *buf = malloc(big * sizeof *buf);
    int32_t *ibuf = malloc(((size_t)2 * E + C + L + 1) * sizeof *ibuf);
    int ok = buf && ibuf;
    double *eb = buf, *ef = eb + (size_t)E * S, *em = ef + (size_t)E * K, *obj = em + (size_t)E * M,
           *ose = obj + E, *cb = ose + E, *cf = cb + (size_t)C * S, *lb = cf + (size_t)C * K;
    int32_t *stage = ibuf, *level = stage + E, *crow = level + E, *lrow = crow + C;
    if (ok) {
        GATHER(eb, E, S, r->row[i_].budget[j_]);
        GATHER(ef, E, K, r->row[i_].free[j_]);
        GATHER(em, E, M, r->row[i_].measure[j_]);
        for (int e = 0; e < E; e++) {
            obj[e] = r->row[e].objective;
            ose[e] = r->row[e].se;
            stage[e] = r->row[e].stage;
            level[e] = r->row[e].level;
        }
        for (int c = 0; c < C; c++) {
            crow[c] = r->cand_row[c];
            for (int i = 0; i < S; i++)
                cb[(size_t)c * S + i] = c ? r->row[crow[c]].budget[i] : pb[i];
            for (int f = 0; f < K; f++)
                cf[(size_t)c * K + f] = c ? r->row[crow[c]].free[f] : pf[f];
        }
        for (int l = 0; l < L; l++) {
            lrow[l] = r->level_row[l];
            memcpy(lb + (size_t)l * S, r->row[lrow[l]].budget, (size_t)S * sizeof *lb);
        }
    }
    const zz_opt_row *best = &r->row[r->cand_row[r->best]];
    ok = ok && zz_h5w_create(&w, tmp) == 0 && zz_h5w_dim(&w, D_PROG, "programme", progs) == 0 &&
         zz_h5w_dim(&w, D_FREE, "free", keys) == 0 && zz_h5w_dim(&w, D_EVAL, "evaluation", NULL) == 0 &&
         zz_h5w_dim(&w, D_CAND, "candidate", cands) == 0 &&
         zz_h5w_dim(&w, D_CREP, "confirm_replicate", NULL) == 0 &&
         zz_h5w_dim(&w, D_MEAS, "measure", zz_objective_names) == 0 &&
         zz_h5w_dim(&w, D_QTY, "quantity", zz_quantity_names) == 0 &&
         zz_h5w_dim(&w, D_LEVEL, "level", NULL) == 0 && zz_h5w_dim(&w, D_POINT, "point", NULL) == 0 &&
         zz_h5w_dim(&w, D_UNC, "uncertain", ukeys) == 0;
    const int dp[1] = {D_PROG}, df[1] = {D_FREE}, de[1] = {D_EVAL}, dc[1] = {D_CAND},
              dep[2] = {D_EVAL, D_PROG}, def[2] = {D_EVAL, D_FREE}, dem[2] = {D_EVAL, D_MEAS},
              dcp[2] = {D_CAND, D_PROG}, dcf[2] = {D_CAND, D_FREE}, dcr[2] = {D_CAND, D_CREP},
              dcm[2] = {D_CAND, D_MEAS}, dcrq[3] = {D_CAND, D_CREP, D_QTY}, dl[1] = {D_LEVEL},
              dlp[2] = {D_LEVEL, D_PROG}, dlm[2] = {D_LEVEL, D_MEAS}, dpu[2] = {D_POINT, D_UNC};
    ok = ok && zz_h5w_f64(&w, "best_budget", 1, dp, best->budget, "chosen budget, yuan over the run") == 0 &&
         zz_h5w_f64(&w, "best_free", 1, df, best->free, "chosen value of the free parameter") == 0 &&
         zz_h5w_f64(&w, "evaluation_budget", 2, dep, eb, "budget of each evaluation, yuan over the run") == 0 &&
         zz_h5w_f64(&w, "evaluation_free", 2, def, ef, "free parameters of each evaluation") == 0 &&
         zz_h5w_f64(&w, "evaluation_measure", 2, dem, em,
                    "every measure at each evaluation (NaN: needs the twin, not run)") == 0 &&
         zz_h5w_f64(&w, "objective", 1, de, obj,
                    "objective over the search replications (and the design's points)") == 0 &&
         zz_h5w_f64(&w, "objective_se", 1, de, ose, "standard error of the objective") == 0 &&
         zz_h5w_put(&w, "stage", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, de, stage,
                    "0 Sobol start grid, 1 local search") == 0 &&
         zz_h5w_put(&w, "evaluation_level", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, de, level,
                    "budget level of the front (the last: the whole budget)") == 0 &&
         zz_h5w_f64(&w, "candidate_budget", 2, dcp, cb, "candidate budget, yuan over the run (plan: as written)") == 0 &&
         zz_h5w_f64(&w, "candidate_free", 2, dcf, cf, "candidate free parameters (plan: as written)") == 0 &&
         zz_h5w_put(&w, "candidate_evaluation", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, dc, crow,
                    "evaluation the candidate comes from, -1 for the plan as written") == 0 &&
         zz_h5w_f64(&w, "confirm_objective", 2, dcr, r->cand_y,
                    "objective per confirmation replicate (fresh seeds)") == 0 &&
         zz_h5w_f64(&w, "confirm_quantity", 3, dcrq, r->cand_q,
                    "what each confirmation replicate gives, from which every measure follows") == 0 &&
         zz_h5w_f64(&w, "difference", 1, dc, r->diff_mean, "mean paired difference candidate - plan") == 0 &&
         zz_h5w_f64(&w, "difference_lower", 1, dc, r->diff_lo, "95% t interval, lower") == 0 &&
         zz_h5w_f64(&w, "difference_upper", 1, dc, r->diff_hi, "95% t interval, upper") == 0 &&
         zz_h5w_f64(&w, "p_beats_plan", 1, dc, r->p_beats,
                    "probability the candidate's expected objective beats the plan's") == 0 &&
         zz_h5w_f64(&w, "measure_value", 2, dcm, r->m_value, "each measure on the confirmation runs") == 0 &&
         zz_h5w_f64(&w, "measure_lower", 2, dcm, r->m_lo, "95% t interval, lower") == 0 &&
         zz_h5w_f64(&w, "measure_upper", 2, dcm, r->m_hi, "95% t interval, upper") == 0 &&
         zz_h5w_f64(&w, "measure_difference", 2, dcm, r->d_value,
                    "each measure: candidate - plan, paired on the confirmation runs") == 0 &&
         zz_h5w_f64(&w, "measure_difference_lower", 2, dcm, r->d_lo, "95% t interval, lower") == 0 &&
         zz_h5w_f64(&w, "measure_difference_upper", 2, dcm, r->d_hi, "95% t interval, upper") == 0 &&
         zz_h5w_f64(&w, "front_total", 1, dl, r->level_budget, "budget of the front's level, yuan") == 0 &&
         zz_h5w_f64(&w, "front_budget", 2, dlp, lb, "the level's best mix, yuan over the run") == 0 &&
         zz_h5w_put(&w, "front_evaluation", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, dl, lrow,
                    "evaluation of the level's best mix") == 0 &&
         zz_h5w_f64(&w, "front_value", 2, dlm, r->f_value, "each measure of the level's mix, confirmation seeds") == 0 &&
         zz_h5w_f64(&w, "front_lower", 2, dlm, r->f_lo, "95% t interval, lower") == 0 &&
         zz_h5w_f64(&w, "front_upper", 2, dlm, r->f_hi, "95% t interval, upper") == 0 &&
         zz_h5w_f64(&w, "uncertain_value", 2, dpu, NP ? u->value : NULL,
                    "the robust option's design over the uncertain parameters") == 0;
    double best_conf = 0;
    for (int i = 0; i < Rc; i++)
        best_conf += r->cand_y[(size_t)r->best * Rc + i] / Rc;
    if (o->objective == ZZ_OBJ_COST)
        best_conf = r->m_value[(size_t)r->best * M + o->objective];
    char robust[32];
    if (o->robust < 0)
        snprintf(robust, sizeof robust, "mean");
    else
        snprintf(robust, sizeof robust, "%.17g", o->robust);
    ok = ok && zz_h5_attr_str(w.file, "objective_name", zz_objective_names[o->objective]) == 0 &&
         zz_h5_attr_i32(w.file, "objective_sense", zz_objective_sense(o->objective)) == 0 &&
         zz_h5_attr_str(w.file, "target", o->target) == 0 && zz_h5_attr_str(w.file, "by", o->by) == 0 &&
         zz_h5_attr_f64(w.file, "budget", o->budget) == 0 &&
         zz_h5_attr_i32(w.file, "chosen_candidate", r->best) == 0 &&
         zz_h5_attr_i32(w.file, "best_evaluation", r->cand_row[r->best]) == 0 &&
         zz_h5_attr_f64(w.file, "best_objective_confirmed", best_conf) == 0 &&
         zz_h5_attr_f64(w.file, "best_p_beats_plan", r->p_beats[r->best]) == 0 &&
         zz_h5_attr_i32(w.file, "replications", o->cal->replications) == 0 &&
         zz_h5_attr_i64(w.file, "seed", o->cal->seed) == 0 &&
         zz_h5_attr_i32(w.file, "confirm_replications", Rc) == 0 &&
         zz_h5_attr_i64(w.file, "confirm_seed", r->confirm_seed) == 0 &&
         zz_h5_attr_i32(w.file, "fiscal_years", o->fiscal_years) == 0 &&
         /* --scale: budgets and measures here are already full-region */
         zz_h5_attr_f64(w.file, "scale", o->scale > 0 ? o->scale : 1) == 0 &&
         zz_h5_attr_str(w.file, "robust", robust) == 0 &&
         zz_h5_attr_str(w.file, "local_optimiser", o->cal->local ? "NLOPT_LN_BOBYQA" : "NLOPT_LN_SBPLX") == 0 &&
         zz_h5_attr_str(w.file, "optimisation_path", o->cal->path) == 0 &&
         zz_h5_attr_str(w.file, "optimisation_source", ex->source) == 0 &&
         zz_h5_attr_str(w.file, "scenario_path", ex->sc[0]->cfg.path) == 0 &&
         zz_h5_attr_str(w.file, "program_version", ZZ_VERSION_STRING) == 0 &&
         zz_h5_attr_str(w.file, "kind", "optimisation") == 0 &&
         zz_h5_attr_i32(w.file, "complete", 1) == 0;
    if (!ok)
        zz_h5w_fail(&w, err, errlen, tmp, "cannot write the optimisation");
    for (int d = 0; d < ND; d++)
        if (zz_h5_close_written(w.dim[d]) && ok) {
            zz_h5w_fail(&w, err, errlen, tmp, "cannot write the optimisation");
            ok = 0;
        }
    if (w.file >= 0 && H5Fclose(w.file) < 0 && ok) {
        zz_h5_fail(err, errlen, tmp, "cannot close");
        ok = 0;
    }
    free(buf);
    free(ibuf);
    if (ok && (zz_h5_verify(tmp, err, errlen) || zz_outpath_commit(tmp, path, err, errlen)))
        ok = 0;
    if (!ok)
        remove(tmp);
    return ok ? ZZ_OK : ZZ_IO;
}

int zz_optimisation_mix(const zz_optimisation *o, const zz_opt_result *r, const char *path, char *err,
                        size_t errlen)
{
    const zz_experiment *ex = o->cal->ex;
    const zz_config *cfg = &ex->sc[0]->cfg;
    char out[1100], dir[1024], rdir[PATH_MAX], rscn[PATH_MAX];
    zz_source_dirname(path, dir, sizeof dir);
    snprintf(out, sizeof out, "%s/best_mix.lua", dir);
    /* include the scenario where the sandbox lets best_mix.lua reach it
     * (its directory or below); else carry its text, includes expanded
     * (opt_carry.c), so that best_mix.lua runs wherever it is written */
    const char *rel = NULL;
    if (realpath(dir, rdir) && realpath(ex->scenario_path[0], rscn) && !strncmp(rscn, rdir, strlen(rdir)) &&
        rscn[strlen(rdir)] == '/')
        rel = rscn + strlen(rdir) + 1;
    FILE *fp;
    if (zz_outpath_text_begin(out, &fp, err, errlen))
        return ZZ_IO;
    const zz_opt_row *best = &r->row[r->cand_row[r->best]];
    fprintf(fp, "-- best_mix.lua: written by `zhizao optimise %s` (%s)\n"
                "-- %s of target %s by %s; search: %d replications, seed %lld;\n"
                "-- confirmed on seed %lld, %d replications: difference to the plan %.6g "
                "[%.6g, %.6g], P(beats the plan) = %.3f\n",
            o->cal->path, path, zz_objective_names[o->objective], o->target, o->by,
            o->cal->replications, (long long)o->cal->seed, (long long)r->confirm_seed, r->Rc,
            r->diff_mean[r->best], r->diff_lo[r->best], r->diff_hi[r->best], r->p_beats[r->best]);
    if (o->unc->nfactors)
        fprintf(fp, "-- the objective was taken across %d points of a design over the uncertain "
                    "parameters; this is the scenario at its own (nominal) values\n",
                o->unc->npoints);
    if (rel)
        fprintf(fp, "include \"%s\"\n", rel);
    else {
        fprintf(fp, "-- the scenario %s as written, its includes carried:\n", cfg->path);
        if (zz_opt_carry_scenario(fp, cfg->source, cfg->path, err, errlen)) {
            zz_outpath_text_end(fp, out, 0, err, errlen); /* removes the temporary */
            return ZZ_IO;
        }
        fprintf(fp, "-- the chosen mix:\n");
    }
    fprintf(fp, "scenario { seed = %lld, replications = %d }\n", (long long)o->cal->seed,
            o->cal->replications);
    for (int i = 0; i < o->nshares; i++) {
        const zz_programme_cfg *g = &cfg->programme[o->prog[i]];
        char key[160];
        snprintf(key, sizeof key, "%s.budget", o->share[i]);
        zz_calibration_declaration(cfg, key, best->budget[i] / (g->budget_per_year ? o->fiscal_years : 1), fp);
        fprintf(fp, "   -- %.4f of the budget%s\n", best->budget[i] / o->budget,
                g->budget_per_year ? " (per fiscal year)" : "");
    }
    for (int f = 0; f < ex->nfactors; f++) {
        zz_calibration_declaration(cfg, ex->factor[f].key, best->free[f], fp);
        fputc('\n', fp);
    }
    return zz_outpath_text_end(fp, out, 1, err, errlen);
}

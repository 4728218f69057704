"""The report of a calibration file (``zhizao calibrate``; docs/calibration.md).

What a reader checks, in order: does the model fit the moments it was fitted
to (each with its interval, held-out moments marked and predicted), what the
estimates are and which of them mean anything (on a bound, not identified),
the J test, and how the objective moves along each free parameter.
"""

from __future__ import annotations

import html

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from .figures import fonts
from .optreport import _fmt  # one number format for the study pages

__all__ = ["is_calibration_file", "calibration_report"]

Z95 = 1.959963984540054


def is_calibration_file(path) -> bool:
    """A calibration file holds the optimiser's trace of moments and the
    calibration file's path."""
    import h5py
    try:
        with h5py.File(path, "r") as f:
            return "trace_moments" in f and "free" in f and "calibration_path" in f.attrs
    except OSError:
        return False


def _var(ds, name, default=np.nan):
    """A variable of the file, or `default` per entry for an older file."""
    if name in ds.variables:
        return ds[name].values
    dim = "free" if name in ("at_bound", "identified", "column_norm", "independence") else "moment"
    return np.full(ds.sizes[dim], default)


def _flag(at_bound, identified) -> str:
    if at_bound < 0:
        return '<span class="flag">at its lower bound: no standard error</span>'
    if at_bound > 0:
        return '<span class="flag">at its upper bound: no standard error</span>'
    if not identified:
        return '<span class="flag">not identified by these moments: no standard error</span>'
    return "estimated"


def _estimates(page, ds, table):
    page.add('<h2 id="estimates">Estimates</h2>')
    at, ident = _var(ds, "at_bound", 0), _var(ds, "identified", 1)
    rows = []
    for f, key in enumerate(str(k) for k in ds.free.values):
        est, se = float(ds.estimate[f]), float(ds.std_error[f])
        ok = at[f] == 0 and ident[f] == 1 and np.isfinite(se)
        interval = f"[{_fmt(est - Z95 * se)}, {_fmt(est + Z95 * se)}]" if ok else "–"
        rows.append([html.escape(key), _fmt(est), _fmt(se) if ok else "–", interval,
                     f"[{_fmt(ds.lower[f])}, {_fmt(ds.upper[f])}]", _flag(at[f], ident[f])])
    page.add(table(["free parameter", "estimate", "std. error", "95% interval", "bounds",
                    "status"], rows, css_id="estimates-table"))
    page.add('<p class="note">The interval is the estimate ± 1.96 sandwich standard errors '
             "(inflated by 1 + 1/R for the simulation). An estimate on a bound has none: the "
             "moments want a value outside the box. A parameter the fitted moments cannot pin "
             "inside its range (the identification table) has none either.</p>")
    if "column_norm" in ds.variables:
        partner = _var(ds, "collinear_with", -1)
        keys = [str(k) for k in ds.free.values]
        rows = []
        for f, key in enumerate(keys):
            verdict = ("identified" if ident[f] else
                       "no moment moves it" if ds.column_norm[f] < 1 else
                       f"collinear with {keys[int(partner[f])]}" if partner[f] >= 0 else
                       "collinear with the others")
            rows.append([html.escape(key), _fmt(ds.column_norm[f], 3),
                         _fmt(ds.independence[f], 3), html.escape(verdict)])
        rank = ds.attrs.get("jacobian_rank", "–")
        page.add(f"<p>Identification: the Jacobian of the fitted moments, in their standard "
                 f"errors across each parameter's range, has rank {rank} of "
                 f"{ds.sizes['free']}.</p>")
        page.add(table(["free parameter", "moves the moments by (se)", "independent share",
                        "verdict"], rows, css_id="identification-table"))


def _fit(page, ds, table):
    page.add('<h2 id="fit">The moments: fitted and held out</h2>')
    held = _var(ds, "holdout", 0).astype(int)
    pse = _var(ds, "prediction_se")
    kind = _var(ds, "kind", "")
    rows = []
    for k, name in enumerate(str(m) for m in ds.moment.values):
        obs, sim, se = float(ds.target[k]), float(ds.simulated[k]), float(ds.se[k])
        p = float(pse[k])
        denom = np.sqrt((se if np.isfinite(se) else 0) ** 2 + (p if np.isfinite(p) else 0) ** 2)
        t = (sim - obs) / (denom if held[k] else se)
        obs_iv = f"[{_fmt(obs - Z95 * se)}, {_fmt(obs + Z95 * se)}]" if np.isfinite(se) else "no se"
        sim_iv = f"[{_fmt(sim - Z95 * p)}, {_fmt(sim + Z95 * p)}]" if np.isfinite(p) else "–"
        role = '<span class="heldout">held out</span>' if held[k] else "fitted"
        rows.append([html.escape(name), html.escape(str(kind[k])), role, _fmt(obs), obs_iv,
                     _fmt(sim), sim_iv, f"{t:.2f}" if np.isfinite(t) else "–"])
    page.add(table(["moment", "kind", "role", "observed", "observed ± 1.96 se", "simulated",
                    "simulated ± 1.96 se", "t"], rows, css_id="fit-table"))
    page.add('<p class="note">t = (simulated − observed) / se for a fitted moment; for a held-out '
             "one the prediction's own uncertainty (the estimate's covariance and the "
             "replications' spread) is added: t = (simulated − observed) / √(se² + "
             "prediction se²). A held-out moment is simulated at the estimate and never "
             "fitted.</p>")
    with fonts():
        fig = Figure(figsize=(8, 0.45 * ds.sizes["moment"] + 1.2))
        ax = fig.subplots()
        y = np.arange(ds.sizes["moment"])[::-1]
        se = ds.se.values.astype(float)
        scale = np.where(np.isfinite(se) & (se > 0), se, np.nan)
        for h, colour, label in ((0, "#1b7837", "fitted"), (1, "#762a83", "held out")):
            m = held == h
            if not m.any():
                continue
            d = (ds.simulated.values - ds.target.values)[m]
            s = np.where(np.isfinite(scale[m]), scale[m], pse[m])
            ax.errorbar(d / s, y[m], xerr=Z95 * np.nan_to_num(pse[m] / s), fmt="o" if h == 0
                        else "D", color=colour, capsize=3, label=label)
        ax.axvline(0, color="k", lw=0.8)
        for v in (-2, 2):
            ax.axvline(v, color="#999", lw=0.8, ls="--")
        ax.set_yticks(y, [str(m) for m in ds.moment.values], fontsize=8)
        ax.set_xlabel("(simulated − observed) / observed se (a held-out one without an se: "
                      "/ prediction se)", fontsize=8)
        ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
    page.figure(fig, "fit", "Each moment's simulated value against the observed one, in the "
                "observed figure's standard errors, with the simulated value's 95% interval; "
                "dashed: two standard errors.")


def _j_test(page, ds):
    a = ds.attrs
    dof, j, p = int(a["dof"]), float(a["j_statistic"]), float(a["j_pvalue"])
    page.add('<h2 id="j-test">The J test</h2>')
    if dof <= 0:
        verdict = "as many fitted moments as free parameters: no test"
    elif p < 0.05:
        verdict = "no point in the box fits every fitted moment at once (p < 0.05)"
    else:
        verdict = "the fitted moments do not reject the model (p ≥ 0.05)"
    page.add(f'<p id="j-value">J = {j:.4g} with {dof} degrees of freedom, p = '
             f"{'–' if not np.isfinite(p) else f'{p:.3g}'}: {html.escape(verdict)}. "
             f"Weighting: {html.escape(str(a.get('weighting', '')))}.</p>")


def _profile(page, ds):
    page.add('<h2 id="profile">The objective along each free parameter</h2>')
    keys = [str(k) for k in ds.free.values]
    K = len(keys)
    with fonts():
        fig = Figure(figsize=(9, 2.8 * ((K + 2) // 3)))
        axes = np.atleast_1d(fig.subplots((K + 2) // 3, min(K, 3))).ravel()
        for f, key in enumerate(keys):
            ax = axes[f]
            if "profile_objective" in ds.variables:
                ax.plot(ds.profile_value.values[f], ds.profile_objective.values[f], "-o", ms=3)
            else:
                st = ds.stage.values
                ax.scatter(ds.trace.values[st < 2, f], ds.objective.values[st < 2], s=6,
                           color="#777")
            ax.axvline(float(ds.estimate[f]), color="k", lw=0.8, ls="--")
            ax.plot(float(ds.estimate[f]), float(ds.attrs["objective"]), "*", color="k", ms=9)
            ax.set_yscale("log")
            ax.set_xlabel(key, fontsize=8)
            ax.set_ylabel("objective Q", fontsize=8)
        for ax in axes[K:]:
            ax.set_visible(False)
        fig.tight_layout()
    if "profile_objective" in ds.variables:
        page.figure(fig, "profile", "The objective along each free parameter across its bounds, "
                    "the others at their estimates; dashed and star: the estimate and its objective.")
    else:
        page.add('<p id="no-profile" class="note">This file has no profile of the objective '
                 "(its calibration did not compute one). Shown instead: the objective at every "
                 "evaluation of the search against each parameter's value; its lower edge "
                 "approximates the profile.</p>")
        page.figure(fig, "search", "The objective at each evaluation of the start grid and the "
                    "local search against each free parameter; dashed and star: the estimate and its "
                    "objective.")


def calibration_report(page, path, table, level: float = 0.95) -> str:
    """Adds the calibration's sections to `page` (report._Page); `table` is
    report._html_table. Returns the page's title. Intervals are at 95%
    whatever `level` (the file's standard errors are normal approximations)."""
    ds = xr.open_dataset(path).load()
    a = ds.attrs
    title = f"zhizao report: calibration {a.get('calibration_path', path)}"
    page.add("<style>.flag { color: #b2182b; font-weight: bold; } "
             ".heldout { color: #762a83; font-weight: bold; }</style>")
    page.add(f"<h1>{html.escape(title)}</h1>")
    held = int(np.sum(_var(ds, "holdout", 0)))
    page.add(f"<p>From <code>{html.escape(str(path))}</code>: {ds.sizes['free']} free "
             f"parameters, {ds.sizes['moment'] - held} fitted moments and {held} held out, "
             f"{int(a['replications'])} replications per evaluation on seed {a['seed']} (common "
             f"random numbers), {ds.sizes['evaluation']} evaluations, scenario "
             f"<code>{html.escape(str(a.get('scenario_path', '')))}</code>. Intervals at 95%. "
             "How to read it: docs/calibration.md.</p>")
    _fit(page, ds, table)
    _estimates(page, ds, table)
    _j_test(page, ds)
    _profile(page, ds)
    page.add("<details><summary>Calibration file</summary>"
             f'<pre class="source">{html.escape(str(a.get("calibration_source", "")))}</pre>'
             "</details>")
    return title

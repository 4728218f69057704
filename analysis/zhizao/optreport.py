"""The report of an optimisation file (``zhizao optimise``; docs/optimise.md).

What a planner reads first: the chosen split against the plan as written,
then every measure of both on the confirmation's fresh seeds with 95%
intervals and the probability that the mix beats the plan, the candidates
the confirmation compared, the front of cost against time to target and
probability of the target (``--front``), and the search itself.
"""

from __future__ import annotations

import html

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from .figures import fonts

__all__ = ["is_optimisation_file", "optimisation_report"]

LABEL = {"p_target": "probability of the target by the deadline",
         "time_to_target": "days to the target (unreached: the run's end)",
         "target_share": "target group's share adopting at the deadline",
         "additional": "additional adopters (against the no-policy twin)",
         "cost_per_additional": "fiscal yuan per additional adopter"}


def is_optimisation_file(path) -> bool:
    import h5py
    try:
        with h5py.File(path, "r") as f:
            k = f.attrs.get("kind", b"")
            return (k.decode() if isinstance(k, bytes) else str(k)) == "optimisation"
    except OSError:
        return False


def _fmt(v, digits=4) -> str:
    v = float(v)
    if not np.isfinite(v):
        return "–"
    return f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:.{digits}g}"


def _points(ds) -> str:
    n = ds.sizes.get("point", 0)
    return f" over {n} design points" if n else ""


def _interval(v, lo, hi) -> str:
    return f"{_fmt(v)} [{_fmt(lo)}, {_fmt(hi)}]"


def p_interval(p: float, n: int) -> str:
    """A probability over n replications as "k of n: p [exact interval]":
    a t interval says "0 [0, 0]" when no replication reaches the target,
    as if that were certain; Clopper-Pearson does not."""
    from .survival import _clopper_pearson
    if not np.isfinite(p) or n < 1:
        return "–"
    k = int(round(float(p) * n))
    lo, hi = _clopper_pearson(k, n, 0.95)
    return f"{k} of {n}: {k / n:.3g} [{lo:.3g}, {hi:.3g}]"


def optimisation_report(page, path, table, level: float = 0.95) -> str:
    """Adds the optimisation's sections to `page` (report._Page); `table`
    is report._html_table. Returns the page's title."""
    ds = xr.open_dataset(path).load()
    a = ds.attrs
    best = int(a["chosen_candidate"])
    objective = str(a["objective_name"])
    progs = [str(p) for p in ds.programme.values]
    page.add(f"<h1>zhizao report: optimisation of {html.escape(objective)} "
             f"({html.escape(str(a['target']))} by {html.escape(str(a['by']))})</h1>")
    page.add(f"<p>From <code>{html.escape(str(path))}</code>: {ds.sizes['evaluation']} "
             f"evaluations of {int(a['replications'])} replications each on seed {a['seed']} "
             f"(common random numbers), robust option: {html.escape(str(a['robust']))}"
             f"{_points(ds)}; "
             f"confirmation on fresh seeds ({a['confirm_seed']}, {int(a['confirm_replications'])} "
             "replications, paired with the plan). Intervals are 95% t intervals.</p>")
    # the split
    page.add('<h2 id="best-mix">The chosen mix against the plan as written</h2>')
    B = float(a["budget"])
    plan_b, best_b = ds.candidate_budget.isel(candidate=0).values, ds.best_budget.values
    rows = [[html.escape(p), _fmt(plan_b[i] / 1e6), f"{plan_b[i] / plan_b.sum():.1%}",
             _fmt(best_b[i] / 1e6), f"{best_b[i] / B:.1%}"] for i, p in enumerate(progs)]
    rows.append(["total", _fmt(plan_b.sum() / 1e6), "100%", _fmt(best_b.sum() / 1e6), "100%"])
    for f in range(ds.sizes["free"]):
        rows.append([html.escape(str(ds.free.values[f])),
                     _fmt(ds.candidate_free.values[0, f]), "",
                     _fmt(ds.best_free.values[f]), ""])
    page.add(table(["programme", "plan, M yuan", "plan share", "chosen, M yuan", "chosen share"],
                   rows, css_id="split-table"))
    # the confirmation
    page.add('<h2 id="confirmation">How much better, and how sure</h2>')
    pb = float(ds.p_beats_plan.values[best])
    page.add(f"<p>Probability that the chosen mix's expected {html.escape(objective)} beats "
             f"the plan's: <b id=\"p-beats\">{pb:.3f}</b> (paired replications, t "
             "approximation).</p>")
    rows = []
    n_conf = int(a["confirm_replications"])
    for k in [str(m) for m in ds.measure.values]:
        mv = ds.sel(measure=k)
        if k == "p_target" and not ds.sizes.get("point", 0):
            plan_c, best_c = (p_interval(float(mv.measure_value[c]), n_conf) for c in (0, best))
        else:
            plan_c = _interval(mv.measure_value[0], mv.measure_lower[0], mv.measure_upper[0])
            best_c = _interval(mv.measure_value[best], mv.measure_lower[best],
                               mv.measure_upper[best])
        rows.append([html.escape(LABEL.get(k, k)), plan_c, best_c,
                     _interval(mv.measure_difference[best], mv.measure_difference_lower[best],
                               mv.measure_difference_upper[best])])
    page.add(table(["measure", "plan as written", "chosen mix", "chosen − plan"], rows,
                   css_id="measures-table"))
    rows = [[html.escape(str(ds.candidate.values[c])) + (" (chosen)" if c == best else ""),
             str(int(ds.candidate_evaluation.values[c])),
             _interval(ds.difference.values[c], ds.difference_lower.values[c],
                       ds.difference_upper.values[c]) if c else "–",
             f"{ds.p_beats_plan.values[c]:.3f}" if c else "–"]
            for c in range(ds.sizes["candidate"])]
    page.add(f"<p>The candidates the confirmation compared ({html.escape(objective)}, "
             "candidate − plan):</p>")
    page.add(table(["candidate", "evaluation", "difference", "P(beats the plan)"], rows,
                   css_id="candidates-table"))
    # the front
    if ds.sizes.get("level", 0):
        page.add('<h2 id="front">Trade-offs: what each budget buys</h2>')
        tot = ds.front_total.values
        rows = []
        for lv in range(len(tot)):
            fv = ds.isel(level=lv)
            rows.append([_fmt(tot[lv] / 1e6)] + [
                _interval(fv.front_value.sel(measure=k), fv.front_lower.sel(measure=k),
                          fv.front_upper.sel(measure=k))
                for k in ("p_target", "time_to_target", "cost_per_additional")])
        page.add(table(["budget, M yuan", "probability of the target", "days to the target",
                        "yuan per additional adopter"], rows, css_id="front-table"))
        with fonts():
            fig = Figure(figsize=(9, 3.6))
            axes = fig.subplots(1, 2)
            for ax, k in zip(axes, ("time_to_target", "p_target")):
                v = ds.front_value.sel(measure=k).values
                lo, hi = ds.front_lower.sel(measure=k).values, ds.front_upper.sel(measure=k).values
                ax.errorbar(tot / 1e9, v, yerr=[v - lo, hi - v], marker="o", capsize=3)
                ax.set_xlabel("budget, bn yuan")
                ax.set_ylabel(LABEL[k], fontsize=8)
            fig.tight_layout()
        page.figure(fig, "front", "The best mix at each budget level, on the confirmation "
                    "seeds: days to the target (left) and probability of the target by the "
                    "deadline (right) against the budget; bars: 95% intervals.")
    # the search
    page.add('<h2 id="search">The search</h2>')
    with fonts():
        fig = Figure(figsize=(9, 3.4))
        ax = fig.subplots()
        st, lv = ds.stage.values, ds.evaluation_level.values
        for s, name in ((0, "start grid"), (1, "local search")):
            e = np.flatnonzero((st == s) & (lv == lv.max()))
            ax.errorbar(e, ds.objective.values[e], yerr=ds.objective_se.values[e], fmt="o",
                        ms=3, label=name)
        ax.axvline(int(a["best_evaluation"]), color="k", lw=0.8, ls="--")
        ax.set_xlabel("evaluation")
        ax.set_ylabel(objective)
        ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
    page.figure(fig, "search", f"{objective} at each evaluation of the whole budget (search "
                "seeds, ± one standard error); dashed: the evaluation the chosen mix comes from.")
    page.add("<details><summary>Optimisation file</summary>"
             f'<pre class="source">{html.escape(str(a.get("optimisation_source", "")))}</pre>'
             "</details>")
    return f"zhizao report: optimisation {objective}"

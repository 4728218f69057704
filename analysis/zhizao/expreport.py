"""The report's sections for an experiment file (``zhizao explore``): the
answer across the unknowns, the points and replications pooled for the
sections a run's report has, sensitivity (Sobol, Morris or RBD-FAST as the
design allows), robustness and scenario discovery."""

from __future__ import annotations

import html

import numpy as np
import xarray as xr

from .answer import NEARLY, TOO, VERDICTS, across_unknowns, headline
from .figures import fonts, plot_robustness, plot_sensitivity
from .htmlpage import _Page, _html_table, _num, _pct
from .robust import ranking_flips, robust_ranking, scenario_discovery
from .sensitivity import sensitivity

__all__ = ["_experiment", "_headline_unknowns", "_pooled"]


def _headline_unknowns(page: _Page, exp, focus, level):
    """An experiment's answer across the unknowns: the share of points where
    each verdict holds (zhizao.across_unknowns)."""
    main = [g for g in dict.fromkeys([focus, "all_firms"])
            if g and g in set(str(t) for t in exp["target"].values)]
    try:
        au = across_unknowns(headline(exp, level=level, targets=main))
    except (ValueError, KeyError) as e:
        page.add(f'<p class="note">No headline: {html.escape(str(e))}</p>')
        return None
    page.add('<h2 id="headline">The answer, across the unknowns</h2>')
    page.add("<p>Each point of the design is one plausible setting of the uncertain "
             "parameters. Per mix and target: the share of points where each verdict holds "
             "(see a single run's headline), and the probability of meeting the deadline with "
             "and without the policy, averaged over the points.</p>")
    items = []
    for (s, g), r in au.iterrows():
        shares = "; ".join(f"{html.escape(v)} at {r[v]:.0%}" for v in VERDICTS if r[v] > 0)
        items.append(f"<li><b>{html.escape(g)}</b>, {html.escape(s)}: {shares} of "
                     f"{int(r['points'])} points; P with {_pct(r['p'])}, without "
                     f"{_pct(r['twin_p'])}; {r['additional']:+,.0f} additional adopters on "
                     "average.</li>")
    page.add('<ul class="headline">' + "".join(items) + "</ul>")
    rows = [[html.escape(g), html.escape(s)] + [_pct(r[v]) for v in VERDICTS] +
            [_pct(r["p"]), _pct(r["twin_p"]), _num(r["additional"])]
            for (s, g), r in au.iterrows()]
    page.add(_html_table(["target", "scenario"] + list(VERDICTS) +
                         ["P with (mean)", "P without (mean)", "additional adopters (mean)"],
                         rows, css_id="unknowns-table", left=2))
    return au


def _pooled(exp: xr.Dataset) -> xr.Dataset:
    """An experiment with its points and replications as one run's
    replications (every point equally likely): the sections of a run's
    report then read "across the unknowns and chance"."""
    per_point = [v for v in exp.data_vars
                 if "point" in exp[v].dims and "replicate" not in exp[v].dims]
    e = exp.drop_vars(per_point).stack(run=("point", "replicate"))
    e = e.drop_vars([c for c in ("run", "point", "replicate") if c in e.coords])
    e = e.rename(run="replicate").assign_coords(replicate=np.arange(e.sizes["run"]
                                                                    if "run" in e.sizes
                                                                    else e.sizes["replicate"]))
    # every variable back in the (.., replicate, ..) order the run's code reads
    for v in e.data_vars:
        if "replicate" in e[v].dims:
            order = [d for d in ("scenario", "replicate", "time", "target", "instrument")
                     if d in e[v].dims]
            e[v] = e[v].transpose(*order, ...)
    return e


def _policy(scen):
    for s in ("shandong_2026",) + tuple(scen):
        if s in scen and s != "baseline":
            return s
    return scen[0]


def _experiment(page: _Page, ds, colours, focus, level):
    """Sensitivity, robustness and scenario discovery of an experiment."""
    scen = [str(s) for s in ds["scenario"].values]
    policy = [s for s in scen if s != "baseline"] or scen
    page.add('<h2 id="sensitivity">Which unknowns drive the answer?</h2>')
    method = None
    jobs = [(f"years to {focus}: {s}", s) for s in policy[:2]]
    if len(policy) >= 2:
        jobs.append((f"years to {focus}: {policy[0]} minus {policy[1]}",
                     (policy[0], policy[1])))
    notes = []
    for title, sc in jobs:
        try:
            sens = sensitivity(ds, "time_to_target", method="auto", target=focus, scenario=sc,
                               level=level)
        except ValueError as e:         # a constant output, too few points, ...
            notes.append(f'<p class="note">{html.escape(title)}: {html.escape(str(e))}</p>')
            continue
        method = sens.attrs["method"]
        legend = [("first order S1 (alone)", "#1f78b4", False)]
        if "ST" in sens and np.isfinite(sens["ST"]).any():
            legend.append(("total ST (with interactions)", "#e6ab02", False))
        if method == "morris":
            legend = [("mu* (mean |elementary effect|)", "#1f78b4", False)]
        with fonts():
            fig = plot_sensitivity(sens, title=title)
            for ax in fig.axes:
                if ax.get_legend():
                    ax.get_legend().remove()
            for leg in fig.legends:
                leg.remove()
        page.figure(fig, f"sens-{title}", f"Sensitivity of {title} ({_METHOD[method]}); "
                    f"replication noise {sens.attrs['noise_share']:.0%} of the variance.",
                    legend)
    page.add(f"<p>Estimator: <b>{html.escape(_METHOD.get(method, 'none'))}</b>. "
             + _METHOD_WHY.get(method, "") + " Beside the indices, the share of the variance "
             "that is replication noise: near 1, the indices describe noise.</p>")
    for n in notes:
        page.add(n)
    page.add('<h2 id="robustness">Is the ranking robust across the unknowns?</h2>')
    rr = robust_ranking(ds, "time_to_target", target=focus)
    with fonts():
        fig = plot_robustness(rr, colours)
    page.figure(fig, "robustness", f"Probability that each mix reaches {focus} first across "
                "the experiment's points, and its regret (years behind the best mix).")
    pr = robust_ranking(ds, "p_target", target=focus)
    rows = [[html.escape(s), _pct(r["p_best"]), _num(rr.loc[s, "regret_p90"]),
             _num(rr.loc[s, "regret_max"]), _pct(r["mean"]), _pct(pr.loc[s, "regret_max"])]
            for s, r in pr.iterrows()]
    page.add(f"<p>By the probability of meeting {html.escape(focus)}'s deadline: the share "
             "of points where each mix is best (ties shared), its mean probability, and "
             "regret in years (restricted mean time) and in probability.</p>")
    page.add(_html_table(["scenario", "P(best by P(deadline))", "regret p90 (years)",
                          "regret max (years)", "mean P(by deadline)",
                          "regret max (probability)"], rows,
                         css_id="robust-table"))
    if rr.attrs.get("note"):
        page.add(f'<p class="note">{html.escape(rr.attrs["note"])}</p>')
    flips = ranking_flips(ds, "time_to_target", target=focus)
    rows = [[html.escape(r["box"]), html.escape(str(r["best"])), f"{r['share']:.0%}",
             str(r["points"])] for _, r in flips["leaves"].iterrows()]
    page.add(f"<p>Where the best mix changes (a classification tree on the design; it "
             f"classifies {flips['accuracy']:.0%} of the points right):</p>")
    page.add(_html_table(["region of the unknowns", "best mix", "share of its points",
                          "points"], rows, css_id="flips-table"))
    plan = _policy(scen)
    page.add(f'<h2 id="discovery">Where in the unknowns does {html.escape(plan)} miss '
             f'{html.escape(focus)}, or not matter?</h2>')
    try:
        box = scenario_discovery(ds, plan, target=focus)
    except ValueError:
        # it never misses: where does the baseline (nearly) get there too?
        hl = headline(ds, level=level, targets=[focus])
        v = hl.xs((plan, focus), level=("scenario", "target"))["verdict"]
        v = v.reindex([int(p) for p in ds["point"].values])
        cond = v.isin([NEARLY, TOO]).to_numpy()
        page.add(f"<p>{html.escape(plan)} misses {html.escape(focus)} at no point of the "
                 "design; instead, where does the baseline get there, or nearly, too (the "
                 "policy does not make the difference)?</p>")
        try:
            box = scenario_discovery(ds, plan, condition=cond)
        except ValueError as e:
            page.add(f'<p class="note">Scenario discovery (PRIM): {html.escape(str(e))}.</p>')
            return
        box["condition"] = f"the baseline (nearly) reaches {focus} too, against {plan}"
    rules = " and ".join(box["rules"]) or "nowhere narrower than the whole space"
    page.add(f"<p>Scenario discovery (PRIM, Friedman &amp; Fisher 1999): the region of the "
             f"uncertain parameters where {html.escape(box['condition'])}. That holds at "
             f"{box['base_density']:.0%} of the {box['points']} points; in the box "
             f"<b>{html.escape(rules)}</b> at {box['density']:.0%} of the points, and the "
             f"box holds {box['coverage']:.0%} of all the points where it holds "
             f"({box['support']:.0%} of the points).</p>")
    rows = [[html.escape(f), _num(r["lo"]), _num(r["hi"]), "yes" if r["restricted"] else ""]
            for f, r in box["box"].iterrows()]
    page.add(_html_table(["uncertain parameter", "from", "to", "restricted"], rows,
                         css_id="prim-table"))


_METHOD = {"sobol": "Sobol indices (Saltelli design)",
           "morris": "Morris elementary effects",
           "rbd_fast": "RBD-FAST first-order indices from the given sample"}
_METHOD_WHY = {
    "sobol": "S1 is the share of the output's variance a parameter explains alone, ST with "
             "its interactions; bootstrap intervals.",
    "morris": "mu* is the mean absolute change of the output over a parameter's range; a "
              "screening, not a share of variance.",
    "rbd_fast": "The design is not a Saltelli design, so total indices are not identified: "
                "S1 (the share of the output's variance a parameter explains alone) is "
                "estimated from the points as they are (SALib's RBD-FAST formula); with few "
                "points it is rough (bootstrap intervals say how rough). Run the experiment "
                "with design = \"saltelli\" for ST.",
}

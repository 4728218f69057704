"""Paired incremental comparisons against any base, for every target group.

``incremental(source, base="twin")`` answers, for each scenario and each
target group: how many more (or fewer) adopters than the base, for how
much more money, at what cost per additional adopter, with what
deadweight. Replications are paired (the same random numbers in every
scenario and in the twin), so each difference is taken replication by
replication and its interval is the t-interval of the paired differences.

* base ``"twin"`` (the default): each scenario's own no-policy twin; the
  additional adopters are the engine's firm-by-firm ``additional`` and the
  base spends nothing. Deadweight (supported adopters who adopt in the
  twin too) is known only against the twin.
* base = a scenario name (e.g. a plan that already holds contest round 1):
  additional adopters = the scenario's adopters of the group at the end
  minus the base's, per replication; money = the scenario's minus the
  base's. Deadweight against another scenario is not identified by counts
  (NaN).

Money is split into fiscal and non-fiscal (the programme field
``fiscal``; e.g. an industry fund's equity is not fiscal); the cost per
additional adopter counts fiscal money unless ``money="all"``: the ratio
of the mean incremental money to the mean additional adopters, only where
the additional adopters' interval lies above zero (else NaN, and the
verdict says why). Harm is harm: a negative number, and the verdict
"fewer adopters than the base".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dataset import TWIN, as_experiment
from .measures import money
from .stats import mean_ci

__all__ = ["incremental", "verdict", "GAIN", "HARM", "NONE"]

GAIN = "additional adopters"
HARM = "fewer adopters than the base"
NONE = "no detectable difference from the base"


def verdict(lo: float, hi: float) -> str:
    """The words for an interval of additional adopters."""
    if np.isfinite(hi) and hi < 0:
        return HARM
    if np.isfinite(lo) and lo > 0:
        return GAIN
    return NONE


def incremental(source, base: str = TWIN, level: float = 0.95,
                money_kind: str = "fiscal") -> pd.DataFrame:
    """Additional adopters, money and cost per group against `base`.

    Parameters
    ----------
    source : a run or comparison file, a {name: Dataset} dict, or a
        Dataset with a ``scenario`` dim (see :func:`zhizao.as_experiment`).
        An experiment file: select one point first (``ds.isel(point=k)``).
    base : ``"twin"`` (each scenario's no-policy twin) or a scenario name.
    money_kind : what the cost counts: "fiscal" (default) or "all".

    Returns
    -------
    DataFrame indexed by (scenario, group) -- the base itself left out
    when it is a scenario -- with columns additional, additional_lo,
    additional_hi (paired, t-interval), verdict, fiscal, nonfiscal (mean
    incremental money, yuan), cost_per_additional (yuan per additional
    adopter, counting `money_kind` money; NaN without a clear gain, or
    when the gain comes with less money than the base, which ``note``
    then says), deadweight, deadweight_share
    (against the twin only), n (paired replications). attrs: base,
    counts (what the cost counts).
    """
    from .answer import _parameters, cost_groups
    ds = as_experiment(source)
    texts = _parameters(source, ds)
    targets = [str(t) for t in ds["target"].values]
    if "point" in ds.dims:
        raise ValueError("an experiment file: choose one point (ds.isel(point=k)) or use "
                         "zhizao.robust_ranking across points")
    names = [str(s) for s in ds["scenario"].values]
    if base != TWIN and base not in names:
        raise ValueError(f"base {base!r} is neither 'twin' nor a scenario; scenarios: {names}")
    fiscal, total = money(ds, "fiscal"), money(ds, "all")
    nonfiscal = total - fiscal
    if base == TWIN:
        if "additional" not in ds.variables:
            raise ValueError("no twin in the file: run with --counterfactual (or compare), "
                             "or give base= a scenario")
        add = ds["additional"]
        d_f, d_o = fiscal, nonfiscal
    else:
        if "end_adopters" not in ds.variables:
            raise ValueError("the file lacks target_share / target_firms for a base scenario")
        add = ds["end_adopters"] - ds["end_adopters"].sel(scenario=base)
        d_f = fiscal - fiscal.sel(scenario=base)
        d_o = nonfiscal - nonfiscal.sel(scenario=base)
    rows = []
    for s in names:
        if s == base:
            continue
        f = mean_ci(d_f.sel(scenario=s).values, level)["mean"]
        o = mean_ci(d_o.sel(scenario=s).values, level)["mean"]
        for g in [str(t) for t in ds["target"].values]:
            a = np.asarray(add.sel(scenario=s, target=g).values, dtype=float)
            c = mean_ci(a, level)
            lo, hi = c["lo"], c["hi"]
            if c["n"] == 1:
                lo = hi = c["mean"]
            v = verdict(lo, hi) if c["n"] else "no twin"
            spend = f if money_kind == "fiscal" else f + o
            # more adopters for no more money: no price per adopter to quote
            cheaper = v == GAIN and spend <= 0
            # the plan's money divided by one group's gain only where every
            # programme pays firms of that group alone (zhizao.headline)
            whose = [s] if base == TWIN else [s, base]
            attributed = all(g in cost_groups(texts.get(x, ""), targets) for x in whose)
            note = "more adopters for less money than the base" if cheaper else \
                ("not attributed: the programmes also pay firms outside this group"
                 if v == GAIN and not attributed else "")
            row = {"scenario": s, "group": g, "additional": c["mean"],
                   "additional_lo": c["lo"], "additional_hi": c["hi"], "verdict": v,
                   "fiscal": f, "nonfiscal": o,
                   "cost_per_additional": spend / c["mean"]
                   if v == GAIN and not cheaper and attributed else np.nan,
                   "note": note,
                   "deadweight": np.nan, "deadweight_share": np.nan, "n": c["n"]}
            if base == TWIN and "deadweight" in ds.variables:
                dw = np.asarray(ds["deadweight"].sel(scenario=s, target=g).values, float)
                sup = np.asarray(ds["supported"].sel(scenario=s, target=g).values, float)
                row["deadweight"] = float(np.nanmean(dw)) if np.isfinite(dw).any() else np.nan
                tot = np.nansum(sup)
                row["deadweight_share"] = float(np.nansum(dw) / tot) if tot > 0 else np.nan
            rows.append(row)
    df = pd.DataFrame(rows).set_index(["scenario", "group"])
    df.attrs = {"base": "each scenario's no-policy twin" if base == TWIN else base,
                "counts": f"{money_kind} money" + ("" if money_kind == "all"
                                                   else " (money marked fiscal = false, e.g. "
                                                   "an industry fund, not counted)")}
    return df


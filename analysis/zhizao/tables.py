"""Summary tables of a run: adoption, time to target, additionality, cost.

Every function takes an xarray.Dataset as returned by :func:`zhizao.open`
(or by ``xarray.open_dataset`` directly: durations may be timedelta64 or
float days) and summarises across replicates with the t-interval of
:mod:`zhizao.stats`.

Definitions (MODEL.md, "Outputs"):

* adopters = firms in state adopted (pilot) or scaled; the adoption share of
  a group is adopters / firms summed over the group's cells (a ratio of
  sums, so large cells weigh more).
* additional adopters = policy adopters minus no-policy-twin adopters at
  the last observation, per replicate (the twin runs on the same random
  numbers, so the difference is paired).
* cost per additional adopter = money disbursed (``spent``, cumulative,
  summed over instruments) at the last observation / additional adopters,
  per replicate; undefined (NaN) in a replicate with no additional adopter.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .io import as_days, has_twin, open_all, scenario_name
from .stats import mean_ci, mean_ci_xr

__all__ = ["NoTwinError", "adoption", "target_share", "time_to_target",
           "additionality", "cost_effectiveness", "summary", "compare",
           "ALL_FIRMS", "DAYS_PER_YEAR", "DAYS_PER_MONTH"]

CELL_DIMS = ("city", "industry", "size")
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
ALL_FIRMS = "all firms"   # row label of the whole population


class NoTwinError(ValueError):
    """The file has no no-policy counterfactual (no ``cf_`` variables)."""


def _require_twin(ds: xr.Dataset, what: str) -> None:
    if not has_twin(ds):
        raise NoTwinError(
            f"{what} needs the paired no-policy counterfactual, but scenario "
            f"{scenario_name(ds, '?')!r} has no cf_ variables (cf_adopted, ...); "
            "re-run the scenario with its counterfactual twin")


def _by_list(by) -> list[str]:
    if by is None:
        return []
    out = [by] if isinstance(by, str) else list(by)
    bad = [b for b in out if b not in CELL_DIMS]
    if bad:
        raise ValueError(f"by must be among {CELL_DIMS}, got {bad}")
    return out


def _adopters(ds: xr.Dataset, prefix: str = "", gsz: bool = False):
    """(adopter counts [R,T,C,I,S], firm counts [C,I,S]), integers.

    Kept integer (counts fit int32) so that the full cell array is not
    copied to float before it is summed down.
    """
    if gsz:
        # adopted_gsz counts 规上 firms that have adopted (pilot or scaled):
        # the layout has no scaled_gsz, so it is taken as the whole count.
        return ds[prefix + "adopted_gsz"], ds["firms_gsz"]
    return ds[prefix + "adopted"] + ds[prefix + "scaled"], ds["firms"]


def _frame(s: xr.Dataset, dims: list[str], cols=("mean", "lo", "hi", "n")) -> pd.DataFrame:
    df = s[list(cols)].to_dataframe(dim_order=dims)
    return df[list(cols)]


def adoption(ds: xr.Dataset, by=None, gsz: bool = False, level: float = 0.95,
             counterfactual: bool = False) -> pd.DataFrame:
    """Adoption share over time, mean across replicates with a t-interval.

    Parameters
    ----------
    ds : Dataset of one scenario.
    by : None, "city", "industry", "size" or a list of them
        Grouping; None = the whole population.
    gsz : bool
        Only above-designated-size (规上) firms (``adopted_gsz / firms_gsz``).
    level : float
        Confidence level of the interval.
    counterfactual : bool
        Use the no-policy twin (``cf_`` variables) instead of the policy run.

    Returns
    -------
    DataFrame indexed by (*by, time) with columns mean, lo, hi (shares in
    [0, 1]) and n (replicates). Groups without firms give NaN.
    """
    by = _by_list(by)
    prefix = ""
    if counterfactual:
        _require_twin(ds, "adoption(counterfactual=True)")
        prefix = "cf_"
    num, den = _adopters(ds, prefix, gsz)
    other = [d for d in CELL_DIMS if d not in by]
    den = den.sum(other).astype(float)
    share = num.sum(other).astype(float) / den.where(den > 0)
    return _frame(mean_ci_xr(share, "replicate", level), by + ["time"])


def target_share(ds: xr.Dataset, target=None, level: float = 0.95,
                 counterfactual: bool = False) -> pd.DataFrame:
    """Adoption share of each target group over time (``target_share``).

    `target` selects one group by name (index: time); None gives all groups
    (index: target, time). Columns mean, lo, hi, n as in :func:`adoption`.
    """
    prefix = ""
    if counterfactual:
        _require_twin(ds, "target_share(counterfactual=True)")
        prefix = "cf_"
    da = ds[prefix + "target_share"]
    if target is not None:
        return _frame(mean_ci_xr(da.sel(target=target), "replicate", level), ["time"])
    return _frame(mean_ci_xr(da, "replicate", level), ["target", "time"])


def time_to_target(ds: xr.Dataset, level: float = 0.95) -> pd.DataFrame:
    """Time to reach each target, across replicates.

    Means and intervals are over the replicates that reached the target
    (a replicate that did not is censored at the horizon, shown by
    ``reached`` < 1, never averaged in as a number).

    Columns: days, days_lo, days_hi, years, years_lo, years_hi (1 year =
    365.25 days), reached (share of replicates), n_reached, and when the
    no-policy twin is present: cf_reached, cf_years (twin's mean), and
    months_gained, months_gained_lo, months_gained_hi, n_paired: the paired
    per-replicate gain (twin's time minus policy time, in months of
    365.25/12 days) over replicates where both reached the target.
    """
    tt = as_days(ds["time_to_target"])
    cf = as_days(ds["cf_time_to_target"]) if "cf_time_to_target" in ds.variables else None
    rows = {}
    for g in ds["target"].values:
        x = np.asarray(tt.sel(target=g).values, dtype=float)
        c = mean_ci(x, level)
        row = {"days": c["mean"], "days_lo": c["lo"], "days_hi": c["hi"],
               "years": c["mean"] / DAYS_PER_YEAR, "years_lo": c["lo"] / DAYS_PER_YEAR,
               "years_hi": c["hi"] / DAYS_PER_YEAR,
               "reached": float(np.isfinite(x).mean()) if x.size else np.nan,
               "n_reached": c["n"]}
        if cf is not None:
            y = np.asarray(cf.sel(target=g).values, dtype=float)
            gain = mean_ci((y - x) / DAYS_PER_MONTH, level)
            row.update({"cf_reached": float(np.isfinite(y).mean()) if y.size else np.nan,
                        "cf_years": mean_ci(y)["mean"] / DAYS_PER_YEAR,
                        "months_gained": gain["mean"], "months_gained_lo": gain["lo"],
                        "months_gained_hi": gain["hi"], "n_paired": gain["n"]})
        rows[str(g)] = row
    cols = ["days", "days_lo", "days_hi", "years", "years_lo", "years_hi", "reached",
            "n_reached"]
    if cf is not None:
        cols += ["cf_reached", "cf_years", "months_gained", "months_gained_lo",
                 "months_gained_hi", "n_paired"]
    df = pd.DataFrame.from_dict(rows, orient="index", columns=cols) if rows \
        else pd.DataFrame(columns=cols, dtype=float)
    df.index.name = "target"
    return df


def _end_adopters(ds: xr.Dataset, prefix: str) -> xr.DataArray:
    num, _ = _adopters(ds.isel(time=-1), prefix)
    return num.sum(CELL_DIMS).astype(float)


def _additional_per_replicate(ds: xr.Dataset) -> xr.DataArray:
    return _end_adopters(ds, "") - _end_adopters(ds, "cf_")


def _all_label(ds: xr.Dataset) -> str:
    # a target may itself be called "all firms"; keep the index unique
    return ALL_FIRMS if ALL_FIRMS not in set(map(str, ds["target"].values)) \
        else ALL_FIRMS + " (population)"


def additionality(ds: xr.Dataset, level: float = 0.95) -> pd.DataFrame:
    """Additional adopters caused by the policy, per target group and overall.

    Per replicate: adopters at the last observation in the policy run minus
    those in its no-policy twin; then mean and t-interval across replicates.

    Rows: each target group, then the whole population (label
    ``"all firms"``). Columns: additional, additional_lo, additional_hi
    (firms), additional_share, additional_share_lo, additional_share_hi
    (share of the group's firms, i.e. the gain in adoption share), adopters
    and cf_adopters (means), n (replicates).

    Target groups come from ``target_share`` / ``cf_target_share``; their
    counts of firms are only in the file if the writer stores the optional
    ``target_firms`` [target] variable, otherwise the target rows give the
    shares and NaN counts.

    Raises :class:`NoTwinError` when the file has no ``cf_`` variables.
    """
    _require_twin(ds, "additionality")
    rows = {}
    if "target_share" in ds.variables and "cf_target_share" in ds.variables:
        pol = ds["target_share"].isel(time=-1).astype(float)
        twin = ds["cf_target_share"].isel(time=-1).astype(float)
        firms = ds["target_firms"].astype(float) if "target_firms" in ds.variables else None
        for g in ds["target"].values:
            d = (pol - twin).sel(target=g).values
            s = mean_ci(d, level)
            row = {"additional_share": s["mean"], "additional_share_lo": s["lo"],
                   "additional_share_hi": s["hi"], "n": s["n"]}
            if firms is not None:
                n_g = float(firms.sel(target=g))
                # shares are adopters / firms: recover whole counts exactly
                a = np.rint(pol.sel(target=g).values * n_g)
                b = np.rint(twin.sel(target=g).values * n_g)
                c = mean_ci(a - b, level)
                row.update({"additional": c["mean"], "additional_lo": c["lo"],
                            "additional_hi": c["hi"], "adopters": float(np.mean(a)),
                            "cf_adopters": float(np.mean(b))})
            else:
                row.update({k: np.nan for k in ("additional", "additional_lo", "additional_hi",
                                                "adopters", "cf_adopters")})
            rows[str(g)] = row
    pol = _end_adopters(ds, "").values
    twin = _end_adopters(ds, "cf_").values
    total = float(ds["firms"].sum())
    c = mean_ci(pol - twin, level)
    s = mean_ci((pol - twin) / total, level) if total > 0 else mean_ci([], level)
    rows[_all_label(ds)] = {"additional": c["mean"], "additional_lo": c["lo"],
                            "additional_hi": c["hi"], "additional_share": s["mean"],
                            "additional_share_lo": s["lo"], "additional_share_hi": s["hi"],
                            "adopters": float(np.mean(pol)), "cf_adopters": float(np.mean(twin)),
                            "n": c["n"]}
    cols = ["additional", "additional_lo", "additional_hi", "additional_share",
            "additional_share_lo", "additional_share_hi", "adopters", "cf_adopters", "n"]
    df = pd.DataFrame.from_dict(rows, orient="index")[cols]
    df.index.name = "group"
    return df


def cost_effectiveness(ds: xr.Dataset, level: float = 0.95,
                       per_replicate: bool = False) -> pd.DataFrame:
    """Money disbursed per additional adopter (yuan), across replicates.

    Per replicate: ``spent`` at the last observation summed over
    instruments, divided by that replicate's additional adopters (see
    :func:`additionality`); NaN where there is no additional adopter.

    Returns one row (``"all firms"``) with columns mean, lo, hi (yuan per
    additional adopter), n (replicates with a defined ratio), spent and
    additional (means). With ``per_replicate=True``, one row per replicate
    with columns spent, additional, yuan_per_additional.

    Raises :class:`NoTwinError` when the file has no ``cf_`` variables.
    """
    _require_twin(ds, "cost_effectiveness")
    spent = ds["spent"].isel(time=-1).astype(float).sum("instrument")
    add = _additional_per_replicate(ds)
    ratio = spent / add.where(add > 0)
    if per_replicate:
        df = pd.DataFrame({"spent": spent.values, "additional": add.values,
                           "yuan_per_additional": ratio.values},
                          index=pd.Index(ds["replicate"].values, name="replicate"))
        return df
    c = mean_ci(ratio.values, level)
    df = pd.DataFrame({"mean": [c["mean"]], "lo": [c["lo"]], "hi": [c["hi"]], "n": [c["n"]],
                       "spent": [float(spent.mean())], "additional": [float(add.mean())]},
                      index=pd.Index([ALL_FIRMS], name="group"))
    return df


COST_MEASURE = "yuan per additional adopter"


def _time_measure(target: str) -> str:
    return f"years to {target}"


def summary(ds: xr.Dataset, level: float = 0.95) -> pd.DataFrame:
    """One scenario's headline numbers in long form (the rows of :func:`compare`).

    Columns: measure ("years to <target>" for each target, then "yuan per
    additional adopter" when the twin is present), mean, lo, hi, reached
    (share of replicates reaching the target; NaN for the cost row), n.
    """
    rows = []
    tt = time_to_target(ds, level)
    for g, r in tt.iterrows():
        rows.append({"measure": _time_measure(g), "mean": r["years"], "lo": r["years_lo"],
                     "hi": r["years_hi"], "reached": r["reached"], "n": r["n_reached"]})
    if has_twin(ds):
        c = cost_effectiveness(ds, level).iloc[0]
        rows.append({"measure": COST_MEASURE, "mean": c["mean"], "lo": c["lo"],
                     "hi": c["hi"], "reached": np.nan, "n": c["n"]})
    df = pd.DataFrame(rows, columns=["measure", "mean", "lo", "hi", "reached", "n"])
    return df.astype({"n": int})


def compare(source, level: float = 0.95) -> pd.DataFrame:
    """Rank the scenarios of a comparison file (or of a {name: Dataset} dict).

    For each measure, scenarios are ranked best first:

    * "years to <target>": higher share of replicates reaching the target
      first, then shorter mean time (a scenario that reaches the target in
      every replicate beats one that sometimes does not, however fast);
    * "yuan per additional adopter": lower mean first; scenarios without a
      twin or without additional adopters (NaN) last.

    Every scenario appears under every measure (NaN mean, reached 0 where
    it lacks that target; NaN cost where it has no twin).

    Returns a DataFrame indexed by (measure, rank) with columns scenario,
    mean, lo, hi, reached, n; measures in the order of the file's targets,
    then cost.
    """
    data = source if isinstance(source, dict) else open_all(Path(source))
    parts = []
    for name, ds in data.items():
        s = summary(ds, level)
        s.insert(1, "scenario", name)
        parts.append(s)
    if not parts:
        raise ValueError("nothing to compare: no scenarios")
    df = pd.concat(parts, ignore_index=True)
    order = list(dict.fromkeys(m for m in df["measure"] if m != COST_MEASURE))
    if COST_MEASURE in set(df["measure"]):
        order.append(COST_MEASURE)
    # every scenario under every measure (NaN where it has no such target or
    # no twin), so that a missing number shows as last rather than absent
    full = pd.MultiIndex.from_product([order, list(data)], names=["measure", "scenario"])
    df = df.set_index(["measure", "scenario"]).reindex(full).reset_index()
    df["n"] = df["n"].fillna(0).astype(int)
    is_time = df["measure"] != COST_MEASURE
    df.loc[is_time, "reached"] = df.loc[is_time, "reached"].fillna(0.0)
    df["measure"] = pd.Categorical(df["measure"], categories=order, ordered=True)
    # sort keys: NaN means sort last; reached counts only for time measures
    df["_k1"] = -df["reached"].fillna(0.0)
    df["_k2"] = df["mean"].fillna(np.inf)
    df = df.sort_values(["measure", "_k1", "_k2"], kind="mergesort")
    df["rank"] = df.groupby("measure", observed=True).cumcount() + 1
    df = df.drop(columns=["_k1", "_k2"]).set_index(["measure", "rank"])
    return df[["scenario", "mean", "lo", "hi", "reached", "n"]]

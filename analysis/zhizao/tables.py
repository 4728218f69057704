"""Summary tables of a run: adoption, time to target, additionality, cost.

Every function takes an xarray.Dataset as returned by :func:`zhizao.open`
(or by ``xarray.open_dataset`` directly: durations may be timedelta64 or
float days) and summarises across replicates with the t-interval of
:mod:`zhizao.stats`.

Definitions (docs/model.md, "Outputs"; sim/accounting.c):

* adopters = firms that have adopted, as a pilot or scaled up: the file's
  ``adopted`` count (the engine writes adopted = pilot + scaled, and
  ``scaled`` is the subset that scaled up). The adoption share of a group
  is adopters / firms summed over the group's cells (a ratio of sums).
* additional adopters of a target group = adopters at the end in the
  policy run minus in its no-policy twin on the same random numbers: the
  engine's ``additional`` [replicate, target] (exact counts, firm by firm),
  out of ``target_firms``. Files without the engine's accounting fall back
  to the cell counts (all firms) and the target shares.
* supported = adopters during the run that received any support;
  deadweight = supported adopters that adopt in the twin too (the engine's
  ``supported`` and ``deadweight``); deadweight share = deadweight /
  supported; supported_additional = supported - deadweight (the adopters
  the money itself made); spillover = additional - supported_additional
  (peers, prices, crowding: may be negative).
* cost per additional adopter = mean fiscal money by the end / mean
  additional adopters of all firms (target ``all_firms``) over the paired
  replications (a ratio of means; see :func:`cost_effectiveness`), money
  being what was disbursed plus a guarantee's cover still reserved for
  open loans (io.outlay): the one definition zhizao uses everywhere; NaN
  without additional
  adopters (so a no-policy baseline has none).
* months gained = (twin's time to target - policy's) / 30.4375 days, per
  replicate; see :func:`time_to_target` for the replicates where a run
  never reaches the target.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .io import as_days, has_accounting, has_twin, open_all, outlay, scenario_name
from .stats import mean_ci, mean_ci_xr
from .survival import quantiles

__all__ = ["NoTwinError", "adoption", "target_share", "time_to_target",
           "additionality", "cost_effectiveness", "accounting", "summary", "compare",
           "ALL_FIRMS", "DAYS_PER_YEAR", "DAYS_PER_MONTH"]

CELL_DIMS = ("city", "industry", "size")
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12     # 30.4375
ALL_FIRMS = "all_firms"   # the engine's whole-population target (and our row label)


class NoTwinError(ValueError):
    """The file has no no-policy counterfactual (no ``cf_`` variables)."""


def _require_twin(ds: xr.Dataset, what: str, accounting_ok: bool = False) -> None:
    if not has_twin(ds) and not (accounting_ok and has_accounting(ds)):
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

    ``adopted`` already counts scaled firms (sim.c: adopted = pilot +
    scaled), so it is the whole count; likewise ``adopted_gsz``. Kept
    integer so that the full cell array is not copied to float before it
    is summed down.
    """
    if gsz:
        return ds[prefix + "adopted_gsz"], ds["firms_gsz"]
    return ds[prefix + "adopted"], ds["firms"]


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
    [0, 1]) and n (replicates). Adopters are the file's ``adopted`` (pilot
    or scaled). Groups without firms give NaN.
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


def _horizon_days(ds: xr.Dataset) -> float:
    """Days from the start to the last observation (the end of the run)."""
    t = ds["time"].values
    if t.size == 0:
        return np.nan
    if np.issubdtype(t.dtype, np.datetime64):
        return float((t[-1] - t[0]) / np.timedelta64(1, "D"))
    return float(t[-1] - t[0])


def time_to_target(ds: xr.Dataset, level: float = 0.95) -> pd.DataFrame:
    """Time to reach each target, across replicates.

    Means and intervals are over the replicates that reached the target
    (a replicate that did not is censored at the horizon, shown by
    ``reached`` < 1, never averaged in as a number).

    Columns: days, days_lo, days_hi, years, years_lo, years_hi (1 year =
    365.25 days; the t-interval cut to [0, horizon]: a time cannot lie
    outside the run), reached (share of replicates), n_reached;
    median_days, median_days_lo, median_days_hi: the Kaplan-Meier median
    across *all* replicates (unreached ones censored at the horizon) and
    its interval, NaN where the run does not identify it (see
    :mod:`zhizao.survival`); and when the no-policy twin is present
    (``cf_time_to_target``):

    * cf_reached, cf_years: the twin's share reaching it and mean years;
    * months_gained, months_gained_lo, months_gained_hi, n_paired: the
      paired per-replicate gain (twin's time minus the policy's, in months
      of 30.4375 days) over the replicates where **both** reached the
      target: exact differences, NaN when there is none;
    * months_gained_min, n_censored: the gain where the twin never reaches
      the target within the horizon is not known, only that it is at least
      (horizon - policy's time). ``months_gained_min`` is the mean over the
      replicates where the policy reached the target, with the twin's
      missing time replaced by the horizon: a **lower bound** on the mean
      gain there. ``n_censored`` counts the replicates so bounded; when it
      is 0, months_gained_min equals months_gained. Replicates where the
      policy does not reach the target carry no gain (NaN) in either.
    """
    tt = as_days(ds["time_to_target"])
    cf = as_days(ds["cf_time_to_target"]) if "cf_time_to_target" in ds.variables else None
    horizon = _horizon_days(ds)
    rows = {}
    for g in ds["target"].values:
        x = np.asarray(tt.sel(target=g).values, dtype=float)
        c = mean_ci(x, level)
        # a time lies in [0, horizon]: so does its interval
        c["lo"], c["hi"] = (np.clip(c["lo"], 0, horizon) if np.isfinite(c["lo"]) else c["lo"],
                            np.clip(c["hi"], 0, horizon) if np.isfinite(c["hi"]) else c["hi"])
        med = quantiles(x, horizon, q=(0.5,), level=level).loc[0.5]
        row = {"days": c["mean"], "days_lo": c["lo"], "days_hi": c["hi"],
               "years": c["mean"] / DAYS_PER_YEAR, "years_lo": c["lo"] / DAYS_PER_YEAR,
               "years_hi": c["hi"] / DAYS_PER_YEAR,
               "reached": float(np.isfinite(x).mean()) if x.size else np.nan,
               "n_reached": c["n"], "median_days": med["days"],
               "median_days_lo": med["lo"], "median_days_hi": med["hi"]}
        if cf is not None:
            y = np.asarray(cf.sel(target=g).values, dtype=float)
            gain = mean_ci((y - x) / DAYS_PER_MONTH, level)
            censored = np.isfinite(x) & ~np.isfinite(y)
            y_min = np.where(censored, horizon, y)
            bound = mean_ci(np.where(np.isfinite(x), (y_min - x) / DAYS_PER_MONTH, np.nan),
                            level)
            row.update({"cf_reached": float(np.isfinite(y).mean()) if y.size else np.nan,
                        "cf_years": mean_ci(y)["mean"] / DAYS_PER_YEAR,
                        "months_gained": gain["mean"], "months_gained_lo": gain["lo"],
                        "months_gained_hi": gain["hi"], "n_paired": gain["n"],
                        "months_gained_min": bound["mean"],
                        "n_censored": int(censored.sum())})
        rows[str(g)] = row
    cols = ["days", "days_lo", "days_hi", "years", "years_lo", "years_hi", "reached",
            "n_reached", "median_days", "median_days_lo", "median_days_hi"]
    if cf is not None:
        cols += ["cf_reached", "cf_years", "months_gained", "months_gained_lo",
                 "months_gained_hi", "n_paired", "months_gained_min", "n_censored"]
    df = pd.DataFrame.from_dict(rows, orient="index", columns=cols) if rows \
        else pd.DataFrame(columns=cols, dtype=float)
    df.index.name = "target"
    return df


def _end_adopters(ds: xr.Dataset, prefix: str) -> xr.DataArray:
    num, _ = _adopters(ds.isel(time=-1), prefix)
    return num.sum(CELL_DIMS).astype(float)


def _target_index(ds: xr.Dataset, name: str):
    names = [str(t) for t in ds["target"].values] if "target" in ds.coords else []
    return names.index(name) if name in names else None


def _additional_all(ds: xr.Dataset) -> xr.DataArray:
    """Additional adopters of all firms per replicate (float).

    The engine's ``additional`` of target ``all_firms`` when present, else
    policy minus twin adopters at the end from the cell counts (the two are
    equal: tests/python/test_analysis_real.py).
    """
    g = _target_index(ds, ALL_FIRMS)
    if has_accounting(ds) and g is not None:
        return ds["additional"].isel(target=g).astype(float).drop_vars("target",
                                                                       errors="ignore")
    return _end_adopters(ds, "") - _end_adopters(ds, "cf_")


_ADD_COLS = ["additional", "additional_lo", "additional_hi", "additional_share",
             "additional_share_lo", "additional_share_hi", "adopters", "cf_adopters",
             "supported", "deadweight", "deadweight_share", "deadweight_share_lo",
             "deadweight_share_hi", "supported_additional", "spillover",
             "deadweight_lag_days", "target_firms", "n"]


def _ci_cols(prefix: str, c: dict) -> dict:
    return {prefix: c["mean"], prefix + "_lo": c["lo"], prefix + "_hi": c["hi"]}


def _accounting_row(add, firms, pol_share, cf_share, sup, dead, lag, level) -> dict:
    """One row of :func:`additionality` from per-replicate arrays."""
    add = np.asarray(add, float)
    firms = np.asarray(firms, float)
    c = mean_ci(add, level)
    row = _ci_cols("additional", c)
    row.update(_ci_cols("additional_share",
                        mean_ci(add / np.where(firms > 0, firms, np.nan), level)))
    if pol_share is not None:
        row["adopters"] = float(np.mean(np.rint(np.asarray(pol_share, float) * firms)))
        row["cf_adopters"] = float(np.mean(np.rint(np.asarray(cf_share, float) * firms)))
    if sup is not None:
        sup, dead = np.asarray(sup, float), np.asarray(dead, float)
        row["supported"] = float(np.mean(sup))
        row["deadweight"] = float(np.mean(dead))
        row.update(_ci_cols("deadweight_share",
                            mean_ci(dead / np.where(sup > 0, sup, np.nan), level)))
        row["supported_additional"] = float(np.mean(sup - dead))
        row["spillover"] = float(np.mean(add - (sup - dead)))
        lag = np.asarray(lag, float) if lag is not None else np.array([])
        row["deadweight_lag_days"] = float(np.nanmean(lag)) if np.isfinite(lag).any() \
            else np.nan
    row["target_firms"] = float(np.mean(firms))
    row["n"] = c["n"]
    return row


def additionality(ds: xr.Dataset, level: float = 0.95) -> pd.DataFrame:
    """Additional adopters caused by the policy, per target group, and deadweight.

    Uses the engine's paired accounting when the file has it (``additional``,
    ``supported``, ``deadweight``, ``target_firms``, ``deadweight_lag``
    [replicate, target]: exact counts, firm by firm against the no-policy
    twin on the same random numbers). Otherwise (older or hand-made files
    with only ``cf_`` variables) additional adopters come from the target
    shares (counts only if ``target_firms`` is present) and, for all firms,
    from the cell counts; supported and deadweight columns are then NaN.

    Rows: each target group in the file's order; a row ``all_firms`` (the
    whole population, from the cell counts) is appended when no target of
    that name exists. Columns, per replicate then mean and t-interval
    across replicates (``_lo``, ``_hi``) or mean alone:

    * additional (firms), additional_share (additional / target_firms: the
      gain in the group's adoption share);
    * adopters, cf_adopters: the group's adopters at the end, policy run
      and twin (means);
    * supported, deadweight (means); deadweight_share = deadweight /
      supported per replicate (NaN where nothing was supported), with its
      interval; supported_additional = supported - deadweight;
      spillover = additional - supported_additional (means);
    * deadweight_lag_days: mean over replicates of the engine's mean days
      by which deadweight firms' twin adoption lags the supported one
      (negative: the twin adopts sooner, e.g. a firm waiting for support);
    * target_firms (mean), n (replicates).

    Raises :class:`NoTwinError` when the file has neither.
    """
    _require_twin(ds, "additionality", accounting_ok=True)
    rows = {}
    names = [str(g) for g in ds["target"].values] if "target" in ds.coords else []
    shares = "target_share" in ds.variables and "cf_target_share" in ds.variables
    pol = ds["target_share"].isel(time=-1) if shares else None
    twin = ds["cf_target_share"].isel(time=-1) if shares else None
    if has_accounting(ds):
        for k, g in enumerate(names):
            sel = {"target": k}
            rows[g] = _accounting_row(
                ds["additional"].isel(sel).values, ds["target_firms"].isel(sel).values,
                pol.isel(sel).values if shares else None,
                twin.isel(sel).values if shares else None,
                ds["supported"].isel(sel).values, ds["deadweight"].isel(sel).values,
                ds["deadweight_lag"].isel(sel).values if "deadweight_lag" in ds.variables
                else None, level)
    elif shares:
        firms = ds["target_firms"] if "target_firms" in ds.variables else None
        for k, g in enumerate(names):
            a, b = pol.isel(target=k).values, twin.isel(target=k).values
            if firms is not None:
                n_g = np.broadcast_to(np.asarray(firms.isel(target=k).values, float), a.shape)
                add = np.rint(a * n_g) - np.rint(b * n_g)   # shares are counts / firms
                rows[g] = _accounting_row(add, n_g, a, b, None, None, None, level)
            else:
                c = mean_ci(a - b, level)
                rows[g] = {**_ci_cols("additional_share", c), "n": c["n"]}
    if ALL_FIRMS not in rows:
        pol_n, twin_n = _end_adopters(ds, "").values, _end_adopters(ds, "cf_").values
        total = float(ds["firms"].sum())
        row = _accounting_row(pol_n - twin_n, np.full(pol_n.shape, total), None, None,
                              None, None, None, level)
        row.update({"adopters": float(np.mean(pol_n)), "cf_adopters": float(np.mean(twin_n))})
        rows[ALL_FIRMS] = row
    df = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=_ADD_COLS)
    df.index.name = "group"
    return df


def cost_effectiveness(ds: xr.Dataset, level: float = 0.95,
                       per_replicate: bool = False) -> pd.DataFrame:
    """Fiscal money per additional adopter of all firms (yuan): **the** cost
    per additional adopter zhizao quotes everywhere (the run's summary,
    ``zhizao compare``, the report, :func:`zhizao.headline`).

    Definition: mean fiscal money disbursed by the end (``spent`` at the
    last observation times the programme's ``fiscal`` flag, summed over
    instruments) divided by the mean additional adopters of all firms (the
    engine's ``additional`` for target ``all_firms``, else from the cell
    counts, see :func:`additionality`), over the paired replications: a
    ratio of means, defined even when single replications gain none, with
    a delta-method t-interval. Money marked ``fiscal = false`` (e.g. an
    industry fund's equity) is not counted. NaN (not 0) without additional
    adopters, so a no-policy baseline gets NaN.

    Returns one row (``"all_firms"``) with columns mean, lo, hi (yuan per
    additional adopter), n (replications; 0 where it is undefined), fiscal, spent (all money) and
    additional (means), ratio_of_means (= mean), mean_of_ratios (the mean
    of the per-replication ratios, for comparison only), and, with the
    engine's accounting, per_supported_additional (mean fiscal money over
    mean (supported - deadweight) of all firms: per adopter the support
    itself made, ignoring spill-overs). With ``per_replicate=True``, one
    row per replicate with columns spent, fiscal, additional,
    yuan_per_additional (fiscal / additional).

    Raises :class:`NoTwinError` when the file has no twin.
    """
    from .answer import ratio_of_means
    _require_twin(ds, "cost_effectiveness", accounting_ok=True)
    if ds.sizes.get("instrument", 0):
        last = outlay(ds)  # per instrument, with guarantees' open cover (io.outlay)
        spent = last.sum("instrument")
        w = ds["fiscal"].astype(float) if "fiscal" in ds.variables else 1.0
        fiscal = (last * w).sum("instrument")
    else:
        spent = xr.zeros_like(ds["events"], dtype=float)
        fiscal = spent
    add = _additional_all(ds)
    ratio = fiscal / add.where(add > 0)
    if per_replicate:
        return pd.DataFrame({"spent": spent.values, "fiscal": fiscal.values,
                             "additional": add.values, "yuan_per_additional": ratio.values},
                            index=pd.Index(ds["replicate"].values, name="replicate"))
    f, a = np.asarray(fiscal.values, float), np.asarray(add.values, float)
    mean_add = float(a.mean()) if a.size else np.nan
    r, lo, hi = ratio_of_means(f, a, level) if mean_add > 0 else (np.nan,) * 3
    row = {"mean": r, "lo": lo, "hi": hi, "n": int(a.size) if np.isfinite(r) else 0,
           "fiscal": float(f.mean()) if f.size else np.nan,
           "spent": float(spent.mean()) if spent.size else np.nan, "additional": mean_add,
           "ratio_of_means": r, "mean_of_ratios": mean_ci(ratio.values, level)["mean"]}
    g = _target_index(ds, ALL_FIRMS)
    if has_accounting(ds) and g is not None:
        own = (ds["supported"] - ds["deadweight"]).isel(target=g).astype(float).values
        row["per_supported_additional"] = float(f.mean() / own.mean()) \
            if own.size and own.mean() > 0 else np.nan
    else:
        row["per_supported_additional"] = np.nan
    return pd.DataFrame([row], index=pd.Index([ALL_FIRMS], name="group"))


def accounting(source, target: str = ALL_FIRMS, level: float = 0.95) -> pd.DataFrame:
    """What each scenario bought: one row per scenario of a comparison.

    `source` is a comparison file, a {name: Dataset} dict or one Dataset.
    Columns for the target group `target` (default all firms): additional,
    additional_lo, additional_hi, supported, deadweight, deadweight_share,
    deadweight_share_lo, deadweight_share_hi, supported_additional,
    spillover (see :func:`additionality`); spent (mean yuan at the end) and
    yuan_per_additional, _lo, _hi, n_cost (see :func:`cost_effectiveness`;
    for all firms only). A scenario without a twin gets NaN.
    """
    data = _as_data(source)
    rows = {}
    for name, ds in data.items():
        row = {}
        if has_twin(ds) or has_accounting(ds):
            a = additionality(ds, level)
            if target in a.index:
                row.update(a.loc[target].to_dict())
            c = cost_effectiveness(ds, level).iloc[0]
            row.update({"spent": c["spent"], "yuan_per_additional": c["mean"],
                        "yuan_per_additional_lo": c["lo"], "yuan_per_additional_hi": c["hi"],
                        "n_cost": c["n"]})
        rows[name] = row
    cols = ["additional", "additional_lo", "additional_hi", "supported", "deadweight",
            "deadweight_share", "deadweight_share_lo", "deadweight_share_hi",
            "supported_additional", "spillover", "spent", "yuan_per_additional",
            "yuan_per_additional_lo", "yuan_per_additional_hi", "n_cost"]
    df = pd.DataFrame.from_dict(rows, orient="index").reindex(index=list(data), columns=cols)
    df.index.name = "scenario"
    return df


def _as_data(source) -> dict:
    if isinstance(source, xr.Dataset):
        return {scenario_name(source): source}
    if isinstance(source, dict):
        return source
    return open_all(Path(source))


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
    if has_twin(ds) or has_accounting(ds):
        c = cost_effectiveness(ds, level).iloc[0]
        rows.append({"measure": COST_MEASURE, "mean": c["mean"], "lo": c["lo"],
                     "hi": c["hi"], "reached": np.nan, "n": c["n"]})
    df = pd.DataFrame(rows, columns=["measure", "mean", "lo", "hi", "reached", "n"])
    return df.astype({"n": int})


def compare(source, level: float = 0.95) -> pd.DataFrame:
    """Rank the scenarios of a comparison file (or of a {name: Dataset} dict).

    The same ranking ``zhizao compare`` prints (sim/ensemble_rank.c), as a
    table; unlike the printed one, a scenario lacking a target is listed
    under it too, last.

    For each measure, scenarios are ranked best first:

    * "years to <target>": higher share of replicates reaching the target
      first, then shorter mean time (a scenario that reaches the target in
      every replicate beats one that sometimes does not, however fast);
    * "yuan per additional adopter" (fiscal money, ratio of means, see
      :func:`cost_effectiveness`): lower first; scenarios without a twin
      or without additional adopters (NaN) last.

    Every scenario appears under every measure (NaN mean, reached 0 where
    it lacks that target; NaN cost where it has no twin).

    Returns a DataFrame indexed by (measure, rank) with columns scenario,
    mean, lo, hi, reached, n and tie_rank (the rank shared by ties, as
    ``zhizao compare`` prints it); measures in the order of the file's
    targets, then cost.
    """
    data = _as_data(source)
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
    # ties share a rank, as zhizao compare prints it (two scenarios that
    # never reach a target are not 1st and 2nd); the index stays unique
    df["pos"] = df.groupby("measure", observed=True).cumcount() + 1
    key = list(zip(df["_k1"], df["_k2"]))
    same = [i > 0 and key[i] == key[i - 1] and df["measure"].iloc[i] == df["measure"].iloc[i - 1]
            for i in range(len(df))]
    rank = []
    for i, pos in enumerate(df["pos"]):
        rank.append(rank[-1] if same[i] else pos)
    df["tie_rank"] = rank
    df = df.drop(columns=["_k1", "_k2"]).rename(columns={"pos": "rank"})
    df = df.set_index(["measure", "rank"])
    return df[["scenario", "mean", "lo", "hi", "reached", "n", "tie_rank"]]

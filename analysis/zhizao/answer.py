"""The planner's answer, computed once: the policy's effect per target.

``zhizao.headline(ds)`` gives, for every scenario and target group, the
numbers every summary opens with (``zhizao run``'s summary prints the same
ones, computed in C by sim/headline.c; tests/python/test_headline.py
checks that they agree on the same file):

* ``p``, ``p_lo``, ``p_hi`` (``k`` of ``n``): the probability of reaching
  the target by its deadline (``target { by = ... }``, a pioneer's
  ``within_days``; the horizon where none is set) *with* the policy, and
  ``twin_p``, ``twin_lo``, ``twin_hi`` (``twin_k``) *without* it (the
  no-policy twin on the same random numbers); exact (Clopper-Pearson)
  intervals.
* ``days``, ``days_lo``, ``days_hi``: when the target is reached, in days
  from the start (``date``, ``date_lo``, ``date_hi`` as calendar dates):
  the mean over replications with a t-interval cut to [0, horizon]. Where
  some replications never reach it the mean is the *restricted mean*
  (those counted at the horizon, ``restricted`` True): a lower bound on
  the mean date, said so. ``twin_days`` likewise for the twin.
* ``years_gained`` (``_lo``, ``_hi``): the paired difference twin minus
  policy of those restricted times, in years; ``gained_at_least`` True
  when the twin does not reach the target in some replication (the gain
  is then a lower bound).
* ``share``, ``twin_share`` (the group's mean adoption share at the
  observation nearest the deadline) and ``points_gained`` (``_lo``,
  ``_hi``): their paired difference in percentage points.
* ``additional`` (``_lo``, ``_hi``): additional adopters of the group at
  the end (the engine's firm-by-firm count against the twin).
* ``fiscal``, ``total``: mean money the whole plan disbursed (yuan;
  ``total`` includes money marked ``fiscal = false``).
* ``cost_per_additional`` (``cost_lo``, ``cost_hi``): **the** cost per
  additional adopter, the one figure zhizao quotes everywhere: mean fiscal
  money / mean additional adopters over the paired replications (a ratio
  of means; interval by the delta method). Quoted only for a group the
  money can be attributed to -- the whole population, or a group that
  holds every firm any enabled programme may pay (the scenario's filters) --
  and only where the additional adopters' interval lies above zero;
  otherwise NaN and ``cost_note`` says why.
* ``verdict``: "the policy makes the difference" (reached with the policy,
  p >= 0.5, and not nearly without it), "the baseline nearly gets there
  too" (the twin misses, p < 0.5, but ends within a tenth of the target
  level at the deadline: e.g. 45% or more of a 50% target), "the baseline
  gets there too" (twin p >= 0.5), "missed" (p < 0.5 with the policy).

For an experiment file (``point`` dim) the same numbers are computed at
every point and :func:`across_unknowns` summarises them: the share of
points with each verdict and the mean probabilities with and without.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from .dataset import as_experiment
from .measures import done_mask, money
from .stats import t_quantile
from .survival import DAYS_PER_YEAR, _clopper_pearson, horizon_days

__all__ = ["headline", "across_unknowns", "VERDICTS", "MAKES", "NEARLY", "TOO", "MISSED",
           "NEAR_SHARE", "cost_groups"]

MAKES = "the policy makes the difference"
NEARLY = "the baseline nearly gets there too"
TOO = "the baseline gets there too"
MISSED = "missed"
VERDICTS = (MAKES, NEARLY, TOO, MISSED)
NEAR_SHARE = 0.9      # the twin "nearly" gets there: at least 90% of the target level
ALL_FIRMS = "all_firms"


def verdict(p: float, twin_p: float, twin_share: float, level: float) -> str:
    """The plain words for one target (see the module doc)."""
    if not np.isfinite(p) or p < 0.5:
        return MISSED
    if np.isfinite(twin_p) and twin_p >= 0.5:
        return TOO
    if np.isfinite(twin_share) and np.isfinite(level) and twin_share >= NEAR_SHARE * level:
        return NEARLY
    return MAKES


def _params(text: str) -> dict:
    out = {}
    for line in str(text).splitlines():
        k, sep, v = line.partition(" = ")
        if sep:
            out[k.strip()] = v.strip()
    return out


def _set(v):
    return None if v in (None, "", "all") else {x.strip() for x in v.split(",")}


def _within(prog: dict, tgt: dict) -> bool:
    """Every firm the programme may pay is in the target group (the engine's
    filters: sets of cities, industries, sizes; "all" = no limit)."""
    for pk, tk in (("cities", "city"), ("industries", "industry"), ("sizes", "size")):
        t, q = _set(tgt.get(tk)), _set(prog.get(pk))
        if t is not None and (q is None or not q <= t):
            return False
    if tgt.get("gsz_only") == "true" and prog.get("gsz_only") != "true":
        return False
    return True


def cost_groups(parameters: str, targets) -> set:
    """Target groups a cost per additional adopter may be quoted for, from
    a scenario's resolved parameters (the file's ``parameters``): the whole
    population, and every group that holds all the firms any enabled
    programme may pay (sim/headline.c applies the same rule to the
    scenario's filters)."""
    kv = _params(parameters)
    progs = {k[:-len(".enabled")] for k, v in kv.items()
             if k.endswith(".enabled") and v == "true" and k[:-len(".enabled")] + ".cities" in kv}
    out = {ALL_FIRMS}
    for g in targets:
        tgt = {f: kv.get(f"target.{g}.{f}") for f in ("city", "industry", "size", "gsz_only")}
        if all(_within({f: kv.get(f"{p}.{f}") for f in ("cities", "industries", "sizes",
                                                          "gsz_only")}, tgt) for p in progs):
            out.add(str(g))
    return out


def _mean_ci(x: np.ndarray, level: float):
    x = x[np.isfinite(x)]
    n = x.size
    if n == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if n < 2:
        return m, math.nan, math.nan
    h = t_quantile(level, n) * float(x.std(ddof=1)) / math.sqrt(n)
    return m, m - h, m + h


def ratio_of_means(num: np.ndarray, den: np.ndarray, level: float):
    """mean(num) / mean(den) with a delta-method interval (paired)."""
    ok = np.isfinite(num) & np.isfinite(den)
    num, den = num[ok], den[ok]
    n = num.size
    if n == 0 or den.mean() == 0:
        return math.nan, math.nan, math.nan
    r = float(num.mean() / den.mean())
    if n < 2:
        return r, math.nan, math.nan
    resid = num - r * den
    se = float(resid.std(ddof=1)) / math.sqrt(n) / abs(float(den.mean()))
    h = t_quantile(level, n) * se
    return r, r - h, r + h


def _date(start, days) -> str:
    if not np.isfinite(days):
        return ""
    return str((pd.Timestamp(start) + pd.Timedelta(days=float(days))).date())


def _time_days(ds) -> np.ndarray:
    t = ds["time"].values
    if np.issubdtype(t.dtype, np.datetime64):
        return ((t - t[0]) / np.timedelta64(1, "D")).astype(float)
    return np.asarray(t, dtype=float) - float(t[0])


def nearest_obs(times: np.ndarray, d: float) -> int:
    """Index of the observation nearest day d (the later one on a tie)."""
    dist = np.abs(times - d)
    return int(np.flatnonzero(dist == dist.min())[-1])


def _one(x, g, scen, start, hz, attributable, level, deadline):
    """One row: every number of the module doc for target g, from the
    replications' arrays `x` (t, c, share, ts, add, fiscal, total; c and ts
    None without a twin) and the target's level."""
    t, fiscal, total = x["t"], x["fiscal"], x["total"]
    n = t.size
    d = deadline if np.isfinite(deadline) else hz
    ident = d <= hz + 1e-9
    k = int(np.sum(np.isfinite(t) & (t <= d)))
    row = {"scenario": scen, "target": g, "n": n, "by_days": d, "by_date": _date(start, d),
           "identified": ident, "k": k}
    p = k / n if n and ident else math.nan
    lo, hi = _clopper_pearson(k, n, level) if n and ident else (math.nan, math.nan)
    row.update(p=p, p_lo=lo, p_hi=hi)
    r_t = np.where(np.isfinite(t), np.minimum(t, hz), hz)
    m, mlo, mhi = _mean_ci(r_t, level)
    row.update(days=m, days_lo=max(0.0, mlo) if np.isfinite(mlo) else mlo,
               days_hi=min(hz, mhi) if np.isfinite(mhi) else mhi,
               reached=int(np.isfinite(t).sum()), restricted=bool((~np.isfinite(t)).any()))
    for key in ("days", "days_lo", "days_hi"):
        row[key.replace("days", "date")] = _date(start, row[key])
    lev = x["level"]
    row["level"] = lev
    share = x["share"]
    row["share"] = float(np.nanmean(share)) if np.isfinite(share).any() else math.nan
    twin = x["c"] is not None
    if twin:
        c = x["c"]
        tk = int(np.sum(np.isfinite(c) & (c <= d)))
        row["twin_k"] = tk
        row["twin_p"] = tk / n if n and ident else math.nan
        row["twin_lo"], row["twin_hi"] = _clopper_pearson(tk, n, level) if n and ident \
            else (math.nan, math.nan)
        r_c = np.where(np.isfinite(c), np.minimum(c, hz), hz)
        row["twin_days"] = float(r_c.mean()) if n else math.nan
        row["twin_date"] = _date(start, row["twin_days"])
        row["twin_restricted"] = bool((~np.isfinite(c)).any())
        gy, glo, ghi = _mean_ci((r_c - r_t) / DAYS_PER_YEAR, level)
        row.update(years_gained=gy, years_gained_lo=glo, years_gained_hi=ghi,
                   gained_at_least=bool((~np.isfinite(c)).any()))
        ts = x["ts"]
        row["twin_share"] = float(np.nanmean(ts)) if np.isfinite(ts).any() else math.nan
        pg, plo, phi = _mean_ci(100 * (share - ts), level)
        row.update(points_gained=pg, points_lo=plo, points_hi=phi)
    else:
        row.update(twin_k=0, twin_p=math.nan, twin_lo=math.nan, twin_hi=math.nan,
                   twin_days=math.nan, twin_date="", twin_restricted=False,
                   years_gained=math.nan, years_gained_lo=math.nan, years_gained_hi=math.nan,
                   gained_at_least=False, twin_share=math.nan, points_gained=math.nan,
                   points_lo=math.nan, points_hi=math.nan)
    add = x["add"]
    a, alo, ahi = _mean_ci(add, level)
    if np.isfinite(a) and not np.isfinite(alo):
        alo = ahi = a          # one replication: no interval
    row.update(additional=a, additional_lo=alo, additional_hi=ahi,
               fiscal=float(np.mean(fiscal)) if n else math.nan,
               total=float(np.mean(total)) if n else math.nan)
    cost, clo, chi, note = math.nan, math.nan, math.nan, ""
    if not np.isfinite(a):
        note = "no twin: no additional adopters to price"
    elif not attributable:
        note = ("not attributed: the programmes also pay firms outside this group, so the "
                "plan's money cannot be divided by this group's gain")
    elif not alo > 0:
        note = ("no clear gain: the additional adopters' interval reaches zero"
                if ahi >= 0 else "harm: fewer adopters than without the policy")
    elif row["fiscal"] <= 0:
        note = "no fiscal money spent"
    else:
        cost, clo, chi = ratio_of_means(np.asarray(fiscal, float), add, level)
    row.update(cost_per_additional=cost, cost_lo=clo, cost_hi=chi, cost_note=note)
    row["verdict"] = verdict(p, row["twin_p"], row["twin_share"], lev) if ident \
        else "not identified: the deadline is after the end of the run"
    return row


def _arr(ds, name, s, g=None, obs=None, shape=None):
    """ds[name] at scenario s (target g, observation obs) as [point, replicate]."""
    if name not in ds.variables:
        return None
    v = ds[name]
    if "scenario" in v.dims:
        v = v.sel(scenario=s)
    if g is not None and "target" in v.dims:
        v = v.sel(target=g)
    if obs is not None and "time" in v.dims:
        v = v.isel(time=obs)
    dims = [d for d in ("point", "replicate") if d in v.dims]
    a = np.asarray(v.transpose(*dims).values, dtype=float)
    return a.reshape(shape) if shape is not None else a


def _frame(ds, level, texts, only=None):
    """Rows of every scenario and target (at every point of an experiment),
    each variable read once as numpy [point, replicate]."""
    hz = horizon_days(ds)
    start = str(ds.attrs.get("start_date") or pd.Timestamp(ds["time"].values[0]).date())
    times = _time_days(ds)
    fis, tot = money(ds, "fiscal"), money(ds, "all")
    targets = [str(x) for x in ds["target"].values]
    points = [int(p) for p in ds["point"].values] if "point" in ds.dims else [None]
    shape = (len(points), ds.sizes["replicate"])
    done = done_mask(ds)
    rows = []
    for s in [str(x) for x in ds["scenario"].values]:
        attributable = cost_groups(texts.get(s, ""), targets) if s in texts else {ALL_FIRMS}
        f = np.asarray(fis.sel(scenario=s).transpose(*[d for d in ("point", "replicate")
                                                         if d in fis.dims]).values,
                       float).reshape(shape)
        a = np.asarray(tot.sel(scenario=s).transpose(*[d for d in ("point", "replicate")
                                                         if d in tot.dims]).values,
                       float).reshape(shape)
        keep = np.ones(shape, bool) if done is None else \
            np.asarray(done.sel(scenario=s).transpose(*[d for d in ("point", "replicate")
                                                        if d in done.dims]).values,
                       bool).reshape(shape)
        for g in targets:
            if only is not None and g not in only:
                continue
            if "target_share" in ds.variables and not bool(
                    ds["target_share"].sel(scenario=s, target=g).notnull().any()):
                continue                # a target this scenario does not have
            by = float(ds["target_by"].sel(scenario=s, target=g)) \
                if "target_by" in ds.variables and "scenario" in ds["target_by"].dims else \
                (float(ds["target_by"].sel(target=g)) if "target_by" in ds.variables
                 else math.nan)
            obs = nearest_obs(times, by if np.isfinite(by) else hz)
            lev = float(ds["target_level"].sel(scenario=s, target=g)) \
                if "target_level" in ds.variables else math.nan
            cols = {k: _arr(ds, v, s, g, obs, shape) for k, v in
                    (("t", "time_to_target"), ("c", "twin_time_to_target"),
                     ("share", "target_share"), ("ts", "twin_target_share"),
                     ("add", "additional"))}
            for i, pt in enumerate(points):
                k = keep[i]
                if not k.any():
                    continue
                x = {key: (None if v is None else v[i][k]) for key, v in cols.items()}
                if x["share"] is None:
                    x["share"] = np.full(int(k.sum()), np.nan)
                if x["add"] is None:
                    x["add"] = np.full(int(k.sum()), np.nan)
                x.update(fiscal=f[i][k], total=a[i][k], level=lev)
                row = _one(x, g, s, start, hz, g in attributable, level, by)
                if pt is not None:
                    row["point"] = pt
                rows.append(row)
    return rows


def headline(source, level: float = 0.95, targets=None) -> pd.DataFrame:
    """The headline numbers per scenario and target (see the module doc).

    `source`: a run or comparison file or Dataset (any kind
    :func:`zhizao.as_experiment` reads). An experiment file gives one row
    per point, scenario and target (index point, scenario, target); see
    :func:`across_unknowns` for its summary. `targets`: only these target
    groups (default: all).
    """
    ds = as_experiment(source)
    texts = _parameters(source, ds)
    if "target_level" not in ds.variables:
        names = [str(x) for x in ds["scenario"].values]
        targets = [str(x) for x in ds["target"].values]
        lev = [[_level(texts.get(n, ""), g) for g in targets] for n in names]
        ds = ds.assign(target_level=(("scenario", "target"), np.array(lev, dtype=float)))
    if "point" in ds.dims:
        df = pd.DataFrame(_frame(ds, level, texts, only=targets)) \
            .set_index(["point", "scenario", "target"]) \
            .sort_index(level="point", sort_remaining=False)
    else:
        df = pd.DataFrame(_frame(ds, level, texts, only=targets)).set_index(["scenario", "target"])
    df.attrs = {"level": level, "horizon_days": horizon_days(ds),
                "start_date": str(ds.attrs.get("start_date", "")),
                "replications": int(ds.sizes.get("replicate", 0))}
    return df


def _parameters(source, ds) -> dict:
    """{scenario: its resolved parameters (text)}: an experiment's
    ``scenario_parameters``, a run's or comparison's ``parameters``."""
    if "scenario_parameters" in ds.variables:
        return {str(s): str(ds["scenario_parameters"].sel(scenario=s).values)
                for s in ds["scenario"].values}
    from pathlib import Path

    from .io import open_all, scenario_name
    if isinstance(source, xr.Dataset):
        data = {scenario_name(source): source}
    elif isinstance(source, dict):
        data = source
    else:
        try:
            data = open_all(Path(source))
        except (OSError, ValueError, TypeError):
            return {}
    return {n: str(d.attrs.get("parameters", "")) for n, d in data.items()}


def _level(text: str, target: str) -> float:
    v = _params(text).get(f"target.{target}.share")
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def across_unknowns(hl: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and target, over the points of an experiment: the share
    of points with each verdict, the mean probability with and without the
    policy, and the mean additional adopters (``points`` counted)."""
    if "point" not in hl.index.names:
        raise ValueError("across_unknowns needs the headline of an experiment file")
    g = hl.groupby(level=["scenario", "target"], sort=False)
    out = g.agg(p=("p", "mean"), twin_p=("twin_p", "mean"),
                additional=("additional", "mean"), points=("p", "size"))
    for v in VERDICTS:
        out[v] = g["verdict"].apply(lambda s, v=v: float((s == v).mean()))
    return out

"""Time to target as a survival question: when, and how likely by a date.

A replication that has not reached a target by the end of the run is
*censored* at the horizon: we know only that its time is later than the
horizon, not that it is infinite and not any number in particular. So the
summaries here never average such a replication in, and never state
anything about times after the horizon:

* :func:`km` -- the Kaplan-Meier estimate of F(t) = P(target reached by t)
  across replications, with a pointwise interval from Greenwood's variance
  on the log(-log) scale (Kalbfleisch & Prentice 2002, sec. 1.4), which
  stays inside [0, 1]. With every censoring at the horizon (the engine's
  case) F(t) is simply the share of replications that reached the target
  by t; the general formula is kept so that replications censored earlier
  (a run stopped early) are handled correctly.
* :func:`p_by` -- the probability of reaching the target by one date, with
  an exact (Clopper-Pearson) binomial interval when no replication is
  censored before the date (the engine's case), else the Kaplan-Meier
  interval. A date after the horizon is not identified: NaN, said so.
* :func:`quantiles` -- the time by which a share q of replications reach
  the target (median for q = 0.5), only where the curve crosses q before
  the horizon; its interval inverts the pointwise band (Brookmeyer &
  Crowley 1982), so a bound that the data do not identify is NaN and
  reported as "later than the horizon", never a number outside
  [0, horizon].
* :func:`reached_text` -- "reached in k of n by the horizon", plainly.

Durations are float days from the start (NaN = not reached), as
:func:`zhizao.open` returns them; the horizon is the last observation.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats as _st

from .io import as_days

__all__ = ["horizon_days", "km", "p_by", "quantiles", "reached_text", "deadline_days",
           "to_days"]

DAYS_PER_YEAR = 365.25


def horizon_days(ds: xr.Dataset) -> float:
    """Days from the start to the last observation (the end of the run)."""
    if "horizon_days" in ds.attrs:
        return float(ds.attrs["horizon_days"])
    t = ds["time"].values
    if t.size == 0:
        return math.nan
    if np.issubdtype(t.dtype, np.datetime64):
        return float((t[-1] - t[0]) / np.timedelta64(1, "D"))
    return float(t[-1] - t[0])


def to_days(ds: xr.Dataset, when) -> float:
    """A date ("2027-05-29", datetime64, Timestamp) or a number of days
    from the start, as float days from the start of `ds`."""
    if when is None:
        return math.nan
    if isinstance(when, (int, float, np.integer, np.floating)):
        return float(when)
    t0 = ds["time"].values[0]
    if not np.issubdtype(np.asarray(t0).dtype, np.datetime64):
        raise ValueError(f"a date ({when!r}) needs a dataset whose time is a date")
    return float((np.datetime64(pd.Timestamp(when).to_datetime64()) - t0)
                 / np.timedelta64(1, "D"))


def deadline_days(ds: xr.Dataset, target: str) -> float:
    """The target's deadline in days from the start (``target_by``, written
    by the engine from ``target { by = ... }`` or a pioneer's
    ``within_days``), else NaN."""
    if "target_by" not in ds.variables:
        return math.nan
    v = ds["target_by"].sel(target=target)
    v = as_days(v) if np.issubdtype(v.dtype, np.timedelta64) else v
    return float(np.asarray(v.values, dtype=float).ravel()[0])


def _times(times, censor=None, horizon=None):
    """(event times, censoring times) of the replications: a replication
    reaching the target at t has event t; one that does not is censored at
    its own `censor` time (default: the horizon)."""
    t = np.asarray(times, dtype=float).ravel()
    if censor is None:
        if horizon is None:
            raise ValueError("give the horizon (or per-replication censoring times)")
        c = np.full(t.shape, float(horizon))
    else:
        c = np.broadcast_to(np.asarray(censor, dtype=float), t.shape).copy()
    reached = np.isfinite(t) & (t <= c)
    return t, c, reached


def km(times, horizon: float, censor=None, level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier curve of P(target reached by t).

    Parameters
    ----------
    times : per-replication days to the target (NaN = not reached).
    horizon : days from start to the end of the run (censoring time of a
        replication that did not reach the target, unless `censor` says
        otherwise).
    censor : optional per-replication censoring days (a replication stopped
        early); defaults to the horizon.
    level : level of the pointwise interval.

    Returns
    -------
    DataFrame indexed by ``days`` (0, each distinct event time, and the
    last time at risk) with columns ``p`` (= 1 - S(t)), ``lo``, ``hi``
    (log(-log) Greenwood interval; at S = 1 or S = 0 the bound is the point
    itself), ``at_risk``, ``events``. The curve is a step function, right
    continuous; it is not defined after the last censoring time.
    """
    t, c, reached = _times(times, censor, horizon)
    n = t.size
    z = _st.norm.ppf(0.5 + level / 2)
    ev = np.sort(np.unique(t[reached]))
    rows = [(0.0, 0.0, 0.0, 0.0, n, 0)]
    s, gw = 1.0, 0.0
    for u in ev:
        at_risk = int(np.sum(np.where(reached, t, c) >= u))
        d = int(np.sum(reached & (t == u)))
        s *= 1.0 - d / at_risk
        if at_risk > d:
            gw += d / (at_risk * (at_risk - d))
        rows.append((float(u),) + _band(s, gw, z) + (at_risk, d))
    last = float(np.max(np.where(reached, t, c))) if n else math.nan
    if n and (not ev.size or last > ev[-1]):
        at_risk = int(np.sum(np.where(reached, t, c) >= last))
        rows.append((last,) + _band(s, gw, z) + (at_risk, 0))
    df = pd.DataFrame(rows, columns=["days", "p", "lo", "hi", "at_risk", "events"])
    return df.set_index("days")


def _band(s: float, gw: float, z: float):
    """(1 - S, lower, upper) with the log(-log) Greenwood interval for S."""
    if s <= 0.0 or s >= 1.0 or gw <= 0.0:
        return (1.0 - s, 1.0 - s, 1.0 - s)
    se = math.sqrt(gw) / abs(math.log(s))
    s_lo = s ** math.exp(z * se)     # S^exp(+z se) < S
    s_hi = s ** math.exp(-z * se)
    return (1.0 - s, 1.0 - s_hi, 1.0 - s_lo)


def _clopper_pearson(k: int, n: int, level: float):
    a = 1.0 - level
    lo = 0.0 if k == 0 else float(_st.beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(_st.beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi


def p_by(times, by: float, horizon: float, censor=None, level: float = 0.95) -> dict:
    """Probability of reaching the target by day `by` across replications.

    Returns a dict: p, lo, hi, k (replications that reached it by `by`),
    n (replications), method ("exact" = Clopper-Pearson on k of n, when no
    replication is censored before `by`; "km" = Kaplan-Meier with its
    log(-log) interval otherwise; "not identified" when `by` is after the
    horizon, p = lo = hi = NaN: the runs say nothing about that date).
    """
    t, c, reached = _times(times, censor, horizon)
    n = int(t.size)
    k = int(np.sum(reached & (t <= by)))
    out = {"p": math.nan, "lo": math.nan, "hi": math.nan, "k": k, "n": n,
           "method": "not identified"}
    if n == 0 or not np.isfinite(by) or by > horizon + 1e-9 or by < 0:
        return out
    if np.all(reached | (c >= by)):
        lo, hi = _clopper_pearson(k, n, level)
        out.update(p=k / n, lo=lo, hi=hi, method="exact")
        return out
    curve = km(t, horizon, c, level)
    row = curve[curve.index <= by].iloc[-1]
    out.update(p=float(row["p"]), lo=float(row["lo"]), hi=float(row["hi"]), method="km")
    return out


def quantiles(times, horizon: float, q=(0.25, 0.5, 0.75), censor=None,
              level: float = 0.95) -> pd.DataFrame:
    """Days by which a share `q` of replications reach the target.

    Row per q: ``days`` = the first time the Kaplan-Meier F(t) reaches q
    (NaN when it does not by the horizon: not identified), ``lo`` = the
    first time the upper band reaches q, ``hi`` = the first time the lower
    band does (NaN = later than the horizon, not identified). Every number
    is inside [0, horizon].
    """
    curve = km(times, horizon, censor, level)
    rows = {}
    for qq in np.atleast_1d(q):
        rows[float(qq)] = {"days": _first(curve, "p", qq), "lo": _first(curve, "hi", qq),
                           "hi": _first(curve, "lo", qq)}
    df = pd.DataFrame.from_dict(rows, orient="index", columns=["days", "lo", "hi"])
    df.index.name = "q"
    return df


def _first(curve: pd.DataFrame, col: str, q: float) -> float:
    hit = curve.index[curve[col].to_numpy() >= q - 1e-12]
    return float(hit[0]) if len(hit) else math.nan


def reached_text(times, by: float | None = None, horizon: float | None = None) -> str:
    """'reached in k of n by the horizon' (or 'by day D' when `by` is given)."""
    t = np.asarray(times, dtype=float).ravel()
    lim = horizon if by is None else by
    k = int(np.sum(np.isfinite(t) & (t <= (lim if lim is not None else np.inf))))
    when = "by the horizon" if by is None else f"by day {by:g}"
    return f"reached in {k} of {t.size} {when}"

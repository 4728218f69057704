"""The outputs a planner asks about, per replication, ready to summarise.

Every measure is a ratio of sums over replications: at each (point,
scenario) its value is ``num.sum(replicate) / den.sum(replicate)``. A mean
has ``den = 1``; the cost per additional adopter is total money over total
additional adopters (the ratio of means, defined even when single
replications have none). Replications are paired across scenarios and
points (common random numbers), so a difference of two scenarios is taken
replication by replication.

Measures (``output``):

* ``"p_target"``: 1 if the target was reached by the date ``by`` (default:
  its deadline, else the horizon), else 0 -- the mean is the probability.
  A date after the horizon is refused: the runs do not identify it.
* ``"time_to_target"``: years to the target, a replication that never
  reached it counted at the horizon: the mean is the *restricted mean* time
  to target (the area above the Kaplan-Meier curve up to the horizon),
  well defined whatever the censoring. Lower is better.
* ``"additional"``: additional adopters of the target group against the
  no-policy twin (the engine's paired count).
* ``"cost_per_additional"``: money (``money="fiscal"`` by default, or
  ``"all"``, ``"nonfiscal"``) per additional adopter of the target group.
  Lower is better; undefined (NaN) where the group gained none.
* ``"money"``: money disbursed by the end (``money`` as above).
* any variable of the Dataset with a ``replicate`` dim (selected at
  `target` when it has a ``target`` dim, at the last time when it has a
  ``time`` dim).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .io import as_days, outlay
from .survival import DAYS_PER_YEAR, horizon_days, to_days

__all__ = ["Measure", "measure", "point_values", "SENSE", "money"]

# which direction is better: +1 higher, -1 lower
SENSE = {"p_target": 1, "time_to_target": -1, "additional": 1,
         "cost_per_additional": -1, "money": -1}
MONEY = ("fiscal", "all", "nonfiscal")


class Measure:
    """num, den [.., replicate] DataArrays; ``value()`` gives the point value.

    ``done`` [.., replicate] (bool, or None = every replication counts)
    marks the replications that exist: a task an interrupted experiment
    never ran, or a scenario whose deadline is after the horizon, has
    num = den = 0 there, so it is left out of every sum (counted as
    missing by :meth:`missing`), never read as "not reached" or as 0.
    """

    def __init__(self, num, den, sense: int, label: str, unit: str, done=None):
        self.num, self.den, self.sense, self.label, self.unit = num, den, sense, label, unit
        self.done = done

    def value(self) -> xr.DataArray:
        d = self.den.sum("replicate")
        return self.num.sum("replicate") / d.where(d != 0)

    def n_done(self) -> xr.DataArray:
        """Replications counted at each point (and scenario)."""
        if self.done is None:
            return xr.full_like(self.num.isel(replicate=0, drop=True),
                                self.num.sizes["replicate"], dtype=int)
        return self.done.sum("replicate").astype(int)

    def missing(self) -> xr.DataArray:
        """True where no replication was counted (nothing to say there)."""
        return self.n_done() == 0

    def jackknife_var(self) -> xr.DataArray:
        """Replication noise: the jackknife variance, across replications, of
        the point value (for a mean it equals s^2 / R exactly)."""
        n = self.n_done()
        ns, ds_ = self.num.sum("replicate"), self.den.sum("replicate")
        loo = (ns - self.num) / (ds_ - self.den).where((ds_ - self.den) != 0)
        if self.done is not None:
            loo = loo.where(self.done)
        dev = ((loo - loo.mean("replicate")) ** 2).sum("replicate")
        return ((n - 1) / n.where(n > 0)) * dev

    def minus(self, other: "Measure") -> "Measure":
        """The paired difference of two scenarios (a point value a - b)."""
        if self._is_mean() and other._is_mean():
            return Measure(self.num - other.num, self.den, self.sense,
                           f"difference in {self.label}", self.unit)
        return _RatioDiff(self, other)

    def _is_mean(self) -> bool:
        return self.done is None and bool((self.den == 1).all())


class _RatioDiff(Measure):
    def __init__(self, a: Measure, b: Measure):
        done = None if a.done is None and b.done is None else \
            _both(a.done, b.done, a.num)
        super().__init__(None, None, a.sense, f"difference in {a.label}", a.unit, done)
        self.a, self.b = a, b

    def n_done(self):
        return self.done.sum("replicate").astype(int) if self.done is not None \
            else self.a.n_done()

    def value(self):
        return self.a.value() - self.b.value()

    def jackknife_var(self):
        n = self.a.num.sizes["replicate"]
        if self.done is not None:       # a pair is counted where both ran
            n = self.n_done().where(self.n_done() > 0)
        loo = []
        for m in (self.a, self.b):
            ns, ds_ = m.num.sum("replicate"), m.den.sum("replicate")
            loo.append((ns - m.num) / (ds_ - m.den).where((ds_ - m.den) != 0))
        d = loo[0] - loo[1]
        if self.done is not None:
            d = d.where(self.done)
        return (n - 1) / n * ((d - d.mean("replicate")) ** 2).sum("replicate")


def _both(a, b, like):
    t = xr.ones_like(like, dtype=bool)
    return (t if a is None else a) & (t if b is None else b)


def _target(ds, target):
    if target is None:
        raise ValueError("this output needs target= one of "
                         f"{[str(t) for t in ds['target'].values]}")
    names = [str(t) for t in ds["target"].values]
    if str(target) not in names:
        raise ValueError(f"no target {target!r}; targets: {names}")
    return str(target)


def by_days(ds: xr.Dataset, target: str, by=None):
    """The date `by` in days from the start, refused when after the horizon
    or before the start; by None, the target's deadline in each scenario
    (``target_by``, the horizon where none is set): a float when every
    scenario has the same, else a DataArray over ``scenario``, NaN for a
    scenario whose deadline is after the horizon (not identified there;
    refused when that holds for every scenario)."""
    hz = horizon_days(ds)
    if by is None:
        if "target_by" not in ds.variables:
            return hz
        v = ds["target_by"].sel(target=target, drop=True)
        v = (as_days(v) if np.issubdtype(v.dtype, np.timedelta64) else v).astype(float)
        v = v.fillna(hz)
        vals = np.asarray(v.values, dtype=float).ravel()
        late = vals > hz + 1e-9
        if late.all():
            raise ValueError(f"the deadline of {target} is {vals.min():g} days from the "
                             f"start, after the horizon ({hz:g} days): the runs do not say "
                             "whether it is reached by then; run longer or ask about an "
                             "earlier date (by=...)")
        if v.ndim == 0 or np.all(vals == vals[0]):
            return float(vals[0])
        return v.where(v <= hz + 1e-9)
    d = to_days(ds, by)
    if d > hz + 1e-9:
        raise ValueError(f"date {by!r} is {d:g} days from the start, after the horizon "
                         f"({hz:g} days): the runs do not say whether {target} is reached "
                         "by then; run longer or ask about an earlier date")
    if d < 0:
        raise ValueError(f"date {by!r} is before the start")
    return d


def done_mask(ds: xr.Dataset):
    """Replications that ran (``task_done`` of an experiment), else None."""
    if "task_done" not in ds.variables:
        return None
    d = ds["task_done"]
    return d.fillna(0).astype(bool) if d.dtype.kind == "f" else d.astype(bool)


def _masked(num, den, done, sense, label, unit) -> Measure:
    """A Measure whose replications outside `done` count for nothing."""
    if done is None:
        return Measure(num, den, sense, label, unit)
    done = done & xr.ones_like(num, dtype=bool)
    return Measure(num.where(done, 0.0), den.where(done, 0.0), sense, label, unit, done)


def money(ds: xr.Dataset, kind: str = "fiscal") -> xr.DataArray:
    """Money a policy cost by the end per replication (yuan), fiscal or not:
    disbursed, plus guarantees' cover still reserved (io.outlay)."""
    if kind not in MONEY:
        raise ValueError(f"money must be one of {MONEY}, got {kind!r}")
    if "spent" not in ds.variables or not ds.sizes.get("instrument", 0):
        return xr.zeros_like(ds["time_to_target"].isel(target=0, drop=True), dtype=float)
    spent = outlay(ds)
    fiscal = ds["fiscal"].astype(float) if "fiscal" in ds.variables else 1.0
    w = {"fiscal": fiscal, "all": 1.0, "nonfiscal": 1.0 - fiscal}[kind]
    return (spent * w).sum("instrument")


def measure(ds: xr.Dataset, output, target=None, by=None, money_kind: str = "fiscal") -> Measure:
    """The Measure of `output` (see the module doc) on `ds`."""
    if isinstance(output, xr.DataArray):
        return Measure(output.astype(float), xr.ones_like(output, dtype=float), 1,
                       str(output.name or "output"), "")
    done = done_mask(ds)
    if output == "p_target":
        t = _target(ds, target)
        d = by_days(ds, t, by)
        tt = as_days(ds["time_to_target"].sel(target=t, drop=True))
        num = (tt <= d).astype(float)
        if isinstance(d, xr.DataArray):      # deadlines per scenario
            late = d.isnull() & xr.ones_like(num, dtype=bool)
            done = ~late if done is None else done & ~late
            label = f"probability of {t} by its deadline in each scenario"
        else:
            label = f"probability of {t} by day {d:g}"
        return _masked(num, xr.ones_like(num), done, 1, label, "")
    if output == "time_to_target":
        t = _target(ds, target)
        hz = horizon_days(ds)
        tt = as_days(ds["time_to_target"].sel(target=t, drop=True))
        num = tt.fillna(hz).clip(max=hz) / DAYS_PER_YEAR
        return _masked(num, xr.ones_like(num), done, -1,
                       f"years to {t} (restricted mean: unreached counted at the horizon)",
                       "years")
    if output in ("additional", "cost_per_additional"):
        t = _target(ds, target)
        if "additional" not in ds.variables:
            raise ValueError(f"{output} needs the additional adopters against the twin "
                             "(variable 'additional'); run with the twin")
        add = ds["additional"].sel(target=t, drop=True).astype(float)
        if output == "additional":
            return _masked(add.fillna(0.0), xr.ones_like(add), done, 1,
                           f"additional adopters of {t}", "firms")
        m = money(ds, money_kind)
        return _masked((m * xr.ones_like(add)).fillna(0.0), add.fillna(0.0), done, -1,
                       f"{money_kind} yuan per additional adopter of {t}", "yuan")
    if output == "money":
        m = money(ds, money_kind)
        return _masked(m.fillna(0.0), xr.ones_like(m), done, -1,
                       f"{money_kind} money disbursed", "yuan")
    if isinstance(output, str) and output in ds.variables:
        v = ds[output]
        if "target" in v.dims:
            v = v.sel(target=_target(ds, target), drop=True)
        if "time" in v.dims:
            v = v.isel(time=-1, drop=True)
        if "replicate" not in v.dims:
            raise ValueError(f"variable {output!r} has no replicate dim")
        v = as_days(v) if np.issubdtype(v.dtype, np.timedelta64) else v.astype(float)
        return _masked(v, xr.ones_like(v), done, 1, output, str(v.attrs.get("units", "")))
    raise ValueError(f"unknown output {output!r}: one of {sorted(SENSE)} or a variable "
                     "with a replicate dim")


def point_values(ds: xr.Dataset, output, target=None, by=None, scenario=None,
                 money_kind: str = "fiscal"):
    """(Measure, value) at each point (and scenario unless one is chosen).

    `scenario`: None (all), a name, or a pair (a, b) for the paired
    difference a - b.
    """
    m = measure(ds, output, target, by, money_kind)
    if scenario is None or "scenario" not in ds.dims:
        return m, m.value()
    if isinstance(scenario, (tuple, list)):
        a, b = scenario
        ma, mb = (Measure(_sel(m.num, x), _sel(m.den, x), m.sense, m.label, m.unit,
                          None if m.done is None else _sel(m.done, x)) for x in (a, b))
        d = ma.minus(mb)
        d.label = f"{m.label}: {a} minus {b}"
        return d, d.value()
    ms = Measure(_sel(m.num, scenario), _sel(m.den, scenario), m.sense, m.label, m.unit,
                 None if m.done is None else _sel(m.done, scenario))
    return ms, ms.value()


def _sel(x: xr.DataArray, name):
    names = [str(s) for s in x["scenario"].values]
    if str(name) not in names:
        raise ValueError(f"no scenario {name!r}; scenarios: {names}")
    return x.sel(scenario=str(name), drop=True)


"""Which unknowns drive the answer: global sensitivity on experiment files.

``zhizao.sensitivity(ds, output, method="sobol" | "morris", ...)`` returns
one row per factor of the experiment's design (``design`` (point,
factor)). The output is any measure of :mod:`zhizao.measures` at each
point (its mean over replications), for one scenario or for the paired
difference of two (``scenario=("a", "b")``: which unknowns decide the
ranking of a against b).

Sobol indices (method="sobol") need the Saltelli design: blocks A and B of
N points each and, for every factor i, AB_i = A with column i taken from
B; N (k + 2) points for k factors. The layout is recognised from the design
itself, either blocked (A, B, AB_1 .. AB_k: OpenTURNS'
``SobolIndicesExperiment``) or interleaved by row (A_j, AB_1j .. AB_kj,
B_j: SALib's order). With f = the output, V = the variance of f over A
and B together (Saltelli et al. 2010, Table 2):

* first order, ``estimator="saltelli2010"``:
  S1_i = mean_j f(B)_j (f(AB_i)_j - f(A)_j) / V, with f centred on its
  mean over A and B (the same expectation, much less variance when the
  mean is large against the spread; Jansen's forms do not change);
  ``estimator="jansen"``: S1_i = 1 - mean_j (f(B)_j - f(AB_i)_j)^2 / (2V);
* total (both estimators, Jansen 1999):
  ST_i = mean_j (f(A)_j - f(AB_i)_j)^2 / (2V).

Intervals: percentile bootstrap over the N rows (A_j, B_j, AB_ij
resampled together), ``n_boot`` draws at ``level``. Indices are estimates:
small negative values and S1 > ST are sampling error, not findings.

Morris elementary effects (method="morris") need trajectories (k + 1
points, each step moving one factor): EE_i = (f(x + delta e_i) - f(x)) /
delta with delta in the unit cube (the design's ``design_unit`` when the
file has it, else the factor's value as a fraction of its range in the
design). Columns mu_star (mean |EE|, with a bootstrap interval over the
effects), mu (mean EE) and sigma (standard deviation: interactions or
non-linearity), in the output's units per whole range of the factor.

Any other sample (Latin hypercube, a Sobol sequence, a CSV design):
method="rbd_fast" gives first-order indices from the given data (see
:mod:`zhizao.givendata`); method="auto" picks the first of Sobol, Morris,
RBD-FAST the design allows.

Beside the indices, ``attrs["noise_share"]`` is the share of the variance
of the point values that is replication noise: the mean over points of
the jackknife variance of the point value across its replications
(s^2 / R for a mean), divided by the variance of the point values. A
share near 1 means the indices describe noise: run more replications.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from .dataset import _is_explore, as_experiment
from .measures import point_values

__all__ = ["sensitivity", "ConstantOutput", "sobol_indices", "saltelli_layout", "morris_effects",
           "ESTIMATORS", "design_method"]

ESTIMATORS = ("saltelli2010", "jansen")
_UNIT_NAMES = ("design_unit", "unit_design", "design_u")


class ConstantOutput(ValueError):
    """The output does not vary across the design's points."""


def sobol_indices(yA, yB, yAB, estimator: str = "saltelli2010"):
    """(S1, ST) of every factor from the outputs on A, B and AB_i.

    yA, yB: (..., N); yAB: (..., k, N). Leading dims (bootstrap draws) are
    kept. See the module doc for the formulas.
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    yA, yB, yAB = (np.asarray(a, dtype=float) for a in (yA, yB, yAB))
    both = np.concatenate([yA, yB], axis=-1)
    V = both.var(axis=-1)[..., None]
    # centred on the mean of A and B: the same expectation, far less variance
    # when the output's mean is large against its spread (as SALib does)
    mu = both.mean(axis=-1)[..., None]
    yA, yB, yAB = yA - mu, yB - mu, yAB - mu[..., None, :]
    a, b = yA[..., None, :], yB[..., None, :]
    if estimator == "saltelli2010":
        s1 = (b * (yAB - a)).mean(axis=-1) / V
    else:
        s1 = 1.0 - ((b - yAB) ** 2).mean(axis=-1) / (2.0 * V)
    st = ((a - yAB) ** 2).mean(axis=-1) / (2.0 * V)
    return s1, st


def saltelli_layout(X: np.ndarray):
    """Indices (iA [N], iB [N], iAB [k, N]) of a Saltelli design's rows.

    Raises ValueError when X is not a Saltelli design in either layout.
    """
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    if k < 1 or n % (k + 2):
        raise ValueError(f"{n} points for {k} factors is not a Saltelli design "
                         f"(N (k + 2) points); make the experiment with design = \"saltelli\"")
    N = n // (k + 2)
    blocked = (np.arange(N), np.arange(N, 2 * N),
               np.arange(2 * N, n).reshape(k, N))
    step = np.arange(N) * (k + 2)
    inter = (step, step + k + 1, np.stack([step + 1 + i for i in range(k)]))
    for iA, iB, iAB in (blocked, inter):
        if _is_pick_freeze(X, iA, iB, iAB):
            return iA, iB, iAB
    raise ValueError("the design is not a Saltelli design (blocks A, B and AB_i = A with "
                     "column i from B, blocked or row-interleaved); Sobol indices need "
                     "design = \"saltelli\" (use method=\"morris\" on a Morris design)")


def _is_pick_freeze(X, iA, iB, iAB) -> bool:
    A, B = X[iA], X[iB]
    if np.allclose(A, B):
        return False
    for i in range(X.shape[1]):
        want = A.copy()
        want[:, i] = B[:, i]
        if not np.allclose(X[iAB[i]], want, rtol=1e-12, atol=1e-12):
            return False
    return True


def morris_effects(X: np.ndarray, y: np.ndarray):
    """Elementary effects per factor: list of arrays (one per factor).

    X: unit-cube design [n, k]; y: outputs [n]. Trajectories are blocks of
    k + 1 points when the design divides so and every step in a block
    moves one factor; otherwise every pair of consecutive points that
    differ in exactly one factor gives an effect.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, k = X.shape
    steps = np.arange(n - 1)
    if n % (k + 1) == 0:
        inside = steps[(steps + 1) % (k + 1) != 0]
        if all(_moved(X[s], X[s + 1]) is not None for s in inside):
            steps = inside
    effects = [[] for _ in range(k)]
    for s in steps:
        i = _moved(X[s], X[s + 1])
        if i is None:
            continue
        effects[i].append((y[s + 1] - y[s]) / (X[s + 1, i] - X[s, i]))
    if not any(effects):
        raise ValueError("no Morris steps in the design (consecutive points differing in "
                         "one factor); make the experiment with design = \"morris\"")
    return [np.asarray(e, dtype=float) for e in effects]


def _moved(a, b):
    d = np.flatnonzero(~np.isclose(a, b, rtol=1e-12, atol=1e-12))
    return int(d[0]) if d.size == 1 else None


def _unit(ds: xr.Dataset, X: np.ndarray, unit) -> np.ndarray:
    if unit is not None:
        return np.asarray(unit, dtype=float)
    for name in _UNIT_NAMES:
        if name in ds.variables:
            return np.asarray(ds[name].transpose("point", "factor").values, dtype=float)
    lo, hi = X.min(axis=0), X.max(axis=0)
    return (X - lo) / np.where(hi > lo, hi - lo, 1.0)


def _scenario_choice(ds, scenario):
    if scenario is not None or "scenario" not in ds.dims:
        return scenario
    names = [str(s) for s in ds["scenario"].values]
    if len(names) == 1:
        return names[0]
    raise ValueError(f"choose scenario= one of {names}, or a pair (a, b) for the "
                     "difference a - b")


def sensitivity(ds: xr.Dataset, output, method: str = "sobol", target=None, by=None,
                scenario=None, estimator: str = "saltelli2010", n_boot: int = 500,
                level: float = 0.95, seed: int = 0, money_kind: str = "fiscal",
                unit=None) -> pd.DataFrame:
    """Global sensitivity of `output` to the factors of an experiment.

    Parameters
    ----------
    ds : experiment Dataset with ``design`` (point, factor).
    output : "time_to_target", "p_target", "additional",
        "cost_per_additional", "money", a variable name, or a DataArray
        over ``point`` (and optionally ``replicate``); see
        :mod:`zhizao.measures`. `target`, `by`, `money_kind` as there.
    method : "sobol" (Saltelli design), "morris" (trajectories),
        "rbd_fast" (first-order indices from any sample: Latin hypercube,
        Sobol sequence, a CSV; :func:`zhizao.givendata.rbd_fast`) or
        "auto" (the first the design allows; ``attrs["method"]`` says
        which was used).
    scenario : a scenario name, or a pair (a, b) for the paired difference
        a - b. Needed when the file has more than one scenario.
    estimator : first-order estimator, "saltelli2010" or "jansen".
    n_boot, level, seed : bootstrap intervals.
    unit : optional unit-cube design [point, factor] for Morris steps.

    Returns
    -------
    DataFrame indexed by factor. Sobol: S1, S1_lo, S1_hi, ST, ST_lo,
    ST_hi. Morris: mu_star, mu_star_lo, mu_star_hi, mu, sigma, n_effects.
    attrs: output (what was measured), method, noise_share (see the module
    doc), n_points, and for Sobol N and estimator.
    """
    if not isinstance(ds, xr.Dataset) or _is_explore(ds):
        ds = as_experiment(ds)        # an explore file or its path
    if "design" not in getattr(ds, "variables", {}):
        raise ValueError("sensitivity needs an experiment file with a design (point, "
                         "factor); a plain run or comparison has no uncertain factors")
    design = ds["design"].transpose("point", "factor")
    factors = [str(f) for f in design["factor"].values]
    X = np.asarray(design.values, dtype=float)
    m, v = point_values(ds, output, target, by, _scenario_choice(ds, scenario), money_kind)
    extra = [d for d in v.dims if d != "point"]
    if extra:
        raise ValueError(f"the output still has dims {extra} besides point; select them "
                         "(target=..., scenario=...)")
    y = np.asarray(v.transpose("point").values, dtype=float)
    # points an interrupted experiment never ran: left out (with every
    # Sobol row or Morris step that needs them), counted, never read as 0
    gone = np.asarray(m.missing().broadcast_like(v).transpose("point").values, dtype=bool)
    if gone.all():
        raise ValueError("no point of the design has a finished replication")
    if not np.isfinite(y[~gone]).all():
        bad = int((~np.isfinite(y[~gone])).sum())
        raise ValueError(f"{m.label} is undefined at {bad} of {y.size} points (e.g. no "
                         "additional adopters, so no cost per adopter); choose another "
                         "output or target")
    yk = y[~gone]
    total = float(np.var(yk, ddof=1)) if yk.size > 1 else np.nan
    noise = float(m.jackknife_var().mean()) if "replicate" in _m_dims(m) else 0.0
    attrs = {"output": m.label, "unit": m.unit, "method": method,
             "n_points": int(yk.size), "missing_points": int(gone.sum()),
             "noise_share": noise / total if total > 0 else np.nan,
             "noise_var": noise, "total_var": total,
             "note": (f"{int(gone.sum())} points never ran (interrupted experiment): left "
                      "out with every estimate that needs them") if gone.any() else ""}
    rng = np.random.default_rng(seed)
    lo_q, hi_q = 100 * (1 - level) / 2, 100 * (1 + level) / 2
    if method == "auto":
        method = design_method(ds, X, unit)
        attrs["method"] = method
    if method == "sobol":
        iA, iB, iAB = saltelli_layout(X)
        _varies(m, yk)
        rows_ok = ~(gone[iA] | gone[iB] | gone[iAB].any(axis=0))
        if not rows_ok.any():
            raise ValueError("no complete Saltelli row (A, B and every AB_i) has run")
        iA, iB, iAB = iA[rows_ok], iB[rows_ok], iAB[:, rows_ok]
        yA, yB, yAB = y[iA], y[iB], y[iAB]
        s1, st = sobol_indices(yA, yB, yAB, estimator)
        N = iA.size
        idx = rng.integers(0, N, size=(n_boot, N))
        with np.errstate(invalid="ignore", divide="ignore"):  # a resample without variance
            b1, bt = sobol_indices(yA[idx], yB[idx], yAB[:, idx].transpose(1, 0, 2), estimator)
        df = pd.DataFrame({"S1": s1, "S1_lo": np.nanpercentile(b1, lo_q, axis=0),
                           "S1_hi": np.nanpercentile(b1, hi_q, axis=0),
                           "ST": st, "ST_lo": np.nanpercentile(bt, lo_q, axis=0),
                           "ST_hi": np.nanpercentile(bt, hi_q, axis=0)},
                          index=pd.Index(factors, name="factor"))
        attrs.update(N=int(N), estimator=estimator)
    elif method == "morris":
        effects = morris_effects(_unit(ds, X, unit), y)   # NaN where a point is missing
        effects = [e[np.isfinite(e)] for e in effects]
        _varies(m, yk)
        rows = []
        for e in effects:
            if e.size == 0:
                rows.append([np.nan] * 5 + [0])
                continue
            boot = np.abs(e[rng.integers(0, e.size, size=(n_boot, e.size))]).mean(axis=1)
            rows.append([np.abs(e).mean(), np.percentile(boot, lo_q),
                         np.percentile(boot, hi_q), e.mean(),
                         e.std(ddof=1) if e.size > 1 else np.nan, e.size])
        df = pd.DataFrame(rows, columns=["mu_star", "mu_star_lo", "mu_star_hi", "mu", "sigma",
                                         "n_effects"], index=pd.Index(factors, name="factor"))
    elif method == "rbd_fast":
        from .givendata import rbd_fast
        Xk = X[~gone]
        s1 = rbd_fast(Xk, yk)
        _varies(m, yk)
        n = len(yk)
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = np.array([rbd_fast(Xk[i], yk[i]) for i in
                             (rng.integers(0, n, size=n) for _ in range(min(n_boot, 200)))])
        df = pd.DataFrame({"S1": s1, "S1_lo": np.nanpercentile(boot, lo_q, axis=0),
                           "S1_hi": np.nanpercentile(boot, hi_q, axis=0),
                           "ST": np.nan, "ST_lo": np.nan, "ST_hi": np.nan},
                          index=pd.Index(factors, name="factor"))
        attrs["estimator"] = "RBD-FAST (given data; first order only)"
    else:
        raise ValueError(f"method must be 'sobol', 'morris', 'rbd_fast' or 'auto', "
                         f"got {method!r}")
    df.attrs = attrs
    return df


def design_method(ds, X, unit=None) -> str:
    """The estimator a design allows: "sobol" on a Saltelli design, "morris"
    on Morris trajectories, else "rbd_fast" (any sample)."""
    try:
        saltelli_layout(X)
        return "sobol"
    except ValueError:
        pass
    U = _unit(ds, X, unit)
    n, k = U.shape
    if n % (k + 1) == 0 and n > k:
        steps = [s for s in range(n - 1) if (s + 1) % (k + 1) != 0]
        if steps and all(_moved(U[s], U[s + 1]) is not None for s in steps):
            return "morris"
    return "rbd_fast"


def _varies(m, y):
    """Refuses an output without variance across the points (after the
    design is known to fit the method: that error comes first). Equal
    values are tested as such: the variance of identical floats is not
    always 0 (np.var of 11 copies of 1095/365.25 is 2e-31), and indices
    divided by it are noise or NaN."""
    if np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())):
        raise ConstantOutput(f"{m.label} is the same at every point of the design ({y[0]:g}): "
                             "no variance to apportion (e.g. the target is never reached "
                             "within the horizon); choose another output, target or horizon")


def _m_dims(m) -> tuple:
    """Dims of a measure's per-replication arrays (a difference keeps its parts')."""
    num = m.num if m.num is not None else m.a.num
    return tuple(num.dims)

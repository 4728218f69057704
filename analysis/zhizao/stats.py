"""Across-replicate summaries: means and t-intervals.

Replications of a scenario are independent draws of the same stochastic
process, so the natural interval for a mean over them is the Student-t
interval  mean +/- t_{(1+level)/2, n-1} * sd / sqrt(n)  with the sample
standard deviation (ddof=1). scipy gives the t quantile; without scipy we
fall back to the normal quantile (narrower for small n; documented).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import xarray as xr

try:  # scipy is a Debian package here, but keep the package importable without it
    from scipy import stats as _scipy_stats
except ImportError:  # pragma: no cover - exercised only where scipy is absent
    _scipy_stats = None

__all__ = ["t_quantile", "mean_ci", "mean_ci_xr"]


def t_quantile(level: float, n: int) -> float:
    """Two-sided critical value for a `level` interval from `n` observations.

    Student t with n-1 degrees of freedom when scipy is available, else the
    normal quantile. NaN when n < 2 (no spread can be estimated).
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if n < 2:
        return math.nan
    p = 0.5 + level / 2
    if _scipy_stats is not None:
        return float(_scipy_stats.t.ppf(p, n - 1))
    return NormalDist().inv_cdf(p)


def mean_ci(values, level: float = 0.95) -> dict:
    """Mean and t-interval of a 1-D sample, ignoring NaN.

    Returns a dict with keys mean, lo, hi, n (number of finite values).
    With one value the bounds are NaN; with none everything is NaN.
    """
    x = np.asarray(values, dtype=float).ravel()
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return {"mean": math.nan, "lo": math.nan, "hi": math.nan, "n": 0}
    m = float(x.mean())
    if n < 2:
        return {"mean": m, "lo": math.nan, "hi": math.nan, "n": 1}
    half = t_quantile(level, n) * float(x.std(ddof=1)) / math.sqrt(n)
    return {"mean": m, "lo": m - half, "hi": m + half, "n": n}


def mean_ci_xr(da: xr.DataArray, dim: str = "replicate", level: float = 0.95) -> xr.Dataset:
    """Vectorised `mean_ci` over one dimension of a DataArray.

    NaN entries are left out cell by cell (so a cell's n may differ from
    another's). Returns a Dataset with variables mean, lo, hi, n over the
    remaining dimensions.
    """
    da = da.astype(float)
    n = da.notnull().sum(dim)
    mean = da.mean(dim, skipna=True)
    sd = da.std(dim, ddof=1, skipna=True)
    # t quantile depends on n, which may vary by cell: compute per distinct n.
    nv = np.asarray(n.values)
    crit = np.full(nv.shape, np.nan)
    for k in np.unique(nv):
        crit[nv == k] = t_quantile(level, int(k))
    half = xr.DataArray(crit, dims=n.dims, coords=n.coords) * sd / np.sqrt(n.where(n > 0))
    return xr.Dataset({"mean": mean, "lo": mean - half, "hi": mean + half, "n": n})

"""Sensitivity and scenario discovery that work on any sample of points.

* :func:`rbd_fast` -- first-order indices from a given sample (Latin
  hypercube, Sobol sequence, random, a CSV design): RBD-FAST as SALib
  implements it (``SALib.analyze.rbd_fast``; Tarantola et al. 2006,
  Plischke 2010 for given data, bias correction of Tissot & Prieur 2012).
  For factor i the points are sorted by x_i and read in a "zig-zag" order
  (even ranks up, odd ranks down) so that the output becomes a periodic
  signal of the factor; its periodogram's power at the first M harmonics
  over the total power is S1_i, corrected by
  S1 - (2M/N) / (1 - 2M/N) (1 - S1). Total effects are not identified by
  this estimator: a Saltelli design is needed for ST.
* :func:`prim` -- Patient Rule Induction Method (Friedman & Fisher 1999),
  as EMA Workbench uses it for scenario discovery: boxes of the factor
  space where a condition (e.g. "the plan misses its target") is
  concentrated. Starting from the whole space, repeatedly peel the share
  `alpha` of the remaining points off one side of one factor, the peel that
  leaves the highest density of the condition, until fewer than
  `min_support` of the points remain. Each box on the way has a coverage
  (share of all points with the condition that lie in it) and a density
  (share of its points with the condition); the box returned is the
  densest one whose coverage is at least `min_coverage`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import periodogram

__all__ = ["rbd_fast", "prim"]


def rbd_fast(X: np.ndarray, y: np.ndarray, M: int | None = None) -> np.ndarray:
    """First-order indices S1 [k] of y on the sample X [n, k] (see the module doc).

    M: harmonics; default SALib's 10 from 200 points on, n // 20 (at least
    2) below: with 64 points, 10 harmonics take a third of the spectrum and
    the bias correction drives every index far below zero.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, k = X.shape
    if M is None:
        M = 10 if n >= 200 else max(2, n // 20)
    if n <= 2 * M:
        raise ValueError(f"RBD-FAST with M = {M} harmonics needs more than {2 * M} points "
                         f"(got {n}); run more points (explore --points)")
    s1 = np.empty(k)
    lamb = 2 * M / n
    for i in range(k):
        order = np.argsort(X[:, i], kind="stable")
        zigzag = np.concatenate([order[::2], order[1::2][::-1]])
        _, pxx = periodogram(y[zigzag])
        v = pxx[1:].sum()
        raw = pxx[1:M + 1].sum() / v if v > 0 else np.nan
        s1[i] = raw - lamb / (1 - lamb) * (1 - raw)
    return s1


def prim(X: pd.DataFrame, hit, alpha: float = 0.05, min_support: float = 0.05,
         min_coverage: float = 0.5) -> dict:
    """The box of X where `hit` (bool per point) is concentrated.

    Returns a dict: ``box`` (DataFrame per factor: lo, hi, restricted),
    ``rules`` (the restricted limits as text, "factor in [lo, hi]"),
    ``coverage``, ``density``, ``support`` (share of the points in the
    box), ``base_density`` (share of all points with the condition),
    ``trajectory`` (DataFrame: coverage, density, support per peel).
    """
    X = pd.DataFrame(X)
    v = np.asarray(X.values, dtype=float)
    hit = np.asarray(hit, dtype=bool)
    n = len(v)
    if n == 0 or not hit.any():
        raise ValueError("no point meets the condition: nothing to find")
    total = hit.sum()
    lo, hi = v.min(axis=0).copy(), v.max(axis=0).copy()
    inside = np.ones(n, bool)
    boxes = [(lo.copy(), hi.copy(), inside.copy())]
    while inside.sum() > max(min_support * n, 1):
        best = None
        idx = np.flatnonzero(inside)
        m = len(idx)
        for j in range(v.shape[1]):
            x = v[idx, j]
            for side in ("lo", "hi"):
                q = np.quantile(x, alpha if side == "lo" else 1 - alpha, method="lower"
                                if side == "lo" else "higher")
                keep = x > q if side == "lo" else x < q
                if keep.sum() == m or keep.sum() == 0:
                    continue
                dens = hit[idx[keep]].mean()
                if best is None or dens > best[0] + 1e-12 or \
                        (abs(dens - best[0]) <= 1e-12 and keep.sum() > best[3]):
                    best = (dens, j, side, keep.sum(), q, keep)
        if best is None:
            break
        _, j, side, _, q, keep = best
        inside = np.zeros(n, bool)
        inside[idx[keep]] = True
        kept = v[inside, j]
        if side == "lo":
            lo[j] = kept.min()
        else:
            hi[j] = kept.max()
        boxes.append((lo.copy(), hi.copy(), inside.copy()))
    traj = pd.DataFrame([{"coverage": hit[b].sum() / total, "density": hit[b].mean(),
                          "support": b.mean()} for _, _, b in boxes])
    ok = traj["coverage"] >= min_coverage
    pick = int(traj[ok]["density"].idxmax()) if ok.any() else 0
    # the densest box at that coverage: among ties, the first (the largest)
    blo, bhi, b = boxes[pick]
    full_lo, full_hi = v.min(axis=0), v.max(axis=0)
    restricted = (blo > full_lo) | (bhi < full_hi)
    box = pd.DataFrame({"lo": blo, "hi": bhi, "restricted": restricted},
                       index=pd.Index(X.columns, name="factor"))
    rules = [f"{f} in [{r.lo:.4g}, {r.hi:.4g}]" for f, r in box.iterrows() if r.restricted]
    return {"box": box, "rules": rules, "coverage": float(traj.loc[pick, "coverage"]),
            "density": float(traj.loc[pick, "density"]),
            "support": float(traj.loc[pick, "support"]),
            "base_density": float(hit.mean()), "trajectory": traj}

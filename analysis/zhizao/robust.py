"""How sure is the ranking: probabilities, regret, and where the answer flips.

* :func:`p_target` -- the probability of reaching a target by a date, per
  scenario (and point), with an exact interval; on any file.
* :func:`robust_ranking` -- across the points of an experiment (each an
  equally likely setting of the unknowns) or, for a plain run/comparison
  file, across replications: the probability that each mix is best, its
  regret (how much worse than the best mix at that point, in the measure's
  own units) at its maximum and 90th percentile, and its mean value.
* :func:`ranking_flips` -- a classification tree (scikit-learn CART) on the
  design: which factor values make which mix best. Each leaf is a box of
  the factor space with the mix that wins most often there.

Measures are those of :mod:`zhizao.measures`; "best" is the highest
probability or number of additional adopters, the shortest (restricted
mean) time, the lowest cost per additional adopter. Ties at a point are
shared equally. A mix whose value is undefined at a point (e.g. no
additional adopters, so no cost per adopter) counts as worst there, and
its regret there is infinite.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from .dataset import as_experiment
from .measures import by_days, done_mask, measure, point_values
from .survival import _clopper_pearson

__all__ = ["p_target", "robust_ranking", "ranking_flips", "scenario_discovery"]


def p_target(ds, target: str, by=None, level: float = 0.95) -> xr.Dataset:
    """Probability that `target` is reached by `by`, across replications.

    Parameters
    ----------
    ds : an experiment Dataset, a run/comparison file or Dataset (see
        :func:`zhizao.dataset.as_experiment`).
    target : target group name.
    by : a date ("2027-05-29"), days from the start, or None for the
        target's own deadline *in each scenario* (``target { by = ... }``;
        a pioneer's ``within_days``), else the horizon. A date after the
        horizon is an error: the runs say nothing about it (a scenario
        whose own deadline is after the horizon gets NaN, n = 0).

    Returns
    -------
    Dataset over the remaining dims (point, scenario) with ``p``, ``lo``,
    ``hi`` (exact Clopper-Pearson interval at `level`), ``k`` (replications
    that reached the target by then), ``n`` (replications counted),
    ``missing`` (replications an interrupted experiment never ran: left
    out, not read as "not reached"), ``by_days`` (the date used, per
    scenario); attrs ``by_days`` (that date when every scenario shares it,
    else NaN), ``target``, ``note`` (what was left out, or "").
    """
    ds = as_experiment(ds)
    m = measure(ds, "p_target", target, by)
    d = by_days(ds, str(target), by)
    k = m.num.sum("replicate")
    n = m.den.sum("replicate")
    other = list(k.dims)
    kv = np.asarray(k.values, dtype=float).ravel()
    nv = np.asarray(n.values, dtype=float).ravel()
    lo, hi, p = (np.full(kv.shape, np.nan) for _ in range(3))
    for i, (kk, nn) in enumerate(zip(kv, nv)):
        if nn > 0:
            p[i] = kk / nn
            lo[i], hi[i] = _clopper_pearson(int(kk), int(nn), level)
    shape = k.shape
    out = xr.Dataset({"p": (other, p.reshape(shape)), "lo": (other, lo.reshape(shape)),
                      "hi": (other, hi.reshape(shape)), "k": k.astype(int),
                      "n": n.astype(int)}, coords={x: k[x] for x in other if x in k.coords})
    done = done_mask(ds)
    total = ds["time_to_target"].sizes["replicate"]
    run = done.sum("replicate") if done is not None else xr.full_like(out["n"], total)
    out["missing"] = (total - run).astype(int).broadcast_like(out["n"])
    out["by_days"] = (d if isinstance(d, xr.DataArray) else xr.full_like(out["p"], d)) \
        .broadcast_like(out["p"])
    missing = int(out["missing"].sum())
    note = (f"{missing} replications never ran (interrupted experiment): left out, "
            "counted as missing" if missing else "")
    out.attrs = {"by_days": d if not isinstance(d, xr.DataArray) else np.nan,
                 "target": str(target), "level": level, "note": note}
    return out


def _values_over(ds, output, target, by, money_kind, over):
    """(Measure, values [unit, scenario], missing [unit, scenario]); unit =
    point or replicate; missing = nothing ran there (an interrupted
    experiment's tasks, a deadline after the horizon), as opposed to a
    value that is undefined (no adopters, so no cost per adopter)."""
    m, v = point_values(ds, output, target, by, None, money_kind)
    if over == "point":
        if "point" not in v.dims:
            raise ValueError("robustness over points needs an experiment file (a 'point' "
                             "dim); use over='replicate' for a run or comparison")
        return m, v.transpose("point", "scenario"), \
            m.missing().broadcast_like(v).transpose("point", "scenario")
    if over == "replicate":
        d = m.den.where(m.den != 0)
        per = (m.num / d)
        gone = ~m.done if m.done is not None else xr.zeros_like(per, dtype=bool)
        if "point" in per.dims:
            per = per.stack(unit=("point", "replicate")).transpose("unit", "scenario")
            gone = gone.broadcast_like(m.num).stack(unit=("point", "replicate")) \
                .transpose("unit", "scenario")
            return m, per, gone
        return m, per.transpose("replicate", "scenario"), \
            gone.broadcast_like(m.num).transpose("replicate", "scenario")
    raise ValueError(f"over must be 'point' or 'replicate', got {over!r}")


def _best(vals: np.ndarray, sense: int):
    """(share of best per column with ties split, regret matrix)."""
    score = sense * vals
    score = np.where(np.isfinite(score), score, -np.inf)
    top = score.max(axis=1, keepdims=True)
    is_best = (score == top) & np.isfinite(top)
    share = is_best / np.maximum(is_best.sum(axis=1, keepdims=True), 1)
    with np.errstate(invalid="ignore"):        # -inf - -inf where no mix is defined
        regret = np.where(np.isfinite(score), top - score, np.inf)
    regret = np.where(np.isfinite(top), regret, np.nan)
    return share, regret


def robust_ranking(ds, output: str = "p_target", target=None, by=None,
                   money_kind: str = "fiscal", over=None) -> pd.DataFrame:
    """Probability each mix is best, and its regret, across the unknowns.

    Parameters
    ----------
    output, target, by, money_kind : the measure (see :mod:`zhizao.measures`).
    over : "point" (default for an experiment: each point of the design is
        an equally likely setting of the uncertain parameters) or
        "replicate" (default otherwise: chance alone, paired replications).

    Returns
    -------
    DataFrame, one row per scenario, best first (by p_best, then mean
    regret): ``p_best`` (share of points where it is best, ties shared),
    ``regret_max``, ``regret_p90`` (90th percentile of its regret over
    points, the empirical quantile without interpolation), ``regret_mean``, ``mean`` (its mean value), ``n`` (points).
    Regret is in the measure's units and always >= 0. attrs: ``measure``
    (what is counted), ``over``.
    """
    ds = as_experiment(ds)
    over = over or ("point" if "point" in ds.dims else "replicate")
    m, v, gone = _values_over(ds, output, target, by, money_kind, over)
    vals = np.asarray(v.values, dtype=float)
    # a point where some mix never ran cannot say which is best: left out
    missing = np.asarray(gone.values, dtype=bool).any(axis=1)
    share, regret = _best(vals, m.sense)
    ok = ~np.isnan(regret).any(axis=1) & ~missing  # and points where no mix is defined
    share, regret, vals = share[ok], regret[ok], vals[ok]
    names = [str(s) for s in v["scenario"].values]
    df = pd.DataFrame({
        "p_best": share.mean(axis=0) if len(share) else np.nan,
        "regret_max": regret.max(axis=0) if len(regret) else np.nan,
        "regret_p90": np.percentile(regret, 90, axis=0, method="inverted_cdf")
        if len(regret) else np.nan,
        "regret_mean": regret.mean(axis=0) if len(regret) else np.nan,
        "mean": _nanmean(vals),
        "n": len(vals)}, index=pd.Index(names, name="scenario"))
    df = df.sort_values(["p_best", "regret_mean"], ascending=[False, True], kind="mergesort")
    n_missing = int(missing.sum())
    df.attrs = {"measure": m.label, "unit": m.unit, "over": over,
                "better": "higher" if m.sense > 0 else "lower", "missing": n_missing,
                "note": (f"{n_missing} {over}s left out: some mix has nothing there (tasks "
                         "an interrupted experiment never ran, or a deadline after the "
                         "horizon)") if n_missing else ""}
    return df


def _nanmean(vals: np.ndarray) -> np.ndarray:
    ok = np.isfinite(vals)
    n = ok.sum(axis=0)
    return np.where(n > 0, np.where(ok, vals, 0).sum(axis=0) / np.maximum(n, 1), np.nan)


def _design(ds: xr.Dataset, unit: bool = False) -> pd.DataFrame:
    if "design" not in ds.variables:
        raise ValueError("this needs an experiment file: no 'design' (point, factor)")
    d = ds["design"].transpose("point", "factor")
    return pd.DataFrame(np.asarray(d.values, dtype=float),
                        columns=[str(f) for f in d["factor"].values])


def ranking_flips(ds, output: str = "p_target", target=None, by=None,
                  money_kind: str = "fiscal", max_depth: int = 3,
                  min_leaf: float = 0.05, scenarios=None, random_state: int = 0) -> dict:
    """Where in the factor space the best mix changes (a CART tree).

    A scikit-learn DecisionTreeClassifier learns the best mix at each point
    from the design's actual values (depth <= `max_depth`, each leaf at
    least `min_leaf` of the points). `scenarios` restricts the contest to
    some mixes (e.g. two, for "when does A beat B").

    Returns a dict: ``rules`` (the tree as text, readable thresholds in
    the factors' own units), ``leaves`` (DataFrame: one box per leaf with
    its conditions, the winning mix, its share of the leaf's points and
    the leaf's number of points), ``accuracy`` (share of points the tree
    classifies right), ``importance`` (Series: each factor's share of the
    tree's impurity decrease), ``best`` (Series: best mix per point),
    ``missing`` (points left out: some mix never ran there).
    """
    from sklearn.tree import DecisionTreeClassifier, export_text

    ds = as_experiment(ds)
    m, v, gone = _values_over(ds, output, target, by, money_kind, "point")
    keep = ~np.asarray(gone.values, dtype=bool).any(axis=1)
    v = v.isel(point=np.flatnonzero(keep))
    if scenarios is not None:
        v = v.sel(scenario=list(scenarios))
    names = np.array([str(s) for s in v["scenario"].values])
    vals = np.asarray(v.values, dtype=float)
    score = np.where(np.isfinite(m.sense * vals), m.sense * vals, -np.inf)
    best = names[np.argmax(score, axis=1)]
    X = _design(ds).iloc[np.flatnonzero(keep)].reset_index(drop=True)
    leaf_n = max(1, int(np.ceil(min_leaf * len(X))))
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf_n,
                                  random_state=random_state).fit(X.values, best)
    rules = export_text(tree, feature_names=list(X.columns), decimals=4)
    leaves = _leaves(tree, list(X.columns), X.values, best)
    return {"rules": rules, "leaves": leaves,
            "accuracy": float((tree.predict(X.values) == best).mean()),
            "importance": pd.Series(tree.feature_importances_, index=X.columns,
                                    name="importance").sort_values(ascending=False),
            "best": pd.Series(best, name="best"), "measure": m.label,
            "missing": int((~keep).sum())}


def _leaves(tree, features, X, best) -> pd.DataFrame:
    t = tree.tree_
    rows = []

    def walk(node, conds):
        if t.children_left[node] == -1:
            mask = np.ones(len(X), dtype=bool)
            for f, op, thr in conds:
                mask &= (X[:, f] <= thr) if op == "<=" else (X[:, f] > thr)
            winners, counts = np.unique(best[mask], return_counts=True)
            k = int(np.argmax(counts)) if counts.size else 0
            rows.append({"box": " and ".join(f"{features[f]} {op} {thr:.4g}"
                                             for f, op, thr in conds) or "everywhere",
                         "best": winners[k] if counts.size else None,
                         "share": counts[k] / mask.sum() if counts.size else np.nan,
                         "points": int(mask.sum())})
            return
        f, thr = t.feature[node], t.threshold[node]
        walk(t.children_left[node], conds + [(f, "<=", thr)])
        walk(t.children_right[node], conds + [(f, ">", thr)])

    walk(0, [])
    return pd.DataFrame(rows)


def scenario_discovery(ds, scenario: str, target=None, by=None, condition=None,
                       **prim_args) -> dict:
    """PRIM boxes of the uncertain parameters where `condition` holds.

    Default condition: `scenario` misses `target` at the point (the
    probability of reaching it by `by`, default its deadline, is below
    0.5). `condition` may instead be a boolean array over the points.
    Points where the scenario never ran are left out. Returns
    :func:`zhizao.givendata.prim`'s dict plus ``condition`` (its words)
    and ``points``.
    """
    from .givendata import prim
    ds = as_experiment(ds)
    X = _design(ds)
    if condition is None:
        p = p_target(ds, target, by=by).sel(scenario=scenario)
        pv = np.asarray(p["p"].transpose("point").values, dtype=float)
        keep = np.isfinite(pv)
        hit = pv < 0.5
        words = f"{scenario} misses {target} (P by its deadline < 0.5)"
    else:
        hit = np.asarray(condition, dtype=bool)
        keep = np.ones(len(hit), bool)
        words = "the given condition"
    out = prim(X[keep].reset_index(drop=True), hit[keep], **prim_args)
    out.update(condition=words, points=int(keep.sum()))
    return out

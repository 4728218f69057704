"""The statistics bugs of issue 25 (item 4), on Datasets built by hand so
that every expected number is known:

* each scenario is judged by its own deadline for a target (p_target,
  robust_ranking), not by the latest of them;
* tasks an interrupted experiment never ran are left out and counted as
  missing in p_target, robust_ranking and the sensitivity estimators, never
  read as "not reached";
* a target never reached is refused by sensitivity with a message (the
  variance of identical floats is not always 0, and was divided by).
"""

import math

import numpy as np
import pytest
import xarray as xr

import zhizao
from zhizao.sensitivity import ConstantOutput

TIME = np.array(["2026-01-01", "2027-01-01", "2028-12-31"], dtype="datetime64[ns]")
H = 1095.0                                   # 2026-01-01 to 2028-12-31


def _run(times, deadline):
    t = np.array(times, dtype=float)[:, None]
    return xr.Dataset({"time_to_target": (("replicate", "target"), t),
                       "target_by": (("target",), [deadline])},
                      coords={"replicate": np.arange(len(t)), "target": ["province_gsz"],
                              "time": TIME})


def test_each_scenario_is_judged_by_its_own_deadline():
    # both plans reach the target on day 500 in every replication; one
    # promised it by day 200, the other by day 700
    data = {"early": _run([500.0] * 8, 200.0), "late": _run([500.0] * 8, 700.0)}
    p = zhizao.p_target(data, "province_gsz")
    assert int(p["k"].sel(scenario="early")) == 0 and float(p["p"].sel(scenario="early")) == 0
    assert int(p["k"].sel(scenario="late")) == 8 and float(p["p"].sel(scenario="late")) == 1
    assert list(p["by_days"].values) == [200.0, 700.0]
    assert math.isnan(p.attrs["by_days"])            # no one date for both
    rr = zhizao.robust_ranking(data, "p_target", target="province_gsz")
    assert rr.loc["late", "p_best"] == 1 and rr.loc["early", "p_best"] == 0
    assert rr.loc["early", "mean"] == 0 and rr.loc["late", "mean"] == 1
    # an explicit date still judges every scenario by that date
    q = zhizao.p_target(data, "province_gsz", by=600)
    assert (q["k"] == 8).all()


def test_a_deadline_after_the_horizon_is_not_identified_in_that_scenario_only():
    data = {"soon": _run([500.0, np.nan], 700.0), "never": _run([500.0, 600.0], 2000.0)}
    p = zhizao.p_target(data, "province_gsz")
    assert float(p["p"].sel(scenario="soon")) == 0.5
    assert int(p["n"].sel(scenario="never")) == 0 and np.isnan(float(p["p"].sel(scenario="never")))
    with pytest.raises(ValueError, match="after the horizon"):
        zhizao.p_target({"never": _run([500.0], 2000.0)}, "province_gsz")


def _partial(times, done, deadline=400.0, X=None):
    """An explore-shaped Dataset (point, scenario, replicate); `done` 0 marks
    a task never run, whose numbers read NaN as in an OUT.h5.partial."""
    times = np.asarray(times, dtype=float)
    P, S, R = times.shape
    done = np.asarray(done, dtype=np.uint8)
    t = np.where(done == 1, times, np.nan)[..., None]
    X = np.linspace(0, 1, P)[:, None] if X is None else X
    return xr.Dataset(
        {"time_to_target": (("point", "scenario", "replicate", "target"), t),
         "task_done": (("point", "scenario", "replicate"), done),
         "target_by": (("scenario", "target"), np.full((S, 1), deadline)),
         "design": (("point", "factor"), X)},
        coords={"point": np.arange(P), "scenario": [f"s{i}" for i in range(S)][:S],
                "replicate": np.arange(R), "target": ["province_gsz"], "time": TIME,
                "factor": [f"f{i}" for i in range(X.shape[1])]},
        attrs={"complete": 0, "start_date": "2026-01-01"})


def test_unfinished_tasks_are_missing_not_unreached():
    # 3 points x 2 scenarios x 4 replications, every finished one reaches
    # the target on day 100; point 1 of s0 never ran; point 2 ran half
    times = np.full((3, 2, 4), 100.0)
    done = np.ones((3, 2, 4))
    done[1, 0, :] = 0
    done[2, :, 2:] = 0
    ds = _partial(times, done)
    p = zhizao.p_target(ds, "province_gsz")
    s0 = p.sel(scenario="s0")
    assert np.isnan(float(s0["p"].sel(point=1))) and int(s0["n"].sel(point=1)) == 0
    assert int(s0["missing"].sel(point=1)) == 4
    assert float(s0["p"].sel(point=2)) == 1 and int(s0["n"].sel(point=2)) == 2
    assert int(p["missing"].sum()) == 4 + 2 * 2 and "missing" in p.attrs["note"]
    # means are over the finished replications, not halved by the others
    rr = zhizao.robust_ranking(ds, "time_to_target", target="province_gsz")
    assert rr["mean"].to_numpy() == pytest.approx([100 / 365.25] * 2)
    assert rr.attrs["missing"] == 1 and (rr["n"] == 2).all()
    pr = zhizao.robust_ranking(ds, "p_target", target="province_gsz")
    assert (pr["mean"] == 1).all()
    over_reps = zhizao.robust_ranking(ds, "p_target", target="province_gsz",
                                      over="replicate")
    assert (over_reps["mean"] == 1).all() and over_reps.attrs["missing"] == 4 + 2  # units


def test_morris_effects_leave_out_points_that_never_ran():
    # one trajectory of 2 factors (3 points) then another; y = 2 x0 + 5 x1
    X = np.array([[0.0, 0.0], [0.5, 0.0], [0.5, 0.5],
                  [0.5, 0.5], [0.5, 1.0], [1.0, 1.0]])
    y_days = 100 + 365.25 * (2 * X[:, 0] + 5 * X[:, 1]) / 10   # in years: (2 x0 + 5 x1)/10 + c
    times = np.repeat(y_days[:, None, None], 2, axis=2)        # 1 scenario, 2 replications
    done = np.ones(times.shape)
    done[4, 0, :] = 0                                          # point 4 never ran
    ds = _partial(times, done, X=X)
    m = zhizao.sensitivity(ds, "time_to_target", method="morris", target="province_gsz",
                           unit=X, n_boot=20)
    # effects: f0 from steps 0->1 and 4->5 (the latter needs point 4: dropped)
    assert m.loc["f0", "n_effects"] == 1 and m.loc["f1", "n_effects"] == 1
    assert m.loc["f0", "mu"] == pytest.approx(0.2) and m.loc["f1", "mu"] == pytest.approx(0.5)
    assert m.attrs["missing_points"] == 1 and "never ran" in m.attrs["note"]


def _saltelli(N, k=2, seed=0):
    rng = np.random.default_rng(seed)
    A, B = rng.uniform(size=(N, k)), rng.uniform(size=(N, k))
    AB = []
    for i in range(k):
        a = A.copy()
        a[:, i] = B[:, i]
        AB.append(a)
    return np.vstack([A, B] + AB)


def test_sobol_leaves_out_rows_that_never_ran():
    X = _saltelli(200)
    y = 100 + 300 * X[:, 0] + 30 * X[:, 1]                   # days: factor 0 dominates
    times = y[:, None, None] * np.ones((1, 1, 2))
    full = zhizao.sensitivity(_partial(times, np.ones(times.shape), X=X), "time_to_target",
                              target="province_gsz", n_boot=20)
    done = np.ones(times.shape)
    done[5, 0, :] = 0                                         # row 5 of A never ran
    part = zhizao.sensitivity(_partial(times, done, X=X), "time_to_target",
                              target="province_gsz", n_boot=20)
    assert part.attrs["missing_points"] == 1 and part.attrs["N"] == 199
    assert part.loc["f0", "S1"] == pytest.approx(full.loc["f0", "S1"], abs=0.05)
    assert np.isfinite(part[["S1", "ST"]].to_numpy()).all()


def test_sensitivity_refuses_a_target_never_reached():
    X = _saltelli(3, k=3)                             # 15 points
    times = np.full((len(X), 1, 2), np.nan)            # never reached: all at the horizon
    ds = _partial(times, np.ones(times.shape), X=X)
    y = np.full(len(X), H / 365.25)
    assert np.var(y, ddof=1) > 0, "the rounding this test is about"
    with pytest.raises(ConstantOutput, match="same at every point"):
        zhizao.sensitivity(ds, "time_to_target", target="province_gsz", n_boot=10)

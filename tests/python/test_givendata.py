"""Sensitivity on any design (RBD-FAST from given data) and scenario
discovery (PRIM), checked against closed forms (issue 25, item 3):

* RBD-FAST is SALib's ``rbd_fast.analyze`` formula (zig-zag reordering,
  periodogram power at M = 10 harmonics, Tissot & Prieur's bias
  correction), re-implemented; on Ishigami's function (a = 7, b = 0.1)
  the first-order indices are known: S1 = (0.3139, 0.4424, 0); on a
  linear model y = sum a_i x_i with uniform inputs, S1_i = a_i^2 / sum a^2.
* PRIM finds a box planted in the factor space.
"""

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy.stats import qmc

import zhizao
from zhizao.givendata import prim, rbd_fast

A_, B_, PI = 7.0, 0.1, math.pi
V = A_ ** 2 / 8 + B_ * PI ** 4 / 5 + B_ ** 2 * PI ** 8 / 18 + 0.5
S1_ISHIGAMI = np.array([0.5 * (1 + B_ * PI ** 4 / 5) ** 2, A_ ** 2 / 8, 0.0]) / V


def ishigami(x):
    return np.sin(x[:, 0]) + A_ * np.sin(x[:, 1]) ** 2 + B_ * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_rbd_fast_on_ishigami_with_a_latin_hypercube():
    X = qmc.LatinHypercube(d=3, seed=1).random(4000) * 2 * PI - PI
    s1 = rbd_fast(X, ishigami(X))
    np.testing.assert_allclose(s1, S1_ISHIGAMI, atol=0.02)


def test_rbd_fast_on_a_linear_model():
    X = qmc.LatinHypercube(d=4, seed=2).random(4000)
    a = np.array([1.0, 2.0, 3.0, 0.0])
    s1 = rbd_fast(X, X @ a)
    # sampling error of the estimator at 4000 points is about 0.01-0.025
    np.testing.assert_allclose(s1, a ** 2 / (a ** 2).sum(), atol=0.03)


def test_rbd_fast_bias_correction_by_hand():
    # a pure-noise output: raw S1 ~ 2M/N, the correction brings it to ~0
    rng = np.random.default_rng(3)
    X, y = rng.uniform(size=(500, 2)), rng.standard_normal(500)
    assert np.abs(rbd_fast(X, y)).max() < 0.05
    with pytest.raises(ValueError, match="more than 20 points"):
        rbd_fast(X[:15], y[:15], M=10)
    with pytest.raises(ValueError, match="more than 4 points"):
        rbd_fast(X[:4], y[:4])


def test_rbd_fast_on_a_small_sample_stays_near_the_truth():
    # the library's 64 points: fewer harmonics, no index driven far below 0
    X = qmc.LatinHypercube(d=4, seed=2).random(64)
    a = np.array([1.0, 2.0, 3.0, 0.0])
    s1 = rbd_fast(X, X @ a)
    np.testing.assert_allclose(s1, a ** 2 / (a ** 2).sum(), atol=0.12)


def _lhs_experiment(n=600, seed=4):
    """An experiment-shaped Dataset on a Latin hypercube (no Saltelli or
    Morris structure): years to target = f(design)."""
    U = qmc.LatinHypercube(d=3, seed=seed).random(n)
    X = U * 2 * PI - PI
    days = 200 + 30 * ishigami(X)                  # within (0, horizon)
    t = np.repeat(days[:, None, None], 2, axis=2)[..., None]
    time = np.array(["2026-01-01", "2029-01-01"], dtype="datetime64[ns]")
    return xr.Dataset(
        {"design": (("point", "factor"), X),
         "time_to_target": (("point", "scenario", "replicate", "target"), t)},
        coords={"point": np.arange(n), "factor": ["x1", "x2", "x3"], "scenario": ["plan"],
                "replicate": [0, 1], "target": ["g"], "time": time}), X, days


def test_sensitivity_auto_uses_rbd_fast_on_a_latin_hypercube_and_says_so():
    ds, X, days = _lhs_experiment()
    s = zhizao.sensitivity(ds, "time_to_target", method="auto", target="g", n_boot=30)
    assert s.attrs["method"] == "rbd_fast" and "RBD-FAST" in s.attrs["estimator"]
    np.testing.assert_allclose(s["S1"].to_numpy(), rbd_fast(X, days / 365.25))
    np.testing.assert_allclose(s["S1"].to_numpy(), S1_ISHIGAMI, atol=0.08)
    assert s["ST"].isna().all()
    with pytest.raises(ValueError, match="Saltelli"):
        zhizao.sensitivity(ds, "time_to_target", method="sobol", target="g")


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.uniform(size=(3000, 3)), columns=["a", "b", "c"])
    hit = (X.a > 0.6) & (X.b < 0.3)
    r = prim(X, hit)
    box = r["box"]
    assert box.loc["a", "lo"] == pytest.approx(0.6, abs=0.03)
    assert box.loc["b", "hi"] == pytest.approx(0.3, abs=0.03)
    assert not box.loc["c", "restricted"]
    assert r["density"] > 0.95 and r["coverage"] > 0.85
    assert r["base_density"] == pytest.approx(hit.mean())


def test_scenario_discovery_on_an_experiment():
    # the plan misses (reaches on day 900, after its deadline on day 700)
    # exactly where factor a > 0.6 and b < 0.3
    rng = np.random.default_rng(5)
    n = 1500
    X = rng.uniform(size=(n, 3))
    miss = (X[:, 0] > 0.6) & (X[:, 1] < 0.3)
    days = np.where(miss, 900.0, 300.0)
    t = np.repeat(days[:, None, None], 4, axis=2)[..., None]
    time = np.array(["2026-01-01", "2029-01-01"], dtype="datetime64[ns]")
    ds = xr.Dataset(
        {"design": (("point", "factor"), X),
         "time_to_target": (("point", "scenario", "replicate", "target"), t),
         "target_by": (("scenario", "target"), [[700.0]])},
        coords={"point": np.arange(n), "factor": ["a", "b", "c"], "scenario": ["plan"],
                "replicate": np.arange(4), "target": ["g"], "time": time})
    r = zhizao.scenario_discovery(ds, "plan", target="g")
    assert "plan misses g" in r["condition"]
    assert r["box"].loc["a", "lo"] == pytest.approx(0.6, abs=0.04)
    assert r["box"].loc["b", "hi"] == pytest.approx(0.3, abs=0.04)
    assert r["density"] > 0.95

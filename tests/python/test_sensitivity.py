"""Sobol and Morris sensitivity (analysis/zhizao/sensitivity.py).

Checked against the Ishigami function's analytic indices (a = 7, b = 0.1,
inputs uniform on [-pi, pi]; Ishigami & Homma 1990, Saltelli et al. 2008
p. 179):
  V   = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2
  V1  = (1 + b pi^4/5)^2 / 2,  V2 = a^2/8,  V3 = 0,  V13 = 8 b^2 pi^8 / 225
  S1 = (V1, V2, 0)/V,  ST = (V1 + V13, V2, V13)/V
and against OpenTURNS on the very same sample (its SobolIndicesExperiment
layout and its Jansen/Saltelli algorithms). Experiment-shaped Datasets
(design (point, factor), time_to_target (point, scenario, replicate,
target)) are built by hand, as `zhizao explore` will write them.
"""

import math

import numpy as np
import pytest
import xarray as xr

import zhizao
from zhizao.sensitivity import morris_effects, saltelli_layout, sobol_indices

A_, B_ = 7.0, 0.1
PI = math.pi
V = A_ ** 2 / 8 + B_ * PI ** 4 / 5 + B_ ** 2 * PI ** 8 / 18 + 0.5
V1 = 0.5 * (1 + B_ * PI ** 4 / 5) ** 2
V2 = A_ ** 2 / 8
V13 = 8 * B_ ** 2 * PI ** 8 / 225
S1_TRUE = np.array([V1, V2, 0.0]) / V
ST_TRUE = np.array([V1 + V13, V2, V13]) / V
FACTORS = ["population.hurdle_mean", "decision.temperature", "success_demo"]


def ishigami(x):
    x = np.asarray(x, dtype=float)
    return np.sin(x[:, 0]) + A_ * np.sin(x[:, 1]) ** 2 + B_ * x[:, 2] ** 4 * np.sin(x[:, 0])


def saltelli_design(N, k=3, seed=1, interleave=False):
    """Blocked A, B, AB_1..AB_k on [-pi, pi]^k (or SALib's row order)."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(-PI, PI, (N, k))
    B = rng.uniform(-PI, PI, (N, k))
    AB = []
    for i in range(k):
        m = A.copy()
        m[:, i] = B[:, i]
        AB.append(m)
    if not interleave:
        return np.vstack([A, B] + AB)
    rows = []
    for j in range(N):
        rows += [A[j]] + [AB[i][j] for i in range(k)] + [B[j]]
    return np.array(rows)


def experiment(X, y_per_rep, factors=FACTORS):
    """An experiment-shaped Dataset whose output 'y' is (point, replicate)."""
    y = np.asarray(y_per_rep, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    return xr.Dataset(
        {"design": (("point", "factor"), X),
         "y": (("point", "replicate"), y)},
        coords={"point": np.arange(len(X)), "factor": factors,
                "replicate": np.arange(y.shape[1])})


@pytest.mark.parametrize("interleave", [False, True])
def test_sobol_ishigami_analytic(interleave):
    X = saltelli_design(20000, interleave=interleave)
    ds = experiment(X, ishigami(X))
    for est in ("saltelli2010", "jansen"):
        s = zhizao.sensitivity(ds, "y", method="sobol", estimator=est, n_boot=200)
        assert list(s.index) == FACTORS
        assert list(s.columns) == ["S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"]
        np.testing.assert_allclose(s["S1"], S1_TRUE, atol=0.03)
        np.testing.assert_allclose(s["ST"], ST_TRUE, atol=0.03)
        # bootstrap intervals bracket the estimate and (here) the truth
        assert (s["S1_lo"] <= s["S1"]).all() and (s["S1"] <= s["S1_hi"]).all()
        assert (s["ST_lo"] <= ST_TRUE + 0.01).all() and (ST_TRUE - 0.01 <= s["ST_hi"]).all()
        assert s.attrs["N"] == 20000 and s.attrs["noise_share"] == 0.0


def test_sobol_matches_openturns_on_the_same_sample():
    ot = pytest.importorskip("openturns")
    N, k = 4000, 3
    ot.RandomGenerator.SetSeed(7)
    dist = ot.ComposedDistribution([ot.Uniform(-PI, PI)] * k)
    X = np.array(ot.SobolIndicesExperiment(dist, N, False).generate())
    y = ishigami(X)
    ds = experiment(X, y)
    ours_j = zhizao.sensitivity(ds, "y", estimator="jansen", n_boot=50)
    ours_s = zhizao.sensitivity(ds, "y", estimator="saltelli2010", n_boot=50)
    Xs, Ys = ot.Sample(X), ot.Sample(y[:, None])
    jan = ot.JansenSensitivityAlgorithm(Xs, Ys, N)
    sal = ot.SaltelliSensitivityAlgorithm(Xs, Ys, N)
    # The same Jansen sums; OpenTURNS divides them by 2N - 1 and by the
    # variance of A alone (ddof 1), we by 2N and the variance of A and B
    # together. Undo its normalisation: then the two agree to rounding.
    vA, vAB = np.var(y[:N], ddof=1), np.var(y[:2 * N])
    scale = (2 * N - 1) * vA / (2 * N * vAB)
    ot_s1 = 1 - (1 - np.array(jan.getFirstOrderIndices())) * scale
    ot_st = np.array(jan.getTotalOrderIndices()) * scale
    np.testing.assert_allclose(ours_j["S1"], ot_s1, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours_j["ST"], ot_st, rtol=0, atol=1e-10)
    # OpenTURNS' "Saltelli" first order is the 2002 form (f(B) f(AB) minus
    # the product of means); the 2010 one estimates the same quantity on the
    # same rows: within OpenTURNS' own 95% interval, and close to its value
    iv = sal.getFirstOrderIndicesInterval()
    lo, hi = np.array(iv.getLowerBound()), np.array(iv.getUpperBound())
    assert ((lo <= ours_s["S1"]) & (ours_s["S1"] <= hi)).all(), (lo, ours_s["S1"].values, hi)
    np.testing.assert_allclose(ours_s["S1"], np.array(sal.getFirstOrderIndices()), atol=0.03)
    # both agree with the truth as well as OpenTURNS does
    err_ours = np.abs(ours_j["ST"] - ST_TRUE).max()
    err_ot = np.abs(np.array(jan.getTotalOrderIndices()) - ST_TRUE).max()
    assert err_ours < err_ot + 0.01


def test_sobol_estimators_by_hand():
    """Three rows worked out on paper."""
    yA = np.array([1.0, 2.0, 3.0])
    yB = np.array([2.0, 0.0, 1.0])
    yAB = np.array([[1.0, 0.0, 3.0]])   # one factor
    V_ = np.var([1, 2, 3, 2, 0, 1])     # 2/3... = 0.8055..
    s1, st = sobol_indices(yA, yB, yAB, "saltelli2010")
    # f centred on mean(A, B) = 1.5: f(B) - 1.5 = (0.5, -1.5, -0.5)
    assert s1[0] == pytest.approx((0.5 * 0 + -1.5 * -2 + -0.5 * 0) / 3 / V_)
    assert st[0] == pytest.approx((0 + 4 + 0) / 3 / 2 / V_)
    s1j, stj = sobol_indices(yA, yB, yAB, "jansen")
    assert s1j[0] == pytest.approx(1 - (1 + 0 + 4) / 3 / 2 / V_)
    assert stj[0] == pytest.approx(st[0])


def test_saltelli_layout_errors():
    X = saltelli_design(10)
    iA, iB, iAB = saltelli_layout(X)
    assert iAB.shape == (3, 10) and (iA == np.arange(10)).all()
    with pytest.raises(ValueError, match="not a Saltelli design"):
        saltelli_layout(X[:-1])
    bad = X.copy()
    bad[25, 1] += 0.5                    # AB_1 row no longer A with column 0 from B
    with pytest.raises(ValueError, match="not a Saltelli design"):
        saltelli_layout(bad)
    ds = experiment(np.random.default_rng(0).uniform(size=(50, 3)), np.zeros(50))
    with pytest.raises(ValueError, match="saltelli"):
        zhizao.sensitivity(ds, "y")


def morris_design(r, k, levels=4, seed=3):
    """r trajectories of k + 1 points on a `levels` grid of the unit cube."""
    rng = np.random.default_rng(seed)
    delta = levels / (2 * (levels - 1))
    pts = []
    for _ in range(r):
        x = rng.integers(0, levels // 2, size=k) / (levels - 1)
        pts.append(x.copy())
        for i in rng.permutation(k):
            x[i] = x[i] + delta if x[i] + delta <= 1 else x[i] - delta
            pts.append(x.copy())
    return np.array(pts)


def test_morris_linear_by_hand():
    """y = 3 x0 - 2 x1 + 0 x2 on the unit cube: every EE is the coefficient
    (mu* = |a|, mu = a, sigma = 0); actual values on other ranges give
    effects per whole range."""
    U = morris_design(12, 3)
    y = 3 * U[:, 0] - 2 * U[:, 1]
    lo, hi = np.array([0.6, 0.15, 10.0]), np.array([1.2, 0.6, 50.0])
    X = lo + U * (hi - lo)
    ds = experiment(X, y)
    s = zhizao.sensitivity(ds, "y", method="morris")
    np.testing.assert_allclose(s["mu_star"], [3, 2, 0], atol=1e-9)
    np.testing.assert_allclose(s["mu"], [3, -2, 0], atol=1e-9)
    np.testing.assert_allclose(s["sigma"], [0, 0, 0], atol=1e-9)
    assert (s["n_effects"] == 12).all()
    # the stored unit design is used when present
    ds["design_unit"] = (("point", "factor"), U)
    s2 = zhizao.sensitivity(ds, "y", method="morris")
    np.testing.assert_allclose(s2["mu_star"], [3, 2, 0], atol=1e-9)


def test_morris_ishigami_ranks_and_interaction():
    U = morris_design(200, 3, levels=4)
    y = ishigami(-PI + 2 * PI * U)
    s = zhizao.sensitivity(experiment(-PI + 2 * PI * U, y), "y", method="morris")
    # x3 acts only through its interaction with x1: mu ~ 0, sigma large
    assert s.loc[FACTORS[2], "mu_star"] > 0.5
    assert abs(s.loc[FACTORS[2], "mu"]) < s.loc[FACTORS[2], "sigma"]
    assert s["mu_star_lo"].le(s["mu_star"]).all() and s["mu_star_hi"].ge(s["mu_star"]).all()
    # an elementary effect by hand: first step of the first trajectory
    eff = morris_effects(U, y)
    i = int(np.flatnonzero(U[1] != U[0])[0])
    assert eff[i][0] == pytest.approx((y[1] - y[0]) / (U[1, i] - U[0, i]))


def _exp_times(X, times_fn, horizon=1096.0, reps=8, noise=0.0, seed=0):
    """Experiment with two scenarios whose time_to_target depends on X."""
    rng = np.random.default_rng(seed)
    n = len(X)
    t = np.empty((n, 2, reps, 1))
    for s in range(2):
        base = times_fn(X, s)
        t[:, s, :, 0] = base[:, None] + noise * rng.standard_normal((n, reps))
    t[t > horizon] = np.nan
    time = np.array(["2026-01-01", "2029-01-01"], dtype="datetime64[ns]")
    return xr.Dataset(
        {"design": (("point", "factor"), X),
         "time_to_target": (("point", "scenario", "replicate", "target"), t)},
        coords={"point": np.arange(n), "factor": FACTORS, "scenario": ["plan", "contest"],
                "replicate": np.arange(reps), "target": ["province_gsz"], "time": time})


def test_sensitivity_of_time_to_target_and_of_a_difference():
    """Time depends on factor 0 in 'plan', on factor 1 in 'contest': the
    difference plan - contest depends on both, never on factor 2."""
    X = saltelli_design(2000, seed=5) / (2 * PI) + 0.5          # unit cube
    fn = lambda X, s: 200 + 500 * X[:, 0] if s == 0 else 300 + 400 * X[:, 1]  # noqa: E731
    ds = _exp_times(X, fn, noise=20.0)
    with pytest.raises(ValueError, match="choose scenario"):
        zhizao.sensitivity(ds, "time_to_target", target="province_gsz")
    plan = zhizao.sensitivity(ds, "time_to_target", target="province_gsz", scenario="plan",
                              n_boot=100)
    assert plan.loc[FACTORS[0], "S1"] > 0.9 and plan.loc[FACTORS[1], "ST"] < 0.05
    diff = zhizao.sensitivity(ds, "time_to_target", target="province_gsz",
                              scenario=("plan", "contest"), n_boot=100)
    assert diff.loc[FACTORS[0], "S1"] > 0.5 and diff.loc[FACTORS[1], "S1"] > 0.2
    assert diff.loc[FACTORS[2], "ST"] < 0.05
    assert "plan minus contest" in diff.attrs["output"]
    # replication noise: per point the mean of 8 draws with sd 20 days ->
    # noise var = 20^2 / 8 days^2 against var(500 U) = 500^2 / 12
    expect = (20.0 ** 2 / 8) / (500 ** 2 / 12)
    assert plan.attrs["noise_share"] == pytest.approx(expect, rel=0.15)


def test_sensitivity_needs_a_design(tmp_path):
    ds = xr.Dataset({"y": (("replicate",), np.ones(3))})
    with pytest.raises(ValueError, match="design"):
        zhizao.sensitivity(ds, "y")


def test_sobol_intervals_are_each_index_own_bootstrap():
    """Each index's interval is the percentile bootstrap of that index
    (rows resampled with the function's own seed), so it contains its own
    point estimate; and here, with N large, it brackets the truth on both
    sides: x3 acts only through its interaction (S1 = 0, ST = 0.24), so a
    total interval borrowed from the first order would sit near zero."""
    N = 20000
    X = saltelli_design(N)
    y = ishigami(X)
    s = zhizao.sensitivity(experiment(X, y), "y", method="sobol", n_boot=100, seed=4)
    for idx in ("S1", "ST"):
        assert (s[f"{idx}_lo"] <= s[idx]).all() and (s[idx] <= s[f"{idx}_hi"]).all(), s
    for idx, true in (("S1", S1_TRUE), ("ST", ST_TRUE)):
        assert (np.abs(s[f"{idx}_lo"] - true) < 0.06).all() and (np.abs(s[f"{idx}_hi"] - true) < 0.06).all()
    # the same resamples by hand
    rng = np.random.default_rng(4)
    idx = rng.integers(0, N, size=(100, N))
    yA, yB, yAB = y[:N], y[N:2 * N], y[2 * N:].reshape(3, N)
    b1, bt = sobol_indices(yA[idx], yB[idx], yAB[:, idx].transpose(1, 0, 2), "saltelli2010")
    np.testing.assert_allclose(s["ST_lo"], np.percentile(bt, 2.5, axis=0), rtol=1e-12)
    np.testing.assert_allclose(s["ST_hi"], np.percentile(bt, 97.5, axis=0), rtol=1e-12)
    np.testing.assert_allclose(s["S1_lo"], np.percentile(b1, 2.5, axis=0), rtol=1e-12)


def test_morris_steps_down_keep_their_sign():
    """A design that steps both up and down (base points anywhere on the
    grid): on y = 3 x0 - 2 x1 every effect is the coefficient, whichever
    the direction of the step, so mu is the signed coefficient and sigma 0."""
    rng = np.random.default_rng(8)
    levels, k = 4, 3
    delta = levels / (2 * (levels - 1))
    pts = []
    for _ in range(30):
        x = rng.integers(0, levels, size=k) / (levels - 1)
        pts.append(x.copy())
        for i in rng.permutation(k):
            x[i] = x[i] + delta if x[i] + delta <= 1 + 1e-12 else x[i] - delta
            pts.append(x.copy())
    U = np.array(pts)
    steps = np.diff(U, axis=0)
    assert (steps < -0.1).any() and (steps > 0.1).any()     # both directions occur
    y = 3 * U[:, 0] - 2 * U[:, 1]
    s = zhizao.sensitivity(experiment(U, y), "y", method="morris")
    np.testing.assert_allclose(s["mu"], [3, -2, 0], atol=1e-9)
    np.testing.assert_allclose(s["mu_star"], [3, 2, 0], atol=1e-9)
    np.testing.assert_allclose(s["sigma"], [0, 0, 0], atol=1e-9)


def test_morris_trajectories_that_touch_give_no_effect_across_them():
    """Blocks of k + 1 points are trajectories: the step from one's last
    point to the next one's first is no elementary effect, even when the two
    points happen to differ in one factor only."""
    t = 2 / 3
    U = np.array([[0, 0], [t, 0], [t, t],          # trajectory 1
                  [0, t], [0, 0], [t, 0],          # 2: starts one factor away from 1's end
                  [1 / 3, 1 / 3], [1, 1 / 3], [1, 1]], float)
    y = 3 * U[:, 0] - 2 * U[:, 1] + 5 * U[:, 0] * U[:, 1]
    eff = morris_effects(U, y)
    assert [len(e) for e in eff] == [3, 3]
    s = zhizao.sensitivity(experiment(U, y, FACTORS[:2]), "y", method="morris")
    assert (s["n_effects"] == 3).all()

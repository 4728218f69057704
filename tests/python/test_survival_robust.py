"""Kaplan-Meier, probability by a date, p_target and robust rankings,
against hand computation (analysis/zhizao/survival.py, robust.py)."""

import math

import numpy as np
import pytest
import xarray as xr
from scipy import stats

import zhizao
from zhizao import survival

H = 1096.0   # 2026-01-01 .. 2029-01-01


def test_km_censored_at_the_horizon_is_the_empirical_share():
    t = [100, 300, np.nan, 300, 700, np.nan, np.nan, 50]   # 5 of 8 reached
    c = survival.km(t, H)
    assert list(c.index) == [0, 50, 100, 300, 700, H]
    np.testing.assert_allclose(c["p"], [0, 1 / 8, 2 / 8, 4 / 8, 5 / 8, 5 / 8])
    np.testing.assert_array_equal(c["at_risk"], [8, 8, 7, 6, 4, 3])
    # log(-log) Greenwood band by hand at t = 300: S = 1/2,
    # Greenwood sum = 1/(8*7) + 1/(7*6) + 2/(6*4)
    g = 1 / 56 + 1 / 42 + 2 / 24
    se = math.sqrt(g) / abs(math.log(0.5))
    z = stats.norm.ppf(0.975)
    assert c.loc[300, "lo"] == pytest.approx(1 - 0.5 ** math.exp(-z * se))
    assert c.loc[300, "hi"] == pytest.approx(1 - 0.5 ** math.exp(z * se))
    assert ((c["lo"] >= 0) & (c["hi"] <= 1) & (c["lo"] <= c["p"]) & (c["p"] <= c["hi"])).all()


def test_km_with_early_censoring_by_hand():
    # replication 2 stopped (censored) at day 200 without reaching it
    t = [100, np.nan, 300, np.nan]
    cens = [H, 200, H, H]
    c = survival.km(t, H, censor=cens)
    # S(100) = 3/4; at 300, at risk 2 (the censored one left at 200): S = 3/4 * 1/2
    assert c.loc[100, "p"] == pytest.approx(1 / 4)
    assert c.loc[300, "p"] == pytest.approx(1 - 3 / 8)
    r = survival.p_by(t, 350, H, censor=cens)
    assert r["method"] == "km" and r["p"] == pytest.approx(5 / 8)
    # before the early censoring: exact k of n
    r = survival.p_by(t, 150, H, censor=cens)
    assert r["method"] == "exact" and r["p"] == 0.25


def test_p_by_exact_interval_and_not_identified():
    t = [100, 300, np.nan, 300, 700, np.nan, np.nan, 50]
    r = survival.p_by(t, 365, H)
    assert (r["k"], r["n"], r["p"]) == (4, 8, 0.5)
    assert r["lo"] == pytest.approx(stats.beta.ppf(0.025, 4, 5))
    assert r["hi"] == pytest.approx(stats.beta.ppf(0.975, 5, 4))
    none = survival.p_by([np.nan] * 4, 365, H)
    assert none["p"] == 0 and none["lo"] == 0 and none["hi"] == pytest.approx(1 - 0.025 ** 0.25)
    late = survival.p_by(t, H + 1, H)
    assert math.isnan(late["p"]) and late["method"] == "not identified"


def test_quantiles_only_where_identified():
    # 2 of 16 reached, as in the issue: no median, nothing outside [0, H]
    t = [700, 800] + [np.nan] * 14
    q = survival.quantiles(t, H)
    assert q["days"].isna().all()
    assert np.nanmax(q[["days", "lo", "hi"]].to_numpy(), initial=0) <= H
    t2 = [100, 200, 300, 400, np.nan, np.nan]
    q2 = survival.quantiles(t2, H, q=(0.5,))
    assert q2.loc[0.5, "days"] == 300          # F(300) = 3/6
    assert q2.loc[0.5, "lo"] <= 300 and (math.isnan(q2.loc[0.5, "hi"]) or q2.loc[0.5, "hi"] <= H)
    assert survival.reached_text(t) == "reached in 2 of 16 by the horizon"


def _run_like(times, deadline=None):
    time = np.array(["2026-01-01", "2027-01-01", "2029-01-01"], dtype="datetime64[ns]")
    t = np.array(times, dtype=float)[:, None]
    ds = xr.Dataset({"time_to_target": (("replicate", "target"), t)},
                    coords={"replicate": np.arange(len(t)), "target": ["province_gsz"],
                            "time": time})
    if deadline is not None:
        ds["target_by"] = (("target",), [deadline])
    return ds


def test_p_target_by_date_and_by_deadline():
    ds = _run_like([100, 300, np.nan, 300, 700, np.nan, np.nan, 50], deadline=365.0)
    r = zhizao.p_target(ds, "province_gsz")            # its deadline
    assert float(r["p"].squeeze()) == 0.5 and int(r["k"].squeeze()) == 4
    assert r.attrs["by_days"] == 365.0
    r2 = zhizao.p_target(ds, "province_gsz", by="2027-12-01")   # day 699
    assert float(r2["p"].squeeze()) == 0.5
    r3 = zhizao.p_target(ds, "province_gsz", by="2027-12-02")   # day 700
    assert float(r3["p"].squeeze()) == 5 / 8
    with pytest.raises(ValueError, match="after the horizon"):
        zhizao.p_target(ds, "province_gsz", by="2030-01-01")
    with pytest.raises(ValueError, match="no target"):
        zhizao.p_target(ds, "nowhere")
    # no deadline stored: the horizon
    r4 = zhizao.p_target(_run_like([100, np.nan]), "province_gsz")
    assert r4.attrs["by_days"] == H and float(r4["p"].squeeze()) == 0.5


def _constructed(n_points=200, seed=0):
    """Three mixes; 'contest' best where success_demo > 0.5 (factor 1),
    'plan' best below; 'baseline' never best. Times in days, 4 reps."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n_points, 2))
    demo = X[:, 1]
    base = {"baseline": np.full(n_points, 900.0),
            "plan": np.full(n_points, 500.0),
            "contest": 800.0 - 600.0 * demo}         # < 500 iff demo > 0.5
    t = np.stack([np.repeat(base[s][:, None], 4, axis=1) for s in base], axis=1)[..., None]
    time = np.array(["2026-01-01", "2029-01-01"], dtype="datetime64[ns]")
    return xr.Dataset(
        {"design": (("point", "factor"), X),
         "time_to_target": (("point", "scenario", "replicate", "target"), t)},
        coords={"point": np.arange(n_points), "factor": ["hurdle", "success_demo"],
                "scenario": list(base), "replicate": np.arange(4),
                "target": ["province_gsz"], "time": time}), X


def test_robust_ranking_on_a_known_case():
    ds, X = _constructed()
    r = zhizao.robust_ranking(ds, "time_to_target", target="province_gsz")
    share_contest = float((X[:, 1] > 0.5).mean())
    assert r.loc["contest", "p_best"] == pytest.approx(share_contest)
    assert r.loc["plan", "p_best"] == pytest.approx(1 - share_contest)
    assert r.loc["baseline", "p_best"] == 0
    # regret in years: plan loses (500 - (800 - 600 d)) days where d > 0.5
    yrs = 365.25
    reg_plan = np.maximum(0, 500 - (800 - 600 * X[:, 1])) / yrs
    assert r.loc["plan", "regret_max"] == pytest.approx(reg_plan.max())
    assert r.loc["plan", "regret_p90"] == pytest.approx(
        np.percentile(reg_plan, 90, method="inverted_cdf"))
    assert r.loc["baseline", "regret_max"] == pytest.approx(
        (900 - (800 - 600 * X[:, 1].max())) / yrs)
    assert (r[["regret_max", "regret_p90", "regret_mean"]] >= 0).all().all()
    assert "years to province_gsz" in r.attrs["measure"] and r.attrs["over"] == "point"
    p = zhizao.robust_ranking(ds, "p_target", target="province_gsz", by=600)
    # by day 600: plan always (500), contest where 800 - 600 d <= 600, baseline never
    assert p.loc["baseline", "p_best"] == 0
    assert p.loc["plan", "regret_max"] == 0


def test_ranking_flips_finds_the_threshold():
    ds, X = _constructed()
    f = zhizao.ranking_flips(ds, "time_to_target", target="province_gsz", max_depth=2)
    assert f["accuracy"] >= 0.98
    assert f["importance"].index[0] == "success_demo"
    assert "success_demo <= 0.5" in f["rules"] or "success_demo <= 0.49" in f["rules"]
    lv = f["leaves"]
    assert set(lv["best"]) == {"plan", "contest"}
    assert lv["points"].sum() == len(X)


def test_robust_over_replicates_of_a_comparison():
    """A comparison (no points): over paired replicates."""
    time = np.array(["2026-01-01", "2029-01-01"], dtype="datetime64[ns]")
    t = np.array([[100, 200], [300, 150], [np.nan, 120]], dtype=float)   # rep x scenario
    ds = xr.Dataset({"time_to_target": (("replicate", "scenario", "target"), t[..., None])},
                    coords={"replicate": [0, 1, 2], "scenario": ["a", "b"], "target": ["g"],
                            "time": time})
    r = zhizao.robust_ranking(ds, "time_to_target", target="g")
    assert r.attrs["over"] == "replicate"
    assert r.loc["b", "p_best"] == pytest.approx(2 / 3)
    assert r.loc["a", "regret_max"] == pytest.approx((H - 120) / 365.25)
    with pytest.raises(ValueError, match="experiment"):
        zhizao.ranking_flips(ds, "time_to_target", target="g")


def test_p_target_on_an_experiment():
    ds, X = _constructed(n_points=20)
    r = zhizao.p_target(ds, "province_gsz", by=600)
    assert r["p"].dims == ("point", "scenario")
    contest = (800 - 600 * X[:, 1] <= 600).astype(float)      # all 4 replications alike
    np.testing.assert_array_equal(r["p"].sel(scenario="contest").values, contest)
    assert (r["p"].sel(scenario="plan") == 1).all() and (r["p"].sel(scenario="baseline") == 0).all()
    assert (r["n"] == 4).all()
    s = zhizao.sensitivity  # p_target as a sensitivity output needs a Saltelli design
    with pytest.raises(ValueError, match="Saltelli"):
        s(ds, "p_target", target="province_gsz", by=600, scenario="contest")

"""Incremental comparisons against any base, the fiscal split and harm
(analysis/zhizao/incremental.py), by hand and on a real comparison."""
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import zhizao
from zhizao.incremental import GAIN, HARM, NONE

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def stacked():
    """3 scenarios x 2 replications x 2 groups, numbers chosen for paper.

    end adopters      base [[10,20],[12,22]]  plan [[15,30],[17,28]]  harm [[8,20],[10,22]]
    vs twin           base 0                  plan [[5,10],[5,8]]     harm [[-3,0],[-3,0]]
    spent (voucher fiscal, equity not)
                      base 0                  plan [[100,50],[140,50]] harm [[30,0],[50,0]]
    supported / deadweight of plan, g1: [4,6] / [1,2]
    """
    end = np.array([[[10, 20], [12, 22]], [[15, 30], [17, 28]], [[8, 20], [10, 22]]], float)
    add = np.array([[[0, 0], [0, 0]], [[5, 10], [5, 8]], [[-3, 0], [-3, 0]]], float)
    spent = np.array([[[0, 0], [0, 0]], [[100, 50], [140, 50]], [[30, 0], [50, 0]]], float)
    sup = np.zeros_like(add)
    dw = np.zeros_like(add)
    sup[1, :, 0] = [4, 6]
    dw[1, :, 0] = [1, 2]
    dims = ("scenario", "replicate", "target")
    time = np.array(["2026-01-01", "2027-01-01"], dtype="datetime64[ns]")
    return xr.Dataset(
        {"end_adopters": (dims, end), "additional": (dims, add),
         "supported": (dims, sup), "deadweight": (dims, dw),
         "time_to_target": (dims, np.full(end.shape, np.nan)),
         "spent": (("scenario", "replicate", "instrument"), spent),
         "fiscal": (("instrument",), [1, 0])},
        coords={"scenario": ["base", "plan", "harm"], "replicate": [0, 1],
                "target": ["g1", "g2"], "instrument": ["voucher.compute", "equity"],
                "time": time})


def test_against_the_twin_by_hand():
    d = zhizao.incremental(stacked())
    p1 = d.loc[("plan", "g1")]
    assert p1["additional"] == 5 and p1["verdict"] == GAIN
    assert p1["fiscal"] == 120 and p1["nonfiscal"] == 50
    assert p1["cost_per_additional"] == 120 / 5        # fiscal only
    assert p1["deadweight"] == 1.5 and p1["deadweight_share"] == 3 / 10
    p2 = d.loc[("plan", "g2")]   # 10, 8: mean 9 +/- 12.7 -> not detectable, no cost
    assert p2["additional"] == 9 and p2["verdict"] == NONE
    assert np.isnan(p2["cost_per_additional"])
    h1 = d.loc[("harm", "g1")]
    assert h1["additional"] == -3 and h1["verdict"] == HARM
    assert np.isnan(h1["cost_per_additional"]) and h1["fiscal"] == 40
    allm = zhizao.incremental(stacked(), money_kind="all")
    assert allm.loc[("plan", "g1"), "cost_per_additional"] == 170 / 5
    assert "fiscal = false" in d.attrs["counts"]


def test_against_a_base_scenario_by_hand():
    d = zhizao.incremental(stacked(), base="base")
    assert "base" not in d.index.get_level_values(0)
    p1 = d.loc[("plan", "g1")]       # 15-10, 17-12
    assert p1["additional"] == 5 and p1["verdict"] == GAIN
    assert p1["cost_per_additional"] == (120 - 0) / 5
    assert np.isnan(p1["deadweight"])       # not identified against a scenario
    h1 = d.loc[("harm", "g1")]       # 8-10, 10-12
    assert h1["additional"] == -2 and h1["verdict"] == HARM
    d2 = zhizao.incremental(stacked(), base="harm")
    assert d2.loc[("plan", "g1"), "fiscal"] == 120 - 40
    with pytest.raises(ValueError, match="neither 'twin' nor a scenario"):
        zhizao.incremental(stacked(), base="nowhere")


@pytest.mark.skipif(not BIN, reason="ZZ_BIN not set")
def test_on_a_real_comparison(tmp_path):
    out = tmp_path / "cmp.h5"
    scen = SRC / "scenarios"
    subprocess.run([BIN, "compare", scen / "baseline.lua", scen / "shandong_2026.lua",
                    scen / "contest_only.lua", "-o", out, "--replications", "3", "--set",
                    "population.firms=3000", "--quiet"], check=True)
    twin = zhizao.incremental(out)
    vs = zhizao.incremental(out, base="contest_only")
    # the twins of a comparison share the seeds: (plan - twin) - (contest - twin)
    for g in ("province_gsz", "all_firms"):
        assert vs.loc[("shandong_2026", g), "additional"] == pytest.approx(
            twin.loc[("shandong_2026", g), "additional"]
            - twin.loc[("contest_only", g), "additional"])
    # the engine's all-firms count, and the equity fund kept out of the cost
    ds = zhizao.open(out, "shandong_2026")
    assert twin.loc[("shandong_2026", "all_firms"), "additional"] == pytest.approx(
        float(ds["additional"].sel(target="all_firms").mean()))
    spent = ds["spent"].isel(time=-1)
    assert twin.loc[("shandong_2026", "all_firms"), "nonfiscal"] == pytest.approx(
        float(spent.sel(instrument="equity").mean()))
    assert twin.loc[("baseline", "all_firms"), "verdict"] == NONE


def test_gain_for_less_money_has_no_price():
    d = zhizao.incremental(stacked(), base="harm")
    # plan vs harm, g1: 15-8, 17-10 = 7 more adopters, 80 more yuan
    assert d.loc[("plan", "g1"), "cost_per_additional"] == 80 / 7
    ds = stacked()
    ds["spent"].loc[dict(scenario="plan")] = 0.0          # plan now spends nothing
    d = zhizao.incremental(ds, base="harm")
    r = d.loc[("plan", "g1")]
    assert r["verdict"] == GAIN and np.isnan(r["cost_per_additional"])
    assert r["note"] == "more adopters for less money than the base"


def test_every_money_column_is_differenced_against_a_base_scenario():
    """Against a base scenario both kinds of money are the scenario's minus
    the base's, replication by replication: the equity fund (non-fiscal)
    too, and the cost counting all money uses both differences."""
    d = zhizao.incremental(stacked(), base="plan")
    h1 = d.loc[("harm", "g1")]      # harm - plan: fiscal 40 - 120, equity 0 - 50
    assert h1["fiscal"] == 40 - 120 and h1["nonfiscal"] == 0 - 50
    b1 = d.loc[("base", "g1")]
    assert b1["fiscal"] == -120 and b1["nonfiscal"] == -50
    ds = stacked()
    ds["spent"].loc[dict(scenario="harm", instrument="equity")] = [20.0, 40.0]
    d = zhizao.incremental(ds, base="harm", money_kind="all")
    p1 = d.loc[("plan", "g1")]      # plan - harm: fiscal 120 - 40, equity 50 - 30; 7 more adopters
    assert p1["fiscal"] == 80 and p1["nonfiscal"] == 20
    assert p1["cost_per_additional"] == (80 + 20) / 7

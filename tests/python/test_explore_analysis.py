"""The analysis of issue 12 on real `zhizao explore` files (issue 10): the
names meet (twins cf_*, money over time, deadlines and fiscal flags per
scenario), Sobol indices and the probabilities agree with their formulas
computed straight from the file, and the report renders."""
import os
import subprocess
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest

import zhizao
from zhizao import report as zreport

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"
pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")

FACTORS = ["population.hurdle_mean", "decision.temperature"]
SETS = ["--set", "population.firms=3000", "--set", "scenario.years=1",
        "--set", "target.province_gsz.share=0.375", "--set", "target.province_gsz.by=2026-10-01"]
DEADLINE = 273.0          # 2026-01-01 to 2026-10-01
# The share splits the replications by the deadline (0.38 until issue 23's
# approval before the start and re-tuned defaults: then none reached it by
# October; at 0.375 the plan does in 33% of them, the baseline in none).


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    d = tmp_path_factory.mktemp("xa")
    for name in ("baseline.lua", "pioneers.lua", "shandong_2026.lua"):
        (d / name).write_text((SCEN / name).read_text())
    (d / "s.lua").write_text(
        'experiment { name = "s", scenarios = { "baseline.lua", "shandong_2026.lua" },\n'
        '             design = "saltelli", points = 8, replications = 2, seed = 5 }\n'
        'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n'
        'uncertain "decision.temperature" { 0.15, 0.6, scale = "log" }\n')
    out = d / "s.h5"
    r = subprocess.run([BIN, "explore", d / "s.lua", "-o", out, *SETS, "-q"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return d, out


def test_deadlines_and_fiscal_flags_as_a_run_writes_them(real):
    d, out = real
    run = d / "run.h5"
    subprocess.run([BIN, "run", d / "shandong_2026.lua", "-o", run, "-r", "1", *SETS, "-q"],
                   check=True)
    with h5py.File(out, "r") as x, h5py.File(run, "r") as r:
        s = [v.decode() for v in x["scenario"][()]].index("shandong_2026")
        xt, rt = [v.decode() for v in x["target"][()]], [v.decode() for v in r["target"][()]]
        xi = [v.decode() for v in x["instrument"][()]]
        ri = [v.decode() for v in r["instrument"][()]]
        assert x["target_by"].shape == (2, len(xt)) and x["fiscal"].shape == (2, len(xi))
        for g, name in enumerate(rt):
            np.testing.assert_equal(x["target_by"][s, xt.index(name)], r["target_by"][g])
        for p, name in enumerate(ri):
            assert x["fiscal"][s, xi.index(name)] == r["fiscal"][p]
        assert x["target_by"][s, xt.index("province_gsz")] == DEADLINE
        assert 0 in x["fiscal"][s] and 1 in x["fiscal"][s]   # shandong_2026 has a fund


def test_as_experiment_meets_the_data_model(real):
    _, out = real
    ds = zhizao.as_experiment(zhizao.open(out))
    for v in ("twin_target_share", "twin_time_to_target", "end_adopters", "twin_end_adopters"):
        assert v in ds.variables, v
    assert ds["spent"].dims == ("point", "scenario", "replicate", "instrument")
    # each scenario keeps its own deadline (issue 25: not the latest of them)
    assert ds["target_by"].dims == ("scenario", "target")
    assert (ds["target_by"].sel(target="province_gsz") == DEADLINE).all()
    assert ds.attrs["horizon_days"] == 365.0 and "design" in ds and "point" in ds.dims
    assert zhizao.as_experiment(out)["twin_target_share"].equals(ds["twin_target_share"])
    inc = zhizao.incremental(zhizao.open(out).isel(point=0), base="baseline")
    assert (inc.loc["shandong_2026"]["additional"].notna()).all()


def _raw(out):
    """Per point: the restricted mean years to province_gsz of each scenario
    and the design blocks, read with h5py alone."""
    with h5py.File(out, "r") as f:
        tt = f["time_to_target"][()]          # point, scenario, replicate, target
        g = [v.decode() for v in f["target"][()]].index("province_gsz")
        scen = [v.decode() for v in f["scenario"][()]]
        block = f["design_block"][()]
    t = tt[:, :, :, g]
    return t, np.nan_to_num(t, nan=365.0).clip(max=365.0).mean(axis=2) / 365.25, scen, block


def test_sobol_on_a_real_file_by_the_formula(real):
    _, out = real
    ds = zhizao.open(out)
    s = zhizao.sensitivity(ds, "time_to_target", target="province_gsz",
                           scenario="shandong_2026", n_boot=200)
    assert list(s.index) == FACTORS
    assert {"S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"} <= set(s.columns)
    assert s.attrs["N"] == 8 and s.attrs["n_points"] == 8 * 4
    _, y, scen, block = _raw(out)
    y = y[:, scen.index("shandong_2026")]
    assert y.var() > 0
    yA, yB = y[block == 0], y[block == 1]
    mu = np.concatenate([yA, yB]).mean()
    V = np.concatenate([yA, yB]).var()
    for i, name in enumerate(FACTORS):
        yAB = y[block == 2 + i]
        s1 = np.mean((yB - mu) * (yAB - yA)) / V         # Saltelli 2010, centred
        st = np.mean((yA - yAB) ** 2) / (2 * V)           # Jansen 1999
        assert s.loc[name, "S1"] == pytest.approx(s1, abs=1e-12)
        assert s.loc[name, "ST"] == pytest.approx(st, abs=1e-12)
        assert s.loc[name, "ST_lo"] <= st <= s.loc[name, "ST_hi"]
    assert 0 <= s.attrs["noise_share"]
    # the lead of shandong_2026 over the baseline, replication by replication
    diff = zhizao.sensitivity(ds, "time_to_target", target="province_gsz",
                              scenario=("shandong_2026", "baseline"), n_boot=50)
    assert list(diff.index) == FACTORS and np.isfinite(diff["ST"]).all()


def test_p_target_and_robust_ranking_on_a_real_file(real):
    _, out = real
    ds = zhizao.open(out)
    p = zhizao.p_target(ds, "province_gsz")
    assert p.attrs["by_days"] == DEADLINE                  # the target's own deadline
    t, _, scen, _ = _raw(out)
    want = (np.nan_to_num(t, nan=np.inf) <= DEADLINE).mean(axis=2)
    np.testing.assert_allclose(p["p"].transpose("point", "scenario").values, want)
    assert 0 < want.mean() < 1, "the deadline should split the replications"
    rr = zhizao.robust_ranking(ds, "p_target", target="province_gsz")
    assert sorted(rr.index) == sorted(scen) and rr["p_best"].sum() == pytest.approx(1.0)
    assert (rr["n"] == 32).all()
    flips = zhizao.ranking_flips(ds, "time_to_target", target="province_gsz")
    assert flips["leaves"]["points"].sum() == 32


def test_sensitivity_of_a_constant_output_says_so(real):
    _, out = real
    from zhizao.sensitivity import ConstantOutput
    with pytest.raises(ConstantOutput, match="same at every point"):
        zhizao.sensitivity(zhizao.open(out), "p_target", target="province_gsz",
                           scenario="baseline", by=1)


def test_report_on_a_real_experiment_file(real, tmp_path):
    from test_report import CHROMIUM, layout
    _, out = real
    r = subprocess.run([BIN, "report", out, "-o", tmp_path / "rep"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    index = tmp_path / "rep" / "index.html"
    page = index.read_text(encoding="utf-8")
    assert "years to province_gsz: shandong_2026" in page and 'id="flips-table"' in page
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("chromium not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = layout(index, tmp_path)
    assert got["sections"] == ["headline", "deadlines", "additionality", "cost-time",
                               "pathways", "sensitivity", "robustness", "discovery"]
    assert got["wide"] == [] and got["images"] == [] and got["figures"] >= 2


def test_report_of_a_sobol_sequence_experiment_is_full(real, tmp_path):
    """The README's explore-then-report on the default design (a Sobol
    sequence, not a Saltelli design): the whole page, sensitivity by the
    given-data estimator, said so (issue 25: it was one heading and "no
    Morris steps in the design")."""
    d, _ = real
    (d / "q.lua").write_text(
        'experiment { name = "q", scenarios = { "baseline.lua", "shandong_2026.lua" },\n'
        '             design = "sobol", points = 32, replications = 2, seed = 5 }\n'
        'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n'
        'uncertain "decision.temperature" { 0.15, 0.6, scale = "log" }\n')
    out = tmp_path / "q.h5"
    r = subprocess.run([BIN, "explore", d / "q.lua", "-o", out, *SETS, "-q"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([BIN, "report", out, "-o", tmp_path / "rep"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    for section in ("headline", "deadlines", "additionality", "cost-time", "pathways",
                    "sensitivity", "robustness", "discovery"):
        assert f'<h2 id="{section}"' in page, section
    assert "RBD-FAST first-order indices from the given sample" in page
    assert "no Morris steps" not in page
    assert 'id="unknowns-table"' in page and 'id="robust-table"' in page

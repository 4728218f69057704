"""The command line of issue 25, item 5: compare --base NAME, explore
--points/--replications, zhizao export --csv; each checked against the
file the same run wrote."""
import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import zhizao

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"
pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")
SMALL = ["--set", "population.firms=3000", "--set", "scenario.years=1"]


def run(*args, ok=True):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    if ok:
        assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def cmp(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    for f in ("baseline.lua", "pioneers.lua", "shandong_2026.lua"):
        shutil.copy(SCEN / f, d / f)
    out = d / "cmp.h5"
    r = run("compare", d / "baseline.lua", d / "shandong_2026.lua", "-o", out, "-r", 3,
            *SMALL, "--base", "baseline")
    return d, out, r.stdout


def test_compare_base_prints_each_scenario_against_it(cmp):
    d, out, text = cmp
    block = text.split("against baseline on the same random numbers")[1]
    inc = zhizao.incremental(out, base="baseline")
    row = inc.loc[("shandong_2026", "all_firms")]
    line = next(l for l in block.splitlines() if "shandong_2026" in l and "all_firms" in l)
    assert f"{row['additional']:+.4g} [{row['additional_lo']:.4g}" in line
    assert f"fiscal {row['fiscal'] * 1e-6:+.4g} m yuan" in line
    assert "baseline " not in block.split("\n", 2)[1]          # the base itself not listed


def test_compare_base_must_name_a_scenario(cmp, tmp_path):
    d, _, _ = cmp
    r = run("compare", d / "baseline.lua", d / "shandong_2026.lua", "-o", tmp_path / "x.h5",
            "--base", "nowhere", ok=False)
    assert r.returncode == 2 and "--base 'nowhere' is not one of the scenarios" in r.stderr
    assert not (tmp_path / "x.h5").exists() and not (tmp_path / "x.h5.partial").exists()


def test_explore_points_and_replications_override_the_file(tmp_path):
    for f in ("baseline.lua", "pioneers.lua", "shandong_2026.lua"):
        shutil.copy(SCEN / f, tmp_path / f)
    (tmp_path / "e.lua").write_text(
        'experiment { name = "e", scenarios = { "baseline.lua", "shandong_2026.lua" },\n'
        '             design = "lhs", points = 64, replications = 8, seed = 3 }\n'
        'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n')
    out = tmp_path / "e.h5"
    run("explore", tmp_path / "e.lua", "-o", out, "--points", 5, "--replications", 2,
        *SMALL, "-q")
    ds = zhizao.open(out)
    assert ds.sizes["point"] == 5 and ds.sizes["replicate"] == 2
    assert "--points 5" in ds.attrs["overrides"]
    r = run("explore", tmp_path / "e.lua", "-o", tmp_path / "f.h5", "--points", "0", ok=False)
    assert r.returncode == 2 and "--points must be an integer" in r.stderr


def test_export_writes_the_headline_and_tables_as_csv(cmp, tmp_path):
    _, out, _ = cmp
    r = run("export", out, "--csv", tmp_path / "csv")
    files = {Path(p).name for p in r.stdout.split()}
    assert files == {"headline.csv", "pathways.csv", "replicates.csv"}
    with open(tmp_path / "csv" / "headline.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    hl = zhizao.headline(out)
    got = {(r["scenario"], r["target"]): r for r in rows}
    want = hl.loc[("shandong_2026", "province_gsz")]
    row = got[("shandong_2026", "province_gsz")]
    assert row["verdict"] == want["verdict"]
    assert float(row["additional"]) == pytest.approx(want["additional"], rel=1e-9)
    with open(tmp_path / "csv" / "replicates.csv", encoding="utf-8") as f:
        reps = list(csv.DictReader(f))
    ds = zhizao.open_all(out)["shandong_2026"]
    add = ds["additional"].sel(target="all_firms").values
    mine = sorted(float(r["additional"]) for r in reps
                  if r["scenario"] == "shandong_2026" and r["target"] == "all_firms")
    assert mine == sorted(map(float, add))
    r = run("export", tmp_path / "missing.h5", "--csv", tmp_path / "c2", ok=False)
    assert r.returncode == 5 and "missing.h5" in r.stderr


LATE = """include "baseline.lua"
scenario { name = "late", years = 1 }
target { name = "far", gsz_only = true, share = 0.4, by = "2028-06-30" }
voucher "compute" { rate = 0.30, cap = 2e6, budget = 1.0e9, start = "2027-03-01" }
contest "late" { opens = "2026-03-01", closes = "2026-04-30", rounds = 2, round_interval = 365, budget = 1e8 }
campaign "late" { date = "2027-02-01", firms = 100 }
at("2027-05-01", function(sim) end)
contest "ontime" { opens = "2026-03-01", closes = "2026-04-30", rounds = 2, round_interval = 100, budget = 1e8 }
campaign "ontime" { date = "2026-02-01", firms = 100 }
at("2026-05-01", function(sim) end)
"""


def test_work_after_the_runs_end_is_named_with_file_and_line(tmp_path):
    for f in ("baseline.lua", "pioneers.lua"):
        shutil.copy(SCEN / f, tmp_path / f)
    (tmp_path / "late.lua").write_text(LATE)
    base_line = next(i for i, l in enumerate((SCEN / "baseline.lua").read_text().splitlines(), 1)
                     if '"province_gsz"' in l)
    for cmd in (["check", tmp_path / "late.lua"],
                ["run", tmp_path / "late.lua", "-o", tmp_path / "late.h5", "-r", 1,
                 "--set", "population.firms=2000"]):
        r = run(*cmd)
        err = r.stderr
        assert "late.lua:3: target far: deadline 2028-06-30 is after the run's end (2027-01-01)" \
            in err, err
        assert "late.lua:4: voucher.compute starts 2027-03-01, after the run's end" in err
        # a contest round that never opens (its results would be the same
        # without it), a campaign and an `at` dated after the end
        assert "late.lua:5: contest.late: round 2 of 2 opens 2027-03-01, after the run's end" in err
        assert "late.lua:6: campaign.late: campaign date 2027-02-01, after the run's end" in err
        assert "late.lua:7: at(\"2027-05-01\", ...) is after the run's end (2027-01-01)" in err
        assert "ontime" not in err and "2026-05-01" not in err
        # a declaration in an included file is named in that file
        assert f"baseline.lua:{base_line}: target province_gsz: deadline 2028-12-31" in err


def test_check_opens_the_firm_file_and_names_the_line(tmp_path):
    for f in ("baseline.lua", "pioneers.lua"):
        shutil.copy(SCEN / f, tmp_path / f)
    (tmp_path / "nofile.lua").write_text('include "baseline.lua"\nscenario { name = "nofile" }\n'
                                         'population { file = "missing_firms.csv" }\n')
    for cmd in (["check", tmp_path / "nofile.lua"],
                ["run", tmp_path / "nofile.lua", "-o", tmp_path / "nf.h5"]):
        r = run(*cmd, ok=False)
        assert r.returncode == 5, r.stderr
        assert "nofile.lua:3: population { file = ... }: cannot read the firm file" in r.stderr
        assert "missing_firms.csv" in r.stderr


def test_chinese_city_and_industry_names_are_aliases(tmp_path):
    for f in ("baseline.lua", "pioneers.lua"):
        shutil.copy(SCEN / f, tmp_path / f)
    (tmp_path / "zh.lua").write_text(
        'include "baseline.lua"\nscenario { name = "zh" }\n'
        'voucher "compute" { rate = 0.3, cap = 2e6, budget = 1e9, cities = { "济南", "青岛" }, '
        'industries = "电子" }\n'
        'target { name = "jinan_e", city = "济南", industry = "电子", share = 0.5 }\n')
    shown = run("check", tmp_path / "zh.lua").stdout
    assert "voucher.compute.cities = Jinan, Qingdao" in shown
    assert "voucher.compute.cities = Weifang" in run("check", tmp_path / "zh.lua", "--set",
                                                     "voucher.compute.cities=潍坊").stdout
    assert "voucher.compute.industries = electronics" in shown
    assert "target.jinan_e.city = Jinan" in shown and "target.jinan_e.industry = electronics" in shown
    r = run("check", tmp_path / "zh.lua", "--set", "voucher.compute.cities=北京", ok=False)
    assert r.returncode == 3 and "'北京' is not a city" in r.stderr and "Jinan" in r.stderr

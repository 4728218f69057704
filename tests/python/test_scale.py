"""--scale F (issue 25, item 5): a rehearsal on a fraction of the region.

A run at --scale 0.5 is the run with firms, budgets and the region-sized
counts (contest winners, a campaign's firms, equity places, compute
capacity) halved by --set by hand: the same shares, bit for bit, and counts
and money reported twice the hand-halved run's (full-region units), by the
engine's summary and by zhizao.io / zhizao.headline alike. F outside (0, 1]
and a firm file are refused before any work."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

import zhizao
import zhizao.io as zio

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")

MIX = """include "baseline.lua"
scenario { name = "mix" }
voucher "compute" { rate = 0.9, cap = 2e6, budget = 4e8 }
equity { budget = 2e8, per_year = 8 }
campaign "spring" { date = "2026-04-01", firms = 400, amount = 20000, budget = 1e7 }
contest "jb" { opens = "2026-03-01", closes = "2026-05-01", winners = 12, budget = 2e8,
               rounds = 2, round_interval = 180 }
"""
# the same region halved by hand: every row --scale 0.5 must halve
HALVED = ["population.firms=4000", "voucher.compute.budget=2e8", "equity.budget=1e8",
          "equity.per_year=4", "campaign.spring.firms=200", "campaign.spring.budget=5e6",
          "contest.jb.winners=6", "contest.jb.budget=1e8", "compute.capacity=11590"]
COMMON = ["-r", "3", "-t", "1", "--counterfactual"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("scale")
    for f in ("baseline.lua", "pioneers.lua"):
        shutil.copy(SRC / "scenarios" / f, d / f)
    (d / "mix.lua").write_text(MIX)
    out = {}
    for name, extra in (("scaled", ["--set", "population.firms=8000", "--scale", "0.5"]),
                        ("hand", [a for s in HALVED for a in ("--set", s)])):
        h5 = d / f"{name}.h5"
        r = subprocess.run([BIN, "run", d / "mix.lua", "-o", h5, *COMMON, *extra],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        out[name] = (h5, r.stdout)
    return d, out


def _raw(path, name):
    with h5py.File(path, "r") as f:
        return f[name][()]


def test_shares_identical_counts_and_money_doubled(runs):
    _, out = runs
    s, h = out["scaled"][0], out["hand"][0]
    # what was simulated is the hand-halved region, bit for bit
    for v in ("target_share", "cf_target_share", "time_to_target", "adopted", "spent",
              "additional", "round_winners", "compute_utilisation"):
        assert np.array_equal(_raw(s, v), _raw(h, v), equal_nan=True), v
    with h5py.File(s, "r") as f:
        assert f.attrs["scale"] == 0.5
    # read back per the full region: counts and money x 2, shares as they are
    ds, dh = zio.open_result(s), zio.open_result(h)
    np.testing.assert_array_equal(ds.target_share.values, dh.target_share.values)
    for v in ("adopted", "additional", "spent", "budget", "firms", "round_winners"):
        np.testing.assert_array_equal(ds[v].values, 2 * dh[v].values.astype(float), err_msg=v)
    assert float(ds.spent.isel(time=-1).sum()) > 0 and float(ds.additional.sum()) > 0
    hs = zhizao.headline(s).loc["mix"]
    hh = zhizao.headline(h).loc["mix"]
    for c in ("additional", "fiscal", "total"):
        np.testing.assert_allclose(hs[c].astype(float), 2 * hh[c].astype(float), err_msg=c)
    for c in ("p", "points_gained", "years_gained", "cost_per_additional"):
        np.testing.assert_allclose(hs[c].astype(float), hh[c].astype(float), err_msg=c)


def _printed(stdout, pattern):
    m = re.search(pattern, stdout, re.M)
    assert m, pattern
    return float(m[1])


def test_summary_in_full_region_units_agrees_with_headline(runs):
    _, out = runs
    (s, s_out), (h, h_out) = out["scaled"], out["hand"]
    add = r"^  all_firms 50%.*?\+([\d.]+) additional adopters"
    money = r"^  money, the whole plan: fiscal ([\d.]+) m yuan"
    assert _printed(s_out, add) == pytest.approx(2 * _printed(h_out, add), rel=1e-3)
    assert _printed(s_out, money) == pytest.approx(2 * _printed(h_out, money), rel=1e-3)
    hl = zhizao.headline(s).loc["mix"].loc["all_firms"]
    assert _printed(s_out, add) == pytest.approx(hl["additional"], rel=1e-3)
    assert _printed(s_out, money) == pytest.approx(hl["fiscal"] * 1e-6, rel=1e-3)
    assert "rehearsal at --scale 0.5" in s_out


def test_contest_winners_per_round_scale(runs):
    d, out = runs
    s = out["scaled"][0]
    winners = _raw(s, "round_winners")
    assert winners.max() == 6            # 12 winners a round, at half the region
    assert zio.open_result(s).round_winners.values.max() == 12
    # a count rounds but never to nothing: 12 winners at 0.02 are 1, not 0
    tiny = d / "tiny.h5"
    r = subprocess.run([BIN, "run", d / "mix.lua", "-o", tiny, "-r", "1", "-t", "1", "-q",
                        "--set", "population.firms=8000", "--scale", "0.02"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with h5py.File(tiny, "r") as f:
        params = f.attrs["parameters"]
        params = params.decode() if isinstance(params, bytes) else params
    assert "contest.jb.winners = 1\n" in params and "population.firms = 160\n" in params


@pytest.mark.parametrize("F", ["0", "-0.5", "1.5", "abc", "", "nan"])
def test_scale_outside_unit_interval_refused(runs, F, tmp_path):
    d, _ = runs
    for cmd in (["run", d / "mix.lua", "-o", tmp_path / "x.h5"],
                ["compare", d / "mix.lua", "-o", tmp_path / "x.h5"]):
        r = subprocess.run([BIN, *cmd, "--scale", F], capture_output=True, text=True)
        assert r.returncode == 2, (cmd, r.stderr)
        assert "--scale must be a number in (0, 1]" in r.stderr
        assert not (tmp_path / "x.h5").exists() and not (tmp_path / "x.h5.partial").exists()


def test_firm_file_refused(runs, tmp_path):
    d, _ = runs
    (d / "f.lua").write_text(MIX + 'population { file = "firms.csv" }\n')
    (d / "firms.csv").write_text("id\n")
    r = subprocess.run([BIN, "run", d / "f.lua", "-o", tmp_path / "x.h5", "--scale", "0.5"],
                       capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    assert "firm file" in r.stderr and "cannot be shrunk" in r.stderr
    assert not (tmp_path / "x.h5").exists()


def _explore(d, name, values, sets, extra):
    (d / f"{name}.lua").write_text(
        f'experiment {{ name = "{name}", scenarios = {{ "mix.lua" }}, design = "factorial",\n'
        '             points = 2, replications = 2, seed = 5 }\n'
        f'uncertain "voucher.compute.budget" {{ values = {{ {values} }} }}\n')
    out = d / f"{name}.h5"
    r = subprocess.run([BIN, "explore", d / f"{name}.lua", "-o", out, "-t", "1", "--quiet",
                        *[a for s in sets for a in ("--set", s)], *extra],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out


def test_explore_scales_each_points_values_after_its_factors(runs):
    """An uncertain budget is a full-region budget: the point's value is set,
    then shrunk with the rest."""
    d, _ = runs
    s = _explore(d, "xs", "4e8, 8e8", ["population.firms=8000"], ["--scale", "0.5"])
    h = _explore(d, "xh", "2e8, 4e8", [x for x in HALVED if "voucher.compute" not in x], [])
    for v in ("target_share", "time_to_target", "spent", "additional"):
        assert np.array_equal(_raw(s, v), _raw(h, v), equal_nan=True), v
    ds, dh = zhizao.open(s), zhizao.open(h)
    np.testing.assert_array_equal(ds.target_share.values, dh.target_share.values)
    for v in ("spent", "additional"):
        np.testing.assert_array_equal(ds[v].values, 2 * dh[v].values.astype(float), err_msg=v)
    assert float(ds.spent.sum()) > 0


def test_compare_reports_full_region(runs, tmp_path):
    d, out = runs
    r = subprocess.run([BIN, "compare", d / "mix.lua", "-o", tmp_path / "c.h5", *COMMON[:4],
                        "--set", "population.firms=8000", "--scale", "0.5"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    money = r"^  money, the whole plan: fiscal ([\d.]+) m yuan"
    assert _printed(r.stdout, money) == pytest.approx(_printed(out["scaled"][1], money), rel=1e-3)
    cs = zio.open_result(tmp_path / "c.h5", group="mix")
    np.testing.assert_array_equal(cs.spent.values, zio.open_result(out["scaled"][0]).spent.values)


def test_optimise_rehearsal_keeps_the_split_and_reports_full_region(tmp_path):
    """optimise --scale 0.5 on the region of twice the size searches the same
    evaluations as optimise on the halved region: the same shares and
    objective, budgets and additional adopters twice as large."""
    for f in ("baseline.lua", "pioneers.lua"):
        shutil.copy(SRC / "scenarios" / f, tmp_path / f)
    small = ('include "baseline.lua"\nscenario {{ name = "small", years = 2, replications = 3 }}\n'
             'population {{ firms = {n} }}\ncompute {{ capacity = {cap} }}\n'
             'voucher "compute" {{ rate = 0.9, cap = 1e7, budget = {b1} }}\n'
             'voucher "scenario" {{ rate = 0.9, cap = 1e7, budget = {b2}, budget_per_year = true, '
             'states = {{ "adopted" }} }}\ntarget {{ name = "all", share = 0.5, by = "2027-12-31" }}\n')
    opt = ('optimise {{ scenario = "{s}.lua", budget = {b}, shares = {{ "voucher.compute", '
           '"voucher.scenario" }},\n objective = "target_share", target = "all", by = "2027-12-31",\n'
           ' replications = 4, seed = 5, starts = 6, evaluations = 16, confirm = 2 }}\n')
    (tmp_path / "hand.lua").write_text(small.format(n=3000, cap=11590, b1=2e7, b2=1e7))
    (tmp_path / "full.lua").write_text(small.format(n=6000, cap=23180, b1=4e7, b2=2e7))
    (tmp_path / "o_hand.lua").write_text(opt.format(s="hand", b=1.5e8))
    (tmp_path / "o_full.lua").write_text(opt.format(s="full", b=3e8))
    res = {}
    for name, extra in (("hand", []), ("full", ["--scale", "0.5"])):
        (tmp_path / name).mkdir()
        r = subprocess.run([BIN, "optimise", tmp_path / f"o_{name}.lua", "-o",
                            tmp_path / name / "o.h5", "-t", "1", *extra],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        res[name] = r.stdout

    def rows(text, key):
        return [ln.split() for ln in text.splitlines() if ln.startswith(key)]
    for key in ("voucher.compute", "voucher.scenario"):
        (h,), (f,) = rows(res["hand"], key), rows(res["full"], key)
        assert h[2] == f[2]                                   # the same share
        assert float(f[1]) == pytest.approx(2 * float(h[1]), rel=1e-5)
    for key in ("target_share", "p_target", "cost_per_additional"):
        assert rows(res["hand"], key) == rows(res["full"], key), key
    (h,), (f,) = rows(res["hand"], "additional"), rows(res["full"], "additional")
    assert float(f[1]) == pytest.approx(2 * float(h[1]), rel=1e-3)
    with h5py.File(tmp_path / "full" / "o.h5", "r") as fh:
        assert fh.attrs["scale"] == 0.5


def test_optimise_resume_at_another_scale_refused(tmp_path):
    """The evaluations kept in OUT.h5.partial are of one region: a --resume
    at another --scale (or none) is refused, at the same one they replay."""
    import signal
    import time
    for f in ("baseline.lua", "pioneers.lua"):
        shutil.copy(SRC / "scenarios" / f, tmp_path / f)
    (tmp_path / "s.lua").write_text('include "baseline.lua"\nscenario { name = "s", years = 2 }\n'
                                    'population { firms = 6000 }\n'
                                    'voucher "compute" { rate = 0.9, budget = 4e7 }\n'
                                    'voucher "scenario" { rate = 0.9, budget = 2e7 }\n'
                                    'target { name = "all", share = 0.5, by = "2027-12-31" }\n')
    (tmp_path / "o.lua").write_text(
        'optimise { scenario = "s.lua", budget = 3e8, shares = { "voucher.compute", '
        '"voucher.scenario" }, objective = "target_share", target = "all", by = "2027-12-31",\n'
        ' replications = 4, seed = 5, starts = 8, evaluations = 60, confirm = 2 }\n')
    out, partial = tmp_path / "o.h5", tmp_path / "o.h5.partial"
    p = subprocess.Popen([BIN, "optimise", tmp_path / "o.lua", "-o", out, "-q", "-t", "1",
                          "--scale", "0.5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while time.time() - t0 < 60 and p.poll() is None:
        if partial.exists() and len(partial.read_text().splitlines()) >= 4:
            break
        time.sleep(0.02)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 8, err
    r = subprocess.run([BIN, "optimise", tmp_path / "o.lua", "-o", out, "-q", "--resume"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "--scale" in r.stderr, r.stderr
    r = subprocess.run([BIN, "optimise", tmp_path / "o.lua", "-o", out, "-q", "--resume",
                        "--scale", "0.5"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_full_region_applies_once(runs):
    """zhizao.scale.full_region on a dataset already read per the full region
    is a no-op, so code that calls it again cannot halve counts twice."""
    from zhizao.scale import full_region
    ds = zio.open_result(runs[1]["scaled"][0])
    again = full_region(ds)
    np.testing.assert_array_equal(again.spent.values, ds.spent.values)


AT = """
at("2026-09-01", function(sim)
  print(string.format("left %.6e", sim:budget_left("voucher.compute")))
  sim:set("voucher.compute.budget", {k} * 6e8)
  sim:set("contest.jb.winners", {k} * 20)
end)
"""


def test_script_speaks_of_the_full_region(runs):
    """sim:set of a field that scales is given full-region values and shrunk
    like the file's; sim:budget_left answers per the full region."""
    d, _ = runs
    (d / "at_s.lua").write_text(MIX.replace('"mix"', '"at"') + AT.format(k=1))
    (d / "at_h.lua").write_text(MIX.replace('"mix"', '"at"') + AT.format(k=0.5))
    res = {}
    for name, extra in (("at_s", ["--set", "population.firms=8000", "--scale", "0.5"]),
                        ("at_h", [a for s in HALVED for a in ("--set", s)])):
        r = subprocess.run([BIN, "run", d / f"{name}.lua", "-o", d / f"{name}.h5", "-q",
                            *COMMON, *extra], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        res[name] = [float(x) for x in re.findall(r"left ([\d.e+-]+)", r.stderr)]
    for v in ("target_share", "round_winners", "spent"):
        assert np.array_equal(_raw(d / "at_s.h5", v), _raw(d / "at_h.h5", v), equal_nan=True), v
    assert res["at_s"] and res["at_s"] == pytest.approx([2 * x for x in res["at_h"]])


def test_csv_export_in_full_region_units(runs, tmp_path):
    import pandas as pd
    _, out = runs
    got = {}
    for name in ("scaled", "hand"):
        r = subprocess.run([BIN, "export", out[name][0], "--csv", tmp_path / name],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        got[name] = pd.read_csv(tmp_path / name / "headline.csv").set_index("target")
    for c in ("additional", "fiscal"):
        np.testing.assert_allclose(got["scaled"][c], 2 * got["hand"][c], rtol=1e-6, err_msg=c)
    np.testing.assert_allclose(got["scaled"]["p"], got["hand"]["p"])

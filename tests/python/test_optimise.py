"""`zhizao optimise`, end to end on a constructed problem whose optimum is
known: two vouchers, one restricted to firms that have already adopted (it
cannot change any firm's adoption), so every yuan belongs to the other."""
import os
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr
from scipy import stats

from h5same import differences

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"

pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")

SMALL = """\
include "baseline.lua"
scenario { name = "small", years = 2, replications = 3 }
population { firms = 3000 }
voucher "compute"  { rate = 0.9, cap = 1e7, budget = 2e7 }
voucher "scenario" { rate = 0.9, cap = 1e7, budget = 1e7, budget_per_year = true,
                     states = { "adopted" } }
target { name = "all", share = 0.5, by = "2027-12-31" }
"""

OPT = """\
optimise { scenario = "small.lua", budget = 1.5e8, shares = { "voucher.compute", "voucher.scenario" },
           objective = "target_share", target = "all", by = "2027-12-31",
           replications = 4, seed = 5, starts = 6, evaluations = 16, confirm = 2 }
"""


def zz(*args, check=True, **kw):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"zhizao {' '.join(map(str, args))} -> {r.returncode}\n{r.stderr}")
    return r


def make_files(d, opt=OPT):
    for name in ("baseline.lua", "pioneers.lua"):
        (d / name).write_text((SCEN / name).read_text())
    (d / "small.lua").write_text(SMALL)
    (d / "opt.lua").write_text(opt)
    return d / "opt.lua"


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    d = tmp_path_factory.mktemp("opt")
    zz("optimise", make_files(d), "-o", d / "opt.h5", "-q")
    return d


def test_every_yuan_goes_to_the_programme_that_can_act(solved):
    ds = xr.open_dataset(solved / "opt.h5")
    share = ds.best_budget / ds.attrs["budget"]
    assert list(ds.programme.values) == ["voucher.compute", "voucher.scenario"]
    assert float(share.sel(programme="voucher.compute")) >= 0.9, share.values
    assert np.allclose(ds.evaluation_budget.sum("programme"), ds.attrs["budget"])
    assert ds.sizes["free"] == 0 and ds.best_free.dims == ("free",)
    # both stages ran, every evaluation has its standard error
    assert set(np.unique(ds.stage.values)) == {0, 1}
    assert np.all(ds.objective_se.values >= 0)


def test_confirmation_intervals_follow_from_the_paired_runs(solved):
    ds = xr.open_dataset(solved / "opt.h5")
    y = ds.confirm_objective.values          # [candidate, replicate]; candidate 0 the plan
    assert ds.candidate.values[0] == "plan" and ds.candidate_evaluation.values[0] == -1
    assert y.shape == (3, 16)
    n = y.shape[1]
    for c in range(1, y.shape[0]):
        d = y[c] - y[0]
        m, se = d.mean(), d.std(ddof=1) / np.sqrt(n)
        q = stats.t.ppf(0.975, n - 1)
        assert ds.difference.values[c] == pytest.approx(m, abs=1e-12)
        assert ds.difference_lower.values[c] == pytest.approx(m - q * se, abs=1e-12)
        assert ds.difference_upper.values[c] == pytest.approx(m + q * se, abs=1e-12)
        assert ds.p_beats_plan.values[c] == pytest.approx(stats.t.cdf(m / se, n - 1), abs=1e-9)
    # the plan splits 4e7 evenly; all of 1.5e8 on the voucher that acts beats it
    best = ds.attrs["chosen_candidate"]
    assert ds.difference_lower.values[best] > 0 and ds.attrs["best_p_beats_plan"] > 0.95
    # the chosen candidate is the best confirmed one, not the best searched one
    assert best == 1 + int(np.argmax(ds.difference.values[1:]))


def test_best_mix_reproduces_the_best_evaluation(solved):
    ds = xr.open_dataset(solved / "opt.h5")
    mix = (solved / "best_mix.lua").read_text()
    assert 'include "small.lua"' in mix
    zz("run", solved / "best_mix.lua", "-o", solved / "mix.h5", "-q")
    with h5py.File(solved / "mix.h5", "r") as f:
        g = [t.decode() if isinstance(t, bytes) else t for t in f["target"][...]].index("all")
        assert f["time"][-1] == 730
        got = f["target_share"][:, -1, g].mean()
        budget = f["budget"][0, 0, :]
    assert got == ds.objective.values[ds.attrs["best_evaluation"]]
    # a whole-run pot as it is, a per-year pot split over the two fiscal years
    assert budget[0] == pytest.approx(float(ds.best_budget[0]))
    assert budget[1] == pytest.approx(float(ds.best_budget[1]) / 2)
    assert list(ds.candidate_budget.values[0]) == [2e7, 2e7]   # the plan: 1e7 a year


def test_same_seed_same_file_any_threads(solved, tmp_path):
    opt = make_files(tmp_path)
    zz("optimise", opt, "-o", tmp_path / "t1.h5", "-q", "--threads", "1")
    zz("optimise", opt, "-o", tmp_path / "t2.h5", "-q", "--threads", "2")
    assert differences(tmp_path / "t1.h5", tmp_path / "t2.h5") == []


@pytest.mark.parametrize("field,value,text", [
    ('shares = { "voucher.compute", "voucher.scenario" }', 'shares = { "voucher.compute", "voucher.modle" }',
     "unknown programme 'voucher.modle'; the scenario's programmes: voucher.compute, voucher.scenario"),
    ('objective = "target_share"', 'objective = "happiness"', "unknown objective 'happiness'; valid:"),
    ('by = "2027-12-31"', 'by = "2029-06-30"', 'by = "2029-06-30" is not a date inside the run (2026-01-01 to 2027-12-31)'),
    ("budget = 1.5e8", "budget = 0", "budget must be a number of yuan > 0"),
    ("budget = 1.5e8", "budget = -3", "budget must be a number of yuan > 0"),
    ('target = "all"', 'target = "al"', "unknown target 'al'"),
])
def test_bad_file_names_file_line(tmp_path, field, value, text):
    assert field in OPT
    opt = make_files(tmp_path, "-- a comment\n" + OPT.replace(field, value))
    r = zz("optimise", opt, "-o", tmp_path / "bad.h5", check=False)
    assert r.returncode != 0 and "opt.lua:2:" in r.stderr and text in r.stderr, r.stderr
    assert not list(tmp_path.glob("bad.h5*")) and not (tmp_path / "best_mix.lua").exists()


def test_refuses_objectives_not_built_yet(tmp_path):
    opt = make_files(tmp_path, OPT.replace('objective = "target_share"', 'objective = "additional"'))
    r = zz("optimise", opt, "-o", tmp_path / "bad.h5", check=False)
    assert r.returncode != 0 and "opt.lua:1:" in r.stderr and "not implemented yet" in r.stderr


@pytest.mark.parametrize("objective", ["time_to_target", "p_target"])
def test_time_and_probability_objectives_match_the_run(tmp_path, objective):
    """The objective of the best evaluation from the run best_mix.lua makes:
    mean days to the target (censored at the run's end), share of
    replications that reach it by the deadline."""
    deadline, by = ("2027-06-30", 546) if objective == "time_to_target" else ("2027-12-31", 730)
    opt = OPT.replace('objective = "target_share"', f'objective = "{objective}"').replace(
        'by = "2027-12-31",', f'by = "{deadline}",')
    make_files(tmp_path, opt)
    (tmp_path / "small.lua").write_text(SMALL.replace("share = 0.5", "share = 0.2685"))
    zz("optimise", tmp_path / "opt.lua", "-o", tmp_path / "opt.h5", "-q")
    ds = xr.open_dataset(tmp_path / "opt.h5")
    zz("run", tmp_path / "best_mix.lua", "-o", tmp_path / "mix.h5", "-q")
    with h5py.File(tmp_path / "mix.h5", "r") as f:
        g = [t.decode() if isinstance(t, bytes) else t for t in f["target"][...]].index("all")
        ttt = f["time_to_target"][:, g]
    want = np.where(np.isnan(ttt), 730, ttt).mean() if objective == "time_to_target" \
        else np.mean(~np.isnan(ttt) & (ttt <= by))
    assert ds.objective.values[ds.attrs["best_evaluation"]] == pytest.approx(want, abs=1e-12)
    assert len(np.unique(ds.objective.values)) > 1   # the objective responds to the mix


@pytest.mark.parametrize("target", ["opt.lua", "small.lua", "dir"])
def test_output_checked_before_any_work(tmp_path, target):
    # as for run and explore: not the optimisation file, not its scenario,
    # not a directory; refused at once (exit 2), nothing written or touched
    f = make_files(tmp_path)
    out = tmp_path / target
    if target == "dir":
        out.mkdir()
    before = out.read_bytes() if out.is_file() else None
    r = zz("optimise", f, "-o", out, check=False)
    assert r.returncode == 2, r.stderr
    assert str(out.name) in r.stderr
    assert not (tmp_path / "best_mix.lua").exists()
    if before is not None:
        assert out.read_bytes() == before

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
    # the first start is the plan's own split (1e7 a year over two years
    # and 2e7: half each), scaled to the budget
    assert np.allclose(ds.evaluation_budget.values[0], [7.5e7, 7.5e7], rtol=1e-15)
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


def test_best_mix_runs_where_optimise_wrote_it(tmp_path):
    """-o in a folder outside the scenarios: best_mix.lua cannot include
    small.lua there (the sandbox keeps includes beside or below the file),
    so it carries the scenario with its includes (baseline.lua, which
    includes pioneers.lua) expanded, and reproduces the best evaluation."""
    sc, out = tmp_path / "scenarios", tmp_path / "elsewhere"
    sc.mkdir()
    out.mkdir()
    zz("optimise", make_files(sc), "-o", out / "opt.h5", "-q")
    assert not (out / "baseline.lua").exists()
    zz("run", out / "best_mix.lua", "-o", out / "mix.h5", "-q", cwd=out)
    ds = xr.open_dataset(out / "opt.h5")
    with h5py.File(out / "mix.h5", "r") as f:
        g = [t.decode() if isinstance(t, bytes) else t for t in f["target"][...]].index("all")
        got = f["target_share"][:, -1, g].mean()
    assert got == ds.objective.values[ds.attrs["best_evaluation"]]
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
    ("confirm = 2", "confirm = 2, robust = 2", 'robust must be "mean" or a quantile in (0, 1)'),
    ("confirm = 2", 'confirm = 2, design = "grid"', "unknown design 'grid'"),
])
def test_bad_file_names_file_line(tmp_path, field, value, text):
    assert field in OPT
    opt = make_files(tmp_path, "-- a comment\n" + OPT.replace(field, value))
    r = zz("optimise", opt, "-o", tmp_path / "bad.h5", check=False)
    assert r.returncode != 0 and "opt.lua:2:" in r.stderr and text in r.stderr, r.stderr
    assert not list(tmp_path.glob("bad.h5*")) and not (tmp_path / "best_mix.lua").exists()


@pytest.mark.parametrize("objective", ["time_to_target", "p_target"])
def test_time_and_probability_objectives_match_the_run(tmp_path, objective):
    """The objective of the best evaluation from the run best_mix.lua makes:
    mean days to the target (censored at the run's end), share of
    replications that reach it by the deadline."""
    deadline, by = ("2027-06-30", 546) if objective == "time_to_target" else ("2027-12-31", 730)
    opt = OPT.replace('objective = "target_share"', f'objective = "{objective}"').replace(
        'by = "2027-12-31",', f'by = "{deadline}",')
    make_files(tmp_path, opt)
    (tmp_path / "small.lua").write_text(SMALL.replace("share = 0.5", "share = 0.2745"))
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


# ---- the objectives against the twin, the confirmation's measures ---------

def run_quantities(path, target="all", by=730):
    """What the optimiser takes from each replication of a run file written
    with --counterfactual: reached, days, share at the last observation at
    or before by, additional adopters, fiscal money spent by the end."""
    with h5py.File(path, "r") as f:
        g = [t.decode() if isinstance(t, bytes) else t for t in f["target"][...]].index(target)
        ttt = f["time_to_target"][:, g]
        horizon = f["time"][-1]
        t_by = np.searchsorted(f["time"][...], by, side="right") - 1
        q = {"reached": (~np.isnan(ttt) & (ttt <= by)).astype(float),
             "days": np.where(np.isnan(ttt), horizon, ttt),
             "share": f["target_share"][:, t_by, g],
             "additional": f["additional"][:, g].astype(float) if "additional" in f else np.nan,
             "money": (f["spent"][:, -1, :] * f["fiscal"][...].astype(bool)).sum(axis=1)}
    return q


def measures_of(q):
    """(value, influence per replication) of every measure, the cost per
    additional adopter a ratio of means linearised (delta method)."""
    out = {}
    for k, col in (("p_target", "reached"), ("time_to_target", "days"), ("target_share", "share"),
                   ("additional", "additional")):
        x = q[col]
        out[k] = (x.mean(), x - x.mean())
    a, m = q["additional"].mean(), q["money"].mean()
    v = m / a if a > 0 else np.inf
    out["cost_per_additional"] = (v, (q["money"] - v * q["additional"]) / a)
    return out


def t_interval(v, infl):
    n = len(infl)
    se = infl.std(ddof=1) / np.sqrt(n)
    q = stats.t.ppf(0.975, n - 1)
    return v - q * se, v + q * se


ADDITIONAL = OPT.replace('objective = "target_share"', 'objective = "additional"')


@pytest.fixture(scope="module")
def additional(tmp_path_factory):
    d = tmp_path_factory.mktemp("add")
    zz("optimise", make_files(d, ADDITIONAL), "-o", d / "opt.h5", "-q")
    return d


def test_additional_puts_no_money_where_it_changes_no_decision(additional):
    """voucher.scenario pays only firms that have already adopted: it can
    make no additional adopter, so the money goes to voucher.compute. On
    the calibrated model the compute voucher buys about one additional
    adopter per 6 M yuan here, so the last few percent of the split are
    within the search's noise: 90%, as for the target-share objective (a
    search that cannot see additionality stays near the plan's half)."""
    ds = xr.open_dataset(additional / "opt.h5")
    share = ds.best_budget / ds.attrs["budget"]
    assert float(share.sel(programme="voucher.compute")) >= 0.9, share.values
    best = ds.attrs["chosen_candidate"]
    assert ds.measure_difference.sel(measure="additional").values[best] > 0
    assert ds.p_beats_plan.values[best] > 0.95


def test_additional_and_cost_match_the_run_with_its_twin(additional):
    """The objective of the best evaluation (its twin kept from an earlier
    evaluation) equals the run best_mix.lua makes with --counterfactual;
    the cost per additional adopter is fiscal money over additional
    adopters, a ratio of means."""
    ds = xr.open_dataset(additional / "opt.h5")
    zz("run", additional / "best_mix.lua", "-o", additional / "mix.h5", "-q", "--counterfactual")
    q = run_quantities(additional / "mix.h5")
    b = ds.attrs["best_evaluation"]
    assert b > 0   # the twin was run at an earlier evaluation
    assert ds.objective.values[b] == pytest.approx(q["additional"].mean(), abs=1e-12)
    em = ds.evaluation_measure.isel(evaluation=b)
    assert float(em.sel(measure="cost_per_additional")) == pytest.approx(
        q["money"].sum() / q["additional"].sum(), rel=1e-12)
    assert float(em.sel(measure="target_share")) == pytest.approx(q["share"].mean(), abs=1e-12)


def test_confirmation_reports_every_measure_with_intervals(additional):
    """Every measure of every candidate and its paired difference with the
    plan recomputed from the confirmation's quantities; the plan's own
    quantities from a run of the scenario as written on the confirmation
    seed (its twin included)."""
    ds = xr.open_dataset(additional / "opt.h5")
    Q = ds.confirm_quantity          # [candidate, confirm_replicate, quantity]
    names = {"reached": "reached", "days": "days_to_target", "share": "target_share",
             "additional": "additional", "money": "fiscal_spent"}
    cq = [{k: Q.isel(candidate=c).sel(quantity=v).values for k, v in names.items()}
          for c in range(ds.sizes["candidate"])]
    plan = measures_of(cq[0])
    for c in range(ds.sizes["candidate"]):
        m = measures_of(cq[c])
        for k, (v, infl) in m.items():
            sel = dict(candidate=c, measure=k)
            assert float(ds.measure_value.isel(candidate=c).sel(measure=k)) == pytest.approx(v, rel=1e-12, abs=1e-12)
            lo, hi = t_interval(v, infl)
            assert float(ds.measure_lower.isel(candidate=c).sel(measure=k)) == pytest.approx(lo, rel=1e-9, abs=1e-9)
            assert float(ds.measure_upper.isel(candidate=c).sel(measure=k)) == pytest.approx(hi, rel=1e-9, abs=1e-9)
            d = v - plan[k][0]
            lo, hi = t_interval(d, infl - plan[k][1])
            dd = ds.measure_difference.isel(candidate=c).sel(measure=k)
            assert float(dd) == pytest.approx(d, rel=1e-12, abs=1e-12)
            assert float(ds.measure_difference_lower.isel(candidate=c).sel(measure=k)) == pytest.approx(lo, rel=1e-9, abs=1e-9)
            assert float(ds.measure_difference_upper.isel(candidate=c).sel(measure=k)) == pytest.approx(hi, rel=1e-9, abs=1e-9)
    # the plan on the confirmation seeds, run as an ordinary scenario
    zz("run", additional / "small.lua", "-o", additional / "plan.h5", "-q", "--counterfactual",
       "--seed", ds.attrs["confirm_seed"], "--replications", ds.attrs["confirm_replications"])
    q = run_quantities(additional / "plan.h5")
    for k in names:
        assert np.allclose(cq[0][k], q[k], rtol=1e-12, atol=0), k


def test_confirmation_runs_on_seeds_the_search_never_used(additional):
    """The confirmation exists to escape the winner's curse: the plan's
    confirmation replicates are none of the replicates the search ran on
    (the scenario as written on the search's seed 5 and its 4
    replications, and on 16 more of that seed)."""
    ds = xr.open_dataset(additional / "opt.h5")
    Q = ds.confirm_quantity.isel(candidate=0)
    conf = np.stack([Q.sel(quantity=v).values for v in ("target_share", "additional", "fiscal_spent")], 1)
    n = int(ds.attrs["confirm_replications"])
    zz("run", additional / "small.lua", "-o", additional / "search_seeds.h5", "-q", "--counterfactual",
       "--seed", 5, "--replications", n)
    q = run_quantities(additional / "search_seeds.h5")
    search = np.stack([q["share"], q["additional"], q["money"]], 1)
    assert len({tuple(r) for r in search}) == n        # the quantities tell replicates apart
    shared = [(i, j) for i in range(n) for j in range(n) if np.array_equal(conf[i], search[j])]
    assert shared == [], f"confirmation replicates equal to the search seed's: {shared}"


def test_the_plan_keeps_its_own_free_values(tmp_path):
    opt = OPT.replace("evaluations = 16", "evaluations = 3").replace("starts = 6", "starts = 3")
    make_files(tmp_path, opt + 'free "voucher.compute.rate" { 0.1, 0.6 }\n')
    zz("optimise", tmp_path / "opt.lua", "-o", tmp_path / "opt.h5", "-q")
    ds = xr.open_dataset(tmp_path / "opt.h5")
    assert ds.candidate_free.values[0].tolist() == [0.9]       # small.lua's rate
    assert ds.evaluation_free.values[0].tolist() == [0.6]      # the plan's start, clamped
    assert np.all((ds.candidate_free.values[1:] >= 0.1) & (ds.candidate_free.values[1:] <= 0.6))


# ---- the robust option ------------------------------------------------------

ROBUST = OPT.replace("starts = 6, evaluations = 16, confirm = 2",
                     "starts = 3, evaluations = 2, confirm = 1, points = 3, robust = ROBUST") + \
    'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n'


@pytest.mark.parametrize("robust", ['"mean"', "0.25"])
def test_robust_objective_is_the_mean_or_quantile_over_the_design(tmp_path, robust):
    """The objective of an evaluation across the design equals the mean (or
    the quantile) of the runs of that mix at each design point, each on the
    search's seed and replications (common random numbers)."""
    make_files(tmp_path, ROBUST.replace("ROBUST", robust))
    zz("optimise", tmp_path / "opt.lua", "-o", tmp_path / "opt.h5", "-q")
    ds = xr.open_dataset(tmp_path / "opt.h5")
    pts = ds.uncertain_value.sel(uncertain="population.hurdle_mean").values
    assert len(np.unique(pts)) == 3
    for e in (0, int(ds.attrs["best_evaluation"])):
        b = ds.evaluation_budget.isel(evaluation=e).values
        vals = []
        for i, h in enumerate(pts):
            out = tmp_path / f"e{e}p{i}.h5"
            zz("run", tmp_path / "small.lua", "-o", out, "-q", "--seed", 5, "--replications", 4,
               "--set", f"voucher.compute.budget={b[0]!r}", "--set", f"voucher.scenario.budget={b[1] / 2!r}",
               "--set", f"population.hurdle_mean={h!r}")
            vals.append(run_quantities(out)["share"].mean())
        want = np.mean(vals) if robust == '"mean"' else np.quantile(vals, 0.25)
        assert ds.objective.values[e] == pytest.approx(want, abs=1e-12), (e, vals)
        assert len(set(vals)) > 1   # the uncertain parameter matters here


def test_uncertain_and_free_must_differ(tmp_path):
    opt = make_files(tmp_path, OPT + 'free "population.hurdle_mean" { 0.6, 1.2 }\n'
                     'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n')
    r = zz("optimise", opt, "-o", tmp_path / "bad.h5", check=False)
    assert r.returncode != 0 and "opt.lua:5:" in r.stderr and "chosen or uncertain, not both" in r.stderr


# ---- the front and resume -----------------------------------------------------

def test_front_optimises_at_each_budget_level(tmp_path):
    opt = OPT.replace("starts = 6, evaluations = 16", "starts = 4, evaluations = 4")
    make_files(tmp_path, opt)
    zz("optimise", tmp_path / "opt.lua", "-o", tmp_path / "opt.h5", "-q", "--front", 3)
    ds = xr.open_dataset(tmp_path / "opt.h5")
    B = ds.attrs["budget"]
    assert np.allclose(ds.front_total.values, [B / 3, 2 * B / 3, B], rtol=1e-15)
    assert np.allclose(ds.front_budget.sum("programme"), ds.front_total, rtol=1e-12)
    lvl = ds.evaluation_level.values
    assert sorted(np.unique(lvl)) == [0, 1, 2]
    assert np.allclose(ds.evaluation_budget.sum("programme"), ds.front_total.values[lvl], rtol=1e-12)
    fe = ds.front_evaluation.values
    assert list(lvl[fe]) == [0, 1, 2]
    # the whole budget's point is the chosen mix, on the confirmation seeds
    best = ds.attrs["chosen_candidate"]
    assert np.array_equal(ds.front_value.values[2], ds.measure_value.values[best], equal_nan=True)
    # the first level's point: its best searched mix run on the confirmation seeds
    for e in (0, 1):
        same = lvl == e
        assert ds.objective.values[fe[e]] == ds.objective.values[same].max()
    b = ds.front_budget.values[0]
    zz("run", tmp_path / "small.lua", "-o", tmp_path / "l0.h5", "-q", "--counterfactual",
       "--seed", ds.attrs["confirm_seed"], "--replications", ds.attrs["confirm_replications"],
       "--set", f"voucher.compute.budget={b[0]!r}", "--set", f"voucher.scenario.budget={b[1] / 2!r}")
    m = measures_of(run_quantities(tmp_path / "l0.h5"))
    for k, (v, infl) in m.items():
        assert float(ds.front_value.isel(level=0).sel(measure=k)) == pytest.approx(v, rel=1e-12, abs=1e-12)
        lo, _ = t_interval(v, infl)
        assert float(ds.front_lower.isel(level=0).sel(measure=k)) == pytest.approx(lo, rel=1e-9, abs=1e-9)


def test_interrupted_then_resumed_equals_uninterrupted(tmp_path):
    """Ctrl-C: exit 8, the evaluations so far in OUT.h5.partial, no result
    file; --resume replays them and ends with the same bytes."""
    import signal
    import time
    opt = OPT.replace("starts = 6, evaluations = 16", "starts = 8, evaluations = 40")
    make_files(tmp_path, opt)
    zz("optimise", tmp_path / "opt.lua", "-o", tmp_path / "full.h5", "-q")
    out, partial = tmp_path / "part.h5", tmp_path / "part.h5.partial"
    p = subprocess.Popen([BIN, "optimise", tmp_path / "opt.lua", "-o", out, "-q"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while time.time() - t0 < 60 and p.poll() is None:
        if partial.exists() and len(partial.read_text().splitlines()) >= 6:
            break
        time.sleep(0.02)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 8, err
    assert "--resume" in err and not out.exists()
    kept = partial.read_text().splitlines()
    assert kept[0].startswith("zhizao-optimise-evaluations") and len(kept) >= 6
    r = zz("optimise", tmp_path / "opt.lua", "-o", out, "--resume")
    assert f"({len(kept) - 1} replayed)" in r.stdout, r.stdout
    assert differences(tmp_path / "full.h5", out) == []
    assert not partial.exists()
    # another file's evaluations are refused, not replayed
    partial.write_text(kept[0].replace("evaluations ", "evaluations 0") + "\n")
    r = zz("optimise", tmp_path / "opt.lua", "-o", out, "--resume", "-q", check=False)
    assert r.returncode == 2 and "was written for another optimisation file" in r.stderr


def test_the_shandong_example_loads(tmp_path):
    """scenarios/optimise_shandong.lua (the figures in docs/optimise.md) is a
    valid optimisation file: it loads, then the output (a directory) is
    refused before any work."""
    r = zz("optimise", SCEN / "optimise_shandong.lua", "-o", tmp_path, check=False)
    assert r.returncode == 2 and str(tmp_path) in r.stderr and "optimise:" not in r.stderr, r.stderr


def test_printed_probability_has_the_exact_interval(tmp_path):
    """A probability over the confirmation's replications is printed with
    its exact interval: never "0 [0, 0]" when no replication reaches the
    target (issue 25)."""
    opt = OPT.replace('objective = "target_share"', 'objective = "p_target"')
    make_files(tmp_path, opt)
    r = zz("optimise", tmp_path / "opt.lua", "-o", tmp_path / "opt.h5")
    ds = xr.open_dataset(tmp_path / "opt.h5")
    n = int(ds.attrs["confirm_replications"])
    line = next(l for l in r.stdout.splitlines() if l.startswith("p_target "))
    p = float(ds.measure_value.isel(candidate=0).sel(measure="p_target"))
    k = round(p * n)
    lo = 0 if k == 0 else stats.beta.ppf(0.025, k, n - k + 1)
    hi = 1 if k == n else stats.beta.ppf(0.975, k + 1, n - k)
    assert f"[{lo:8.4g}, {hi:8.4g}]" in line, line

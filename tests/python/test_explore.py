"""`zhizao explore` (experiments) and `compare --set SCENARIO:KEY=VALUE`, end
to end: real runs, real files read by xarray and h5py. Small populations
and few replications keep it quick."""
import os
import signal
import subprocess
import time
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

import zhizao
from h5same import differences

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"
FIRMS = ["--set", "population.firms=2000"]

pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")


def zz(*args, check=True, **kw):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"zhizao {' '.join(map(str, args))} -> {r.returncode}\n{r.stderr}")
    return r


def library(tmp_path):
    for name in ("baseline.lua", "pioneers.lua", "shandong_2026.lua", "contest_only.lua",
                 "jinan_2026.lua"):
        (tmp_path / name).write_text((SCEN / name).read_text())


EXPERIMENT = """\
experiment {
  name = "small",
  scenarios = { "baseline.lua", "shandong_2026.lua" },
  design = "sobol", points = 3, replications = 2, seed = 7,
}
uncertain "population.hurdle_mean" { 0.6, 1.2 }
uncertain "decision.temperature"   { 0.15, 0.6, scale = "log" }
uncertain "voucher.compute.rate"   { 0.1, 0.5 }   -- only shandong_2026 has it
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("explore")
    library(d)
    (d / "small.lua").write_text(EXPERIMENT)
    out = d / "small.h5"
    r = zz("explore", d / "small.lua", "-o", out, *FIRMS)
    # one twin per (point, replication), shared by both scenarios
    assert "12 tasks (and 6 no-policy twins)" in r.stderr, r.stderr
    return d, out


def plain(ds, var):
    return ds[var].transpose("replicate", *[x for x in ds[var].dims if x != "replicate"]).values


def test_every_point_and_scenario_equals_a_plain_run(small):
    d, out = small
    ex = xr.open_dataset(out, engine="h5netcdf", decode_timedelta=False)
    assert ex.attrs["complete"] == 1 and int(ex.task_done.sum()) == 3 * 2 * 2
    keys = [str(k) for k in ex.factor.values]
    for p in range(3):
        for scen in ("baseline", "shandong_2026"):
            sets = []
            for k, v in zip(keys, ex.design.isel(point=p).values):
                if scen == "baseline" and k.startswith("voucher."):
                    continue
                sets += ["--set", f"{k}={float(v)!r}"]
            run = d / f"run_{p}_{scen}.h5"
            zz("run", d / f"{scen}.lua", "-o", run, "-r", 2, "-s", 7, "--counterfactual",
               *FIRMS, *sets, "--quiet")
            r = xr.open_dataset(run, engine="h5netcdf", decode_timedelta=False)
            one = ex.isel(point=p).sel(scenario=scen)
            for var in ("target_share", "time_to_target", "cf_target_share", "cf_time_to_target",
                        "additional", "supported", "deadweight"):
                a = np.asarray(plain(one, var), float)
                b = np.asarray(plain(r, var), float)
                assert a.shape == b.shape, var
                # bit for bit: same bytes, NaN where not reached
                assert np.array_equal(a, b, equal_nan=True), (p, scen, var)
            if r.sizes["instrument"]:
                spent = one.spent.sel(instrument=r.instrument.values)
                assert np.array_equal(spent.transpose("replicate", "time", "instrument").values,
                                      r.spent.transpose("replicate", "time", "instrument").values)
            r.close()
    # the shared twin is the baseline itself (no programme): same numbers
    np.testing.assert_array_equal(ex.cf_target_share.sel(scenario="shandong_2026").values,
                                  ex.target_share.sel(scenario="baseline").values)
    # a factor only one scenario has leaves the other alone
    b = ex.target_share.sel(scenario="baseline")
    assert b.notnull().all()
    ex.close()


def test_open_gives_the_documented_dataset_without_warnings(small):
    _, out = small
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = zhizao.open(out)
    for dim in ("point", "scenario", "replicate", "time", "target", "instrument", "factor"):
        assert dim in ds.dims
    assert ds.target_share.dims == ("point", "scenario", "replicate", "time", "target")
    assert ds.time_to_target.dims == ("point", "scenario", "replicate", "target")
    assert ds.design.dims == ("point", "factor")
    assert list(ds.factor.values) == ["population.hurdle_mean", "decision.temperature",
                                      "voucher.compute.rate"]
    assert list(ds.scenario.values) == ["baseline", "shandong_2026"]
    assert np.issubdtype(ds.time.dtype, np.datetime64)
    assert ds.time_to_target.dtype == np.float64
    # design: values inside the ranges, the unit cube mapped linearly / on logs
    u = ds.design_unit.values
    v = ds.design.values
    np.testing.assert_allclose(v[:, 0], 0.6 + u[:, 0] * 0.6, rtol=1e-12)
    np.testing.assert_allclose(v[:, 1], np.exp(np.log(0.15) + u[:, 1] * np.log(0.6 / 0.15)),
                               rtol=1e-12)
    assert (ds.target_level.sel(scenario="shandong_2026", target="province_gsz") == 0.5).all()
    # the baseline has no programme: nothing spent, nothing additional
    assert ds.spent.sel(scenario="baseline").isnull().all()
    assert (ds.additional.sel(scenario="baseline") == 0).all()
    view = zhizao.scenario_view(ds, "shandong_2026", point=1)
    assert view.target_share.dims == ("replicate", "time", "target")
    assert view.attrs["scenario_name"] == "shandong_2026"


def test_population_factor_rebuilds_the_firms_per_point(tmp_path):
    library(tmp_path)
    (tmp_path / "firms.lua").write_text(
        'experiment { scenarios = { "baseline.lua", "shandong_2026.lua" }, design = "factorial",\n'
        '             points = 2, replications = 2, seed = 5 }\n'
        'uncertain "population.firms" { values = { 1500, 2500 } }\n'
        'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n')
    out = tmp_path / "firms.h5"
    zz("explore", tmp_path / "firms.lua", "-o", out, "--quiet", "--cells")
    ds = zhizao.open(out)
    assert ds.sizes["point"] == 4
    firms = ds.design.sel(factor="population.firms").values
    assert sorted(set(firms)) == [1500, 2500]
    for p in range(4):
        n = ds.target_firms.isel(point=p).sel(target="all_firms").values
        assert (n == firms[p]).all()
        assert int(ds.firms.isel(point=p, scenario=0).sum()) == firms[p]
    # the point of 2500 firms equals a plain run with those values
    p = 3
    sets = [f"--set=population.firms={int(firms[p])}",
            f"--set=population.hurdle_mean={float(ds.design.values[p, 1])!r}"]
    zz("run", tmp_path / "shandong_2026.lua", "-o", tmp_path / "r.h5", "-r", 2, "-s", 5,
       "--counterfactual", *sets, "--quiet")
    r = xr.open_dataset(tmp_path / "r.h5", engine="h5netcdf", decode_timedelta=False)
    one = ds.isel(point=p).sel(scenario="shandong_2026")
    assert np.array_equal(one.target_share.values, r.target_share.values)
    np.testing.assert_array_equal(one.adopted.values, r.adopted.values)
    np.testing.assert_array_equal(one.cf_adopted.values, r.cf_adopted.values)
    r.close()


def test_one_and_two_threads_write_identical_files(tmp_path):
    library(tmp_path)
    (tmp_path / "t.lua").write_text(
        'experiment { scenarios = { "baseline.lua", "contest_only.lua", "shandong_2026.lua" },\n'
        '             design = "lhs", points = 3, replications = 3, seed = 2 }\n'
        'uncertain "decision.learn_publicity" { 0, 10 }\n')
    for t in (1, 2):
        out = tmp_path / f"t{t}.h5"
        zz("explore", tmp_path / "t.lua", "-o", out, "--threads", t, *FIRMS, "--quiet")
    # only the record of where it ran (the thread count) differs
    assert differences(tmp_path / "t1.h5", tmp_path / "t2.h5") == []
    with h5py.File(tmp_path / "t2.h5") as f:
        assert f.attrs["ran_on"].endswith(b": 1 process, 2 threads")


def _tasks_done(partial):
    try:
        with h5py.File(partial, "r", locking=False) as f:
            return int(f.attrs["tasks_done"])
    except (OSError, KeyError):
        return 0


def test_interrupted_then_resumed_equals_uninterrupted(tmp_path):
    library(tmp_path)
    (tmp_path / "r.lua").write_text(
        'experiment { scenarios = { "baseline.lua", "shandong_2026.lua" }, design = "lhs",\n'
        '             points = 8, replications = 4, seed = 3 }\n'
        'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n')
    args = ["--set", "population.firms=8000", "--threads", "1", "--quiet"]
    whole = tmp_path / "whole.h5"
    zz("explore", tmp_path / "r.lua", "-o", whole, *args)
    out = tmp_path / "cut.h5"
    partial = Path(str(out) + ".partial")
    proc = subprocess.Popen([BIN, "explore", str(tmp_path / "r.lua"), "-o", str(out), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while _tasks_done(partial) < 4 and proc.poll() is None and time.time() - t0 < 60:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 8, err
    assert "--resume" in err and partial.exists() and not out.exists()
    with h5py.File(partial, "r") as f:
        assert f.attrs["complete"] == 0
        done = int(f["task_done"][()].sum())
        assert 0 < done < 8 * 2 * 4
    # a partial file opens with a warning, its unfinished tasks NaN
    with pytest.warns(UserWarning, match="incomplete experiment"):
        ds = zhizao.open(partial)
    assert int(ds.task_done.sum()) == done
    assert ds.target_share.where(ds.task_done == 0).isnull().all()
    assert ds.target_share.where(ds.task_done == 1).notnull().any()
    ds.close()
    # resuming with another option is refused, and the partial file kept
    r = zz("explore", tmp_path / "r.lua", "-o", out, "--resume", "--set", "population.firms=7000",
           "--quiet", check=False)
    assert r.returncode != 0 and "different experiment" in r.stderr and partial.exists()
    r = zz("explore", tmp_path / "r.lua", "-o", out, "--resume", *args[:-1])
    assert out.exists() and not partial.exists()
    # only the tasks the partial file lacked were run again
    assert f"zhizao: {8 * 2 * 4 - done} tasks (" in r.stderr, r.stderr
    a = xr.open_dataset(whole, engine="h5netcdf", decode_timedelta=False).load()
    b = xr.open_dataset(out, engine="h5netcdf", decode_timedelta=False).load()
    for v in a.data_vars:
        assert a[v].equals(b[v]) or np.array_equal(a[v].values, b[v].values, equal_nan=True), v
    assert int(b.task_done.sum()) == 8 * 2 * 4


BAD = {
    "unknown_key": ('uncertain "population.hurdel_mean" { 0.6, 1.2 }\n',
                    ["bad.lua:2", "population.hurdel_mean", "hurdle_mean"]),
    "unused_key": ('uncertain "voucher.model.rate" { 0.1, 0.5 }\n',
                   ["bad.lua:2", "no listed scenario uses"]),
    "outside_range": ('uncertain "population.initial_adoption" { 0.2, 1.5 }\n',
                      ["bad.lua:2", "outside the parameter's valid range", "[0, 1]"]),
    "log_of_zero": ('uncertain "decision.temperature" { 0, 1, scale = "log" }\n',
                    ["bad.lua:2", "log scale needs lo > 0"]),
    "unknown_design": (None, ["bad.lua:1", "unknown design 'sobel'", "saltelli"]),
    "unknown_scenario": (None, ["bad.lua:1", "nowhere.lua", "cannot read"]),
    "zero_points": (None, ["bad.lua:1", "points = 0"]),
    "unknown_field": (None, ["bad.lua:1", "unknown field 'replicates'", "replications"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_experiment_files_name_file_and_line(tmp_path, case):
    library(tmp_path)
    extra, words = BAD[case]
    head = {"unknown_design": 'design = "sobel", points = 4',
            "unknown_scenario": 'design = "sobol", points = 4',
            "zero_points": 'design = "sobol", points = 0',
            "unknown_field": 'design = "sobol", points = 4, replicates = 3'}.get(
                case, 'design = "sobol", points = 4')
    scen = '"baseline.lua", "nowhere.lua"' if case == "unknown_scenario" else '"baseline.lua"'
    (tmp_path / "bad.lua").write_text(
        f'experiment {{ scenarios = {{ {scen} }}, {head} }}\n' + (extra or
        'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n'))
    out = tmp_path / "bad.h5"
    r = zz("explore", tmp_path / "bad.lua", "-o", out, check=False)
    assert r.returncode in (3, 5), r.stderr
    for w in words:
        assert w in r.stderr, (w, r.stderr)
    assert not out.exists() and not Path(str(out) + ".partial").exists()


def test_set_for_one_scenario_in_compare_and_explore(tmp_path):
    library(tmp_path)
    out = tmp_path / "cmp.h5"
    # a key only one scenario declares: today's compare refused it
    zz("compare", tmp_path / "baseline.lua", tmp_path / "shandong_2026.lua", "-o", out, "-r", 2,
       *FIRMS, "--set", "voucher.compute.rate=0.4", "--quiet")
    zz("compare", tmp_path / "baseline.lua", tmp_path / "shandong_2026.lua", "-o", out, "-r", 2,
       *FIRMS, "--set", "shandong_2026:voucher.compute.cap=3e6", "--quiet")
    with h5py.File(out, "r") as f:
        assert "voucher.compute.cap = 3000000" in f["shandong_2026"].attrs["parameters"].decode() \
            if isinstance(f["shandong_2026"].attrs["parameters"], bytes) else \
            "voucher.compute.cap = 3000000" in f["shandong_2026"].attrs["parameters"]
    r = zz("compare", tmp_path / "baseline.lua", tmp_path / "shandong_2026.lua", "-o", out,
           "--set", "baseline:voucher.compute.rate=0.4", "--quiet", check=False)
    assert r.returncode == 3 and "baseline" in r.stderr and "voucher.compute" in r.stderr
    r = zz("compare", tmp_path / "baseline.lua", tmp_path / "shandong_2026.lua", "-o", out,
           "--set", "nosuch:decision.temperature=0.3", "--quiet", check=False)
    assert r.returncode == 2 and "no scenario named 'nosuch'" in r.stderr
    (tmp_path / "e.lua").write_text(
        'experiment { scenarios = { "baseline.lua", "shandong_2026.lua" }, points = 1,\n'
        '             replications = 1 }\n')
    zz("explore", tmp_path / "e.lua", "-o", tmp_path / "e.h5", *FIRMS,
       "--set", "shandong_2026:decision.temperature=0.3", "--quiet")
    ds = zhizao.open(tmp_path / "e.h5")
    params = {str(s): str(p) for s, p in zip(ds.scenario.values, ds.scenario_parameters.values)}
    assert "decision.temperature = 0.3\n" in params["shandong_2026"]
    assert "decision.temperature = 0.25\n" in params["baseline"]
    assert ds.sizes["point"] == 1 and ds.sizes["factor"] == 0


def test_library_experiment_is_valid():
    r = zz("explore", SCEN / "uncertainty.lua", "--design")
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("point,block,population.hurdle_mean")
    assert len(lines) == 1 + 64


def test_compare_is_an_experiment_of_one_point_with_runs_own_numbers(tmp_path):
    """compare shares one twin per replication between the scenarios; every
    group still equals a run of that scenario with its own twin, variable
    for variable and attribute for attribute."""
    library(tmp_path)
    # jinan_2026 runs two years, the others three: each group keeps its calendar
    names = ["baseline", "shandong_2026", "contest_only", "jinan_2026"]
    cmp = tmp_path / "cmp.h5"
    # contest_only's behaviour differs: its twin cannot be the others'
    # and shandong_2026's chains are another size: other firms, another twin
    own = {"contest_only": "decision.temperature=0.3", "shandong_2026": "chain_leader.partners=20"}
    r = zz("compare", *(tmp_path / f"{n}.lua" for n in names), "-o", cmp, "-r", 2, *FIRMS,
           *(f"--set={n}:{v}" for n, v in own.items()), "--firms")
    # every scenario its own twin here; without the differences one is shared
    assert "8 tasks (and 8 no-policy twins)" in r.stderr, r.stderr
    r = zz("compare", tmp_path / "baseline.lua", tmp_path / "shandong_2026.lua", "-o",
           tmp_path / "two.h5", "-r", 2, *FIRMS)
    assert "4 tasks (and 2 no-policy twins)" in r.stderr, r.stderr
    for n in names:
        run = tmp_path / f"{n}.h5"
        zz("run", tmp_path / f"{n}.lua", "-o", run, "-r", 2, "--counterfactual", "--firms",
           *FIRMS, *([f"--set={own[n]}"] if n in own else []), "--quiet")
        a = xr.open_dataset(cmp, group=n, engine="h5netcdf", decode_timedelta=False)
        b = xr.open_dataset(run, engine="h5netcdf", decode_timedelta=False)
        assert set(a.data_vars) == set(b.data_vars)
        assert "cf_adopted" in a.data_vars and "cf_firm_day" in a.data_vars
        for v in a.data_vars:
            assert np.array_equal(a[v].values, b[v].values, equal_nan=True), (n, v)
        assert {k: str(x) for k, x in a.attrs.items()} == {k: str(x) for k, x in b.attrs.items()}
        a.close()
        b.close()


def test_twin_series_follow_each_scenarios_own_population(tmp_path):
    """Two scenarios alike but for their chain-leader programme's synthetic
    chains (partners per leader): the same twin signature, different firms.
    Each scenario's twin in the comparison is the one its own run with
    --counterfactual makes, series by series (adoption, shares, the
    additional adopters), not a twin built on the other's firms. Partners
    learn much from their leader here (learn_chain 30), so that the chains
    change the no-policy world itself."""
    library(tmp_path)
    for name, partners in (("few", 5), ("many", 80)):
        (tmp_path / f"{name}.lua").write_text(
            f'include "shandong_2026.lua"\nscenario {{ name = "{name}" }}\n'
            f'chain_leader {{ partners = {partners} }}\n')
    learn = ("--set", "decision.learn_chain=30")
    cmp = tmp_path / "cmp.h5"
    zz("compare", tmp_path / "few.lua", tmp_path / "many.lua", "-o", cmp, "-r", 2, *FIRMS, *learn,
       "--quiet")
    differ = False
    for n in ("few", "many"):
        run = tmp_path / f"{n}.h5"
        zz("run", tmp_path / f"{n}.lua", "-o", run, "-r", 2, "--counterfactual", *FIRMS, *learn,
           "--quiet")
        a = xr.open_dataset(cmp, group=n, engine="h5netcdf", decode_timedelta=False)
        b = xr.open_dataset(run, engine="h5netcdf", decode_timedelta=False)
        twin = [v for v in b.data_vars if v.startswith("cf_")] + ["additional"]
        assert "cf_adopted" in twin and "cf_target_share" in twin
        for v in twin:
            assert np.array_equal(a[v].values, b[v].values, equal_nan=True), (n, v)
        if n == "many":
            few = xr.open_dataset(tmp_path / "few.h5", engine="h5netcdf", decode_timedelta=False)
            differ = not np.array_equal(few["cf_adopted"].values, b["cf_adopted"].values)
            few.close()
        a.close()
        b.close()
    assert differ    # the two populations' twins are not the same numbers


def test_set_names_a_scenario_by_its_file_too(tmp_path):
    """--set FILE:key=value reaches the scenario of FILE.lua whose name is
    another (here vfile.lua names itself vname), and only that one."""
    library(tmp_path)
    (tmp_path / "alone_compute_voucher.lua").write_text((SCEN / "alone_compute_voucher.lua").read_text())
    (tmp_path / "vfile.lua").write_text('include "alone_compute_voucher.lua"\nscenario { name = "vname" }\n')
    out = tmp_path / "c.h5"
    zz("compare", tmp_path / "vfile.lua", tmp_path / "baseline.lua", "-o", out, "-r", 1, *FIRMS,
       "--set", "vfile:voucher.compute.rate=0.77", "--quiet")
    a = xr.open_dataset(out, group="vname", engine="h5netcdf")
    b = xr.open_dataset(out, group="baseline", engine="h5netcdf")
    assert "voucher.compute.rate=0.77" in str(a.attrs["overrides"])
    assert "voucher.compute.rate" not in str(b.attrs.get("overrides", ""))
    a.close()
    b.close()


def test_design_from_a_csv_file(tmp_path):
    library(tmp_path)
    (tmp_path / "f.lua").write_text(
        'experiment { scenarios = { "baseline.lua", "shandong_2026.lua" }, design = "file",\n'
        '             file = "points.csv", replications = 1 }\n'
        'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n'
        'uncertain "voucher.compute.rate"   { values = { 0.2, 0.3, 0.4 } }\n')
    # columns in any order; values in actual units
    (tmp_path / "points.csv").write_text(
        "voucher.compute.rate,population.hurdle_mean\n0.2,0.7\n0.4,1.1\n")
    lines = zz("explore", tmp_path / "f.lua", "--design").stdout.splitlines()
    assert lines[0] == "point,block,population.hurdle_mean,voucher.compute.rate"
    assert [tuple(map(float, ln.split(",")[2:])) for ln in lines[1:]] == [(0.7, 0.2), (1.1, 0.4)]
    (tmp_path / "points.csv").write_text(
        "voucher.compute.rate,population.hurdle_mean\n0.2,0.7\n0.25,1.1\n")
    r = zz("explore", tmp_path / "f.lua", "--design", check=False)
    assert r.returncode == 3 and "points.csv:3" in r.stderr and "voucher.compute.rate" in r.stderr


def test_experiment_files_include_and_are_sandboxed(tmp_path):
    library(tmp_path)
    (tmp_path / "ranges.lua").write_text(
        'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n'
        'uncertain "population.initial_adoption" { 0.2, 1.5 }\n')
    (tmp_path / "e.lua").write_text(
        'experiment { scenarios = { "baseline.lua" }, points = 2 }\ninclude "ranges.lua"\n')
    r = zz("explore", tmp_path / "e.lua", "--design", check=False)
    # the error points into the included file
    assert r.returncode == 3 and "ranges.lua:2" in r.stderr and "valid range" in r.stderr
    (tmp_path / "ranges.lua").write_text('uncertain "population.hurdle_mean" { 0.6, 1.2 }\n')
    lines = zz("explore", tmp_path / "e.lua", "--design").stdout.splitlines()
    assert lines[0] == "point,block,population.hurdle_mean" and len(lines) == 3
    (tmp_path / "e.lua").write_text('os.execute("true")\n')
    r = zz("explore", tmp_path / "e.lua", "--design", check=False)
    assert r.returncode == 3 and "e.lua:1" in r.stderr and "os" in r.stderr


def test_experiment_include_cycle_refused(tmp_path):
    # a file that includes itself, through another, stops with the line
    library(tmp_path)
    (tmp_path / "a.lua").write_text('include "b.lua"\n')
    (tmp_path / "b.lua").write_text('uncertain "population.hurdle_mean" { 0.6, 1.2 }\n'
                                    'include "a.lua"\n')
    (tmp_path / "e.lua").write_text(
        'experiment { scenarios = { "baseline.lua" }, points = 2 }\ninclude "a.lua"\n')
    r = zz("explore", tmp_path / "e.lua", "--design", check=False)
    assert r.returncode == 3 and "b.lua:2" in r.stderr and "includes itself" in r.stderr

"""The `zhizao` command end to end: real runs, real HDF5 files, read by
real xarray and h5py."""
import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"

pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")

SMALL = ["--set", "population.firms=4000", "--quiet"]


def zhizao(*args, check=True, **kw):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"zhizao {' '.join(map(str, args))} -> {r.returncode}\n{r.stderr}")
    return r


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_help_and_version():
    r = zhizao("--help")
    assert "usage: zhizao run" in r.stdout and "exit codes" in r.stdout
    assert zhizao("--version").stdout.startswith("zhizao ")
    assert zhizao("frobnicate", check=False).returncode == 2


def test_run_writes_labelled_netcdf(tmp_path):
    out = tmp_path / "run.h5"
    zhizao("run", SCEN / "shandong_2026.lua", "-o", out, "--replications", 3, *SMALL)
    assert out.exists() and not Path(str(out) + ".partial").exists()
    ds = xr.open_dataset(out)
    for dim in ("replicate", "time", "city", "industry", "size", "instrument", "target"):
        assert dim in ds.dims
    assert ds.sizes["replicate"] == 3 and ds.sizes["city"] == 16
    assert "Jinan" in ds.city.values and "electronics" in ds.industry.values
    assert list(ds["size"].values) == ["micro", "small", "medium", "large"]
    assert np.issubdtype(ds.time.dtype, np.datetime64)
    assert str(ds.time.values[0])[:10] == "2026-01-01"
    assert ds.attrs["complete"] == 1 and ds.attrs["seed"] == 2026
    assert "voucher \"compute\"" in ds.attrs["scenario_source"]
    assert "population.firms" in ds.attrs["overrides"]
    # firms never change, and the adopted counts never exceed them
    assert int(ds.firms.sum()) == 4000
    assert (ds.adopted <= ds.firms).all()
    assert set(ds.instrument.values) >= {"voucher.compute", "subsidy.investment"}
    ds.close()


def test_bit_identical_for_any_thread_count(tmp_path):
    a, b = tmp_path / "t1.h5", tmp_path / "t2.h5"
    args = ["run", SCEN / "shandong_2026.lua", "--replications", 4, *SMALL]
    zhizao(*args, "-o", a, "--threads", 1)
    zhizao(*args, "-o", b, "--threads", 2)
    assert sha(a) == sha(b)
    c = tmp_path / "seed.h5"
    zhizao(*args, "-o", c, "--threads", 2, "--seed", 99)
    assert sha(a) != sha(c)


def test_budgets_conserved_in_file(tmp_path):
    out = tmp_path / "b.h5"
    zhizao("run", SCEN / "shandong_2026.lua", "-o", out, "--replications", 2, *SMALL,
           "--set", "voucher.compute.budget=2e7")
    ds = xr.open_dataset(out)
    total = ds.committed + ds.spent + ds.budget
    src = ds.attrs["parameters"]
    line = [l for l in src.splitlines() if l.startswith("voucher.compute.budget")][0]
    initial = float(line.split("=")[1])
    assert initial == 2e7
    np.testing.assert_allclose(total.sel(instrument="voucher.compute"), initial, rtol=1e-9)
    assert (ds.budget >= 0).all()
    ds.close()


def test_bad_scenario_exits_3_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.lua"
    bad.write_text('scenario { name = "x" }\nvoucher "compute" { rate = 1.5 }\n')
    out = tmp_path / "bad.h5"
    r = zhizao("run", bad, "-o", out, check=False)
    assert r.returncode == 3
    assert "bad.lua:2" in r.stderr and "rate" in r.stderr and "[0, 1]" in r.stderr
    assert not out.exists() and not Path(str(out) + ".partial").exists()
    r = zhizao("run", SCEN / "shandong_2026.lua", "--set", "voucher.compute.rat=0.4", check=False)
    assert r.returncode == 3 and "rate" in r.stderr
    r = zhizao("run", tmp_path / "missing.lua", check=False)
    assert r.returncode != 0 and "missing.lua" in r.stderr


def test_ctrl_c_keeps_finished_replications(tmp_path):
    out = tmp_path / "int.h5"
    p = subprocess.Popen([BIN, "run", str(SCEN / "bass_validation.lua"), "-o", str(out),
                          "--replications", "200", "--threads", "1", "--quiet"],
                         stderr=subprocess.PIPE, text=True)
    partial = Path(str(out) + ".partial")
    deadline = time.time() + 60
    # wait until at least one replication is in the file
    while time.time() < deadline:
        time.sleep(0.5)
        if partial.exists():
            try:
                with h5py.File(partial, "r", locking=False) as f:
                    if f.attrs["replications_done"] >= 1:
                        break
            except OSError:
                pass
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 8, err
    assert not out.exists() and partial.exists()
    with h5py.File(partial, "r") as f:
        assert f.attrs["complete"] == 0
        done = int(f.attrs["replications_done"])
        assert 1 <= done < 200
        assert (f["events"][:] > 0).sum() == done


def test_counterfactual_accounting(tmp_path):
    out = tmp_path / "cf.h5"
    zhizao("run", SCEN / "shandong_2026.lua", "-o", out, "--replications", 2, "--counterfactual",
           "--firms", *SMALL)
    ds = xr.open_dataset(out, decode_timedelta=False)  # days as numbers
    assert "cf_adopted" in ds and "firm_day" in ds and "cf_firm_day" in ds
    # additional adopters = policy adopters - twin adopters, from the cell counts
    g = list(ds.target.values).index("all_firms")
    end = ds.isel(time=-1)
    diff = (end.adopted.sum(["city", "industry", "size"]) -
            end.cf_adopted.sum(["city", "industry", "size"]))
    np.testing.assert_array_equal(ds.additional.isel(target=g), diff)
    # supported = deadweight + supported additional, from the per-firm record
    pol = ~np.isnan(ds.firm_day.values)
    twin = ~np.isnan(ds.cf_firm_day.values)
    got = ds.firm_support.sum("instrument").values > 0
    supported = pol & got & (np.nan_to_num(ds.firm_day.values) > 0)
    dead = supported & twin
    np.testing.assert_array_equal(ds.supported.isel(target=g), supported.sum(axis=1))
    np.testing.assert_array_equal(ds.deadweight.isel(target=g), dead.sum(axis=1))
    assert (ds.supported >= ds.deadweight).all()
    # money received by firms = money disbursed
    np.testing.assert_allclose(ds.firm_support.sum("firm"), ds.spent.isel(time=-1), rtol=1e-9)
    ds.close()


def test_zero_budget_has_no_additional_adopters(tmp_path):
    # includes must lie beside or below the including file (sandbox rule)
    for name in ("baseline.lua", "shandong_2026.lua", "pioneers.lua"):
        (tmp_path / name).write_text((SCEN / name).read_text())
    zero = tmp_path / "zero.lua"
    # every programme of the default scenario, with its budget set to zero
    zeroed = "\n".join(
        line.split("{")[0] + "{ budget = 0 }"
        for line in (SCEN / "shandong_2026.lua").read_text().splitlines()
        if line.split(" ")[0] in ("voucher", "subsidy", "contest", "campaign", "risk_compensation",
                                  "insurance", "equity", "chain_leader"))
    assert zeroed.count("budget = 0") >= 12
    zero.write_text('include "shandong_2026.lua"\nscenario { name = "zero" }\n' + zeroed + "\n")
    out = tmp_path / "zero.h5"
    zhizao("run", zero, "-o", out, "--replications", 2, "--counterfactual", *SMALL)
    ds = xr.open_dataset(out)
    assert (ds.additional == 0).all()
    assert (ds.supported == 0).all()
    np.testing.assert_array_equal(ds.adopted.values, ds.cf_adopted.values)
    ds.close()


def test_compare_writes_a_group_per_scenario(tmp_path):
    out = tmp_path / "cmp.h5"
    zhizao("compare", SCEN / "baseline.lua", SCEN / "shandong_2026.lua", "-o", out,
           "--replications", 2, *SMALL)
    with h5py.File(out, "r") as f:
        assert set(f.keys()) >= {"baseline", "shandong_2026"}
    base = xr.open_dataset(out, group="baseline")
    pol = xr.open_dataset(out, group="shandong_2026")
    assert "cf_adopted" in pol and "additional" in pol
    # same seeds and common random numbers: the baseline's own run is the
    # policy scenario's twin
    np.testing.assert_array_equal(base.adopted.values, pol.cf_adopted.values)
    base.close()
    pol.close()


def test_endless_loop_in_one_replication_keeps_the_others(tmp_path):
    for name in ("baseline.lua", "pioneers.lua"):
        (tmp_path / name).write_text((SCEN / name).read_text())
    # math.random draws from each replication's own stream: some loop
    (tmp_path / "loop.lua").write_text(
        'include "baseline.lua"\nscenario { name = "loop" }\n'
        'at("2027-06-01", function(sim)\n'
        '  if math.random() < 0.3 then\n'
        '    while true do end\n'
        '  end\n'
        'end)\n')
    out = tmp_path / "loop.h5"
    t0 = time.time()
    r = zhizao("run", tmp_path / "loop.lua", "-o", out, "--replications", 12, "--threads", 1,
               "--set", "population.firms=3000", "--quiet", check=False)
    assert time.time() - t0 < 30
    assert r.returncode == 7
    assert "loop.lua:5" in r.stderr and "instruction limit" in r.stderr
    partial = Path(str(out) + ".partial")
    assert not out.exists() and partial.exists()
    with h5py.File(partial, "r") as f:
        assert f.attrs["complete"] == 0
        done = int(f.attrs["replications_done"])
        assert done >= 1
        assert (f["events"][:] > 0).sum() == done


def test_run_on_a_firm_file(tmp_path):
    sample = SRC / "examples" / "firms_sample.csv"
    (tmp_path / "firms.csv").write_text(sample.read_text())
    (tmp_path / "real.lua").write_text(
        'scenario { name = "real", years = 2, replications = 2 }\n'
        'population { file = "firms.csv" }\n'
        'voucher "compute" { budget = 1e7 }\n')
    out = tmp_path / "real.h5"
    zhizao("run", tmp_path / "real.lua", "-o", out, "--quiet")
    ds = xr.open_dataset(out)
    rows = len(sample.read_text().strip().splitlines()) - 1
    assert int(ds.firms.sum()) == rows
    ds.close()
    # a bad row stops the run before it starts, naming file, line and column
    bad = sample.read_text().splitlines()
    fields = bad[1].split(",")
    header = bad[0].split(",")
    fields[header.index("city")] = "Atlantis"
    bad[1] = ",".join(fields)
    (tmp_path / "firms.csv").write_text("\n".join(bad) + "\n")
    r = zhizao("run", tmp_path / "real.lua", "-o", tmp_path / "bad.h5", check=False)
    assert r.returncode == 4
    assert "firms.csv:2" in r.stderr and "city" in r.stderr and "Jinan" in r.stderr
    assert not (tmp_path / "bad.h5").exists() and not (tmp_path / "bad.h5.partial").exists()


def _copy_base(tmp_path):
    for name in ("baseline.lua", "pioneers.lua"):
        (tmp_path / name).write_text((SCEN / name).read_text())


def test_stopped_run_is_compared_with_a_twin_stopped_at_the_same_point(tmp_path):
    _copy_base(tmp_path)
    (tmp_path / "stop.lua").write_text(
        'include "baseline.lua"\nscenario { name = "stop" }\n'
        'subsidy "investment" { rate = 0.2, cap = 5e6, budget = 1e9 }\n'
        'when(function(sim) return sim:day() >= 400 end, function(sim) sim:stop() end)\n')
    out = tmp_path / "stop.h5"
    zhizao("run", tmp_path / "stop.lua", "-o", out, "--counterfactual", "--replications", 2,
           "--set", "population.firms=20000", "--quiet")
    ds = xr.open_dataset(out)
    # both runs hold their state from the stop on
    stop = int(np.argmax(ds.time.values >= ds.time.values[0] + np.timedelta64(400, "D")))
    for v in ("adopted", "cf_adopted"):
        tail = ds[v].isel(time=slice(stop, None)).sum(["city", "industry", "size"])
        assert (tail == tail.isel(time=0)).all(), v
    # a subsidy cannot remove adopters: the comparison is like with like
    assert (ds.additional.sel(target="all_firms") >= 0).all()
    ds.close()


def test_a_round_opened_while_one_is_open_closes_it(tmp_path):
    _copy_base(tmp_path)
    (tmp_path / "rounds.lua").write_text(
        'include "baseline.lua"\nscenario { name = "rounds" }\n'
        'contest "bench" { opens = "2026-03-01", closes = "2026-05-01", winners = 10, budget = 1e8 }\n'
        'at("2026-04-01", function(sim) sim:open_round("contest.bench") end)\n')
    out = tmp_path / "rounds.h5"
    zhizao("run", tmp_path / "rounds.lua", "-o", out, "--replications", 2,
           "--set", "population.firms=20000", "--quiet")
    with h5py.File(out, "r") as f:
        # two rounds of 10 winners each, reported in the contest's one row
        assert (f["round_winners"][:, 0, 0] == 20).all()
        assert (f["round_bids"][:, 0, 0] >= 20).all()

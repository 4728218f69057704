"""Tests of the Python analysis package `zhizao` (analysis/zhizao) on
hand-made files.

Result files are built by hand with h5py following the layout documented
in sim/output/results.h (dimension scales, "days since" time, cf_ twin,
paired accounting [replicate, target], the per-firm record, one group per
scenario in a comparison file), with numbers chosen so that every expected
value below can be worked out on paper. tests/python/test_analysis_real.py
checks the same functions on files the engine writes.

  2 replicates, 3 observations (2026-01-01, 01-31, 2027-01-01: horizon
  365 days), 2 cities x 2 industries x 4 sizes = 16 cells, firms per cell
  by size 10/20/40/80 (150 per city x industry, 600 in all).
  adopted  = K[r][t] + scaled in every cell, K = [[0,2,4],[1,3,5]]
             (as the engine: `adopted` counts pilot and scaled firms)
  scaled   = 1 in the 8 Qingdao cells at the last observation, else 0
  => adopters in all: rep0 0, 32, 72; rep1 16, 48, 88
  twin: cf_adopted = [[0,1,2],[1,2,2]] per cell, cf_scaled = 0
  => twin adopters at the end: 32 and 32; additional: 40 and 56
  targets jinan_electronics (Jinan x electronics, 150 firms) and all_firms
  (600): additional 8 and 12 (16, 20 against 8, 8), 40 and 56
  supported [rep][target] [[6, 30], [9, 40]], deadweight [[2, 10], [3, 8]]
  deadweight_lag [[15, 12], [-5, 30]] days
  spent at the end: rep0 1000+3000 = 4000, rep1 2000+5000 = 7000
  => yuan per additional adopter: 100 and 125
  time_to_target (days) [rep][target]: [[100, NaN], [200, 300]],
  twin [[250, NaN], [290, NaN]]
  per-firm record (write_run(firms=True)): 6 firms, see firm_arrays()

With two replicates the 95% t-interval is mean +/- T1 * |x1 - x0| / 2
where T1 = t_{0.975, 1} = tan(0.475 pi) = 12.7062047361747.
"""

import base64
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import matplotlib
import matplotlib.image
import numpy as np
import pandas as pd
import pytest
import xarray as xr

matplotlib.use("Agg")

import zhizao  # noqa: E402
from zhizao import report as zreport  # noqa: E402

# t quantile 0.975 with 1 degree of freedom: closed form tan(pi * (0.975 - 1/2))
T1 = math.tan(math.pi * 0.475)   # 12.7062047361747
DPM = 365.25 / 12                # days per month used for "months gained"
ANALYSIS_DIR = Path(zhizao.__file__).resolve().parents[1]

CITIES = ["Jinan", "Qingdao"]
INDUSTRIES = ["electronics", "light_industry"]
SIZES = ["micro", "small", "medium", "large"]
INSTRUMENTS = ["voucher.compute", "contest.jiebang"]
TARGETS = ["jinan_electronics", "all_firms"]
TIME = [0.0, 30.0, 365.0]
SOURCE = ('scenario { name = "shandong_2026", start = "2026-01-01" }\n'
          '-- trigger when a < b && c > d: "quoted"\n'
          'target("jinan_electronics", { share = 0.5 }) -- 济南 <script>alert(1)</script>\n')


# ---- building files by hand ------------------------------------------------

def scenario_arrays(time_to_target=((100.0, np.nan), (200.0, 300.0)), spent_mult=1.0,
                    twin=True, accounting=True):
    """The arrays of one scenario, as described in the module docstring."""
    R, T, C, I, S = 2, 3, 2, 2, 4
    firms = np.broadcast_to(np.array([10, 20, 40, 80], np.int32), (C, I, S)).copy()
    firms_gsz = np.broadcast_to(np.array([0, 2, 10, 40], np.int32), (C, I, S)).copy()
    K = np.array([[0, 2, 4], [1, 3, 5]], np.int32)
    pilots = np.broadcast_to(K[:, :, None, None, None], (R, T, C, I, S)).copy()
    scaled = np.zeros((R, T, C, I, S), np.int32)
    scaled[:, 2, 1] = 1
    adopted = pilots + scaled          # the engine's `adopted` includes scaled firms
    implementing = np.ones((R, T, C, I, S), np.int32)
    adopted_gsz = pilots.copy()
    adopted_gsz[..., :2] = 0          # only medium and large firms count as 规上 adopters
    spent = np.array([[[0, 0], [500, 1000], [1000, 3000]],
                      [[0, 0], [1000, 2000], [2000, 5000]]], float) * spent_mult
    committed = np.array([[[0, 0], [200, 0], [100, 0]],
                          [[0, 0], [300, 0], [0, 0]]], float)
    returned = np.zeros((R, T, 2))
    budget = 1e5 - committed - spent + returned
    d = {"firms": firms, "firms_gsz": firms_gsz, "adopted": adopted, "scaled": scaled,
         "implementing": implementing, "adopted_gsz": adopted_gsz, "spent": spent,
         "committed": committed, "returned": returned, "budget": budget,
         "time_to_target": np.array(time_to_target, float),
         "events": np.array([1234, 1301], np.int64)}
    if twin:
        Kc = np.array([[0, 1, 2], [1, 2, 2]], np.int32)
        d["cf_adopted"] = np.broadcast_to(Kc[:, :, None, None, None], (R, T, C, I, S)).copy()
        d["cf_scaled"] = np.zeros((R, T, C, I, S), np.int32)
        d["cf_implementing"] = np.zeros((R, T, C, I, S), np.int32)
        d["cf_adopted_gsz"] = d["cf_adopted"].copy()
        for k in ("spent", "committed", "returned"):
            d["cf_" + k] = np.zeros((R, T, 2))
        d["cf_budget"] = np.full((R, T, 2), 1e5)
        d["cf_time_to_target"] = np.array([[250.0, np.nan], [290.0, np.nan]])
        d["cf_events"] = np.array([900, 950], np.int64)
    # target shares from the cells: Jinan x electronics (150 firms) and all (600)
    for p in ("", "cf_") if twin else ("",):
        a = d[p + "adopted"].astype(float)
        d[p + "target_share"] = np.stack([a[:, :, 0, 0].sum(-1) / 150.0,
                                          a.sum((2, 3, 4)) / 600.0], axis=-1)
    d["target_firms"] = np.array([[150, 600], [150, 600]], np.int32)
    if twin and accounting:
        d["additional"] = np.array([[8, 40], [12, 56]], np.int32)
        d["supported"] = np.array([[6, 30], [9, 40]], np.int32)
        d["deadweight"] = np.array([[2, 10], [3, 8]], np.int32)
        d["deadweight_lag"] = np.array([[15.0, 12.0], [-5.0, 30.0]])
    return d


def firm_arrays():
    """A per-firm record of 6 firms (not tied to the cell counts).

    firm_day [rep][firm]: rep0 [0, 10, 20, NaN, 40, NaN], rep1 [0, NaN, 25, 30, 50, 60]
    twin               rep0 [0, NaN, 15, NaN, 80, 90],  rep1 [0, NaN, NaN, 30, NaN, NaN]
    support (yuan, 2 instruments): rep0 firm1 (100, 0), firm2 (0, 50), firm3 (70, 0),
    firm4 (10, 10); rep1 firm0 (5, 0), firm2 (20, 0), firm3 (0, 40), firm5 (30, 30)
    => supported (adopted on day > 0 with support): rep0 firms 1, 2, 4; rep1 2, 3, 5
       deadweight (also adopted in the twin): rep0 2, 4; rep1 3
    """
    nan = np.nan
    day = np.array([[0, 10, 20, nan, 40, nan], [0, nan, 25, 30, 50, 60]])
    cf_day = np.array([[0, nan, 15, nan, 80, 90], [0, nan, nan, 30, nan, nan]])
    sup = np.zeros((2, 6, 2))
    sup[0, 1] = (100, 0)
    sup[0, 2] = (0, 50)
    sup[0, 3] = (70, 0)
    sup[0, 4] = (10, 10)
    sup[1, 0] = (5, 0)
    sup[1, 2] = (20, 0)
    sup[1, 3] = (0, 40)
    sup[1, 5] = (30, 30)
    return {"firm_day": day, "cf_firm_day": cf_day, "firm_support": sup}


DIMS = {"adopted": "RTCIS", "implementing": "RTCIS", "scaled": "RTCIS", "adopted_gsz": "RTCIS",
        "firms": "CIS", "firms_gsz": "CIS", "committed": "RTP", "spent": "RTP",
        "returned": "RTP", "budget": "RTP", "target_share": "RTG", "time_to_target": "RG",
        "events": "R", "target_firms": "RG", "additional": "RG", "supported": "RG",
        "deadweight": "RG", "deadweight_lag": "RG", "firm_day": "RN", "firm_support": "RNP"}
DIM_NAMES = {"R": "replicate", "T": "time", "C": "city", "I": "industry", "S": "size",
             "P": "instrument", "G": "target", "N": "firm"}


def _base(var):
    return var[3:] if var.startswith("cf_") else var


def only_targets(arrays, keep):
    """The arrays with the target dimension restricted to the indices `keep`."""
    return {k: (v[..., keep] if DIMS[_base(k)].endswith("G") else v) for k, v in arrays.items()}


def without_programmes_and_targets(arrays):
    """The same scenario with zero-length instrument and target dimensions
    (a no-policy baseline without targets)."""
    out = {}
    for var, data in arrays.items():
        axes = [i for i, c in enumerate(DIMS[_base(var)]) if c in "PG"]
        out[var] = data[tuple(slice(0, 0) if i in axes else slice(None)
                              for i in range(data.ndim))]
    return out


def write_scenario(node, arrays, name="shandong_2026", fixed_strings=False, complete=1,
                   instruments=INSTRUMENTS, targets=TARGETS):
    """Write one scenario's variables into an h5py File or Group, netCDF-4 style."""
    def labels(values):
        if fixed_strings:    # as a C writer using fixed-length H5T_C_S1 might
            return np.array([v.encode() for v in values])
        return np.array(values, dtype=h5py.string_dtype())

    scales = {}
    r = node.create_dataset("replicate", data=np.arange(2, dtype=np.int32))
    t = node.create_dataset("time", data=np.array(TIME))
    t.attrs["units"] = "days since 2026-01-01"
    t.attrs["calendar"] = "proleptic_gregorian"
    scales["replicate"], scales["time"] = r, t
    def dataset(name, data):
        # as the C writer: a zero-length dimension is stored unlimited (chunked)
        if 0 in data.shape:
            return node.create_dataset(name, shape=data.shape, dtype=data.dtype, chunks=True,
                                       maxshape=tuple(n or None for n in data.shape))
        return node.create_dataset(name, data=data)

    for dim, vals in (("city", CITIES), ("industry", INDUSTRIES), ("size", SIZES),
                      ("instrument", instruments), ("target", targets),
                      ("state", ["none", "implementing", "adopted", "scaled"])):
        scales[dim] = dataset(dim, labels(vals))
    if "firm_day" in arrays:
        scales["firm"] = node.create_dataset(
            "firm", data=np.arange(arrays["firm_day"].shape[1], dtype=np.int64))
    for dim, ds in scales.items():
        ds.make_scale(dim)
    for var, data in arrays.items():
        base = _base(var)
        d = dataset(var, data)
        for i, code in enumerate(DIMS[base]):
            d.dims[i].attach_scale(scales[DIM_NAMES[code]])
        if base in ("time_to_target", "deadweight_lag", "firm_day"):
            d.attrs["units"] = "days"
        if base in ("spent", "committed", "returned", "budget"):
            d.attrs["units"] = "yuan"
    text = (lambda s: np.bytes_(s.encode())) if fixed_strings else (lambda s: s)
    node.attrs["title"] = text(f"zhizao results: {name}")
    node.attrs["scenario_name"] = text(name)
    node.attrs["scenario_path"] = text(f"scenarios/{name}.lua")
    node.attrs["scenario_source"] = text(SOURCE.replace("shandong_2026", name))
    node.attrs["parameters"] = text("population.firms = 600\ndecision.rule = economic\n")
    node.attrs["overrides"] = text("")
    node.attrs["seed"] = np.int64(42)
    node.attrs["replications"] = np.int32(2)
    node.attrs["replications_done"] = np.int32(2 if complete else 1)
    node.attrs["complete"] = np.int32(complete)
    node.attrs["program_version"] = text("0.1.0")
    node.attrs["start_date"] = text("2026-01-01")
    node.attrs["Conventions"] = text("CF-1.8")


def write_run(path, firms=False, **kw):
    arrays = scenario_arrays(twin=kw.pop("twin", True), accounting=kw.pop("accounting", True))
    if firms:
        arrays.update(firm_arrays())
    with h5py.File(path, "w") as f:
        write_scenario(f, arrays, **kw)
    return path


def write_compare(path):
    """A comparison file: shandong_2026 (the arrays above) and a slower,
    dearer baseline (times 300/400 days and NaN; spending x3), created in
    that order with creation order tracked."""
    with h5py.File(path, "w", track_order=True) as f:
        write_scenario(f.create_group("shandong_2026"), scenario_arrays(), "shandong_2026")
        write_scenario(f.create_group("baseline"),
                       scenario_arrays(time_to_target=((300.0, np.nan), (400.0, np.nan)),
                                       spent_mult=3.0), "baseline")
    return path


@pytest.fixture
def run_file(tmp_path):
    return write_run(tmp_path / "run.h5")


@pytest.fixture
def run_ds(run_file):
    ds = zhizao.open(run_file)
    yield ds
    ds.close()


@pytest.fixture
def notwin_ds(tmp_path):
    ds = zhizao.open(write_run(tmp_path / "notwin.h5", twin=False))
    yield ds
    ds.close()


@pytest.fixture
def compare_file(tmp_path):
    return write_compare(tmp_path / "compare.h5")


def ci(values):
    """Hand formula for two values: (mean, lo, hi)."""
    a, b = values
    m, half = (a + b) / 2, T1 * abs(b - a) / 2
    return m, m - half, m + half


def rom(f, a):
    """Ratio of means and its delta-method t-interval (the cost per
    additional adopter, one definition everywhere: issue 25)."""
    f, a = np.asarray(f, float), np.asarray(a, float)
    r = f.mean() / a.mean()
    half = T1 * (f - r * a).std(ddof=1) / np.sqrt(f.size) / a.mean()
    return r, r - half, r + half


def close(a, b):
    # scipy's t quantile agrees with the closed form to about 1e-11
    return a == pytest.approx(b, rel=1e-9, abs=1e-12)


# ---- io ------------------------------------------------------------------

@pytest.mark.parametrize("fixed", [False, True], ids=["vlen-strings", "fixed-strings"])
def test_open_labels_dates_and_days(tmp_path, fixed):
    path = write_run(tmp_path / "r.h5", fixed_strings=fixed)
    ds = zhizao.open(path)
    assert dict(ds.sizes) == {"replicate": 2, "time": 3, "city": 2, "industry": 2, "size": 4,
                              "instrument": 2, "target": 2, "state": 4}
    assert list(ds["city"].values) == CITIES and list(ds["size"].values) == SIZES
    assert list(ds["target"].values) == TARGETS
    assert list(ds["instrument"].values) == INSTRUMENTS
    assert np.issubdtype(ds["time"].dtype, np.datetime64)
    assert list(pd.DatetimeIndex(ds["time"].values).strftime("%Y-%m-%d")) == \
        ["2026-01-01", "2026-01-31", "2027-01-01"]
    # durations are float days, NaN = not reached, whatever the file's units
    assert ds["time_to_target"].dtype == np.float64
    assert ds["time_to_target"].values[0, 0] == 100.0 and np.isnan(ds["time_to_target"].values[0, 1])
    assert ds["cf_time_to_target"].dtype == np.float64
    assert ds["adopted"].dims == ("replicate", "time", "city", "industry", "size")
    assert ds.attrs["scenario_name"] == "shandong_2026" and ds.attrs["seed"] == 42
    assert isinstance(ds.attrs["scenario_source"], str) and "济南" in ds.attrs["scenario_source"]
    assert zhizao.has_twin(ds)
    ds.close()


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_functions_accept_xarray_default_decoding(run_file, run_ds):
    # plain xarray decodes units="days" to timedelta64: results must not change
    raw = xr.open_dataset(run_file, engine="h5netcdf")
    assert np.issubdtype(raw["time_to_target"].dtype, np.timedelta64)
    pd.testing.assert_frame_equal(zhizao.time_to_target(raw), zhizao.time_to_target(run_ds))
    raw.close()


def test_groups_open_all_and_root_error(compare_file, run_file):
    assert zhizao.groups(compare_file) == ["shandong_2026", "baseline"]   # creation order
    assert zhizao.groups(run_file) == []
    with pytest.raises(ValueError, match="comparison file.*baseline"):
        zhizao.open(compare_file)
    with pytest.raises(KeyError):
        zhizao.open(compare_file, group="nope")
    ds = zhizao.open(compare_file, group="baseline")
    assert ds.attrs["scenario_name"] == "baseline" and ds["spent"].values[0, -1].sum() == 12000
    ds.close()
    data = zhizao.open_all(compare_file)
    assert list(data) == ["shandong_2026", "baseline"]
    single = zhizao.open_all(run_file)
    assert list(single) == ["shandong_2026"]


def test_groups_without_creation_order_are_alphabetical(tmp_path):
    path = tmp_path / "c.h5"
    with h5py.File(path, "w") as f:
        for name in ("zeta", "alpha"):
            write_scenario(f.create_group(name), scenario_arrays(), name)
        f.create_group("firm")          # not a scenario: no `adopted`
    assert zhizao.groups(path) == ["alpha", "zeta"]


def test_incomplete_file_warns_and_drops_unwritten_replicates(tmp_path):
    # complete = 0 with replications_done = 1: replicates are written in
    # order, so only replicate 0 is finished (whatever replicate 1 holds)
    path = write_run(tmp_path / "partial.h5", complete=0)
    with pytest.warns(UserWarning, match="incomplete run.*1 of 2.*1 replicate"):
        ds = zhizao.open(path)
    assert list(ds["replicate"].values) == [0]
    assert close(zhizao.adoption(ds)["mean"].iloc[-1], 72 / 600)
    ds.close()
    # the writer has no fill value for counts: a replicate never written
    # reads as zeros, with events = 0, even if replications_done says more
    with h5py.File(path, "a") as f:
        f.attrs["replications_done"] = np.int32(2)
        f["events"][1] = 0
        f["adopted"][1] = 0
    with pytest.warns(UserWarning, match="2 of 2.*1 replicate.*never written"):
        ds = zhizao.open(path)
    assert list(ds["replicate"].values) == [0]
    ds.close()
    # the twin's events count as well
    with h5py.File(path, "a") as f:
        f["events"][1] = 5
        f["cf_events"][1] = 0
    with pytest.warns(UserWarning, match="1 replicate"):
        assert zhizao.open(path).sizes["replicate"] == 1


def test_partial_file_is_read_into_memory(tmp_path):
    # OUT.h5.partial of a run in progress: finished replicates only, and
    # the file is not held open (the writer goes on changing it)
    path = write_run(tmp_path / "run.h5.partial", complete=0)
    with pytest.warns(UserWarning, match="run.h5.partial: incomplete run"):
        ds = zhizao.open(path)
    assert ds.sizes["replicate"] == 1 and ds["adopted"].values.sum() > 0
    path.unlink()                     # nothing is read lazily from the file any more
    assert close(zhizao.additionality(ds).loc["all_firms", "additional"], 40.0)
    # no replicate finished yet: an empty dataset, still with a warning
    path = write_run(tmp_path / "early.h5.partial", complete=0)
    with h5py.File(path, "a") as f:
        f.attrs["replications_done"] = np.int32(0)
    with pytest.warns(UserWarning, match="0 of 2.*2 replicate"):
        assert zhizao.open(path).sizes["replicate"] == 0


def test_firm_record(tmp_path, run_file):
    assert zhizao.firm_record(run_file) is None
    path = write_run(tmp_path / "firms.h5", firms=True)
    df = zhizao.firm_record(path)
    assert df.index.names == ["replicate", "firm"] and len(df) == 12
    assert list(df.columns) == ["day", "cf_day", "adopted", "cf_adopted", "support",
                                "supported", "deadweight", "supported_additional"]
    assert df.loc[(0, 1), "day"] == 10.0 and np.isnan(df.loc[(1, 1), "day"])
    assert df.loc[(0, 4), "support"] == 20.0 and df.loc[(1, 5), "support"] == 60.0
    sup = df.groupby(level="replicate")[["supported", "deadweight", "supported_additional"]].sum()
    assert sup.loc[0].tolist() == [3, 2, 1] and sup.loc[1].tolist() == [3, 1, 2]
    assert list(df.index[df["supported"]]) == [(0, 1), (0, 2), (0, 4), (1, 2), (1, 3), (1, 5)]
    # firm 0 of replicate 1 got money but adopted at the start: not "supported";
    # firm 3 of replicate 0 got money but never adopted
    assert not df.loc[(1, 0), "supported"] and not df.loc[(0, 3), "supported"]
    wide = zhizao.firm_record(zhizao.open(path), by_instrument=True)
    assert wide.loc[(0, 2), "support[contest.jiebang]"] == 50.0
    assert wide.loc[(1, 3), "support[voucher.compute]"] == 0.0
    # an interrupted run's record keeps the finished replicates only
    part = write_run(tmp_path / "firms.h5.partial", firms=True, complete=0)
    with pytest.warns(UserWarning):
        df = zhizao.firm_record(part)
    assert list(df.index.get_level_values("replicate").unique()) == [0]


# ---- stats -----------------------------------------------------------------

def test_mean_ci_formula():
    assert close(zhizao.stats.t_quantile(0.95, 2), T1)
    c = zhizao.mean_ci([1.0, 3.0, np.nan])
    assert (c["n"], c["mean"]) == (2, 2.0)
    assert close(c["lo"], 2 - T1) and close(c["hi"], 2 + T1)
    x = np.array([1.0, 2.0, 4.0, 7.0])
    c = zhizao.mean_ci(x, level=0.9)
    half = 2.3533634348018264 * x.std(ddof=1) / 2      # t_{0.95, 3}
    assert close(c["hi"] - c["mean"], half)
    one = zhizao.mean_ci([5.0])
    assert one["mean"] == 5.0 and math.isnan(one["lo"]) and math.isnan(one["hi"])
    assert zhizao.mean_ci([])["n"] == 0


def test_normal_quantile_without_scipy(monkeypatch):
    monkeypatch.setattr(zhizao.stats, "_scipy_stats", None)
    assert close(zhizao.stats.t_quantile(0.95, 2), 1.959963984540054)


def test_public_functions_have_docstrings():
    for name in zhizao.__all__:
        obj = getattr(zhizao, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), name
    assert (zreport.build_report.__doc__ or "").strip() and (zreport.main.__doc__ or "").strip()


# ---- adoption ------------------------------------------------------------

def test_adoption_whole_population(run_ds):
    df = zhizao.adoption(run_ds)
    assert list(df.columns[:3]) == ["mean", "lo", "hi"] and df.index.name == "time"
    for t, (a, b) in enumerate([(0, 16), (32, 48), (72, 88)]):
        m, lo, hi = ci((a / 600, b / 600))
        row = df.iloc[t]
        assert close(row["mean"], m) and close(row["lo"], lo) and close(row["hi"], hi)
    assert close(df.iloc[1]["mean"], 40 / 600)
    assert close(df.iloc[1]["hi"], 40 / 600 + T1 * 8 / 600)


def test_adoption_by_city_size_and_cells(run_ds):
    df = zhizao.adoption(run_ds, by="city")
    assert df.index.names == ["city", "time"]
    last = df.xs(df.index.get_level_values("time")[-1], level="time")
    # Jinan: 8 cells x K = 32 and 40 of 300; Qingdao adds 8 scaled: 40 and 48
    assert close(last.loc["Jinan", "mean"], 36 / 300)
    assert close(last.loc["Qingdao", "mean"], 44 / 300)
    assert close(last.loc["Qingdao", "lo"], 44 / 300 - T1 * 4 / 300)
    by_size = zhizao.adoption(run_ds, by="size").xs("micro", level="size")
    # micro: 4 cells of 10 firms; 4*4+2 = 18 and 4*5+2 = 22 adopters of 40
    assert close(by_size["mean"].iloc[-1], 20 / 40)
    cells = zhizao.adoption(run_ds, by=["city", "industry", "size"])
    assert cells.index.names == ["city", "industry", "size", "time"] and len(cells) == 16 * 3
    assert close(cells.loc[("Qingdao", "light_industry", "large"), "mean"].iloc[-1], 5.5 / 80)
    with pytest.raises(ValueError, match="by must be"):
        zhizao.adoption(run_ds, by="province")


def test_adoption_gsz_and_counterfactual(run_ds, notwin_ds):
    gsz = zhizao.adoption(run_ds, gsz=True)
    # 规上: medium+large, 8 cells with K adopters, 208 规上 firms in all
    assert close(gsz["mean"].iloc[-1], (32 / 208 + 40 / 208) / 2)
    micro = zhizao.adoption(run_ds, by="size", gsz=True).xs("micro", level="size")
    assert micro["mean"].isna().all()           # no 规上 micro firms: undefined, not 0
    cf = zhizao.adoption(run_ds, counterfactual=True)
    assert close(cf["mean"].iloc[-1], 32 / 600) and close(cf["lo"].iloc[-1], 32 / 600)
    with pytest.raises(zhizao.NoTwinError, match="no cf_ variables"):
        zhizao.adoption(notwin_ds, counterfactual=True)


def test_target_share(run_ds):
    one = zhizao.target_share(run_ds, "jinan_electronics")
    assert close(one["mean"].iloc[-1], 18 / 150)         # 16 and 20 of 150
    both = zhizao.target_share(run_ds)
    assert both.index.names == ["target", "time"]
    pd.testing.assert_series_equal(both.xs("all_firms", level="target")["mean"],
                                   zhizao.adoption(run_ds)["mean"], check_names=False)


# ---- time to target, additionality, cost ----------------------------------

def test_time_to_target(run_ds, notwin_ds):
    df = zhizao.time_to_target(run_ds)
    assert list(df.index) == TARGETS
    je = df.loc["jinan_electronics"]
    m, lo, hi = ci((100.0, 200.0))
    # the t-interval (-485, 785) cut to the run: [0, 365 days]
    assert lo < 0 and hi > 365
    assert close(je["days"], m) and je["days_lo"] == 0 and je["days_hi"] == 365
    assert close(je["years"], 150 / 365.25) and close(je["years_hi"], 365 / 365.25)
    # Kaplan-Meier median over both replicates: F reaches 1/2 at day 100
    assert je["median_days"] == 100
    assert je["reached"] == 1.0 and je["n_reached"] == 2
    assert DPM == 30.4375
    m, lo, hi = ci((150 / DPM, 90 / DPM))                 # gains 250-100, 290-200 days
    assert close(je["months_gained"], m) and close(je["months_gained_lo"], lo)
    assert close(je["months_gained_hi"], hi) and je["n_paired"] == 2
    assert close(je["months_gained_min"], m) and je["n_censored"] == 0
    assert close(je["cf_years"], 270 / 365.25) and je["cf_reached"] == 1.0
    ov = df.loc["all_firms"]
    assert ov["days"] == 300.0 and ov["reached"] == 0.5 and np.isnan(ov["days_lo"])
    assert ov["median_days"] == 300         # 1 of 2 by day 300: F = 1/2 there
    assert ov["cf_reached"] == 0.0 and np.isnan(ov["months_gained"]) and ov["n_paired"] == 0
    # the twin never gets there within the 365-day horizon: at least 65 days gained
    assert close(ov["months_gained_min"], 65 / DPM) and ov["n_censored"] == 1
    plain = zhizao.time_to_target(notwin_ds)
    assert "months_gained" not in plain.columns
    assert close(plain.loc["jinan_electronics", "days"], 150.0)


def test_additionality(run_ds, notwin_ds):
    df = zhizao.additionality(run_ds)
    assert list(df.index) == TARGETS           # all_firms is a target: no extra row
    a = df.loc["all_firms"]
    m, lo, hi = ci((72 - 32, 88 - 32))
    assert close(a["additional"], 48.0) and close(a["additional_lo"], lo)
    assert close(a["additional_hi"], hi) and m == 48.0
    assert close(a["additional_share"], 48 / 600) and a["n"] == 2
    assert a["adopters"] == 80.0 and a["cf_adopters"] == 32.0 and a["target_firms"] == 600
    # supported [30, 40], deadweight [10, 8]
    assert a["supported"] == 35.0 and a["deadweight"] == 9.0
    m, lo, hi = ci((10 / 30, 8 / 40))
    assert close(a["deadweight_share"], m) and close(a["deadweight_share_lo"], lo)
    assert close(a["deadweight_share_hi"], hi)
    assert a["supported_additional"] == 26.0 and a["spillover"] == 48.0 - 26.0
    assert a["deadweight_lag_days"] == 21.0
    je = df.loc["jinan_electronics"]       # 16 and 20 against 8 and 8, of 150 firms
    assert close(je["additional"], 10.0) and close(je["additional_share"], 10 / 150)
    assert close(je["additional_hi"], 10 + T1 * 2)
    assert je["adopters"] == 18.0 and je["cf_adopters"] == 8.0
    assert close(je["deadweight_share"], (2 / 6 + 3 / 9) / 2) and je["deadweight_lag_days"] == 5.0
    with pytest.raises(zhizao.NoTwinError, match="additionality needs the paired no-policy"):
        zhizao.additionality(notwin_ds)


def test_additionality_uses_the_engine_counts(run_ds):
    # the engine's `additional` is what counts, not a recomputation
    ds = run_ds.assign(additional=run_ds["additional"] + 1)
    assert close(zhizao.additionality(ds).loc["all_firms", "additional"], 49.0)
    assert list(zhizao.cost_effectiveness(ds, per_replicate=True)["additional"]) == [41.0, 57.0]


def test_additionality_without_accounting(tmp_path):
    # only the cf_ twin: counts from the target shares x target_firms and the cells
    ds = zhizao.open(write_run(tmp_path / "old.h5", accounting=False))
    assert not zhizao.has_accounting(ds) and zhizao.has_twin(ds)
    df = zhizao.additionality(ds)
    assert close(df.loc["jinan_electronics", "additional"], 10.0)
    assert close(df.loc["all_firms", "additional"], 48.0)
    assert df[["supported", "deadweight", "deadweight_share"]].isna().all().all()
    assert close(zhizao.cost_effectiveness(ds).loc["all_firms", "mean"], 5500 / 48)
    # and without target_firms: shares only
    df = zhizao.additionality(ds.drop_vars("target_firms"))
    assert np.isnan(df.loc["jinan_electronics", "additional"])
    assert close(df.loc["jinan_electronics", "additional_share"], 10 / 150)
    # no all_firms target: the whole population is appended from the cells
    ds2 = ds.isel(target=[0])
    df = zhizao.additionality(ds2)
    assert list(df.index) == ["jinan_electronics", "all_firms"]
    assert close(df.loc["all_firms", "additional"], 48.0) and df.loc["all_firms", "target_firms"] == 600
    ds.close()


def test_cost_effectiveness(run_ds, notwin_ds):
    df = zhizao.cost_effectiveness(run_ds)
    m, lo, hi = rom((4000, 7000), (40, 56))
    row = df.loc["all_firms"]
    assert close(row["mean"], 5500 / 48) and close(row["lo"], lo) and close(row["hi"], hi)
    assert row["n"] == 2 and row["spent"] == 5500.0 and row["additional"] == 48.0
    assert close(row["ratio_of_means"], 5500 / 48)
    assert close(row["mean_of_ratios"], (4000 / 40 + 7000 / 56) / 2)
    # per adopter the support made: supported - deadweight = 20 and 32
    assert close(row["per_supported_additional"], 5500 / 26)
    per = zhizao.cost_effectiveness(run_ds, per_replicate=True)
    assert list(per["yuan_per_additional"]) == [100.0, 125.0]       # all money fiscal here
    # no additional adopter: undefined, not zero or infinite
    none = run_ds.assign(additional=run_ds["additional"] * 0)
    assert np.isnan(zhizao.cost_effectiveness(none).loc["all_firms", "mean"])
    with pytest.raises(zhizao.NoTwinError):
        zhizao.cost_effectiveness(notwin_ds)


def test_accounting_table(compare_file):
    t = zhizao.accounting(compare_file)
    assert list(t.index) == ["shandong_2026", "baseline"]
    assert close(t.loc["shandong_2026", "additional"], 48.0)
    assert close(t.loc["shandong_2026", "deadweight_share"], (10 / 30 + 8 / 40) / 2)
    assert close(t.loc["baseline", "yuan_per_additional"], 16500 / 48)
    j = zhizao.accounting(compare_file, target="jinan_electronics")
    assert close(j.loc["baseline", "additional"], 10.0)


def test_compare_ranking(compare_file):
    r = zhizao.compare(compare_file)
    assert r.index.names == ["measure", "rank"]
    measures = list(dict.fromkeys(r.index.get_level_values("measure")))
    assert measures == ["years to jinan_electronics", "years to all_firms",
                        "yuan per additional adopter"]
    je = r.loc["years to jinan_electronics"]
    assert list(je["scenario"]) == ["shandong_2026", "baseline"]
    assert close(je.loc[2, "mean"], 350 / 365.25)
    assert close(je.loc[2, "lo"], max(0.0, (350 - T1 * 50) / 365.25))   # cut at 0
    ov = r.loc["years to all_firms"]          # reached in 1 of 2 replicates beats never
    assert list(ov["scenario"]) == ["shandong_2026", "baseline"]
    assert list(ov["reached"]) == [0.5, 0.0] and np.isnan(ov.loc[2, "mean"])
    cost = r.loc["yuan per additional adopter"]
    assert list(cost["scenario"]) == ["shandong_2026", "baseline"]
    assert close(cost.loc[1, "mean"], 5500 / 48) and close(cost.loc[2, "mean"], 16500 / 48)
    m, lo, hi = rom((12000, 21000), (40, 56))
    assert close(cost.loc[2, "lo"], lo) and close(cost.loc[2, "hi"], hi)
    # a dict of Datasets gives the same table
    pd.testing.assert_frame_equal(zhizao.compare(zhizao.open_all(compare_file)), r)


def test_compare_lists_every_scenario_under_every_measure(tmp_path):
    # a baseline without twin and without the jinan target still appears, last
    path = tmp_path / "c.h5"
    with h5py.File(path, "w", track_order=True) as f:
        write_scenario(f.create_group("baseline"), only_targets(scenario_arrays(twin=False), [1]),
                       "baseline", targets=TARGETS[1:])
        write_scenario(f.create_group("shandong_2026"), scenario_arrays(), "shandong_2026")
    r = zhizao.compare(path)
    je = r.loc["years to jinan_electronics"]
    assert list(je["scenario"]) == ["shandong_2026", "baseline"]
    assert je.loc[2, "reached"] == 0.0 and np.isnan(je.loc[2, "mean"]) and je.loc[2, "n"] == 0
    cost = r.loc["yuan per additional adopter"]
    assert list(cost["scenario"]) == ["shandong_2026", "baseline"] and np.isnan(cost.loc[2, "mean"])


def test_no_programmes_and_no_targets(tmp_path):
    # zero-length instrument and target dimensions (stored unlimited)
    path = tmp_path / "bare.h5"
    with h5py.File(path, "w") as f:
        write_scenario(f, without_programmes_and_targets(scenario_arrays()), "bare",
                       instruments=[], targets=[])
    ds = zhizao.open(path)
    assert ds.sizes["instrument"] == 0 and ds.sizes["target"] == 0
    assert close(zhizao.adoption(ds)["mean"].iloc[-1], 80 / 600)
    tt = zhizao.time_to_target(ds)
    assert len(tt) == 0 and "months_gained" in tt.columns
    add = zhizao.additionality(ds)
    assert list(add.index) == ["all_firms"] and add.loc["all_firms", "additional"] == 48.0
    # nothing spent: zero yuan per additional adopter
    assert zhizao.cost_effectiveness(ds).loc["all_firms", "mean"] == 0.0
    r = zhizao.compare({"bare": ds})
    assert list(r.index.get_level_values("measure")) == ["yuan per additional adopter"]
    ax = zhizao.plot_spending(ds)
    assert len(ax.lines) == 0 and ax.texts[0].get_text() == "no policy programmes"
    ds.close()
    out = tmp_path / "rep"
    assert zreport.main([str(path), "-o", str(out)]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "reports no target groups" in page and "No programmes, so no spending: bare" in page
    assert len(list(out.glob("*.png"))) == 0       # nothing to draw, and no empty frame


# ---- plots -----------------------------------------------------------------

def test_plots(run_ds, compare_file):
    import matplotlib.pyplot as plt
    ax = zhizao.plot_pathways(run_ds, target=0.5)
    # policy line, twin line, target line
    assert len(ax.lines) == 3
    assert list(ax.lines[-1].get_ydata()) == [0.5, 0.5]
    assert close(ax.lines[0].get_ydata()[-1], 80 / 600)
    assert len(ax.collections) == 2                 # two bands
    data = zhizao.open_all(compare_file)
    ax = zhizao.plot_pathways(data, target=0.5, group="jinan_electronics", counterfactual=False)
    assert [l.get_label() for l in ax.lines] == ["shandong_2026", "baseline", "target 50%"]
    assert close(ax.lines[0].get_ydata()[-1], 18 / 150)
    ax = zhizao.plot_spending(run_ds)
    assert [l.get_label() for l in ax.lines] == INSTRUMENTS
    assert list(ax.lines[1].get_ydata()) == [0.0, 1500.0, 4000.0]     # yuan, mean
    fig = zhizao.plot_comparison(data)
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 2
    # the cost bars are the comparison's means, in the unit the axis names
    # (yuan here; million yuan with the money a hundred thousand times more)
    for mult, unit, scale in ((1, "yuan per", 1.0), (1e5, "million yuan per", 1e6)):
        d = {k: v.assign(spent=v["spent"] * mult) for k, v in data.items()}
        fig = zhizao.plot_comparison(d)
        cost = zhizao.compare(d).xs("yuan per additional adopter", level="measure")
        cost = cost.set_index("scenario")["mean"]
        ax = fig.axes[1]
        assert ax.get_ylabel().startswith(unit)
        heights = [b.get_height() * scale for b in ax.patches]
        want = [cost.get(s, np.nan) for s in d]
        assert np.allclose(heights, np.nan_to_num(want), rtol=1e-12), (heights, want)
        assert np.nanmax(want) > 0
    plt.close("all")


# ---- report ----------------------------------------------------------------

def _check_report(outdir: Path, expected_pngs: int, names):
    index = outdir / "index.html"
    assert index.is_file()
    page = index.read_text(encoding="utf-8")
    pngs = sorted(outdir.glob("*.png"))
    assert len(pngs) == expected_pngs
    uris = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(uris) == len(pngs)                  # every figure embedded, once
    assert sorted(base64.b64decode(u) for u in uris) == sorted(p.read_bytes() for p in pngs)
    assert all(base64.b64decode(u).startswith(b"\x89PNG") for u in uris)
    # self-contained: nothing fetched from elsewhere
    assert not re.search(r'(src|href)="(?!data:)', page)
    assert '<table id="deadline-table"' in page and '<table id="additionality-table"' in page
    assert "fiscal yuan per additional" in page
    assert ('<table id="ranking-table"' in page) == (len(names) > 1)   # no ranking of one
    for n in names:
        assert n in page
    # the scenario source is shown escaped inside a <pre>
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "a &lt; b &amp;&amp; c &gt; d: &quot;quoted&quot;" in page
    pre = re.findall(r'<pre class="source">(.*?)</pre>', page, re.S)
    assert len(pre) == len(names) and all("济南" in p for p in pre)
    return index


def test_report_single_run(run_file, tmp_path):
    out = tmp_path / "rep"
    assert zreport.main([str(run_file), "-o", str(out)]) == 0
    # all firms + 1 other target group + 1 spending; no comparison figure for one run
    # deadlines, additional, cost against time, pathways (one figure: every
    # group is the focus or all_firms), spending; no ranking of one scenario
    index = _check_report(out, 5, ["shandong_2026"])
    page = index.read_text(encoding="utf-8")
    # additionality against its twin: jinan_electronics adds 8 and 12, all 40, 56
    add = page[page.index('<table id="additionality-table"'):]
    add = add[:add.index("</table>")]
    assert "against its no-policy twin" in page
    assert re.search(r"all_firms</td><td[^>]*>48 \[", add)


def test_report_comparison_cli(compare_file, tmp_path):
    out = tmp_path / "rep"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ANALYSIS_DIR)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]),
        MPLBACKEND="Agg")
    res = subprocess.run([sys.executable, "-m", "zhizao.report", str(compare_file), "-o", str(out)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    assert Path(res.stdout.strip()) == out / "index.html"
    # deadlines, additional, cost against time, pathways, spending
    index = _check_report(out, 5, ["shandong_2026", "baseline"])
    page = index.read_text(encoding="utf-8")
    ranking = page[page.index('<table id="ranking-table"'):]
    ranking = ranking[:ranking.index("</table>")]
    assert ranking.index("shandong_2026") < ranking.index("baseline")
    assert "115" in ranking and "344" in ranking          # yuan per additional adopter


def test_report_errors(tmp_path):
    assert zreport.main([str(tmp_path / "missing.h5"), "-o", str(tmp_path / "r")]) == 5
    bad = tmp_path / "empty.h5"
    with h5py.File(bad, "w") as f:
        f.attrs["x"] = 1
    # an HDF5 file that holds no zhizao results: foreign (exit code 4)
    assert zreport.main([str(bad), "-o", str(tmp_path / "r")]) == 4


def _chromium():
    for c in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if c and os.access(c, os.X_OK):
            return c
    return None


@pytest.mark.skipif(_chromium() is None, reason="no chromium (/usr/bin/chromium) to render the page")
def test_report_renders_in_headless_chromium(compare_file, tmp_path):
    out = tmp_path / "rep"
    index = zreport.build_report(compare_file, out)
    shot = tmp_path / "page.png"
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", f"--user-data-dir={tmp_path / 'chromium-profile'}",
           f"--screenshot={shot}", "--window-size=1280,2000", index.resolve().as_uri()]
    subprocess.run(cmd, capture_output=True, timeout=120)
    assert shot.is_file() and shot.read_bytes().startswith(b"\x89PNG")
    # what it shows: a page of text, tables and figures, not a blank one
    img = matplotlib.image.imread(str(shot))
    assert img.shape[0] >= 1500 and img.shape[1] >= 1000
    colours = np.unique(img.reshape(-1, img.shape[-1])[::97], axis=0)
    assert len(colours) > 50, len(colours)
    dark = (img[..., :3].mean(axis=-1) < 0.5).mean()
    assert 0.005 < dark < 0.5, dark             # some ink, on a light page


def test_fiscal_cost_counts_open_guarantees():
    """A guarantee's cost is what it paid out plus the cover it still
    reserves for loans open at the end (issue 23, item 4); a voucher's is
    what it paid (a committed, unredeemed voucher is not yet a cost)."""
    import numpy as np
    import xarray as xr
    from zhizao.io import outlay
    from zhizao.measures import money

    inst = ["voucher.compute", "risk_compensation"]
    ds = xr.Dataset(
        {"spent": (("replicate", "time", "instrument"), np.array([[[1.0, 2.0], [10.0, 20.0]]])),
         "committed": (("replicate", "time", "instrument"), np.array([[[5.0, 7.0], [3.0, 40.0]]])),
         "time_to_target": (("replicate", "target"), np.zeros((1, 1)))},
        coords={"instrument": inst, "replicate": [0], "time": [0, 1], "target": ["all_firms"]})
    np.testing.assert_allclose(outlay(ds).values, [[10.0, 60.0]])
    np.testing.assert_allclose(money(ds).values, [70.0])

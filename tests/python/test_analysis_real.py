"""The analysis package `zhizao` on files the engine really writes.

One `zhizao compare` of baseline, shandong_2026 and vouchers_only with the
per-firm record (3 replications, 5000 firms) per test session; every check
below reads it. The ranking, additionality and cost per additional adopter
are recomputed by hand from the raw variables; the per-firm record checks
the engine's supported / deadweight counts; `zhizao report` is rendered in
headless Chromium when /usr/bin/chromium exists. A background `zhizao run`
checks that a run's .partial file can be read while it is being written.

Needs ZZ_BIN (the zhizao executable), like test_cli.py.
"""
import base64
import math
import os
import re
import signal
import subprocess
import time
import warnings
from pathlib import Path

import h5py
import matplotlib
import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

matplotlib.use("Agg")

import zhizao  # noqa: E402

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"
ANALYSIS = Path(zhizao.__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")

SCENARIOS = ["baseline", "shandong_2026", "vouchers_only"]
PIONEERS = 13
R, FIRMS = 3, 5000
CELLS = ["city", "industry", "size"]


def zz(*args, timeout=900, **kw):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                       **kw)
    assert r.returncode == 0, f"zhizao {' '.join(map(str, args))} -> {r.returncode}\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def cmp_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("real") / "tmp" / "cmp.h5"
    out.parent.mkdir()
    zz("compare", *(SCEN / f"{s}.lua" for s in SCENARIOS), "-o", out, "--replications", R,
       "--set", f"population.firms={FIRMS}", "--quiet", "--firms")
    return out


@pytest.fixture(scope="module")
def data(cmp_file):
    d = {n: ds.load() for n, ds in zhizao.open_all(cmp_file).items()}
    yield d
    for ds in d.values():
        ds.close()


def t_ci(x):
    """mean, lo, hi of a sample by the textbook formula (scipy's t)."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    m = x.mean()
    h = sps.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    return m, m - h, m + h


def near(a, b):
    return a == pytest.approx(b, rel=1e-9, abs=1e-9)


def end_sum(ds, var):
    return ds[var].isel(time=-1).sum(CELLS).values.astype(np.int64)


def all_firms(ds):
    return list(ds["target"].values).index("all_firms")


# ---- reading -----------------------------------------------------------------

def test_open_groups_labels_and_dates(cmp_file, data):
    assert zhizao.groups(cmp_file) == SCENARIOS          # command-line order
    with pytest.raises(ValueError, match="comparison file"):
        zhizao.open(cmp_file)
    for name, ds in data.items():
        assert ds.attrs["scenario_name"] == name and ds.attrs["complete"] == 1
        assert ds.sizes["replicate"] == R and ds.sizes["firm"] == FIRMS
        assert ds["adopted"].dims == ("replicate", "time", "city", "industry", "size")
        assert "Jinan" in ds["city"].values and "electronics" in ds["industry"].values
        assert list(ds["size"].values) == ["micro", "small", "medium", "large"]
        targets = [str(t) for t in ds["target"].values]
        assert targets[:2] == ["province_gsz", "all_firms"]
        assert sum(t.startswith("pioneer_") for t in targets) == PIONEERS
        assert ds["additional"].dims == ("replicate", "target")
        assert ds["firm_day"].dims == ("replicate", "firm")
        assert ds["time_to_target"].dtype == np.float64       # float days, NaN = never
        dates = pd.DatetimeIndex(ds["time"].values)
        assert dates[0] == pd.Timestamp("2026-01-01") and dates[-1] == pd.Timestamp("2029-01-01")
        assert (dates.day == 1).all() and len(dates) == 37       # month ends
        assert int(ds["firms"].sum()) == FIRMS
        assert (ds["target_firms"].isel(target=all_firms(ds)) == FIRMS).all()
    pol = data["shandong_2026"]
    assert "voucher.compute" in pol["instrument"].values
    assert pol["round_bids"].dims == ("replicate", "instrument", "round")
    assert pol["firm_support"].dims == ("replicate", "firm", "instrument")


def test_adopted_counts_scaled_firms(data):
    # the engine's `adopted` is pilot + scaled: it equals the firms with an
    # adoption day and the all_firms target share; adding `scaled` would
    # count scale-ups twice
    for ds in data.values():
        n = np.isfinite(ds["firm_day"].values).sum(axis=1)
        np.testing.assert_array_equal(end_sum(ds, "adopted"), n)
        assert (end_sum(ds, "scaled") <= end_sum(ds, "adopted")).all()
        share = zhizao.adoption(ds)["mean"].iloc[-1]
        assert near(share, ds["target_share"].isel(time=-1, target=all_firms(ds)).mean().item())


# ---- additionality, deadweight, cost -------------------------------------------

@pytest.mark.parametrize("name", SCENARIOS)
def test_additionality_is_the_engine_count(data, name):
    ds = data[name]
    a = zhizao.additionality(ds)
    assert list(a.index) == [str(t) for t in ds["target"].values]
    for k, g in enumerate(a.index):
        add = ds["additional"].isel(target=k).values
        m, lo, hi = t_ci(add)
        assert near(a.loc[g, "additional"], m)
        assert near(a.loc[g, "additional_lo"], lo) and near(a.loc[g, "additional_hi"], hi)
        assert near(a.loc[g, "supported"], ds["supported"].isel(target=k).values.mean())
        assert near(a.loc[g, "deadweight"], ds["deadweight"].isel(target=k).values.mean())
        firms = ds["target_firms"].isel(target=k).values
        assert near(a.loc[g, "additional_share"], np.mean(add / firms))
        # policy minus twin adopters of the group, from the target shares
        pol = np.rint(ds["target_share"].isel(time=-1, target=k).values * firms)
        cf = np.rint(ds["cf_target_share"].isel(time=-1, target=k).values * firms)
        np.testing.assert_array_equal(pol - cf, add)
    # all firms: adopted - cf_adopted summed over the cells at the end
    g = all_firms(ds)
    diff = end_sum(ds, "adopted") - end_sum(ds, "cf_adopted")
    np.testing.assert_array_equal(ds["additional"].isel(target=g).values, diff)
    assert near(a.loc["all_firms", "additional"], diff.mean())
    per = zhizao.cost_effectiveness(ds, per_replicate=True)
    np.testing.assert_array_equal(per["additional"].values, diff)


@pytest.mark.parametrize("name", SCENARIOS)
def test_supported_is_deadweight_plus_additional_supported(data, name):
    ds = data[name]
    fr = zhizao.firm_record(ds)
    assert len(fr) == R * FIRMS
    # by hand from the raw per-firm variables
    day, cf_day = ds["firm_day"].values, ds["cf_firm_day"].values
    support = (ds["firm_support"].sum("instrument").values if "firm_support" in ds
               else np.zeros_like(day))
    supported = np.isfinite(day) & (np.nan_to_num(day) > 0) & (support > 0)
    dead = supported & np.isfinite(cf_day)
    new = supported & ~np.isfinite(cf_day)
    np.testing.assert_array_equal(supported.sum(1), dead.sum(1) + new.sum(1))
    g = all_firms(ds)
    np.testing.assert_array_equal(ds["supported"].isel(target=g).values, supported.sum(1))
    np.testing.assert_array_equal(ds["deadweight"].isel(target=g).values, dead.sum(1))
    by_rep = fr.groupby(level="replicate")[["supported", "deadweight",
                                            "supported_additional"]].sum()
    np.testing.assert_array_equal(by_rep["supported"].values, supported.sum(1))
    np.testing.assert_array_equal(by_rep["deadweight"].values, dead.sum(1))
    np.testing.assert_array_equal(by_rep["supported_additional"].values, new.sum(1))
    np.testing.assert_array_equal(fr["adopted"].groupby(level="replicate").sum().values,
                                  end_sum(ds, "adopted"))
    np.testing.assert_array_equal(fr["cf_adopted"].groupby(level="replicate").sum().values,
                                  end_sum(ds, "cf_adopted"))
    a = zhizao.additionality(ds).loc["all_firms"]
    assert near(a["supported_additional"], new.sum(1).mean())
    share = dead.sum(1) / np.where(supported.sum(1) > 0, supported.sum(1), np.nan)
    if np.isfinite(share).any():
        assert near(a["deadweight_share"], np.nanmean(share))
    else:
        assert np.isnan(a["deadweight_share"])
    # money received by the firms = money disbursed
    if "firm_support" in ds:
        np.testing.assert_allclose(fr["support"].groupby(level="replicate").sum().values,
                                   ds["spent"].isel(time=-1).sum("instrument").values, rtol=1e-9)


def test_baseline_buys_nothing(data):
    ds = data["baseline"]            # its twin is itself
    assert (ds["additional"] == 0).all() and (ds["supported"] == 0).all()
    np.testing.assert_array_equal(ds["adopted"].values, ds["cf_adopted"].values)
    a = zhizao.additionality(ds)
    assert (a["additional"] == 0).all() and (a["additional_lo"] == 0).all()
    c = zhizao.cost_effectiveness(ds).loc["all_firms"]
    assert np.isnan(c["mean"]) and c["n"] == 0        # no additional adopter: undefined
    tt = zhizao.time_to_target(ds)
    paired = tt[tt["n_paired"] > 0]
    assert (paired["months_gained"] == 0).all()
    # the baseline's own run is the twin of a policy scenario built on it
    # (same seeds) -- unless that scenario adds a compute market, which the
    # twin keeps (shandong_2026 does; at 5000 firms it never binds)
    for name in SCENARIOS[1:]:
        if (data[name]["cf_compute_utilisation"] > 0).any():
            continue
        np.testing.assert_array_equal(data[name]["cf_adopted"].values, ds["adopted"].values)
        np.testing.assert_array_equal(data[name]["cf_time_to_target"].values,
                                      ds["time_to_target"].values)


@pytest.mark.parametrize("name", SCENARIOS[1:])
def test_cost_per_additional_adopter_by_hand(data, name):
    ds = data[name]
    # the fiscal cost: what was paid, plus the cover risk compensation still
    # reserves for loans open at the end (issue 23: a guarantee is not free)
    spent = ds["spent"].values[:, -1, :].sum(axis=1)
    fiscal = (ds["spent"].values[:, -1, :] * ds["fiscal"].values).sum(axis=1)
    for k, inst in enumerate(ds["instrument"].values):
        if str(inst) == "risk_compensation":
            spent = spent + ds["committed"].values[:, -1, k]
            fiscal = fiscal + ds["committed"].values[:, -1, k] * ds["fiscal"].values[k]
    add = ds["additional"].values[:, all_firms(ds)].astype(float)
    assert (add > 0).all() and (spent > 0).all()
    # the one cost per additional adopter (issue 25): mean fiscal money over
    # mean additional adopters, delta-method t-interval
    c = zhizao.cost_effectiveness(ds).loc["all_firms"]
    m = fiscal.mean() / add.mean()
    half = sps.t.ppf(0.975, R - 1) * np.std(fiscal - m * add, ddof=1) / np.sqrt(R) / add.mean()
    assert near(c["mean"], m) and near(c["lo"], m - half) and near(c["hi"], m + half)
    assert c["n"] == R
    assert near(c["spent"], spent.mean()) and near(c["additional"], add.mean())
    assert near(c["mean_of_ratios"], np.mean(fiscal / add))


@pytest.mark.parametrize("name", SCENARIOS[1:])
def test_months_gained(data, name):
    ds = data[name]
    tt = zhizao.time_to_target(ds)
    horizon = (ds["time"].values[-1] - ds["time"].values[0]) / np.timedelta64(1, "D")
    for k, g in enumerate(tt.index):
        x = ds["time_to_target"].values[:, k]
        y = ds["cf_time_to_target"].values[:, k]
        both = np.isfinite(x) & np.isfinite(y)
        assert tt.loc[g, "n_paired"] == both.sum()
        if both.any():
            assert near(tt.loc[g, "months_gained"], np.mean((y - x)[both] / 30.4375))
        cens = np.isfinite(x) & ~np.isfinite(y)
        assert tt.loc[g, "n_censored"] == cens.sum()
        if np.isfinite(x).any():
            bound = np.where(cens, horizon, y)[np.isfinite(x)] - x[np.isfinite(x)]
            assert near(tt.loc[g, "months_gained_min"], np.mean(bound / 30.4375))


def test_compare_ranks_with_intervals(cmp_file, data):
    r = zhizao.compare(cmp_file)
    measures = list(dict.fromkeys(r.index.get_level_values("measure")))
    targets = [str(t) for t in data["shandong_2026"]["target"].values]
    assert measures == [f"years to {t}" for t in targets] + ["yuan per additional adopter"]
    for m in measures:
        part = r.loc[m]
        assert list(part.index) == [1, 2, 3] and sorted(part["scenario"]) == sorted(SCENARIOS)
        if m.startswith("years to "):
            g = m[len("years to "):]
            for _, row in part.iterrows():
                x = data[row["scenario"]]["time_to_target"].sel(target=g).values / 365.25
                assert near(row["reached"], np.isfinite(x).mean())
                if np.isfinite(x).sum() >= 2:
                    mm, lo, hi = t_ci(x)
                    hz = 1096 / 365.25            # the interval is cut to [0, horizon]
                    assert near(row["mean"], mm) and near(row["lo"], min(max(lo, 0), hz))
                    assert near(row["hi"], min(max(hi, 0), hz))
            # more replicates reaching first, then sooner
            keys = list(zip(-part["reached"], part["mean"].fillna(np.inf)))
            assert keys == sorted(keys)
    cost = r.loc["yuan per additional adopter"]
    assert cost.iloc[-1]["scenario"] == "baseline" and np.isnan(cost.iloc[-1]["mean"])
    assert (cost["mean"].iloc[:2].diff().dropna() >= 0).all()
    for _, row in cost.iloc[:2].iterrows():
        assert row["lo"] < row["mean"] < row["hi"] and row["n"] == R
    acc = zhizao.accounting(cmp_file)
    assert list(acc.index) == SCENARIOS and acc.loc["baseline", "additional"] == 0
    assert acc.loc["shandong_2026", "additional"] > acc.loc["vouchers_only", "additional"] > 0


# ---- the report -----------------------------------------------------------------

@pytest.fixture(scope="module")
def report_dir(cmp_file):
    out = cmp_file.parent / "report"
    env = dict(os.environ, ZHIZAO_ANALYSIS=str(ANALYSIS))   # this checkout's package
    r = subprocess.run([BIN, "report", str(cmp_file), "-o", str(out)], capture_output=True,
                       text=True, timeout=900, env=env)
    assert r.returncode == 0, r.stderr
    return out


def test_report_page(report_dir, data):
    index = report_dir / "index.html"
    page = index.read_text(encoding="utf-8")
    pngs = sorted(report_dir.glob("*.png"))
    # deadlines, additional, cost against time, pathways of the focus and
    # all firms, the other groups in small panels, spending by kind
    assert len(pngs) == 6
    uris = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert sorted(base64.b64decode(u) for u in uris) == sorted(p.read_bytes() for p in pngs)
    assert not re.search(r'(src|href)="(?!data:)', page)      # self-contained
    assert '<table id="ranking-table"' in page and '<table id="additionality-table"' in page
    ranking = page[page.index('<table id="ranking-table"'):]
    ranking = ranking[:ranking.index("</table>")]
    assert "years to province_gsz" in ranking
    assert "yuan per additional adopter" in ranking
    deadlines = page[page.index('<table id="deadline-table"'):]
    assert "pioneer_Jinan_electronics by 2027-01-01" in deadlines[:deadlines.index("</table>")]
    for name in SCENARIOS:
        assert name in ranking
    import html
    from zhizao.report import source_files
    files = 0
    for ds in data.values():
        # every file of the scenario, whole, under its own name; no marker
        for path, text in source_files(ds.attrs["scenario_source"]):
            assert html.escape(text) in page and f"<code>{html.escape(path)}</code>" in page
            files += 1
    assert "zhizao:file" not in page
    assert len(re.findall(r'<pre class="source">', page)) == files


def test_report_renders_in_chromium(report_dir, tmp_path):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} not installed (Debian package chromium) to render the page")
    shot = tmp_path / "page.png"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
           "--window-size=1200,2000", (report_dir / "index.html").resolve().as_uri()]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        pytest.fail("headless chromium did not finish within 180 s")
    assert shot.is_file(), f"no screenshot; chromium exit {r.returncode}:\n{r.stderr[-2000:]}"
    raw = shot.read_bytes()
    assert raw.startswith(b"\x89PNG") and len(raw) > 20_000, len(raw)
    img = matplotlib.image.imread(str(shot))
    assert img.shape[0] >= 1500 and img.shape[1] >= 1000
    colours = np.unique(img.reshape(-1, img.shape[-1])[::97], axis=0)
    assert len(colours) > 50                     # text, tables and figures, not a blank page


# ---- reading while a run is being written -----------------------------------------

def test_open_partial_file_mid_run(tmp_path):
    out = tmp_path / "X.h5"
    partial = Path(str(out) + ".partial")
    proc = subprocess.Popen([BIN, "run", str(SCEN / "bass_validation.lua"), "-o", str(out),
                             "--replications", "60", "--threads", "1", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        done = 0
        while time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
            try:
                with h5py.File(partial, "r", locking=False) as f:
                    done = int(f.attrs["replications_done"])
            except (OSError, KeyError):
                continue
            if done >= 1:
                break
        assert proc.poll() is None, "the run ended before it could be read mid-run"
        assert done >= 1, "no replicate finished within 120 s"
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            ds = zhizao.open(partial)
        assert proc.poll() is None            # still running while we read
        assert any("incomplete run" in str(x.message) for x in w)
        seen = int(ds.attrs["replications_done"])       # at the moment it was read
        assert ds.attrs["complete"] == 0 and done <= seen < 60
        assert ds.sizes["replicate"] == seen >= 1
        assert list(ds["replicate"].values) == list(range(seen))
        assert (ds["events"] > 0).all()
        assert int(ds["firms"].sum()) == 100_000
        # sane values: the Bass curve, F(1) = 0.0358, F(5) = 0.331, F(10) = 0.813
        share = zhizao.adoption(ds)["mean"]
        assert share.iloc[0] == 0 and (np.diff(share.values) >= 0).all()
        for years, f in ((1, 0.0358), (5, 0.331), (10, 0.813)):
            got = share.loc[pd.Timestamp(f"{2026 + years}-01-01")]
            assert abs(got - f) < 0.01, (years, got)
        ds.close()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == 8              # interrupted: finished replicates kept
    assert partial.exists() and not out.exists()

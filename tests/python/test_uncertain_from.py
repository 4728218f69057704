"""`uncertain { from = "calib.h5" }` in an experiment file (docs/experiments.md,
"Uncertainty from a calibration"): the estimated parameters are drawn jointly
from the calibration's covariance, truncated to its bounds, through the
design's own uniform columns; parameters at a bound or not identified stay
independent uniform ranges."""
import os
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"

pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")

KEYS = ["decision.gain_rate", "population.initial_adoption", "decision.return_sd"]
MEAN = np.array([0.012, 0.5, 1.2])
SE = np.array([0.002, np.nan, 0.15])
RHO = 0.6


def zz(*args, check=True):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"zhizao {' '.join(map(str, args))} -> {r.returncode}\n{r.stderr}")
    return r


def write_calib(path, lower, upper, mean=MEAN):
    """A calibration file as zhizao calibrate writes it (the variables that
    uncertain { from } reads): gain_rate and return_sd estimated with
    correlation RHO, initial_adoption on its upper bound."""
    cov = np.full((3, 3), np.nan)
    cov[np.ix_([0, 2], [0, 2])] = [[SE[0] ** 2, RHO * SE[0] * SE[2]],
                                   [RHO * SE[0] * SE[2], SE[2] ** 2]]
    with h5py.File(path, "w") as f:
        f.create_dataset("free", data=np.array(KEYS, dtype=object), dtype=h5py.string_dtype())
        f["estimate"], f["lower"], f["upper"] = mean, lower, upper
        f["covariance"] = cov
        f["at_bound"] = np.array([0, 1, 0], np.int32)
        f["identified"] = np.array([1, 1, 1], np.int32)
    return cov


def files(d, design="sobol", points=4096, body='uncertain { from = "calib.h5" }\n'):
    (d / "baseline.lua").write_text((SCEN / "baseline.lua").read_text())
    (d / "pioneers.lua").write_text((SCEN / "pioneers.lua").read_text())
    (d / "small.lua").write_text('include "baseline.lua"\nscenario { name = "small", years = 1 }\n'
                                 "population { firms = 2000 }\n")
    (d / "exp.lua").write_text(f'experiment {{ scenarios = {{ "small.lua" }}, design = "{design}", '
                               f"points = {points}, replications = 1, seed = 2 }}\n" + body)
    return d / "exp.lua"


def design(exp):
    out = zz("explore", exp, "--design").stdout.strip().splitlines()
    head = out[0].split(",")
    rows = np.array([[float(x) for x in line.split(",")] for line in out[1:]])
    return {h: rows[:, i] for i, h in enumerate(head)}


def test_draws_have_the_files_mean_and_covariance(tmp_path):
    lower, upper = np.array([0.002, 0.2, 0.5]), np.array([0.05, 0.5, 2.0])   # far from the mean
    cov = write_calib(tmp_path / "calib.h5", lower, upper)
    d = design(files(tmp_path))
    x = np.column_stack([d[KEYS[0]], d[KEYS[2]]])
    n = len(x)
    assert n == 4096
    # mean within sampling error (Monte Carlo's; a Sobol design does better)
    se_mean = SE[[0, 2]] / np.sqrt(n)
    assert np.all(np.abs(x.mean(axis=0) - MEAN[[0, 2]]) < 4 * se_mean), x.mean(axis=0)
    c = np.cov(x.T)
    want = cov[np.ix_([0, 2], [0, 2])]
    # variances within about 4 standard errors of a sample variance (sqrt(2/n))
    np.testing.assert_allclose(np.diag(c), np.diag(want), rtol=4 * np.sqrt(2 / n))
    r = c[0, 1] / np.sqrt(c[0, 0] * c[1, 1])
    assert abs(r - RHO) < 4 * (1 - RHO ** 2) / np.sqrt(n), r
    # the parameter on its bound: uniform over its range, independent of the others
    u = d[KEYS[1]]
    assert 0.2 <= u.min() and u.max() <= 0.5
    assert abs(u.mean() - 0.35) < 0.01 and abs(np.std(u) - 0.3 / np.sqrt(12)) < 0.01
    assert abs(np.corrcoef(u, x[:, 0])[0, 1]) < 0.05


def test_draws_respect_the_bounds(tmp_path):
    # the lower bounds one and a half standard errors below the estimates
    lower, upper = np.array([0.009, 0.2, 0.975]), np.array([0.05, 0.5, 2.0])
    write_calib(tmp_path / "calib.h5", lower, upper)
    d = design(files(tmp_path, design="lhs", points=2000))
    g, s = d[KEYS[0]], d[KEYS[2]]
    assert g.min() >= 0.009 and s.min() >= 0.975 and g.max() <= 0.05 and s.max() <= 2.0
    # truncated, not piled up on the bound: no draw sits on it
    assert np.sum(g == 0.009) == 0 and np.sum(s == 0.975) == 0
    # the truncated normal's mean is above the untruncated one
    assert g.mean() > MEAN[0] and s.mean() > MEAN[2]


def test_real_calibration_file_and_experiment_attributes(tmp_path):
    """From a file zhizao calibrate wrote: the parameter on its bound and the
    unidentified one are uniform over their bounds, the estimated one is
    centred on its estimate with its standard error; the experiment file
    says what its sensitivity indices refer to."""
    for name in ("baseline.lua", "pioneers.lua"):
        (tmp_path / name).write_text((SCEN / name).read_text())
    (tmp_path / "small_base.lua").write_text('include "baseline.lua"\nscenario { name = "small_base", '
                                             'years = 2 }\npopulation { firms = 3000 }\n')
    (tmp_path / "cal.lua").write_text(
        'calibrate { scenario = "small_base.lua", replications = 3, seed = 3, starts = 8, evaluations = 40 }\n'
        'free "population.initial_adoption" { 0.05, 0.25 }\n'
        'free "population.adoption_mult.large" { 1.0, 3.0 }\n'
        'free "decision.temperature" { 0.1, 0.6 }\n'
        'moment "gsz_start"  { kind = "share", group = { gsz = true }, at = "2026-01-15", value = 0.35, se = 0.02 }\n'
        'moment "size_ratio" { kind = "ratio", groups = { { size = "large" }, { size = "medium" } }, at = "2026-01-15", value = 1.5, se = 0.1 }\n'
        'moment "all_start"  { kind = "share", group = {}, at = "2026-01-15", value = 0.1, se = 0.05 }\n')
    zz("calibrate", tmp_path / "cal.lua", "-o", tmp_path / "calib.h5", "--quiet")
    cal = xr.open_dataset(tmp_path / "calib.h5")
    assert list(cal.at_bound.values) == [1, 0, 0] and list(cal.identified.values) == [1, 1, 0]
    exp = tmp_path / "exp.lua"
    exp.write_text('experiment { scenarios = { "small_base.lua" }, design = "sobol", points = 1024, '
                   'replications = 1, seed = 2 }\nuncertain { from = "calib.h5" }\n')
    d = design(exp)
    m = d["population.adoption_mult.large"]
    est, se = float(cal.estimate[1]), float(cal.std_error[1])
    assert abs(m.mean() - est) < 4 * se / np.sqrt(len(m)) and abs(m.std() / se - 1) < 0.1
    for k, lo, hi in (("population.initial_adoption", 0.05, 0.25), ("decision.temperature", 0.1, 0.6)):
        v = d[k]
        assert v.min() >= lo and v.max() <= hi and abs(v.mean() - (lo + hi) / 2) < 0.01 * (hi - lo)
    # a small run: the file records the calibration and what indices refer to
    exp.write_text(exp.read_text().replace("points = 1024", "points = 2"))
    zz("explore", exp, "-o", tmp_path / "x.h5", "--quiet")
    x = xr.open_dataset(tmp_path / "x.h5")
    assert x.attrs["uncertain_from"].endswith("calib.h5")
    assert "independent input" in x.attrs["sensitivity_inputs"]


BAD = [
    ('uncertain { from = "nothing.h5" }\n', "cannot open"),
    ('uncertain { form = "calib.h5" }\n', "unknown field 'form'"),
    ('uncertain { from = "calib.h5" }\nuncertain "decision.gain_rate" { 0.01, 0.02 }\n',
     "declared twice"),
]


@pytest.mark.parametrize("body,text", BAD)
def test_bad_from_stopped_with_file_line(tmp_path, body, text):
    write_calib(tmp_path / "calib.h5", np.array([0.002, 0.2, 0.5]), np.array([0.05, 0.5, 2.0]))
    exp = files(tmp_path, body=body)
    r = zz("explore", exp, "--design", check=False)
    assert r.returncode != 0 and "exp.lua:" in r.stderr and text in r.stderr, r.stderr

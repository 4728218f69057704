"""data/observed.csv, the observed figures, and the calibration's `data =`
reference to its rows (docs/calibration.md, data/README.md).

The file's own checks run without the binary; the `data =` tests run
`zhizao calibrate --at-default`, which prints each moment's target and se:
the figures the calibration actually uses."""
import csv
import math
import os
import re
import subprocess
from pathlib import Path

import pytest

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"
DATA = SRC / "data" / "observed.csv"

needs_bin = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")

KINDS = {"observed", "derived", "target", "design", "assumed"}


def rows():
    with open(DATA, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# ---- the data file itself ---------------------------------------------------

def test_every_row_has_a_source_a_unit_and_a_value_within_its_range():
    seen = {}
    for line, r in enumerate(rows(), start=2):
        where = f"{DATA.name}:{line} ({r['id']})"
        assert re.fullmatch(r"[a-z0-9_]+", r["id"]), where
        assert r["id"] not in seen, f"{where}: id also on line {seen[r['id']]}"
        seen[r["id"]] = line
        for field in ("source", "unit", "definition", "population", "year", "uncertainty"):
            assert r[field].strip(), f"{where}: {field} is empty"
        assert r["kind"] in KINDS, f"{where}: kind {r['kind']!r}"
        assert re.match(r"(yes|no|partly): \S", r["verified"]), \
            f"{where}: verified must say yes/no/partly and where it was checked"
        v = float(r["value"])
        assert math.isfinite(v), where
        if r["lo"]:
            assert float(r["lo"]) <= v, f"{where}: value {v} below lo {r['lo']}"
        if r["hi"]:
            assert v <= float(r["hi"]), f"{where}: value {v} above hi {r['hi']}"
        if r["se"]:
            assert float(r["se"]) > 0, f"{where}: se must be > 0"
        if r["kind"] == "assumed":
            assert r["lo"] and r["hi"], f"{where}: an assumption needs a range"


def test_derived_eu_rates_follow_from_the_shares_they_cite():
    """The hazards are computed from the shares, not typed: recompute them."""
    by = {r["id"]: r for r in rows()}
    share = lambda y, s: float(by[f"eu_ai_share_{y}_{s}"]["value"])  # noqa: E731
    for s in ("all", "small", "medium", "large"):
        for a, b in ((2023, 2024), (2024, 2025)):
            h = 1 - (1 - share(b, s)) / (1 - share(a, s))
            assert float(by[f"eu_ai_hazard_{s}_{a}_{b}"]["value"]) == pytest.approx(h, abs=6e-5)
    two = 1 - ((1 - share(2025, "all")) / (1 - share(2023, "all"))) ** 0.5
    assert float(by["eu_ai_hazard_all_2023_2025"]["value"]) == pytest.approx(two, abs=1e-4)
    small = 1 - ((1 - share(2025, "small")) / (1 - share(2023, "small"))) ** 0.5
    assert float(by["eu_ai_hazard_small_2023_2025"]["value"]) == pytest.approx(small, abs=5e-4)


# ---- data = in a calibration file -------------------------------------------

BASE = """\
include "baseline.lua"
scenario { name = "small_base", years = 2 }
population { firms = 3000 }
"""
HEAD = ('calibrate { scenario = "small_base.lua", replications = 2, seed = 3 }\n'
        'free "population.hurdle_mean" { 0.2, 1.5 }\n')
RATE = 'kind = "hazard", group = { gsz = true }, from = "2026-01-01", to = "2027-01-01"'
SHARE = 'kind = "share", group = { gsz = true }, at = "2026-01-31"'

# Columns in another order than the project's file, with a quoted comma and
# a doubled quote before value, and lo/hi numbers that differ from value
# and se: reading the wrong column gives another number.
LOCAL = '''\
note,se,hi,id,lo,value
"a ""quoted"" note, with a comma",0.0123,0.4444,local_rate,0.2222,0.3456
plain,0.021,0.9,local_share,0.1,0.37
no se,,0.9,local_nose,0.1,0.5
'''


def zz(*args):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)


def make_cal(d, moments, data=LOCAL):
    for name in ("baseline.lua", "pioneers.lua"):
        (d / name).write_text((SCEN / name).read_text())
    (d / "small_base.lua").write_text(BASE)
    if data is not None:
        (d / "data").mkdir(exist_ok=True)
        (d / "data" / "observed.csv").write_text(data)
    (d / "cal.lua").write_text(HEAD + moments)
    return d / "cal.lua"


def targets(out):
    """{moment: (target, se)} from --at-default's CSV."""
    lines = out.strip().splitlines()
    assert lines[0] == "moment,value,target,se,t,holdout"
    return {f[0]: (float(f[2]), float(f[3])) for f in (ln.split(",") for ln in lines[1:])}


@needs_bin
def test_data_reference_gives_the_rows_value_and_se(tmp_path):
    cal = make_cal(tmp_path, f'moment "a" {{ {RATE}, data = "local_rate" }}\n'
                          f'moment "b" {{ {SHARE}, data = "local_share" }}\n')
    r = zz("calibrate", cal, "--at-default")
    assert r.returncode == 0, r.stderr
    assert targets(r.stdout) == {"a": (0.3456, 0.0123), "b": (0.37, 0.021)}


@needs_bin
def test_data_reference_equals_the_same_figures_written_by_hand(tmp_path):
    by_data = make_cal(tmp_path, f'moment "a" {{ {RATE}, data = "local_rate" }}\n')
    a = zz("calibrate", by_data, "--at-default")
    (tmp_path / "hand.lua").write_text(HEAD + f'moment "a" {{ {RATE}, value = 0.3456, se = 0.0123 }}\n')
    b = zz("calibrate", tmp_path / "hand.lua", "--at-default")
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    assert a.stdout == b.stdout


@needs_bin
def test_unknown_id_is_refused_naming_file_line_field_and_nearest_ids(tmp_path):
    cal = make_cal(tmp_path, f'moment "a" {{ {RATE}, data = "local_rat" }}\n')
    r = zz("calibrate", cal, "--at-default")
    assert r.returncode != 0 and r.stdout == ""
    assert "cal.lua:3:" in r.stderr and 'moment "a"' in r.stderr
    assert "data: no row 'local_rat' in" in r.stderr and "data/observed.csv" in r.stderr
    assert "nearest ids: local_rate" in r.stderr


@needs_bin
@pytest.mark.parametrize("moment, message", [
    (f'{RATE}, data = "local_rate", value = 0.3', "give data or value, not both"),
    (f'{RATE}, data = "local_rate", se = 0.01', "give data or se, not both"),
    (f'{RATE}, data = "local_nose"', "data/observed.csv:4) has no se"),
    (f'{RATE}, data = 3', "data must be the id of a row of data/observed.csv"),
])
def test_a_data_reference_that_cannot_set_value_and_se_is_refused(tmp_path, moment, message):
    cal = make_cal(tmp_path, f'moment "a" {{ {moment} }}\n')
    r = zz("calibrate", cal, "--at-default")
    assert r.returncode != 0 and r.stdout == ""
    assert "cal.lua:3:" in r.stderr and message in r.stderr, r.stderr


@needs_bin
@pytest.mark.parametrize("data, message", [
    ("id,value,se\nx,abc,0.1\n", "data/observed.csv:2: row 'x': value must be a number, got 'abc'"),
    ("id,value,se\nx,0.1,-1\n", "data/observed.csv:2: row 'x': se must be empty or a number > 0"),
    ("id,value,se\nx,0.1,0.1\nx,0.2,0.1\n", "data/observed.csv:3: id 'x' again (first on line 2)"),
    ("id,value\nx,0.1\n", "data/observed.csv:1: the header has no column 'se'"),
    ("id,value,se\nx,0.1,0.1,extra\n", "data/observed.csv:2: 4 fields, the header has 3"),
    ('id,value,se\n"x,0.1,0.1\n', "data/observed.csv:2: a quoted field is not closed"),
])
def test_a_broken_data_file_is_refused_naming_its_line(tmp_path, data, message):
    cal = make_cal(tmp_path, f'moment "a" {{ {RATE}, data = "x" }}\n', data=data)
    r = zz("calibrate", cal, "--at-default")
    assert r.returncode != 0 and r.stdout == ""
    assert message in r.stderr, r.stderr


@needs_bin
def test_without_a_local_data_file_the_projects_file_is_read(tmp_path):
    """No data/ beside the file or above it: the project's data/observed.csv
    (the path compiled in) answers."""
    cal = make_cal(tmp_path, f'moment "a" {{ {SHARE}, data = "cn_gsz_ai_share_2025" }}\n', data=None)
    r = zz("calibrate", cal, "--at-default")
    assert r.returncode == 0, r.stderr
    row = next(x for x in rows() if x["id"] == "cn_gsz_ai_share_2025")
    assert targets(r.stdout)["a"] == (float(row["value"]), float(row["se"]))


@needs_bin
def test_the_default_calibration_reads_its_targets_from_the_data_file():
    """Every `data =` moment of scenarios/calibration.lua prints its row's
    value and se; the two moments set by hand say so in the file."""
    text = (SCEN / "calibration.lua").read_text()
    code = re.sub(r"--[^\n]*", "", text)
    blocks = {b.split('"')[0]: b for b in code.split('moment "')[1:]}
    refs = {m: re.search(r'data = "(\w+)"', b).group(1) for m, b in blocks.items() if "data = " in b}
    held = {m for m, b in blocks.items() if "holdout = true" in b}
    assert set(refs) - held == {"gsz_start", "size_ratio", "gsz_rate", "small_rate"}
    r = zz("calibrate", SCEN / "calibration.lua", "--at-default", "--threads", "2")
    assert r.returncode == 0, r.stderr
    got, by = targets(r.stdout), {x["id"]: x for x in rows()}
    for moment, rid in refs.items():
        se = float(by[rid]["se"]) if by[rid]["se"] else float("nan")
        assert got[moment][0] == float(by[rid]["value"]), moment
        assert got[moment][1] == se or (moment in held and math.isnan(got[moment][1])), moment
    assert text.count("-- by hand") == 2 and "SET BY HAND" in text


@needs_bin
def test_the_output_file_records_the_data_file_it_used(tmp_path):
    xr = pytest.importorskip("xarray")
    cal = make_cal(tmp_path, f'moment "a" {{ {RATE}, data = "local_rate" }}\n'
                          f'moment "b" {{ {SHARE}, data = "local_share" }}\n')
    cal.write_text(cal.read_text().replace("seed = 3 }", "seed = 3, starts = 2, evaluations = 3 }"))
    r = zz("calibrate", cal, "-o", tmp_path / "c.h5")
    assert r.returncode == 0, r.stderr
    with xr.open_dataset(tmp_path / "c.h5") as ds:
        assert list(ds.target.values) == [0.3456, 0.37]
        assert list(ds.se.values) == [0.0123, 0.021]
        src = ds.attrs["calibration_source"]
    assert "data/observed.csv" in src and LOCAL in src

"""The HDF5 result files open in xarray with labelled dimensions.

The files come from the C test `test_h5writer` (built next to the zhizao
executable that ZZ_BIN names), which leaves sample files at the path given
in ZZ_H5_SAMPLE; see tests/c/test_h5writer.c for their contents. Both of
xarray's HDF5 engines are checked: netcdf4 (netCDF-C underneath) and
h5netcdf (h5py underneath), since users have either.
"""
import os
import shutil
import subprocess

import numpy as np
import pytest

xr = pytest.importorskip("xarray")

ENGINES = ["netcdf4", "h5netcdf"]
DIMS = {"replicate": 2, "time": 3, "city": 2, "industry": 2, "size": 4,
        "instrument": 2, "target": 1}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    zz_bin = os.environ.get("ZZ_BIN")
    if not zz_bin:
        pytest.skip("ZZ_BIN not set (run through ctest)")
    exe = os.path.join(os.path.dirname(zz_bin), "test_h5writer")
    # With ZZ_BIN set the build is supposed to be complete: a missing test
    # executable is a broken build, not a reason to skip.
    assert os.access(exe, os.X_OK), f"{exe} not found next to ZZ_BIN"
    path = str(tmp_path_factory.mktemp("h5writer") / "sample.h5")
    env = dict(os.environ, ZZ_H5_SAMPLE=path)
    proc = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return path


def ival(var, rep, t, cell, cf=0):
    """Value the C test stores (tests/c/test_h5writer.c: ival)."""
    return cf * 50000 + var * 10000 + rep * 1000 + t * 100 + cell


@pytest.mark.parametrize("engine", ENGINES)
def test_dims_and_coords(sample, engine):
    with xr.open_dataset(sample, engine=engine) as ds:
        for dim, n in DIMS.items():
            assert ds.sizes[dim] == n, dim
            assert dim in ds.coords, dim
        assert ds["adopted"].dims == ("replicate", "time", "city", "industry", "size")
        assert ds["committed"].dims == ("replicate", "time", "instrument")
        assert ds["target_share"].dims == ("replicate", "time", "target")
        assert ds["time_to_target"].dims == ("replicate", "target")
        assert ds["firms"].dims == ("city", "industry", "size")
        assert ds["events"].dims == ("replicate",)
        assert list(ds["city"].values) == ["济南", "青岛"]
        assert list(ds["size"].values) == ["micro", "small", "medium", "large"]
        assert list(ds["instrument"].values) == ["voucher.compute", "contest.jiebang_2026"]
        assert list(ds["target"].values) == ["overall"]
        assert ds["replicate"].dtype == np.int32
        assert list(ds["replicate"].values) == [0, 1]
        # time decodes to datetimes: start and the month ends after it
        assert np.issubdtype(ds["time"].dtype, np.datetime64)
        assert list(ds["time"].values) == list(np.array(
            ["2025-01-01", "2025-01-31", "2025-02-28"], dtype="datetime64[ns]"))
        assert ds["time"].encoding["units"] == "days since 2025-01-01"
        assert ds["time"].encoding["calendar"] == "proleptic_gregorian"


@pytest.mark.parametrize("engine", ENGINES)
def test_values(sample, engine):
    with xr.open_dataset(sample, engine=engine, decode_timedelta=False) as ds:
        assert ds["adopted"].dtype == np.int32
        assert ds["events"].dtype == np.int64
        # city 1, industry 1, size 3 is cell (1 * 2 + 1) * 4 + 3 = 15 in C order
        sel = ds["adopted"].sel(city="青岛", industry="chemicals", size="large")
        expect = [[ival(0, r, t, 15) for t in range(3)] for r in range(2)]
        assert sel.values.tolist() == expect
        cf = ds["cf_scaled"].isel(replicate=1, time=2, city=0, industry=1, size=2)
        assert int(cf) == ival(2, 1, 2, 6, cf=1)
        assert float(ds["spent"].isel(replicate=1, time=2, instrument=1)) == 1e5 + 1e4 + 20 + 1 + 0.25
        ttt = ds["time_to_target"].values
        assert ttt[0, 0] == 45.5 and np.isnan(ttt[1, 0])
        assert ds["time_to_target"].attrs["units"] == "d"
        assert ds["events"].values.tolist() == [123456789012, 123456789013]
        assert ds["adopted"].attrs["units"] == "firms"
        assert ds["budget"].attrs["units"] == "yuan"
        assert all("long_name" in ds[v].attrs for v in ds.data_vars)


# units "days" made xarray decode a timedelta, and pandas warned "invalid
# value encountered in cast" on the NaN of "not reached"; "d" (UDUNITS' day)
# keeps the days a float: plain open_dataset gives NaN and no warning
@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("engine", ENGINES)
def test_time_to_target_default_decoding(sample, engine):
    with xr.open_dataset(sample, engine=engine) as ds:
        ttt = ds.load()["time_to_target"].values
        assert ttt.dtype == np.float64
        assert ttt[0, 0] == 45.5 and np.isnan(ttt[1, 0])


@pytest.mark.parametrize("engine", ENGINES)
def test_attributes(sample, engine):
    with xr.open_dataset(sample, engine=engine) as ds:
        a = ds.attrs
        for key in ("title", "scenario_name", "scenario_path", "scenario_source",
                    "parameters", "overrides", "program_version", "start_date",
                    "Conventions"):
            assert isinstance(a[key], str), (key, type(a[key]))
        assert a["scenario_name"] == "baseline"
        assert a["overrides"] == ""
        assert a["Conventions"] == "CF-1.8"
        assert a["start_date"] == "2025-01-01"
        assert a["scenario_source"].startswith("-- 智造 scenario\n")
        assert len(a["scenario_source"]) > 60000
        assert int(a["seed"]) == 42
        assert int(a["replications"]) == 2
        assert int(a["replications_done"]) == 2
        assert int(a["complete"]) == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_groups(sample, engine):
    path = sample + ".compare.h5"
    with xr.open_dataset(path, engine=engine) as root:
        assert len(root.data_vars) == 0
        assert int(root.attrs["complete"]) == 1
    for group, has_cf in (("base", False), ("alt", True)):
        with xr.open_dataset(path, engine=engine, group=group) as ds:
            assert dict((d, ds.sizes[d]) for d in DIMS) == DIMS
            assert np.issubdtype(ds["time"].dtype, np.datetime64)
            assert ds.attrs["scenario_name"] == group
            assert int(ds.attrs["complete"]) == 1
            assert ("cf_adopted" in ds) == has_cf


@pytest.mark.parametrize("engine", ENGINES)
def test_incomplete_and_empty(sample, engine):
    with xr.open_dataset(sample + ".incomplete.h5.partial", engine=engine) as root:
        assert int(root.attrs["complete"]) == 0
    with xr.open_dataset(sample + ".incomplete.h5.partial", engine=engine, group="alt") as ds:
        assert int(ds.attrs["complete"]) == 0
        assert int(ds.attrs["replications_done"]) == 2
    with xr.open_dataset(sample + ".notargets.h5", engine=engine) as ds:
        assert ds.sizes["target"] == 0
        assert ds["time_to_target"].shape == (2, 0)
        assert int(ds["adopted"].isel(replicate=1, time=0, city=0, industry=1, size=1)) == 77


def test_ncdump(sample):
    """netCDF-C's own tool reads the file and decodes the time axis."""
    ncdump = shutil.which("ncdump")
    assert ncdump, "ncdump not installed: netcdf-bin is in .ci/deps.sh"
    out = subprocess.run([ncdump, "-h", sample], capture_output=True, text=True, check=True).stdout
    assert "replicate = 2 ;" in out and "size = 4 ;" in out
    assert "int adopted(replicate, time, city, industry, size) ;" in out
    out = subprocess.run([ncdump, "-t", "-v", "time", sample], capture_output=True,
                         text=True, check=True).stdout
    assert '"2025-01-31"' in out
    out = subprocess.run([ncdump, "-h", sample + ".compare.h5"], capture_output=True,
                         text=True, check=True).stdout
    assert "group: base {" in out and "group: alt {" in out

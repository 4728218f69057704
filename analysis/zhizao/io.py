"""Reading zhizao result files (HDF5, netCDF-4 compatible) into xarray.

The C engine writes every dimension as an HDF5 dimension scale with a
coordinate variable, so xarray labels dims by itself; this module only
smooths the edges an analyst would otherwise trip over:

* `time` is decoded to datetime64 (units "days since <start>").
* `time_to_target` / `cf_time_to_target` are kept as **float days** (NaN =
  target not reached). xarray would otherwise decode units="days" to
  timedelta64; every function in this package accepts either form, but the
  datasets returned by :func:`open` always hold float days, so arithmetic
  and NaN handling are plain numpy.
* labels written as fixed-length byte strings and byte-string attributes
  are decoded to ``str``.
* a file from an interrupted run (attribute ``complete = 0``), or the
  ``OUT.h5.partial`` file of a run still in progress, opens with a warning
  rather than silently passing as a finished run, and holds only the
  replicates that were written (unwritten ones would read as zeros).

Reading while a run is being written: the engine's writer does not take
HDF5's file lock and flushes after every replicate (sim/output/h5writer.c),
so ``open("OUT.h5.partial")`` works mid-run. Such a file is read into
memory at once and closed (the writer keeps changing it), and only the
replicates counted by its attribute ``replications_done`` (written in
any order) whose ``events`` (and ``cf_events``) are non-zero are kept.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import warnings
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import xarray as xr

from . import experiment as _experiment
from .scale import full_region
from .validate import ResultFileError, check as _check

__all__ = ["open_result", "groups", "open_all", "firm_record", "as_days",
           "ensure_days", "has_twin", "has_accounting", "scenario_name", "is_partial",
           "ResultFileError"]

# Variables that hold durations in days (float, NaN = not reached).
_DAY_VARS = ("time_to_target", "cf_time_to_target")
# A node (root or group) holds a scenario's results if it has this variable.
_MARKER = "adopted"


def _engine() -> str:
    """h5netcdf reads any HDF5 file with dimension scales (no netCDF-C
    metadata needed); fall back to netCDF4 where h5netcdf is missing."""
    try:
        import h5netcdf  # noqa: F401
        return "h5netcdf"
    except ImportError:  # pragma: no cover
        return "netcdf4"


def as_days(da: xr.DataArray) -> xr.DataArray:
    """Return a duration variable as float days whatever its decoding.

    Accepts timedelta64 (xarray's default decoding of units="days"; NaT
    becomes NaN) or numbers already in days.
    """
    if np.issubdtype(da.dtype, np.timedelta64):
        out = da / np.timedelta64(1, "D")
        out.attrs = {k: v for k, v in da.attrs.items() if k != "units"}
        out.attrs["units"] = "days"
        return out
    return da.astype(float)


def ensure_days(ds: xr.Dataset) -> xr.Dataset:
    """Convert every duration variable of `ds` to float days (see module doc)."""
    conv = {v: as_days(ds[v]) for v in _DAY_VARS if v in ds.variables}
    return ds.assign(conv) if conv else ds


def _decode_text(x):
    if isinstance(x, str):
        # h5netcdf decodes non-UTF-8-tagged HDF5 strings with surrogate
        # escapes; the engine writes UTF-8, so undo that.
        try:
            return x.encode("utf-8", "surrogateescape").decode("utf-8")
        except UnicodeError:
            return x
    if isinstance(x, (bytes, np.bytes_)):
        return x.decode("utf-8", errors="replace")
    if isinstance(x, np.ndarray) and x.dtype.kind == "S":
        return np.char.decode(x, "utf-8")
    if isinstance(x, np.generic):
        return x.item()
    return x


def _tidy(ds: xr.Dataset) -> xr.Dataset:
    ds.attrs = {k: _decode_text(v) for k, v in ds.attrs.items()}
    relabel = {}
    for name in ("city", "industry", "size", "instrument", "target"):
        if name in ds.coords and ds[name].dtype.kind in "SO":
            vals = [_decode_text(v) for v in ds[name].values]
            relabel[name] = np.array([str(v) for v in vals], dtype=object)
    if relabel:
        ds = ds.assign_coords(relabel)
    return full_region(ensure_days(ds))


def _has_marker(node: h5py.Group) -> bool:
    return _MARKER in node and isinstance(node[_MARKER], h5py.Dataset)


def _children_in_order(node: h5py.Group) -> list[str]:
    """Member names in creation order when the file tracks it (so a compare
    file lists scenarios in command-line order), else in name order."""
    names: list[bytes] = []
    try:
        node.id.links.iterate(names.append, idx_type=h5py.h5.INDEX_CRT_ORDER)
        return [n.decode() if isinstance(n, bytes) else n for n in names]
    except Exception:  # creation order not tracked
        return list(node.keys())


def groups(path) -> list[str]:
    """Names of the scenario groups of a comparison file.

    A scenario group is an HDF5 group holding an ``adopted`` variable. Empty
    for a single-run file. Order: creation order if the file tracks it
    (the scenarios' order on the ``zhizao compare`` command line), else
    alphabetical.
    """
    _check(path)  # a damaged file must not reach h5py in this process
    with h5py.File(path, "r") as f:
        return [n for n in _children_in_order(f)
                if isinstance(f.get(n), h5py.Group) and _has_marker(f[n])]


def is_partial(path) -> bool:
    """True for the temporary file of a run in progress or interrupted
    (``OUT.h5.partial``; the writer renames it to ``OUT.h5`` when done)."""
    return str(path).endswith(".partial")


def open_result(path, group: str | None = None) -> xr.Dataset:
    """Open a zhizao result file (or one scenario group of it) as a Dataset.

    Parameters
    ----------
    path : str or Path
        A ``zhizao run`` or ``zhizao compare`` output file, or the
        ``OUT.h5.partial`` file of a run still being written (or killed).
        A missing, damaged, truncated or foreign file raises
        :class:`zhizao.validate.ResultFileError` (a ValueError) with one
        line naming the file and what is wrong; the HDF5 library never
        reads a damaged file in the calling process (see validate.py).
    group : str, optional
        Scenario group of a comparison file (see :func:`groups`). Needed when
        the file's root holds no results.

    Returns
    -------
    xarray.Dataset
        Labelled dims (replicate, time, city, industry, size, instrument,
        target, and round / firm when present), ``time`` as datetime64,
        ``time_to_target`` (and ``cf_time_to_target``) as float days with
        NaN = not reached. A complete file is loaded lazily (call
        ``.load()`` to read everything); an incomplete one (attribute
        ``complete = 0``, e.g. a ``.partial`` file mid-run) is read into
        memory and closed at once, holds only its finished replicates (see
        the module documentation) and raises a ``UserWarning`` saying how
        many of how many it holds.
    """
    path = Path(path)
    if not is_partial(path):
        info = _check(path)  # before h5py opens it here: a crash stays in a child
        if info.get("kind"):  # an optimisation or calibration file: one Dataset
            with xr.open_dataset(path, engine=_engine(), decode_timedelta=False) as ds:
                return ds.load()
    if group is None and _experiment.is_experiment(path):
        # an experiment file (zhizao explore): one Dataset, dims point x scenario x ...
        return _experiment.open_experiment(path)
    partial = is_partial(path)
    if not partial:
        return _open_once(path, group)
    # Mid-run the writer may flush while we read: the file is copied, the
    # copy checked and read (so both see the same bytes), and a copy caught
    # in the middle of a flush is taken again.
    tries = 6
    for attempt in range(tries):
        with tempfile.TemporaryDirectory(prefix="zhizao_") as d:
            snap = Path(d) / path.name
            try:
                shutil.copyfile(path, snap)
                _check(snap)
                return _open_once(snap, group, shown=path)
            except FileNotFoundError:
                raise ResultFileError(f"{path}: cannot read: no such file") from None
            except (OSError, RuntimeError, KeyError, ResultFileError) as e:
                if attempt == tries - 1:
                    if isinstance(e, ResultFileError):
                        raise ResultFileError(str(e).replace(str(snap), str(path)),
                                              e.exit_code) from None
                    raise
        time.sleep(0.25 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _open_once(path: Path, group: str | None, shown: Path | None = None) -> xr.Dataset:
    shown = path if shown is None else shown
    with h5py.File(path, "r") as f:
        node = f if group is None else f.get(group)
        if node is None:
            raise KeyError(f"{path}: no group {group!r}; scenario groups: {groups(path)}")
        if not _has_marker(node):
            found = [n for n in f if isinstance(f[n], h5py.Group) and _has_marker(f[n])]
            where = "root" if group is None else f"group {group!r}"
            hint = (f"it is a comparison file: pass group= one of {found} or use open_all()"
                    if found else "it does not look like a zhizao result file")
            raise ValueError(f"{path}: no results at the {where}; {hint}")
        complete = int(_decode_text(node.attrs.get("complete", 1)))
    ds = xr.open_dataset(path, group=group, engine=_engine(), decode_timedelta=False)
    if complete == 0 or is_partial(shown):
        # the writer may go on changing the file: read it now, keep nothing open
        try:
            ds = ds.load()
        finally:
            ds.close()
    ds = _tidy(ds)
    if complete == 0 or is_partial(shown):
        ds, dropped = _drop_unwritten(ds)
        warnings.warn(
            f"{shown}{'' if group is None else ' [' + group + ']'}: incomplete run "
            f"(complete = {complete}, {ds.attrs.get('replications_done', '?')} of "
            f"{ds.attrs.get('replications', '?')} replications done); {dropped} "
            "replicate(s) never written left out", stacklevel=3)
    return ds


def _drop_unwritten(ds: xr.Dataset):
    """Leaves out the replicates an interrupted or running job has not written.

    The writer stores no fill value for counts, so an unwritten replicate
    reads as zeros. Every replicate that ran processed events, so
    ``events == 0`` (in the policy run or its twin) marks one never written;
    ``replications_done`` counts those written with their twin. An
    interrupted run keeps every replicate that finished, whatever its
    number, so the written ones need not be the first ones. When more
    replicates show events than ``replications_done`` counts (read while
    one was being written), the first ``replications_done`` of them are kept.
    """
    if "replicate" not in ds.dims:
        return ds, 0
    keep = np.ones(ds.sizes["replicate"], dtype=bool)
    for v in ("events", "cf_events"):
        if v in ds.variables:
            keep &= np.asarray(ds[v].values) > 0
    done = ds.attrs.get("replications_done")
    if done is not None and keep.sum() > int(done):
        keep[np.flatnonzero(keep)[int(done):]] = False
    if keep.all():
        return ds, 0
    return ds.isel(replicate=np.flatnonzero(keep)), int((~keep).sum())


def open_all(path) -> dict[str, xr.Dataset]:
    """All scenarios of a file as {scenario name: Dataset}.

    For a comparison file, one entry per group; for a single-run file, one
    entry keyed by its ``scenario_name`` attribute (or the file stem).
    """
    names = groups(path)
    if names:
        return {n: open_result(path, n) for n in names}
    ds = open_result(path)
    return {scenario_name(ds, Path(path).stem): ds}


def scenario_name(ds: xr.Dataset, default: str = "scenario") -> str:
    """The scenario's name from the file's attributes, else `default`."""
    name = ds.attrs.get("scenario_name")
    return str(name) if name else default


GUARANTEES = ("risk_compensation",)


def outlay(ds: xr.Dataset) -> xr.DataArray:
    """Money a programme cost by the end of the run, per instrument (yuan):
    what it disbursed, plus for a guarantee (risk compensation) the cover
    still reserved for loans open at the end, a liability the treasury
    stands behind (docs/model.md 6.4). Needs ``spent``; ``committed`` when
    the file has it."""
    spent = ds["spent"]
    if "time" in spent.dims:
        spent = spent.isel(time=-1)
    spent = spent.astype(float)
    if "committed" not in ds.variables or "instrument" not in spent.dims:
        return spent
    committed = ds["committed"]
    if "time" in committed.dims:
        committed = committed.isel(time=-1)
    guarantee = xr.DataArray([str(i).split(".")[0] in GUARANTEES for i in ds["instrument"].values],
                             dims="instrument", coords={"instrument": ds["instrument"]})
    return spent + committed.astype(float).where(guarantee, 0.0)


def has_twin(ds: xr.Dataset) -> bool:
    """True when the no-policy counterfactual (``cf_`` variables) is present."""
    return "cf_adopted" in ds.variables


def has_accounting(ds: xr.Dataset) -> bool:
    """True when the engine's paired accounting is present: ``additional``,
    ``supported``, ``deadweight``, ``target_firms`` [replicate, target]
    (written by ``zhizao compare`` and ``zhizao run --counterfactual``)."""
    return all(v in ds.variables for v in ("additional", "supported", "deadweight",
                                           "target_firms"))


# ---- optional per-firm record --------------------------------------------

def firm_record(source, group: str | None = None,
                by_instrument: bool = False) -> pd.DataFrame | None:
    """Per-firm record of a run (``--firms``), if present; None otherwise.

    Parameters
    ----------
    source : path or xarray.Dataset
        A result file (with `group` for a comparison file; an incomplete
        file keeps its finished replicates, see :func:`open_result`) or a
        Dataset from :func:`open_result`.
    by_instrument : bool
        Also one column ``support[<instrument>]`` per programme (yuan).

    Returns
    -------
    DataFrame indexed (replicate, firm), one row per firm and replicate,
    from the engine's variables firm_day, cf_firm_day [replicate, firm]
    (days, NaN = never adopted) and firm_support [replicate, firm,
    instrument] (yuan received; absent when the scenario has no programme,
    read as 0). Columns:

    * ``day``, ``cf_day``: adoption day in the policy run and in its
      no-policy twin (``cf_day`` only with a twin);
    * ``adopted``, ``cf_adopted``: adopted by the end (day not NaN);
    * ``support``: yuan received, summed over programmes;
    * ``supported``: adopted during the run (day > 0, so not an initial
      adopter) and received support -- the engine's definition behind the
      ``supported`` variable;
    * ``deadweight``: supported and adopted in the twin too (the
      ``deadweight`` variable); ``supported_additional``: supported and not
      adopted in the twin (only with a twin).

    Summed over firms, ``supported`` and ``deadweight`` give the
    ``all_firms`` entries of the variables of the same name.
    """
    own = not isinstance(source, xr.Dataset)
    ds = open_result(source, group) if own else source
    try:
        if "firm_day" not in ds.variables:
            return None
        day = ds["firm_day"].transpose("replicate", "firm")
        nrep, nfirm = day.shape
        index = pd.MultiIndex.from_product(
            [np.asarray(ds["replicate"].values), np.asarray(ds["firm"].values)
             if "firm" in ds.coords else np.arange(nfirm)], names=["replicate", "firm"])
        d = np.asarray(day.values, dtype=float).reshape(-1)
        cols = {"day": d}
        twin = "cf_firm_day" in ds.variables
        if twin:
            cols["cf_day"] = np.asarray(ds["cf_firm_day"].transpose("replicate", "firm").values,
                                        dtype=float).reshape(-1)
        cols["adopted"] = np.isfinite(d)
        if twin:
            cols["cf_adopted"] = np.isfinite(cols["cf_day"])
        if "firm_support" in ds.variables and ds.sizes.get("instrument", 0):
            sup = np.asarray(ds["firm_support"].transpose("replicate", "firm", "instrument")
                             .values, dtype=float).reshape(nrep * nfirm, -1)
        else:
            sup = np.zeros((nrep * nfirm, 0))
        cols["support"] = sup.sum(axis=1)
        supported = cols["adopted"] & (np.nan_to_num(d) > 0) & (cols["support"] > 0)
        cols["supported"] = supported
        if twin:
            cols["deadweight"] = supported & cols["cf_adopted"]
            cols["supported_additional"] = supported & ~cols["cf_adopted"]
        if by_instrument and sup.shape[1]:
            for k, name in enumerate(ds["instrument"].values):
                cols[f"support[{name}]"] = sup[:, k]
        return pd.DataFrame(cols, index=index)
    finally:
        if own:
            ds.close()

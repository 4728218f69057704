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
* a file from an interrupted run (attribute ``complete = 0``) opens with a
  warning rather than silently passing as a finished run, and without the
  replicates that were never written (they would read as zeros).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["open_result", "groups", "open_all", "firm_record", "as_days",
           "ensure_days", "has_twin", "scenario_name"]

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
    return ensure_days(ds)


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
    with h5py.File(path, "r") as f:
        return [n for n in _children_in_order(f)
                if isinstance(f.get(n), h5py.Group) and _has_marker(f[n])]


def open_result(path, group: str | None = None) -> xr.Dataset:
    """Open a zhizao result file (or one scenario group of it) as a Dataset.

    Parameters
    ----------
    path : str or Path
        A ``zhizao run`` or ``zhizao compare`` output file.
    group : str, optional
        Scenario group of a comparison file (see :func:`groups`). Needed when
        the file's root holds no results.

    Returns
    -------
    xarray.Dataset
        Labelled dims (replicate, time, city, industry, size, instrument,
        target), ``time`` as datetime64, ``time_to_target`` (and
        ``cf_time_to_target``) as float days with NaN = not reached.
        Loaded lazily; call ``.load()`` to read everything into memory.
    """
    path = Path(path)
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
    ds = xr.open_dataset(path, group=group, engine=_engine(), decode_timedelta=False)
    ds = _tidy(ds)
    if int(ds.attrs.get("complete", 1)) == 0:
        ds, dropped = _drop_unwritten(ds)
        warnings.warn(
            f"{path}: incomplete run (complete = 0, {ds.attrs.get('replications_done', '?')}"
            f" of {ds.attrs.get('replications', '?')} replications done); "
            f"{dropped} replicate(s) never written left out", stacklevel=2)
    return ds


def _drop_unwritten(ds: xr.Dataset):
    """Leaves out the replicates an interrupted run never wrote.

    The writer stores no fill value for counts, so an unwritten replicate
    reads as zeros; every replicate that ran processed events, so
    ``events == 0`` (in the policy run or its twin) marks one never written.
    """
    if "events" not in ds.variables or "replicate" not in ds.dims:
        return ds, 0
    written = ds["events"] > 0
    if "cf_events" in ds.variables:
        written = written & (ds["cf_events"] > 0)
    keep = np.asarray(written.values, dtype=bool)
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


def has_twin(ds: xr.Dataset) -> bool:
    """True when the no-policy counterfactual (``cf_`` variables) is present."""
    return "cf_adopted" in ds.variables


# ---- optional per-firm record --------------------------------------------

def firm_record(path, group: str | None = None) -> pd.DataFrame | None:
    """Per-firm record of a run, if the file has one; None otherwise.

    The per-firm layout is not fixed yet, so this reader accepts either
    form and tolerates its absence:

    * a subgroup ``firm`` whose datasets are columns, or
    * datasets named ``firm_<column>`` next to the aggregate variables.

    1-D columns have one row per firm. 2-D columns are taken as
    [replicate, firm] and make the result long, indexed (replicate, firm),
    with 1-D columns repeated per replicate. Integer columns carrying an
    HDF5 enum type, or a ``labels`` attribute (list of names), are mapped to
    pandas categoricals.
    """
    with h5py.File(path, "r") as f:
        node = f if group is None else f[group]
        if "firm" in node and isinstance(node["firm"], h5py.Group):
            items = {k: v for k, v in node["firm"].items() if isinstance(v, h5py.Dataset)}
        else:
            items = {k[len("firm_"):]: v for k, v in node.items()
                     if k.startswith("firm_") and isinstance(v, h5py.Dataset)}
        if not items:
            return None
        cols = {k: _firm_column(v) for k, v in items.items()}
    two_d = {k: v for k, v in cols.items() if np.ndim(v) == 2}
    one_d = {k: v for k, v in cols.items() if np.ndim(v) == 1}
    if not two_d:
        df = pd.DataFrame(one_d)
        df.index.name = "firm"
        return df
    nrep, nfirm = next(iter(two_d.values())).shape
    index = pd.MultiIndex.from_product([range(nrep), range(nfirm)], names=["replicate", "firm"])
    data = {k: np.tile(np.asarray(v), nrep) if not isinstance(v, pd.Categorical)
            else pd.Categorical.from_codes(np.tile(v.codes, nrep), v.categories)
            for k, v in one_d.items()}
    data.update({k: np.asarray(v).reshape(-1) for k, v in two_d.items()})
    return pd.DataFrame(data, index=index)


def _firm_column(d: h5py.Dataset):
    values = d[()]
    enum = h5py.check_enum_dtype(d.dtype)
    labels = None
    if enum:
        inv = {v: k for k, v in enum.items()}
        labels = [inv.get(i, str(i)) for i in range(max(inv) + 1)]
    elif "labels" in d.attrs:
        labels = [str(_decode_text(x)) for x in np.atleast_1d(d.attrs["labels"])]
    if values.dtype.kind == "S":
        values = np.char.decode(values, "utf-8")
    elif values.dtype.kind == "O":
        values = np.array([str(_decode_text(v)) for v in values.ravel()],
                          dtype=object).reshape(values.shape)
    if labels is not None and values.ndim == 1:
        return pd.Categorical.from_codes(values.astype(int), categories=labels)
    return values

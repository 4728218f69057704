"""Experiment files (``zhizao explore``) as one xarray Dataset.

Dims ``point``, ``scenario``, ``replicate``, ``time``, ``target``,
``instrument``, ``factor`` (and ``city``, ``industry``, ``size`` with
``--cells``). ``design`` (point, factor) holds each point's parameter
values, the ``factor`` coordinate their keys; ``target_share``,
``time_to_target`` and their twins ``cf_*`` mean what they mean in a run's
file; ``additional``, ``supported``, ``deadweight``, ``target_firms`` come
from the paired accounting against the twin; ``committed`` and ``spent``
are by instrument. See docs/experiments.md for every variable.

``time`` is decoded to datetime64; ``time_to_target`` stays float days with
NaN for a target not reached (no decoding, no warnings). A file still being
written or interrupted (``OUT.h5.partial``, attribute ``complete = 0``) is
read into memory at once and opens with a warning saying how many tasks it
holds; tasks not yet run read as NaN and ``task_done == 0``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import h5py
import numpy as np
import xarray as xr

from .scale import full_region

__all__ = ["is_experiment", "open_experiment", "scenario_view"]

_LABELS = ("scenario", "target", "instrument", "factor", "city", "industry", "size")


def is_experiment(path) -> bool:
    """True for a file written by ``zhizao explore``."""
    try:
        with h5py.File(path, "r") as f:
            kind = f.attrs.get("zhizao_file", b"")
    except OSError:
        return False
    if isinstance(kind, bytes):
        kind = kind.decode()
    return str(kind) == "experiment"


def _text(x):
    if isinstance(x, bytes):
        return x.decode("utf-8", errors="replace")
    if isinstance(x, np.generic):
        return x.item()
    return x


def open_experiment(path) -> xr.Dataset:
    """Open an experiment file (see the module documentation)."""
    path = Path(path)
    with h5py.File(path, "r") as f:
        complete = int(f.attrs.get("complete", 0))
    ds = xr.open_dataset(path, engine="h5netcdf", decode_timedelta=False)
    partial = complete == 0 or str(path).endswith(".partial")
    if partial:
        try:
            ds = ds.load()
        finally:
            ds.close()
    ds.attrs = {k: _text(v) for k, v in ds.attrs.items()}
    relabel = {n: np.array([str(_text(v)) for v in ds[n].values], dtype=object)
               for n in _LABELS if n in ds.coords and ds[n].dtype.kind in "SO"}
    if relabel:
        ds = ds.assign_coords(relabel)
    if partial:
        done = int(np.asarray(ds["task_done"].values).sum())
        warnings.warn(f"{path}: incomplete experiment ({done} of {ds.attrs.get('tasks', '?')} "
                      "tasks stored; the others read as NaN)", stacklevel=2)
    return full_region(ds)


def scenario_view(ds: xr.Dataset, scenario: str, point: int = 0) -> xr.Dataset:
    """One scenario at one point, laid out like a run's file (dims
    replicate, time, target, instrument), with the run's attributes
    ``scenario_name`` and ``parameters``."""
    one = ds.sel(scenario=scenario).isel(point=point)
    one = one.drop_vars([v for v in ("design", "design_unit", "design_block")
                         if v in one.variables])
    one.attrs = dict(ds.attrs, scenario_name=scenario,
                     parameters=str(ds["scenario_parameters"].sel(scenario=scenario).values))
    return one

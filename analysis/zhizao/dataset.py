"""One data model for runs, comparisons and experiments.

An experiment file (``zhizao explore``) opens as a Dataset with dims
``point``, ``scenario``, ``replicate``, ``time``, ``target``,
``instrument``, ``factor`` and the fixed variables ``design`` (point,
factor), ``target_share`` (point, scenario, replicate, time, target) and
``time_to_target`` (point, scenario, replicate, target). A run or
comparison file holds the same numbers for one point; :func:`as_experiment`
stacks it into that shape (without a ``point`` dim), so that
:func:`zhizao.p_target`, the incremental comparisons and the robustness
measures read every kind of file the same way.

Variables made here from a run/comparison file (per scenario):

* ``time_to_target``, ``target_share``, ``target_firms``;
* ``target_by`` [scenario, target]: the target's deadline in days from the
  start in each scenario (NaN = none); scenarios may give one target
  different deadlines, and each is judged by its own;
* ``additional``, ``supported``, ``deadweight`` [scenario, replicate,
  target]: the engine's paired accounting against each scenario's own
  no-policy twin (NaN where a scenario has no twin);
* ``spent`` [scenario, replicate, instrument]: money disbursed by the end
  (0 for an instrument a scenario lacks) and ``fiscal`` [scenario,
  instrument] (1 = fiscal money, 0 = not, e.g. an industry fund's equity;
  every programme counts as fiscal in files written before the engine
  stored the flag);
* ``end_adopters`` [scenario, replicate, target]: the group's adopters at
  the end (target share x firms, rounded to whole firms);
* for the twin (``twin_`` prefix, one per scenario and replicate):
  ``twin_target_share``, ``twin_time_to_target``, ``twin_end_adopters``.

Attributes: ``horizon_days`` (start to last observation), ``start_date``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from . import experiment as _experiment
from .io import as_days, has_accounting, has_twin, open_all, outlay, scenario_name
from .survival import horizon_days

__all__ = ["as_experiment", "is_experiment", "TWIN"]

TWIN = "twin"   # name of the no-policy twin as a base (``--base twin``)


def is_experiment(ds) -> bool:
    """True for a Dataset with a ``scenario`` dim (experiment or stacked)."""
    return isinstance(ds, xr.Dataset) and "scenario" in ds.dims


def _one(name: str, ds: xr.Dataset) -> xr.Dataset:
    out = {}
    tt = as_days(ds["time_to_target"])
    out["time_to_target"] = tt
    if "target_share" in ds.variables:
        out["target_share"] = ds["target_share"].astype(float)
    if "target_firms" in ds.variables and "target_share" in ds.variables:
        last = ds["target_share"].isel(time=-1).astype(float)
        firms = ds["target_firms"].astype(float)
        out["target_firms"] = firms
        out["end_adopters"] = np.rint(last * firms)
        if "cf_target_share" in ds.variables:
            out["twin_end_adopters"] = np.rint(
                ds["cf_target_share"].isel(time=-1).astype(float) * firms)
    if "cf_target_share" in ds.variables:
        out["twin_target_share"] = ds["cf_target_share"].astype(float)
    if "cf_time_to_target" in ds.variables:
        out["twin_time_to_target"] = as_days(ds["cf_time_to_target"])
    if "target_by" in ds.variables:
        out["target_by"] = as_days(ds["target_by"]) \
            if np.issubdtype(ds["target_by"].dtype, np.timedelta64) \
            else ds["target_by"].astype(float)
    if has_accounting(ds):
        for v in ("additional", "supported", "deadweight"):
            out[v] = ds[v].astype(float)
    elif has_twin(ds) and "end_adopters" in out and "twin_end_adopters" in out:
        out["additional"] = out["end_adopters"] - out["twin_end_adopters"]
    if ds.sizes.get("instrument", 0):
        out["spent"] = outlay(ds)  # with guarantees' open cover
        fiscal = ds["fiscal"].astype(float) if "fiscal" in ds.variables else \
            xr.ones_like(ds["instrument"], dtype=float)
        out["fiscal"] = fiscal
    res = xr.Dataset({k: v if "time" in v.dims else v.drop_vars("time", errors="ignore")
                      for k, v in out.items()})
    if "time" not in res.coords and "time" in ds.coords:
        res = res.assign_coords(time=ds["time"])
    for drop in ("city", "industry", "size"):
        res = res.drop_vars(drop, errors="ignore")
    return res.expand_dims(scenario=[name])


def _same_variables(parts: list) -> list:
    """Give every part every variable (NaN; money 0 over no instrument), so
    that concat keeps a variable some scenarios lack (a baseline has no
    programme, a scenario run without its twin has no accounting)."""
    names = {}
    for p in parts:
        for v in p.data_vars:
            names.setdefault(v, p[v])
    out = []
    for p in parts:
        add = {}
        for v, tmpl in names.items():
            if v in p.data_vars:
                continue
            dims = [d for d in tmpl.dims]
            shape = [0 if d == "instrument" else p.sizes.get(d, tmpl.sizes[d]) for d in dims]
            coords = {d: (p[d] if d in p.coords else tmpl[d]) for d in dims
                      if d != "instrument" and (d in p.coords or d in tmpl.coords)}
            if "instrument" in dims:
                coords["instrument"] = np.array([], dtype=object)
            add[v] = xr.DataArray(np.full(shape, np.nan), dims=dims, coords=coords)
        out.append(p.assign(add) if add else p)
    return out


def _is_explore(ds: xr.Dataset) -> bool:
    """An experiment file as written by ``zhizao explore`` (not yet in the
    data model here: twins as ``cf_*``, money over time, deadlines per
    scenario)."""
    if ds.attrs.get("source") == "explore":
        return False            # already in the data model
    return "task_done" in ds.variables and (
        "cf_target_share" in ds.variables or "time" in ds.get("spent", xr.DataArray()).dims
        or "scenario" in ds.get("target_by", xr.DataArray()).dims)


def _from_explore(ds: xr.Dataset) -> xr.Dataset:
    """An explore file in the data model of the module doc, keeping its
    design (``design``, ``design_unit``, ``design_block``) and ``point``."""
    out = ds.copy()
    if "cf_target_share" in out.variables:
        out["twin_target_share"] = out["cf_target_share"].astype(float)
    if "cf_time_to_target" in out.variables:
        out["twin_time_to_target"] = as_days(out["cf_time_to_target"])
    if "target_firms" in out.variables and "target_share" in out.variables:
        firms = out["target_firms"].astype(float)
        out["end_adopters"] = np.rint(out["target_share"].isel(time=-1, drop=True) * firms)
        if "twin_target_share" in out.variables:
            out["twin_end_adopters"] = np.rint(
                out["twin_target_share"].isel(time=-1, drop=True) * firms)
    if "spent" in out.variables and "time" in out["spent"].dims:
        out["spent"] = outlay(out).drop_vars("time", errors="ignore")
    if "fiscal" in out.variables:
        out["fiscal"] = out["fiscal"].astype(float)
    if "target_by" in out.variables:
        # each scenario keeps its own deadline: two plans may give the same
        # target different dates, and each is judged by its own
        out["target_by"] = as_days(out["target_by"]).astype(float)
    missing = 0
    if "task_done" in out.variables and not bool(out["task_done"].all()):
        out, missing = _mask_unfinished(out)
    out = out.drop_vars([v for v in ("cf_target_share", "cf_time_to_target", "committed")
                         if v in out.variables])
    out.attrs = dict(ds.attrs, horizon_days=horizon_days(ds),
                     start_date=str(ds.attrs.get("start_date", "")), source="explore",
                     missing_tasks=missing)
    return out


TASK_DIMS = ("point", "scenario", "replicate")


def _mask_unfinished(ds: xr.Dataset) -> xr.Dataset:
    """Tasks of an interrupted experiment that never ran (``task_done`` 0)
    become NaN in every per-task variable, whatever the file's fill value,
    so that no measure reads them as "not reached" or as zero; the
    measures count them as missing (``done`` below)."""
    done = ds["task_done"].astype(bool)
    out = ds.copy()
    for name, v in ds.data_vars.items():
        if name == "task_done" or not set(TASK_DIMS) <= set(v.dims):
            continue
        out[name] = v.astype(float).where(done)
    return out, int((~done).sum())


def as_experiment(source) -> xr.Dataset:
    """A run file, a comparison file, a {name: Dataset} dict or a Dataset as
    one Dataset with a ``scenario`` dim (see the module doc).

    An experiment file or Dataset of ``zhizao explore`` keeps its ``point``
    dim and design; its twins (``cf_*``) become ``twin_*``, ``spent`` is
    taken at the end, ``target_by`` stays per scenario; tasks an interrupted
    run never finished (``task_done`` 0) read NaN everywhere and count as
    missing (attrs ``missing_tasks``). Any other Dataset with a
    ``scenario`` dim is returned as is.
    Scenarios lacking a target or an instrument get NaN (money: 0) there.
    """
    if isinstance(source, (str, Path)) and _experiment.is_experiment(source):
        source = _experiment.open_experiment(source)
    if is_experiment(source):
        return _from_explore(source) if _is_explore(source) else source
    if isinstance(source, xr.Dataset):
        data = {scenario_name(source): source}
    elif isinstance(source, dict):
        data = source
    else:
        data = open_all(Path(source))
    if not data:
        raise ValueError("no scenarios")
    first = next(iter(data.values()))
    parts = _same_variables([_one(n, d) for n, d in data.items()])
    out = xr.concat(parts, dim="scenario", join="outer", coords="minimal",
                    compat="override", combine_attrs="drop_conflicts")
    if "spent" in out:
        out["spent"] = out["spent"].fillna(0.0)
    if "fiscal" in out:
        out["fiscal"] = out["fiscal"].fillna(1.0)
    out.attrs = {"horizon_days": horizon_days(first),
                 "start_date": str(first.attrs.get("start_date", "")),
                 "source": "run" if len(data) == 1 else "compare"}
    return out

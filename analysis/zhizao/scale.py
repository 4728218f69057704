"""Full-region units for a ``--scale F`` rehearsal.

``zhizao run|compare|explore|optimise --scale F`` simulates a fraction F of
the region: F times the firms, the budgets and every count that grows with
the region (contest winners, a campaign's firms, equity places, compute
capacity). The file stores what was simulated, and its attribute ``scale``
says F. Reading a file, every count of firms and every sum of money
(variables with ``units`` "firms" or "yuan", but not the per-firm record)
is divided by F, so that the package, like the engine's printed summary,
speaks of the whole region. Shares, days and prices are unchanged.
"""
from __future__ import annotations

import xarray as xr

_SCALED_UNITS = ("firms", "yuan")


def scale_of(ds: xr.Dataset) -> float:
    """The fraction of the region the file simulated (1 for a file without
    the attribute, written before ``--scale`` existed)."""
    return float(ds.attrs.get("scale", 1.0))


def full_region(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with counts and money divided by its ``scale`` (itself when 1,
    or when already done: the attribute ``full_region`` says so)."""
    F = scale_of(ds)
    if F == 1.0 or ds.attrs.get("full_region"):
        return ds
    out = ds.copy()
    out.attrs["full_region"] = 1
    for name, var in ds.data_vars.items():
        if var.attrs.get("units") in _SCALED_UNITS and "firm" not in var.dims:
            out[name] = (var / F).assign_attrs(var.attrs)
    for name, var in ds.coords.items():
        if var.attrs.get("units") in _SCALED_UNITS and name not in ds.dims:
            out = out.assign_coords({name: (var / F).assign_attrs(var.attrs)})
    return out

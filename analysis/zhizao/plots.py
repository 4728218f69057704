"""Matplotlib figures of a run or a comparison.

Each function draws on a given Axes/Figure when passed one (so the report
can use pyplot-free figures) and otherwise creates one with pyplot (so a
notebook shows it inline). Bands are the across-replicate t-intervals of
:mod:`zhizao.tables`, drawn clipped to the quantity's possible range
(shares in [0, 1], cumulative money >= 0): with few replicates a
t-interval can cross those bounds, and the tables keep the raw values.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib import colormaps
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.ticker import FuncFormatter, PercentFormatter

from .io import has_twin, scenario_name
from .tables import (COST_MEASURE, DAYS_PER_YEAR, _additional_all, _as_data, _horizon_days,
                     adoption, compare, target_share)

__all__ = ["plot_pathways", "plot_spending", "plot_comparison"]


def _new_axes():
    import matplotlib.pyplot as plt  # only when the caller gave no Axes
    return plt.subplots(figsize=(8, 4.5))[1]


def _date_axis(ax) -> None:
    loc = AutoDateLocator()
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(loc))


def _as_dict(data) -> dict:
    if isinstance(data, xr.Dataset):
        return {scenario_name(data): data}
    return dict(data)


def _pathway(ds, group, gsz, level, counterfactual):
    if group is None:
        return adoption(ds, gsz=gsz, level=level, counterfactual=counterfactual)
    return target_share(ds, group, level=level, counterfactual=counterfactual)


def plot_pathways(data, target: float | None = 0.5, group: str | None = None,
                  gsz: bool = False, level: float = 0.95, counterfactual: bool = True,
                  ax=None, title: str | None = None):
    """Adoption share over time with its band, one line per scenario.

    Parameters
    ----------
    data : Dataset or {name: Dataset}
        One scenario, or several (e.g. :func:`zhizao.open_all`).
    target : float or None
        Target share drawn as a horizontal line (0.5 = 50%); None for none.
    group : str, optional
        A target group (``target`` coordinate) whose ``target_share`` is
        drawn; None = the whole population (adopted + scaled over firms).
    gsz : bool
        Whole population of 规上 firms only (ignored when `group` is given).
    level : float
        Confidence level of the bands.
    counterfactual : bool
        Also draw each scenario's no-policy twin (dashed) when present;
        once, grey, when the scenarios' twins are the same (a comparison).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    ax = ax if ax is not None else _new_axes()
    twins = []
    for i, (name, ds) in enumerate(_as_dict(data).items()):
        color = f"C{i % 10}"
        df = _pathway(ds, group, gsz, level, False)
        t = df.index.get_level_values("time")
        ax.plot(t, df["mean"], color=color, label=name)
        ax.fill_between(t, df["lo"].clip(0, 1), df["hi"].clip(0, 1), color=color, alpha=0.2,
                        linewidth=0)
        if counterfactual and has_twin(ds):
            twins.append((name, color, t, _pathway(ds, group, gsz, level, True)))
    # the scenarios of a comparison share their twin (same seeds): draw it once
    same = len(twins) > 1 and all(np.array_equal(tw[3]["mean"].to_numpy(),
                                                 twins[0][3]["mean"].to_numpy(), equal_nan=True)
                                  for tw in twins)
    for name, color, t, cf in (twins[:1] if same else twins):
        label, color = ("no-policy twin", "0.45") if same else (f"{name} (no policy)", color)
        ax.plot(t, cf["mean"], color=color, linestyle="--", label=label)
        ax.fill_between(t, cf["lo"].clip(0, 1), cf["hi"].clip(0, 1), color=color,
                        alpha=0.08, linewidth=0)
    if target is not None:
        ax.axhline(target, color="0.3", linestyle=":", linewidth=1,
                   label=f"target {target:.0%}")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("adoption share")
    ax.set_xlabel("date")
    _date_axis(ax)
    ax.set_title(title if title is not None else
                 f"Adoption pathway: {group if group is not None else 'all firms'}")
    # beside the axes, so it never covers the lines
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return ax


def _finite_max(*arrays) -> float:
    """Largest finite absolute value (0 if none): sizes the money unit."""
    vals = np.abs(np.concatenate([np.asarray(a, float).ravel() for a in arrays]))
    vals = vals[np.isfinite(vals)]
    return float(vals.max()) if vals.size else 0.0


def _money_scale(vmax: float):
    return (1e6, "million yuan") if vmax >= 1e6 else (1.0, "yuan")


def plot_spending(ds: xr.Dataset, level: float = 0.95, variable: str = "spent", ax=None,
                  title: str | None = None):
    """Cumulative money disbursed by instrument over time (mean and band).

    `variable` may also be "committed" (outstanding commitments),
    "returned" or "budget" (pot remaining). Returns the Axes.
    """
    from .stats import mean_ci_xr
    ax = ax if ax is not None else _new_axes()
    s = mean_ci_xr(ds[variable], "replicate", level)
    scale, unit = _money_scale(_finite_max(s["mean"].values, s["hi"].values))
    t = ds["time"].values
    n = ds.sizes.get("instrument", 0)
    for i, inst in enumerate(ds["instrument"].values):
        si = s.sel(instrument=inst)
        # up to 20 distinct colours: fifteen programmes no longer repeat ten
        color = f"C{i % 10}" if n <= 10 else colormaps["tab20"](i % 20)
        ax.plot(t, si["mean"] / scale, color=color, label=str(inst))
        ax.fill_between(t, np.maximum(si["lo"], 0) / scale, si["hi"] / scale, color=color,
                        alpha=0.2, linewidth=0)
    ax.set_ylabel(f"{variable} ({unit})")
    ax.set_xlabel("date")
    if t.size:
        ax.set_xlim(t[0], t[-1])        # the run's dates even with nothing drawn
    _date_axis(ax)
    ax.set_title(title if title is not None else f"Money {variable} by instrument: "
                 f"{scenario_name(ds)}")
    if ds.sizes.get("instrument", 0):
        ax.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  borderaxespad=0, ncol=1 + ds.sizes["instrument"] // 12)
    else:  # e.g. a no-policy baseline: say so rather than show an empty frame
        ax.text(0.5, 0.5, "no policy programmes", transform=ax.transAxes,
                ha="center", va="center", color="0.4")
    return ax


def plot_comparison(data, level: float = 0.95, fig=None):
    """Scenarios side by side: years to each target and cost per additional adopter.

    `data` is a comparison file path or a {name: Dataset} dict. Left panel:
    mean years to each target with its interval, cut at 0 and the horizon
    (hollow marker where not every replicate reached it: the mean of those
    that did; missing where none did). Right panel: yuan
    per additional adopter (only if some scenario has a twin); a scenario
    with fewer adopters than its twin is labelled so, in red. Scenarios
    keep the colours of :func:`plot_pathways` (the file's order). Returns
    the Figure.
    """
    data = _as_data(data)
    table = compare(data, level).reset_index()
    if fig is None:
        import matplotlib.pyplot as plt
        fig = plt.figure(figsize=(11, 4.5))
    has_cost = (table["measure"] == COST_MEASURE).any()
    axes = fig.subplots(1, 2 if has_cost else 1, squeeze=False)[0]
    scenarios = list(data)          # file order: the same colours as plot_pathways
    times = table[table["measure"] != COST_MEASURE]
    measures = list(dict.fromkeys(times["measure"]))
    ax = axes[0]
    # a time cannot lie outside the run: intervals are cut at 0 and the horizon
    horizon = max(_horizon_days(ds) for ds in data.values()) / DAYS_PER_YEAR
    width = 0.8 / max(len(scenarios), 1)
    for i, sc in enumerate(scenarios):
        rows = times[times["scenario"] == sc].set_index("measure").reindex(measures)
        y = np.arange(len(measures)) + (i - (len(scenarios) - 1) / 2) * width
        m = rows["mean"].to_numpy(float)
        err = np.vstack([m - np.maximum(rows["lo"].to_numpy(float), 0),
                         np.minimum(rows["hi"].to_numpy(float), horizon) - m])
        full = rows["reached"].to_numpy(float) >= 1
        ax.errorbar(m, y, xerr=np.nan_to_num(err), fmt="none", ecolor=f"C{i % 10}")
        ax.scatter(m[full], y[full], color=f"C{i % 10}", label=sc, zorder=3)
        ax.scatter(m[~full], y[~full], facecolors="none", edgecolors=f"C{i % 10}", zorder=3)
    ax.set_yticks(np.arange(len(measures)))
    ax.set_yticklabels([m.replace("years to ", "") for m in measures])
    ax.invert_yaxis()
    ax.set_xlabel("years to target (mean, interval)")
    ax.set_title("Time to target")
    # say what the two markers mean
    ax.scatter([], [], color="0.3", label="reached in every replication")
    ax.scatter([], [], facecolors="none", edgecolors="0.3",
               label="reached in some: mean over those")
    ax.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    if has_cost:
        ax = axes[1]
        cost = table[table["measure"] == COST_MEASURE].set_index("scenario").reindex(scenarios)
        m = cost["mean"].to_numpy(float)
        scale, unit = _money_scale(_finite_max(m, cost["hi"].to_numpy(float)))
        err = np.vstack([m - np.maximum(cost["lo"].to_numpy(float), 0),
                         cost["hi"].to_numpy(float) - m])
        ax.bar(np.arange(len(scenarios)), np.nan_to_num(m) / scale,
               yerr=np.nan_to_num(err) / scale, color=[f"C{i % 10}" for i in range(len(scenarios))],
               capsize=4)
        for i in np.flatnonzero(~np.isfinite(m)):
            ds = data[scenarios[i]]
            add = float(_additional_all(ds).mean()) if (has_twin(ds) or "additional" in ds) \
                else np.nan
            harm = np.isfinite(add) and add < 0
            ax.text(i, 0, f"{-add:.3g} fewer\nadopters than\nits twin" if harm
                    else "no additional\nadopters", ha="center", va="bottom", fontsize="small",
                    color="#b2182b" if harm else "0.4")
        ax.set_xticks(np.arange(len(scenarios)))
        ax.set_xticklabels(scenarios, rotation=20, ha="right")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.3g}"))
        ax.set_ylabel(f"{unit} per additional adopter")
        ax.set_title("Cost per additional adopter")
    fig.tight_layout()
    return fig

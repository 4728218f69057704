"""The report's figures, one per question a planner asks.

Every function draws on a matplotlib ``Figure`` (created when not given)
and returns it. Colours: one fixed colour per scenario everywhere
(:func:`palette`), grey for the no-policy twin, which is drawn once when
the scenarios share it. Legends are drawn below the axes, outside the
plotting area, so they never cover lines (``legend=False`` leaves them to
the caller: the report writes them as HTML under each figure). Chinese
text is drawn with Noto Sans CJK (Debian ``fonts-noto-cjk``) as the
fallback of DejaVu Sans, see :data:`FONTS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib import rc_context
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, DateFormatter, YearLocator
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .stats import mean_ci_xr

__all__ = ["FONTS", "palette", "TWIN_COLOUR", "HARM_COLOUR", "plot_deadlines",
           "plot_additional", "plot_cost_time", "plot_pathway_panels", "plot_spending_kinds",
           "plot_sensitivity", "plot_robustness", "instrument_kind", "fonts"]

FONTS = {"font.family": ["DejaVu Sans", "Noto Sans CJK JP"]}
TWIN_COLOUR = "0.45"
HARM_COLOUR = "#b2182b"
# no two alike among the first eight (Dark2's two greens were side by side
# in a five-mix report)
_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#1f78b4", "#e6ab02", "#a6761d",
            "#666666", "#b15928", "#6a3d9a", "#66a61e", "#fb9a99"]


def fonts():
    """Context manager: the fonts that draw Chinese (use around drawing)."""
    return rc_context(FONTS)


def palette(names) -> dict:
    """A fixed colour per scenario name, in the given order."""
    return {n: _COLOURS[i % len(_COLOURS)] for i, n in enumerate(names)}


def _fig(fig, w=9.0, h=4.5):
    return fig if fig is not None else Figure(figsize=(w, h))


def _legend_below(fig, ax, handles=None, labels=None, ncol=None):
    h, lab = (handles, labels) if handles is not None else ax.get_legend_handles_labels()
    if not h:
        return
    ncol = ncol or min(len(h), 4)
    fig.legend(h, lab, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=ncol,
               fontsize="small", frameon=False)


def _date_axis(ax, years: bool = False):
    if years:   # small panels: one tick a year, cheap to lay out
        ax.xaxis.set_major_locator(YearLocator())
        ax.xaxis.set_major_formatter(DateFormatter("%Y"))
        return
    loc = AutoDateLocator()
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(loc))


def plot_deadlines(table: pd.DataFrame, colours: dict, fig=None, legend=True):
    """Probability of each target by its deadline, a row per target.

    `table`: rows with columns target, label (e.g. "province_gsz by
    2028-12-31"), scenario, p, lo, hi. A dot per scenario with its exact
    interval.
    """
    fig = _fig(fig, 9, 0.9 + 0.38 * max(1, table["target"].nunique()))
    ax = fig.subplots()
    targets = list(dict.fromkeys(table["target"]))
    labels = dict(zip(table["target"], table["label"]))
    scen = [s for s in colours if s in set(table["scenario"])]
    width = 0.7 / max(len(scen), 1)
    for i, s in enumerate(scen):
        rows = table[table["scenario"] == s].set_index("target").reindex(targets)
        y = np.arange(len(targets)) + (i - (len(scen) - 1) / 2) * width
        p = rows["p"].to_numpy(float)
        err = np.vstack([p - rows["lo"].to_numpy(float), rows["hi"].to_numpy(float) - p])
        ax.errorbar(p, y, xerr=np.nan_to_num(err), fmt="o", color=colours[s], label=s,
                    markersize=4, capsize=2, linewidth=1)
    ax.set_yticks(np.arange(len(targets)))
    ax.set_yticklabels([labels[t] for t in targets], fontsize="small")
    ax.invert_yaxis()
    ax.set_xlim(-0.02, 1.02)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    # short enough for the axis under long target names (it was cut); the
    # caption says what dot and bar are
    ax.set_xlabel("P(target reached by its deadline)")
    ax.grid(axis="x", color="0.9")
    if legend:
        _legend_below(fig, ax)
    fig.tight_layout()
    return fig


def plot_additional(inc: pd.DataFrame, groups, colours: dict, base_label: str, fig=None,
                    legend=True):
    """Additional adopters per scenario and group against the base: bars,
    below zero for harm (hatched, red edge, labelled)."""
    fig = _fig(fig, 9, 4.2)
    axes = fig.subplots(1, len(groups), squeeze=False)[0]
    for ax, g in zip(axes, groups):
        d = inc.xs(g, level="group") if g in inc.index.get_level_values("group") else None
        if d is None or d.empty:
            continue
        names = list(d.index)
        m = d["additional"].to_numpy(float)
        lo = np.nan_to_num(m - d["additional_lo"].to_numpy(float))
        hi = np.nan_to_num(d["additional_hi"].to_numpy(float) - m)
        x = np.arange(len(names))
        harm = (d["verdict"] == "fewer adopters than the base").to_numpy()
        bars = ax.bar(x, np.nan_to_num(m), yerr=[lo, hi], capsize=3,
                      color=[colours.get(n, "0.5") for n in names],
                      edgecolor=[HARM_COLOUR if h else "none" for h in harm],
                      hatch=None, linewidth=1.5)
        for b, h in zip(bars, harm):
            if h:
                b.set_hatch("//")
        ax.axhline(0, color="0.2", linewidth=0.8)
        for xi, v, h in zip(x, m, harm):
            if h:
                ax.annotate("fewer adopters\nthan the base", (xi, v), xytext=(0, -4),
                            textcoords="offset points", ha="center", va="top",
                            fontsize="x-small", color=HARM_COLOUR)
        ax.set_xticks(x)
        ax.set_xticklabels(names, rotation=25, ha="right", fontsize="small")
        ax.set_title(g, fontsize="medium")
        lim = np.nanmax(np.abs(np.r_[m - lo, m + hi, 1.0]))
        if (m < 0).any():
            ax.set_ylim(-1.35 * lim, 1.1 * lim)
    axes[0].set_ylabel(f"adopters at the end minus {base_label}")
    fig.tight_layout()
    return fig


def _separate(fig, labels, pad=2.0):
    """Moves annotations up (their offset, in points) until no two boxes
    overlap: mixes close in time and cost put their names on each other
    (issue 25). Done after the layout, which moves the axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    if not labels:
        return
    canvas = fig.canvas if hasattr(fig.canvas, "get_renderer") else FigureCanvasAgg(fig)
    canvas.draw()
    r = canvas.get_renderer()
    placed = []
    for t in sorted(labels, key=lambda t: (t.get_window_extent(r).y0, t.get_window_extent(r).x0)):
        for _ in range(len(labels) + 1):
            bb = t.get_window_extent(r)
            hit = [p.y1 for p in placed if min(bb.x1, p.x1) - max(bb.x0, p.x0) > 0
                   and min(bb.y1, p.y1) - max(bb.y0, p.y0) > 0]
            if not hit:
                break
            x, y = t.xyann
            t.xyann = (x, y + (max(hit) - bb.y0 + pad) * 72 / fig.dpi)
        placed.append(t.get_window_extent(r))


def plot_cost_time(points: pd.DataFrame, colours: dict, fig=None, legend=True):
    """Cost against time: a point per scenario.

    `points`: index scenario, columns years, years_lo, years_hi (restricted
    mean time to the target), cost, cost_lo, cost_hi (fiscal yuan per
    additional adopter; NaN where the mix adds none: shown at the bottom
    with the reason).
    """
    fig = _fig(fig, 8, 4.5)
    ax = fig.subplots()
    ok = points["cost"].notna()
    scale = 1e6
    labels = []
    for s, r in points.iterrows():
        c = colours.get(s, "0.5")
        xerr = [[r["years"] - r["years_lo"]], [r["years_hi"] - r["years"]]]
        if np.isfinite(r["cost"]):
            yerr = [[(r["cost"] - r["cost_lo"]) / scale], [(r["cost_hi"] - r["cost"]) / scale]]
            ax.errorbar([r["years"]], [r["cost"] / scale], xerr=np.nan_to_num(xerr),
                        yerr=np.nan_to_num(yerr), fmt="o", color=c, label=s, capsize=3)
            labels.append(ax.annotate(s, (r["years"], r["cost"] / scale), xytext=(6, 4),
                                      textcoords="offset points", fontsize="small", color=c))
    top = (points.loc[ok, "cost_hi"].max() / scale) if ok.any() else 1.0
    top = top if np.isfinite(top) and top > 0 else 1.0
    for s, r in points[~ok].iterrows():
        ax.errorbar([r["years"]], [0], xerr=np.nan_to_num(
            [[r["years"] - r["years_lo"]], [r["years_hi"] - r["years"]]]),
            fmt="x", color=colours.get(s, "0.5"), label=f"{s} ({r.get('why', 'no cost')})",
            capsize=3)
        labels.append(ax.annotate(f"{s}: {r.get('why', 'no cost')}", (r["years"], 0),
                                  xytext=(-4, 6), textcoords="offset points",
                                  fontsize="x-small", ha="right", color=colours.get(s, "0.5")))
    ax.set_ylim(-0.05 * top, 1.1 * top)
    ax.set_xlabel("years to the target (restricted mean: unreached counted at the horizon)")
    ax.set_ylabel("million fiscal yuan per additional adopter")
    ax.grid(color="0.92")
    if legend:
        _legend_below(fig, ax)
    fig.tight_layout()
    _separate(fig, labels)
    return fig


def _share_band(da: xr.DataArray, level: float):
    s = mean_ci_xr(da.astype(float), "replicate", level)
    return s["mean"].values, s["lo"].clip(0, 1).values, s["hi"].clip(0, 1).values


def plot_pathway_panels(exp: xr.Dataset, groups, colours: dict, target_line: float | None = 0.5,
                        level: float = 0.95, ncols: int = 3, fig=None, legend=True):
    """Adoption share of each target group over time, a panel per group.

    `exp`: :func:`zhizao.as_experiment` of a run or comparison (target_share
    [scenario, replicate, time, target]; twin_ variables when present).
    The no-policy twin is drawn once per panel (grey, dashed) when the
    scenarios' twins agree, as they do in a comparison (same seeds);
    otherwise once per scenario.
    """
    groups = list(groups)
    nrows = int(np.ceil(len(groups) / ncols)) if len(groups) > 1 else 1
    ncols = min(ncols, len(groups))
    fig = _fig(fig, 3.3 * ncols + 0.5, 2.5 * nrows + 0.6)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False, sharex=True).ravel())
    t = exp["time"].values
    twin = _twin_shares(exp)
    for ax, g in zip(axes, groups):
        for s in [str(x) for x in exp["scenario"].values]:
            da = exp["target_share"].sel(scenario=s, target=g)
            if not np.isfinite(da.values).any():
                continue
            m, lo, hi = _share_band(da, level)
            ax.plot(t, m, color=colours.get(s, "0.5"), label=s, linewidth=1.4)
            ax.fill_between(t, lo, hi, color=colours.get(s, "0.5"), alpha=0.18, linewidth=0)
        if twin is not None:
            for k, (label, tw) in enumerate(twin.items()):
                da = tw.sel(target=g)
                if np.isfinite(da.values).any():
                    m, lo, hi = _share_band(da, level)
                    ax.plot(t, m, color=TWIN_COLOUR, linestyle="--", linewidth=1.2, label=label,
                            zorder=3)
        if target_line is not None:
            ax.axhline(target_line, color="0.3", linestyle=":", linewidth=0.9,
                       label=f"target {target_line:.0%}")
        ax.set_title(g, fontsize="small")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.tick_params(labelsize="x-small")
        _date_axis(ax, years=True)
    for ax in axes[len(groups):]:
        ax.set_visible(False)
    if legend:
        _legend_below(fig, axes[0])
    fig.tight_layout()
    return fig


def _twin_shares(exp: xr.Dataset):
    """{label: twin target_share [replicate, time, target]}: one entry when
    every scenario's twin is the same (a comparison), else one per scenario."""
    if "twin_target_share" in exp.variables:
        tw = exp["twin_target_share"]
    else:
        return None
    first = tw.isel(scenario=0)
    same = all(np.array_equal(first.values, tw.isel(scenario=i).values, equal_nan=True)
               for i in range(tw.sizes["scenario"]))
    if same:
        return {"no-policy twin": first}
    return {f"{s} twin": tw.sel(scenario=s) for s in [str(x) for x in exp["scenario"].values]}


def instrument_kind(name: str) -> str:
    """voucher.compute -> voucher; campaign.training_2026_05 -> campaign."""
    return str(name).split(".")[0]


def plot_spending_kinds(data: dict, level: float = 0.95, fig=None, legend=True):
    """Money disbursed over time, a panel per scenario that has programmes,
    one line per kind of instrument (vouchers, subsidies, campaigns... :
    fifteen programmes become a handful of readable lines); money marked
    not fiscal is drawn dashed. Returns the Figure, or None when no
    scenario has a programme."""
    with_prog = {n: ds for n, ds in data.items() if ds.sizes.get("instrument", 0)}
    if not with_prog:
        return None
    ncols = min(3, len(with_prog))
    nrows = int(np.ceil(len(with_prog) / ncols))
    fig = _fig(fig, 3.6 * ncols + 0.4, 2.8 * nrows + 0.7)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False).ravel())
    kinds = sorted({instrument_kind(i) for ds in with_prog.values()
                    for i in ds["instrument"].values})
    kc = {k: _COLOURS[(i + 3) % len(_COLOURS)] for i, k in enumerate(kinds)}
    handles = {}
    for ax, (name, ds) in zip(axes, with_prog.items()):
        spent = ds["spent"].astype(float)
        fiscal = ds["fiscal"].astype(bool).values if "fiscal" in ds.variables else \
            np.ones(ds.sizes["instrument"], bool)
        t = ds["time"].values
        for k in kinds:
            for fis in (True, False):
                sel = [i for i, inst in enumerate(ds["instrument"].values)
                       if instrument_kind(inst) == k and fiscal[i] == fis]
                if not sel:
                    continue
                s = mean_ci_xr(spent.isel(instrument=sel).sum("instrument"), "replicate", level)
                label = k if fis else f"{k} (not fiscal)"
                (ln,) = ax.plot(t, s["mean"] / 1e6, color=kc[k], linestyle="-" if fis else "--",
                                label=label)
                ax.fill_between(t, np.maximum(s["lo"], 0) / 1e6, s["hi"] / 1e6, color=kc[k],
                                alpha=0.15, linewidth=0)
                handles.setdefault(label, ln)
        ax.set_title(name, fontsize="small")
        ax.set_ylabel("million yuan, cumulative", fontsize="small")
        ax.tick_params(labelsize="x-small")
        _date_axis(ax, years=True)
    for ax in axes[len(with_prog):]:
        ax.set_visible(False)
    if legend:
        _legend_below(fig, axes[0], list(handles.values()), list(handles), ncol=4)
    fig.tight_layout()
    fig.zz_legend = handles      # for the report's HTML legend
    return fig


def plot_sensitivity(sens: pd.DataFrame, fig=None, title: str | None = None):
    """Sobol S1 and ST (or Morris mu*) per factor with their intervals."""
    fig = _fig(fig, 8, 0.9 + 0.45 * len(sens))
    ax = fig.subplots()
    y = np.arange(len(sens))
    if "S1" in sens:
        for col, off, c in (("S1", -0.18, "#1f78b4"), ("ST", 0.18, "#e6ab02")):
            v = sens[col].to_numpy(float)
            err = np.vstack([v - sens[col + "_lo"].to_numpy(float),
                             sens[col + "_hi"].to_numpy(float) - v])
            ax.barh(y + off, v, height=0.34, xerr=np.clip(np.nan_to_num(err), 0, None),
                    color=c, label={"S1": "first order S1 (alone)",
                                    "ST": "total ST (with interactions)"}[col], capsize=2)
        ax.set_xlim(min(-0.05, float(np.nanmin(sens["S1_lo"])) - 0.02), 1.05)
        ax.set_xlabel("share of the output's variance across the unknowns")
    else:
        v = sens["mu_star"].to_numpy(float)
        err = np.vstack([v - sens["mu_star_lo"].to_numpy(float),
                         sens["mu_star_hi"].to_numpy(float) - v])
        ax.barh(y, v, xerr=np.clip(np.nan_to_num(err), 0, None), color="#1f78b4",
                label="mu* (mean |elementary effect|)", capsize=2)
        ax.set_xlabel(f"mu*: change in the output over a factor's whole range "
                      f"({sens.attrs.get('unit', '')})")
    ax.set_yticks(y)
    ax.set_yticklabels(list(sens.index), fontsize="small")
    ax.invert_yaxis()
    ax.axvline(0, color="0.3", linewidth=0.8)
    ns = sens.attrs.get("noise_share")
    ax.set_title((title or sens.attrs.get("output", "")) +
                 (f"\nreplication noise: {ns:.0%} of the variance" if ns is not None
                  and np.isfinite(ns) else ""), fontsize="small")
    _legend_below(fig, ax, ncol=2)
    fig.tight_layout()
    return fig


def plot_robustness(rr: pd.DataFrame, colours: dict, fig=None):
    """Probability each mix is best across the unknowns, and its regret."""
    fig = _fig(fig, 9, 3.6)
    a1, a2 = fig.subplots(1, 2)
    names = list(rr.index)
    y = np.arange(len(names))
    cols = [colours.get(n, "0.5") for n in names]
    a1.barh(y, rr["p_best"], color=cols)
    a1.set_xlim(0, 1)
    a1.xaxis.set_major_formatter(PercentFormatter(1.0))
    a1.set_yticks(y)
    a1.set_yticklabels(names, fontsize="small")
    a1.invert_yaxis()
    a1.set_xlabel("probability of being the best mix")
    r90 = rr["regret_p90"].replace(np.inf, np.nan).to_numpy(float)
    rmax = rr["regret_max"].replace(np.inf, np.nan).to_numpy(float)
    a2.barh(y, np.nan_to_num(r90), color=cols, alpha=0.8, label="90th percentile")
    a2.scatter(np.nan_to_num(rmax), y, color="0.2", marker="|", s=120, label="maximum",
               zorder=3)
    a2.set_yticks(y)
    a2.set_yticklabels([])
    a2.invert_yaxis()
    a2.set_xlabel(f"regret ({rr.attrs.get('unit') or rr.attrs.get('measure', '')})",
                  fontsize="small")
    _legend_below(fig, a2, ncol=2)
    fig.tight_layout()
    return fig

"""Self-contained HTML report of a result file, around a planner's questions.

Usage (also what ``zhizao report`` runs)::

    python3 -m zhizao.report out.h5 -o report_dir/ [--base NAME] [--focus TARGET]
                             [--target 0.5] [--level 0.95]

Sections, each figure with a one-line caption in plain words:

1. *Will the targets be met by their deadlines?* -- probability of each
   target by its deadline per mix, with exact intervals.
2. *What does each mix add, against the base?* -- additional adopters per
   target group against ``--base`` (default: each scenario's no-policy
   twin), harm drawn below zero and said in words; fiscal and non-fiscal
   money; cost per additional adopter (fiscal money).
3. *Cost against time* -- a point per mix: years to the focus target
   against fiscal yuan per additional adopter, with intervals.
4. *Which mix is best, and how sure?* (two or more scenarios) -- the
   ranking and the probability each mix is best across paired
   replications.
5. *How does adoption unfold?* -- pathways with bands, the twin drawn once.
6. *Where does the money go?* -- spending by kind of instrument.
7. For an experiment Dataset (``design`` (point, factor)): sensitivity bars
   with intervals, the ranking's robustness and where it flips.
8. Each scenario's source and resolved parameters.

A single run with its twin gets the same page for one scenario: its
additionality against the twin, no ranking of one. Legends are HTML lists
under their figure (they wrap, never cover a line); tables are narrow;
nothing is wider than the page (checked in headless Chromium by
tests/python/test_report.py). The page embeds every figure as a
``data:`` URI and uses no external resource. How to read it:
docs/reading-results.md.

Exit status: 0 success, 1 failure, 2 usage error, 4 not a zhizao result
file (foreign), 5 file not readable, damaged, truncated or not writable
(the simulator's own codes). An incomplete run's file is reported with a
line on stderr saying which replications it holds.
"""

from __future__ import annotations

import argparse
import html
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.colors import to_hex

from . import __version__
from .dataset import TWIN, as_experiment
from .scale import full_region
from .figures import (fonts, palette, plot_additional, plot_cost_time, plot_deadlines,
                      plot_pathway_panels, plot_spending_kinds, TWIN_COLOUR)
from .answer import headline
from .expreport import _experiment, _headline_unknowns, _pooled
from .htmlpage import _Page, _date, _html_table, _money, _myuan, _num, _pct  # noqa: F401
from .incremental import HARM, incremental
from .io import groups, open_all
from .measures import measure
from .calibreport import calibration_report, is_calibration_file
from .optreport import is_optimisation_file, optimisation_report
from .outdir import FolderRefused, prepare as prepare_folder, write_text
from .robust import p_target, robust_ranking
from .survival import horizon_days
from .tables import compare
from .validate import ResultFileError, check as check_file, describe_partial

__all__ = ["build_report", "main"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_IO = 0, 1, 2, 5

_CSS = """
body { font-family: "DejaVu Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", sans-serif;
       max-width: 62em; margin: 1.5em auto; padding: 0 1em; color: #222; line-height: 1.4; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0 1.2em; font-size: 85%; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.15em 0.45em; text-align: right;
         overflow-wrap: anywhere; }
td.l, th.l { text-align: left; }
th { background: #f3f3f3; }
figure { margin: 0.5em 0 1.5em; max-width: 100%; }
figure img { max-width: 100%; height: auto; display: block; border: 1px solid #eee;
             box-sizing: border-box; }
figcaption { font-size: 90%; color: #333; margin-top: 0.3em; }
ul.legend { list-style: none; padding: 0; margin: 0.3em 0; display: flex; flex-wrap: wrap;
            gap: 0.2em 1.2em; font-size: 85%; max-width: 100%; }
ul.legend li { white-space: nowrap; }
ul.legend .sw { display: inline-block; width: 1.6em; height: 0.35em; vertical-align: middle;
                margin-right: 0.35em; }
ul.legend .dash { background: repeating-linear-gradient(90deg, currentColor 0 5px,
                  transparent 5px 8px) !important; }
pre { background: #f7f7f7; padding: 0.8em; white-space: pre-wrap; overflow-wrap: anywhere;
      font-size: 80%; max-width: 100%; box-sizing: border-box; }
.harm { color: #b2182b; font-weight: bold; }
.note { color: #555; font-size: 90%; }
.warning { background: #fff3cd; padding: 0.5em; border: 1px solid #e0c36a; }
ul.headline { padding-left: 1.2em; }
#unknowns-table td.l { overflow-wrap: normal; white-space: nowrap; }
ul.headline li { margin: 0.3em 0; }
.verdict { font-weight: bold; }
"""


def _headline_sentence(s: str, g: str, r) -> str:
    """One line: effect, P with and without, cost, verdict (plain words)."""
    verdict = html.escape(r["verdict"])
    cls = {"missed": "harm"}.get(r["verdict"], "")
    parts = []
    if np.isfinite(r["points_gained"]):
        parts.append(f"{r['points_gained']:+.2g} points, {r['additional']:+,.0f} additional "
                     "adopters")
    if np.isfinite(r["years_gained"]) and r["years_gained"] != 0:
        parts.append(f"{r['years_gained']:.2g} years sooner"
                     + (" (at least)" if r["gained_at_least"] else ""))
    p = f"P(by {html.escape(r['by_date'])}) with the policy {_pct(r['p'])} " \
        f"[{_pct(r['p_lo'])}, {_pct(r['p_hi'])}]"
    if np.isfinite(r["twin_p"]):
        p += f", without {_pct(r['twin_p'])} [{_pct(r['twin_lo'])}, {_pct(r['twin_hi'])}]"
    parts.append(p)
    if np.isfinite(r["cost_per_additional"]):
        parts.append(f"{_money(r['cost_per_additional'])} fiscal per additional adopter")
    elif r["cost_note"]:
        parts.append("cost: " + html.escape(r["cost_note"].split(":")[0]))
    return (f'<li><b>{html.escape(g)}</b> ({r["level"]:.0%}), {html.escape(s)}: '
            f'<span class="verdict {cls}">{verdict}</span>. ' + "; ".join(parts) + ".</li>")


def _headline(page: _Page, source, focus, level):
    """The answer first: one line per target (zhizao.headline)."""
    try:
        hl = headline(source, level=level)
    except (ValueError, KeyError) as e:
        page.add(f'<p class="note">No headline: {html.escape(str(e))}</p>')
        return None
    page.add('<h2 id="headline">The answer</h2>')
    page.add("<p>Per target: what the policy changes against its no-policy twin on the same "
             "random numbers (additional adopters, percentage points of the group, years "
             "gained), the probability of meeting the deadline with and without it, the "
             "cost per additional adopter (fiscal money over additional adopters, only where "
             "the money can be attributed to the group) and a verdict in words: <i>the "
             "policy makes the difference</i>, <i>the baseline nearly gets there too</i> "
             "(the twin ends within a tenth of the target), <i>the baseline gets there "
             "too</i>, or <i>missed</i>. The same numbers as <code>zhizao run</code>'s "
             "summary and <code>zhizao.headline</code>.</p>")
    main = [g for g in dict.fromkeys([focus, "all_firms"]) if g]
    items = [_headline_sentence(s, g, r) for (s, g), r in hl.iterrows() if g in main]
    page.add('<ul class="headline">' + "".join(items) + "</ul>")
    rows = []
    for (s, g), r in hl.iterrows():
        rows.append([html.escape(g), html.escape(s), html.escape(r["verdict"]),
                     f"{_pct(r['p'])} [{_pct(r['p_lo'])}, {_pct(r['p_hi'])}]",
                     f"{_pct(r['twin_p'])}" if np.isfinite(r["twin_p"]) else "–",
                     (html.escape(r["date"]) + (" (restricted mean)" if r["restricted"] else ""))
                     if r["reached"] else "not reached",
                     _num(r["years_gained"]), _num(r["points_gained"]), _num(r["additional"]),
                     _money(r["cost_per_additional"]) if np.isfinite(r["cost_per_additional"])
                     else html.escape(r["cost_note"].split(":")[0] or "–")])
    header = ["target", "scenario", "verdict", "P with", "P without", "reached (mean date)",
              "years gained", "points gained", "additional adopters",
              "fiscal cost per additional adopter"]
    page.add("<details><summary>Every target group</summary>" +
             _html_table(header, rows, css_id="headline-table", left=3) + "</details>")
    return hl


def _deadlines(page: _Page, exp, colours, level):
    start = str(exp.attrs.get("start_date") or pd.Timestamp(exp["time"].values[0]).date())
    scen = [str(x) for x in exp["scenario"].values]
    rows, table = [], []
    for g in [str(t) for t in exp["target"].values]:
        try:
            r = p_target(exp, g, level=level)     # each scenario by its own deadline
        except ValueError:             # every scenario's deadline is after the horizon
            dl = float(exp["target_by"].sel(target=g).max())
            table.append([html.escape(f"{g} by {_date(start, dl)}")] +
                         ["after the horizon: not identified"] * len(scen))
            continue
        own = "target_by" in exp.variables and \
            bool(exp["target_by"].sel(target=g).notnull().any())
        days = r["by_days"]
        common = r.attrs["by_days"]
        label = (f"{g} by {_date(start, common)}" + ("" if own else " (horizon)")
                 if np.isfinite(common) else f"{g} by its deadline in each scenario")
        cells = [html.escape(label)]
        for s in scen:
            q = r.sel(scenario=s)
            d = float(days.sel(scenario=s))
            when = "" if np.isfinite(common) else f"by {_date(start, d)}: "
            if not np.isfinite(d):
                dl = float(exp["target_by"].sel(target=g, scenario=s))
                cells.append(f"by {_date(start, dl)}: after the horizon: not identified")
                continue
            if int(q["n"]) == 0:
                cells.append("–")
                continue
            rows.append({"target": g, "label": label, "scenario": s, "p": float(q["p"]),
                         "lo": float(q["lo"]), "hi": float(q["hi"])})
            cells.append(html.escape(when) + f"{int(q['k'])} of {int(q['n'])}: "
                         f"{float(q['p']):.0%} [{float(q['lo']):.0%}, {float(q['hi']):.0%}]")
        table.append(cells)
    page.add('<h2 id="deadlines">Will the targets be met by their deadlines?</h2>')
    page.add("<p>For each target, the share of replications that reached it by its "
             "deadline (<code>target { by = ... }</code>; a pioneer's "
             "<code>within_days</code>; the horizon where none is set), with the exact "
             f"{level:.0%} interval. \"k of n\" says it plainly. Nothing is said about "
             "dates after the end of the run.</p>")
    if rows:
        df = pd.DataFrame(rows)
        with fonts():
            fig = plot_deadlines(df, colours, legend=False)
        page.figure(fig, "deadlines", "Probability of reaching each target by its deadline, "
                    "per mix (dot: share of replications; bar: exact interval).",
                    [(s, colours[s], False) for s in colours if s in set(df["scenario"])])
    page.add(_html_table(["target, deadline"] + [str(s) for s in exp["scenario"].values],
                         table, css_id="deadline-table"))


def _additionality(page: _Page, exp, colours, base, level, focus):
    try:
        inc = incremental(exp, base=base, level=level)
    except ValueError as e:
        page.add('<h2 id="additionality">What does each mix add?</h2>'
                 f'<p class="note">{html.escape(str(e))}</p>')
        return None
    base_label = "its no-policy twin" if base == TWIN else f"the base {base}"
    page.add(f'<h2 id="additionality">What does each mix add, against {html.escape(base_label)}?'
             "</h2>")
    page.add(f"<p>Adopters at the end minus {html.escape(base_label)}, on the same random "
             "numbers (paired replications, t-interval). <span class=\"harm\">Harm is shown as "
             "harm</span>: a negative number, a bar below zero, the words \"fewer adopters than "
             "the base\". Cost per additional adopter counts <b>fiscal money</b> only (money "
             "marked <code>fiscal = false</code>, e.g. an industry fund, is listed apart) and "
             "is given only where the gain is clear.</p>")
    shown = [g for g in (focus, "all_firms") if g in set(inc.index.get_level_values("group"))]
    shown = list(dict.fromkeys(shown))
    with fonts():
        fig = plot_additional(inc, shown, colours, base_label, legend=False)
    page.figure(fig, "additional", f"Additional adopters against {base_label}: "
                + ", ".join(shown) + "; hatched bars below zero are harm.")
    rows = []
    for (s, g), r in inc.iterrows():
        if g not in shown:
            continue
        verdict = html.escape(r["verdict"])
        if r["verdict"] == HARM:
            verdict = f'<span class="harm">{verdict}</span>'
        rows.append([html.escape(s), html.escape(g),
                     f"{_num(r['additional'])} [{_num(r['additional_lo'])}, "
                     f"{_num(r['additional_hi'])}]", verdict, _myuan(r["fiscal"]),
                     _myuan(r["nonfiscal"]), _myuan(r["cost_per_additional"]),
                     "–" if not np.isfinite(r["deadweight_share"])
                     else f"{r['deadweight_share']:.0%}"])
    page.add(_html_table(["scenario", "group", "additional adopters [interval]", "verdict",
                          "fiscal m yuan", "not fiscal m yuan", "m fiscal yuan per additional",
                          "deadweight"], rows, css_id="additionality-table", left=2))
    others = [[html.escape(s), html.escape(g), f"{_num(r['additional'])}",
               html.escape(r["verdict"]), _myuan(r["cost_per_additional"])]
              for (s, g), r in inc.iterrows() if g not in shown]
    if others:
        page.add("<details><summary>Every other target group</summary>"
                 + _html_table(["scenario", "group", "additional", "verdict",
                                "m fiscal yuan per additional"], others, left=2) + "</details>")
    return inc


def _cost_time(page: _Page, exp, inc, colours, focus, level):
    if inc is None:
        return
    m = measure(exp, "time_to_target", focus)
    years = m.num.mean("replicate")
    sd = m.num.std("replicate", ddof=1)
    n = m.num.sizes["replicate"]
    from .stats import t_quantile
    half = t_quantile(level, n) * sd / np.sqrt(n) if n > 1 else xr.full_like(sd, np.nan)
    hz = horizon_days(exp) / 365.25
    rows = {}
    for s in [str(x) for x in exp["scenario"].values]:
        if (s, focus) not in inc.index:
            continue
        r = inc.loc[(s, focus)]
        y, h = float(years.sel(scenario=s)), float(half.sel(scenario=s))
        cost = r["cost_per_additional"]
        rel = (r["additional_hi"] - r["additional"]) / r["additional"] if np.isfinite(cost) \
            else np.nan
        rows[s] = {"years": y, "years_lo": max(0.0, y - h) if np.isfinite(h) else y,
                   "years_hi": min(hz, y + h) if np.isfinite(h) else y, "cost": cost,
                   "cost_lo": cost / (1 + rel) if np.isfinite(rel) else np.nan,
                   "cost_hi": cost / max(1 - rel, 1e-9) if np.isfinite(rel) and rel < 1
                   else np.nan,
                   "why": "harm" if r["verdict"] == HARM else
                   ("more adopters for less money than the base" if r["note"].startswith("more")
                    else r["note"].split(":")[0] if r["note"] else "no clear gain")}
    if not rows:
        return
    pts = pd.DataFrame.from_dict(rows, orient="index")
    page.add('<h2 id="cost-time">Cost against time</h2>')
    page.add(f"<p>A point per mix: years to {html.escape(focus)} (restricted mean, a "
             "replication that never reaches it counted at the horizon; t-interval, within "
             "[0, horizon]) against fiscal yuan per additional adopter of that group "
             "(interval from the additional adopters' interval). Lower left is better. A "
             "cross on the axis: a mix with no clear gain, so no cost per adopter.</p>")
    legend = [(s if np.isfinite(r["cost"]) else f"{s} ({r['why']})", colours[s], False)
              for s, r in pts.iterrows()]
    with fonts():
        fig = plot_cost_time(pts, colours, legend=False)
    page.figure(fig, "cost-time", f"Cost against time to {focus}: one point per mix.", legend)


def _ranking(page: _Page, data, exp, colours, focus, level):
    if len(data) < 2:
        return
    page.add('<h2 id="ranking">Which mix is best, and how sure?</h2>')
    rr = robust_ranking(exp, "time_to_target", target=focus)
    page.add(f"<p>Across the paired replications: the share in which each mix reaches "
             f"{html.escape(focus)} first (restricted mean years), and its regret (years "
             "behind the best mix in that replication; 90th percentile and maximum). Only "
             "chance varies here; an experiment file adds the uncertain parameters.</p>")
    rows = [[html.escape(s), f"{r['p_best']:.0%}", _num(r["regret_p90"]), _num(r["regret_max"]),
             _num(r["mean"])] for s, r in rr.iterrows()]
    page.add(_html_table(["scenario", "P(best)", "regret p90 (years)", "regret max (years)",
                          "mean years"], rows, css_id="robust-table"))
    table = compare(data, level).reset_index()
    table = table[table["measure"].astype(str).isin([f"years to {focus}",
                                                      "yuan per additional adopter"])]
    rows = [[html.escape(str(r["measure"])), str(r["tie_rank"]), html.escape(r["scenario"]),
             f"{_num(r['mean'])} [{_num(r['lo'])}, {_num(r['hi'])}]",
             "–" if not np.isfinite(r["reached"]) else f"{r['reached']:.0%}"]
            for _, r in table.iterrows()]
    page.add("<p>The ranking <code>zhizao compare</code> prints (mean years over the "
             "replications that reached the target; the cost per additional adopter of all "
             "firms is mean fiscal money over mean additional adopters, the figure every "
             "summary quotes).</p>")
    page.add(_html_table(["measure", "rank", "scenario", "mean [interval]", "reached"], rows,
                         css_id="ranking-table", left=1))


def _pathways(page: _Page, exp, colours, focus, level, target_line):
    tg = [str(t) for t in exp["target"].values]
    main = [g for g in (focus, "all_firms") if g in tg]
    main = list(dict.fromkeys(main))
    rest = [g for g in tg if g not in main]
    legend = [(s, colours[s], False) for s in colours]
    if "twin_target_share" in exp.variables:
        legend.append(("no-policy twin (drawn once when the mixes share it)", TWIN_COLOUR, True))
    page.add('<h2 id="pathways">How does adoption unfold?</h2>')
    page.add(f"<p>Adoption share of each group over time: mean and {level:.0%} band across "
             "replications; the no-policy twin is drawn once (grey, dashed) where the mixes "
             "share it.</p>")
    with fonts():
        fig = plot_pathway_panels(exp, main, colours, target_line, level, ncols=2, legend=False)
    page.figure(fig, "pathways", "Adoption share of " + " and ".join(main) +
                " (规上 = above designated size), with the target line.", legend)
    if rest:
        with fonts():
            fig = plot_pathway_panels(exp, rest, colours, target_line, level, ncols=3,
                                      legend=False)
        page.figure(fig, "pathways-groups", "The other target groups (the 13 pioneer "
                    "city-industry pairs and the scenario's own), one small panel each.",
                    legend)


def _spending(page: _Page, data, level):
    page.add('<h2 id="spending">Where does the money go?</h2>')
    none = [n for n, ds in data.items() if not ds.sizes.get("instrument", 0)]
    with fonts():
        fig = plot_spending_kinds(data, level, legend=False)
    if fig is not None:
        leg = [(label, to_hex(ln.get_color()), ln.get_linestyle() != "-")
               for label, ln in fig.zz_legend.items()]
        page.figure(fig, "spending", "Money disbursed, cumulative, by kind of instrument "
                    "(each kind sums its programmes; dashed: not fiscal money).", leg)
    if none:
        page.add(f"<p class=\"note\">No programmes, so no spending: "
                 f"{html.escape(', '.join(none))}.</p>")


_BUNDLE = b"--[[zhizao:file "


def source_files(text: str) -> list:
    """[(path, text)] of a scenario's stored source: the engine's bundle of
    the scenario and its includes (``--[[zhizao:file LEN PATHLEN:PATH]]``
    headers, lengths in bytes), or one plain text as [("", text)]."""
    raw = str(text).encode("utf-8")
    if not raw.startswith(_BUNDLE):
        return [("", str(text))]
    out, p = [], 0
    while raw.startswith(_BUNDLE, p):
        p += len(_BUNDLE)
        sp = raw.index(b" ", p)
        n = int(raw[p:sp])
        colon = raw.index(b":", sp)
        plen = int(raw[sp + 1:colon])
        path = raw[colon + 1:colon + 1 + plen].decode("utf-8", "replace")
        p = colon + 1 + plen + len(b"]]\n")
        out.append((path, raw[p:p + n].decode("utf-8", "replace")))
        p += n
        while raw[p:p + 1] == b"\n":
            p += 1
    return out


def _scenario_details(page: _Page, data):
    page.add('<h2 id="scenarios">The scenarios</h2>')
    for name, ds in data.items():
        a = ds.attrs
        page.add(f"<h3>{html.escape(name)}</h3>")
        if str(a.get("complete", "1")) == "0":
            page.add('<p class="warning">Incomplete run: only '
                     f'{html.escape(str(a.get("replications_done", "?")))} of '
                     f'{html.escape(str(a.get("replications", "?")))} replications done.</p>')
        meta = [[html.escape(k), html.escape(str(a.get(k, "")))] for k in
                ("scenario_path", "seed", "replications", "start_date", "program_version",
                 "overrides")]
        page.add(_html_table(["", "value"], meta, left=2))
        src = "".join((f"<p><code>{html.escape(path)}</code></p>" if path else "")
                      + f'<pre class="source">{html.escape(body)}</pre>'
                      for path, body in source_files(a.get("scenario_source", "")))
        page.add("<details><summary>Scenario source</summary>" + src +
                 "</details><details><summary>Resolved parameters</summary>"
                 f'<pre class="parameters">{html.escape(str(a.get("parameters", "")))}</pre>'
                 "</details>")


def _is_experiment_file(path) -> bool:
    """An experiment file (`zhizao explore`) holds ``design`` at its root."""
    import h5py
    try:
        with h5py.File(path, "r") as f:
            return "design" in f and not groups(path)
    except OSError:
        return False


def build_report(source, outdir, target: float = 0.5, level: float = 0.95,
                 base: str = TWIN, focus: str | None = None) -> Path:
    """Write the figures and index.html for `source` into `outdir`.

    `source`: a run or comparison file, an experiment file or Dataset (with
    ``design`` (point, factor)). `base`: "twin" or a scenario name. `focus`: the target
    group the cost, time and ranking figures are about (default
    ``province_gsz``, else the first target). Returns index.html's path.
    """
    outdir = Path(outdir)
    if not isinstance(source, xr.Dataset) and is_optimisation_file(source):
        return _write_page(outdir, lambda page: optimisation_report(page, source, _html_table, level))
    if not isinstance(source, xr.Dataset) and is_calibration_file(source):
        return _write_page(outdir, lambda page: calibration_report(page, source, _html_table, level))
    if not isinstance(source, xr.Dataset) and _is_experiment_file(source):
        # counts and money per the full region at --scale (zhizao.scale)
        source = full_region(xr.open_dataset(source, decode_timedelta=False).load())
    if isinstance(source, xr.Dataset) and "point" in source.dims:
        source = as_experiment(source)
    if isinstance(source, xr.Dataset):
        path, data, exp = None, {}, source
    else:
        path = Path(source)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # incompleteness is shown in the page instead
            data = open_all(path)
        exp = as_experiment(data)
    names = [str(s) for s in exp["scenario"].values]
    if base != TWIN and base not in names:
        raise ValueError(f"--base {base!r}: not a scenario of the file; scenarios: {names}")
    targets = [str(t) for t in exp["target"].values] if "target" in exp.dims else []
    focus = focus or ("province_gsz" if "province_gsz" in targets else
                      targets[0] if targets else None)
    if targets and focus not in targets or focus and not targets:
        raise ValueError(f"--focus {focus!r}: no such target; targets: {targets}")
    colours = palette(names)
    page = _new_page(outdir)
    what = (f"experiment of {exp.sizes.get('point', 1)} points" if "design" in exp.variables
            else f"comparison of {len(names)} scenarios" if len(names) > 1 else "single run")
    title = f"zhizao report: {', '.join(names)}"
    page.add(f"<h1>{html.escape(title)}</h1>")
    page.add(f"<p>{html.escape(what)}"
             + (f" from <code>{html.escape(str(path))}</code>" if path else "")
             + f"; {exp.sizes.get('replicate', 0)} paired replications; intervals at "
             f"{level:.0%}; costs count fiscal money; base: "
             f"{'each scenario’s no-policy twin' if base == TWIN else html.escape(base)}. "
             f"Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by zhizao analysis "
             f"{html.escape(__version__)}. How to read every number: docs/reading-results.md."
             "</p>")
    if "design" in exp.variables and "point" in exp.dims:
        _headline_unknowns(page, exp, focus, level)
        pooled = _pooled(exp)
        page.add('<p class="note">The sections up to the pathways pool the experiment\'s '
                 "points and replications (every point equally likely): probabilities and "
                 "intervals are across the unknowns and chance together.</p>")
        _deadlines(page, pooled, colours, level)
        inc = _additionality(page, pooled, colours, TWIN, level, focus)
        _cost_time(page, pooled, inc, colours, focus, level)
        if "target_share" in pooled.variables:
            _pathways(page, pooled, colours, focus, level, target)
        _experiment(page, exp, colours, focus, level)
    elif not targets:
        page.add('<p class="note">This file reports no target groups: nothing to say about '
                 "deadlines, additional adopters by group or pathways.</p>")
        _spending(page, data, level)
    else:
        _headline(page, data, focus, level)
        _deadlines(page, exp, colours, level)
        inc = _additionality(page, exp, colours, base, level, focus)
        _cost_time(page, exp, inc, colours, focus, level)
        _ranking(page, data, exp, colours, focus, level)
        _pathways(page, exp, colours, focus, level, target)
        _spending(page, data, level)
    if data:
        _scenario_details(page, data)
    index = _finish(outdir, page, title)
    for ds in data.values():
        ds.close()
    return index


def _new_page(outdir: Path) -> _Page:
    return _Page(prepare_folder(outdir))  # never a user's files (outdir.py)


def _write_page(outdir: Path, fill) -> Path:
    """index.html of the sections fill(page) adds; fill returns the title."""
    page = _new_page(outdir)
    return _finish(outdir, page, fill(page))


def _finish(outdir: Path, page: _Page, title: str) -> Path:
    page_html = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width\">\n"
                 f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
                 "<body>\n" + "\n".join(page.parts) + "\n</body>\n</html>\n")
    return write_text(outdir / "index.html", page_html)


def main(argv=None) -> int:
    """Command line: see the module documentation."""
    p = argparse.ArgumentParser(prog="python3 -m zhizao.report",
                                description="HTML report of a zhizao result file.")
    p.add_argument("file", help="result file (zhizao run or zhizao compare output)")
    p.add_argument("-o", "--output", default="report", help="output directory (default: report)")
    p.add_argument("--base", default=TWIN,
                   help="what additional adopters and money are counted against: 'twin' "
                        "(each scenario's no-policy twin, default) or a scenario's name")
    p.add_argument("--focus", default=None,
                   help="target group of the cost, time and ranking figures "
                        "(default province_gsz)")
    p.add_argument("--target", type=float, default=0.5,
                   help="target share drawn on the pathway figures (default 0.5)")
    p.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    args = p.parse_args(argv)
    if not 0 < args.level < 1:
        p.error("--level must be in (0, 1)")
    try:
        info = check_file(args.file)  # every kind of file, before h5py opens it here
        if info.get("kind") in ("optimisation", "calibration"):
            print(build_report(args.file, args.output, level=args.level))
            return EXIT_OK
        note = describe_partial(args.file, info)
        if note:
            print(f"zhizao report: {note}", file=sys.stderr)
        index = build_report(args.file, args.output, target=args.target, level=args.level,
                             base=args.base, focus=args.focus)
    except (ResultFileError, FolderRefused) as e:
        print(f"zhizao report: error: {e}", file=sys.stderr)
        return e.exit_code
    except OSError as e:
        print(f"zhizao report: error: {e}", file=sys.stderr)
        return EXIT_IO
    except Exception as e:  # report any analysis failure as a one-line message
        print(f"zhizao report: error: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_ERROR
    print(index)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

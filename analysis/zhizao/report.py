"""Self-contained HTML report of a result file.

Usage (also what ``zhizao report`` runs)::

    python3 -m zhizao.report out.h5 -o report_dir/ [--target 0.5] [--level 0.95]

Writes into report_dir: one PNG per figure (adoption pathways of all firms
and of each other target group against the target share, money spent by
instrument per scenario, and the scenario comparison for a comparison
file) and index.html, which embeds every figure as a base64 ``data:`` URI
and uses no external resource, so the page can be mailed or archived
alone. It holds the ranking table, what each scenario bought (additional
adopters, deadweight, money per additional adopter), the per-scenario
tables, and each scenario's source text and resolved parameters
(HTML-escaped).

Exit status: 0 success, 1 failure, 2 usage error, 4 not a zhizao result
file (foreign), 5 file not readable, damaged, truncated or not writable
(the simulator's own codes). An incomplete run's file is reported with a
line on stderr saying which replications it holds.
"""

from __future__ import annotations

import argparse
import base64
import html
import re
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import __version__
from .io import groups, has_accounting, has_twin, open_all
from .validate import ResultFileError, check as check_file, describe_partial
from .plots import plot_comparison, plot_pathways, plot_spending
from .tables import (ALL_FIRMS, accounting, additionality, compare, cost_effectiveness,
                     time_to_target)

__all__ = ["build_report", "main"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_IO = 0, 1, 2, 5

_CSS = """
body { font-family: sans-serif; max-width: 70em; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 90%; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
th { background: #f3f3f3; }
img { max-width: 100%; border: 1px solid #eee; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 85%; }
.warning { background: #fff3cd; padding: 0.5em; border: 1px solid #e0c36a; }
.wide { overflow-x: auto; }
"""


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "x"


def _fmt(v) -> str:
    """Numbers for tables: whole yuan with separators when large, else ~3-4 digits."""
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    if isinstance(v, (int, np.integer)):
        return f"{v:,d}"
    v = float(v)
    if abs(v) >= 1e4:
        return f"{v:,.0f}"
    return f"{v:.1f}" if abs(v) >= 100 else f"{v:.3g}"


def _table(df: pd.DataFrame, css_id: str | None = None) -> str:
    out = df.to_html(float_format=_fmt, na_rep="–", escape=True, border=0)
    if css_id:
        out = out.replace("<table", f'<table id="{css_id}"', 1)
    return f'<div class="wide">{out}</div>'


def _save(fig: Figure, path: Path) -> None:
    fig.savefig(path, dpi=100, bbox_inches="tight")


def _figures(data: dict, comparison: bool, outdir: Path, target: float, level: float):
    """Draws and saves every figure; returns [(caption, png path)]."""
    figs = []

    def new_axes():
        fig = Figure(figsize=(8, 4.5))
        return fig, fig.subplots()

    fig, ax = new_axes()
    plot_pathways(data, target=target, level=level, ax=ax,
                  title=f"All firms: adoption pathway to {target:.0%}")
    path = outdir / "pathways_00_all_firms.png"
    _save(fig, path)
    figs.append((f"Adoption share of all firms (adopted + scaled), {level:.0%} band; "
                 "dashed: no-policy twin", path))
    # every target group but all_firms, which the first figure already shows
    targets = list(dict.fromkeys(str(t) for ds in data.values()
                                 if "target" in ds.coords for t in ds["target"].values
                                 if str(t) != ALL_FIRMS))
    for i, g in enumerate(targets, start=1):
        subset = {n: ds for n, ds in data.items()
                  if "target_share" in ds and g in set(map(str, ds["target"].values))}
        fig, ax = new_axes()
        plot_pathways(subset, target=target, group=g, level=level, ax=ax,
                      title=f"{g}: adoption pathway to {target:.0%}")
        path = outdir / f"pathways_{i:02d}_{_slug(g)}.png"
        _save(fig, path)
        figs.append((f"Target group {g}: adoption share, {level:.0%} band", path))
    for i, (name, ds) in enumerate(data.items()):
        fig, ax = new_axes()
        plot_spending(ds, level=level, ax=ax, title=f"{name}: money disbursed by instrument")
        path = outdir / f"spending_{i:02d}_{_slug(name)}.png"
        _save(fig, path)
        figs.append((f"{name}: cumulative money disbursed by instrument", path))
    if comparison:
        fig = Figure(figsize=(11, 4.5))
        plot_comparison(data, level=level, fig=fig)
        path = outdir / "comparison.png"
        _save(fig, path)
        figs.append(("Scenarios compared: years to each target and cost per additional "
                     "adopter", path))
    return figs


def _img(caption: str, png: Path) -> str:
    b64 = base64.b64encode(png.read_bytes()).decode("ascii")
    cap = html.escape(caption)
    return (f'<figure><img src="data:image/png;base64,{b64}" alt="{cap}">'
            f"<figcaption>{cap}</figcaption></figure>")


def _scenario_section(name: str, ds, level: float) -> str:
    a = ds.attrs
    meta = pd.DataFrame({"value": [str(a.get(k, "")) for k in
                                   ("scenario_path", "seed", "replications", "replications_done",
                                    "complete", "start_date", "program_version", "overrides")]},
                        index=["scenario_path", "seed", "replications", "replications_done",
                               "complete", "start_date", "program_version", "overrides"])
    parts = [f"<h2>Scenario {html.escape(name)}</h2>"]
    if str(a.get("complete", "1")) == "0":
        parts.append('<p class="warning">Incomplete run: only '
                     f'{html.escape(str(a.get("replications_done", "?")))} of '
                     f'{html.escape(str(a.get("replications", "?")))} replications done.</p>')
    parts += ["<h3>Run</h3>", _table(meta),
              "<h3>Time to target</h3>", _table(time_to_target(ds, level))]
    if has_twin(ds) or has_accounting(ds):
        parts += ["<h3>Additional adopters (policy minus no-policy twin, at the end), "
                  "supported adopters and deadweight</h3>",
                  _table(additionality(ds, level)),
                  "<h3>Cost per additional adopter (yuan)</h3>",
                  _table(cost_effectiveness(ds, level))]
    else:
        parts.append("<p>No no-policy twin in this file: additionality and cost per "
                     "additional adopter are not available.</p>")
    parts += ["<h3>Scenario source</h3>",
              f'<pre class="source">{html.escape(str(a.get("scenario_source", "")))}</pre>',
              "<details><summary>Resolved parameters</summary>"
              f'<pre class="parameters">{html.escape(str(a.get("parameters", "")))}</pre>'
              "</details>"]
    return "\n".join(parts)


def build_report(path, outdir, target: float = 0.5, level: float = 0.95) -> Path:
    """Write the figures and index.html for result file `path` into `outdir`.

    Works for a single-run file and for a comparison file (adds the
    comparison figure). Returns the path of index.html.
    """
    path, outdir = Path(path), Path(outdir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # incompleteness is shown in the page instead
        comparison = bool(groups(path))
        data = open_all(path)
    outdir.mkdir(parents=True, exist_ok=True)
    figs = _figures(data, comparison, outdir, target, level)
    title = f"zhizao report: {', '.join(data)}"
    body = [f"<h1>{html.escape(title)}</h1>",
            f"<p>Result file <code>{html.escape(str(path))}</code>; "
            f"{'comparison of ' + str(len(data)) + ' scenarios' if comparison else 'single run'}; "
            f"intervals are {level:.0%} t-intervals across replicates. Generated "
            f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by zhizao analysis "
            f"{html.escape(__version__)}.</p>",
            "<h2>Ranking</h2>",
            "<p>Per measure, best first: years to each target (more replicates reaching it "
            "first, then faster) and yuan disbursed per additional adopter (lower first). "
            "<em>reached</em> = share of replicates reaching the target.</p>",
            _table(compare(data, level), css_id="ranking")]
    if any(has_twin(ds) or has_accounting(ds) for ds in data.values()):
        body += ["<h2>What each scenario bought</h2>",
                 "<p>All firms, at the end, against each scenario's no-policy twin on the "
                 "same random numbers: additional adopters; supported adopters (adopted "
                 "during the run with support) and deadweight (supported adopters that "
                 "adopt in the twin too), deadweight share = deadweight / supported; "
                 "money disbursed per additional adopter (yuan).</p>",
                 _table(accounting(data, level=level), css_id="accounting")]
    body += ["<h2>Figures</h2>"]
    body += [_img(c, p) for c, p in figs]
    body += [_scenario_section(n, ds, level) for n, ds in data.items()]
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
    index = outdir / "index.html"
    index.write_text(page, encoding="utf-8")
    for ds in data.values():
        ds.close()
    return index


def main(argv=None) -> int:
    """Command line: see the module documentation."""
    p = argparse.ArgumentParser(prog="python3 -m zhizao.report",
                                description="HTML report of a zhizao result file.")
    p.add_argument("file", help="result file (zhizao run or zhizao compare output)")
    p.add_argument("-o", "--output", default="report", help="output directory (default: report)")
    p.add_argument("--target", type=float, default=0.5,
                   help="target share drawn on the pathway figures (default 0.5)")
    p.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    args = p.parse_args(argv)
    if not 0 < args.level < 1:
        p.error("--level must be in (0, 1)")
    try:
        info = check_file(args.file)
        note = describe_partial(args.file, info)
        if note:
            print(f"zhizao report: {note}", file=sys.stderr)
        index = build_report(args.file, args.output, target=args.target, level=args.level)
    except ResultFileError as e:
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

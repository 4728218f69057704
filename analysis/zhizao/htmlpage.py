"""The report's HTML parts: number and money formats, narrow tables, and
the page that collects figures (PNG, embedded) and sections."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

__all__ = ["_Page", "_date", "_html_table", "_money", "_myuan", "_num", "_pct", "_slug"]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "x"


def _num(v, digits=3) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    v = float(v)
    if abs(v) >= 1e4:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}"


def _myuan(v) -> str:
    """Million yuan for an "m yuan" column: 7,600 (never 7.6e+03)."""
    if v is None or not np.isfinite(v):
        return "–"
    x = v / 1e6
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _money(v) -> str:
    """Yuan in words a reader reads: "4.09 bn yuan", "3.18 m yuan"."""
    if v is None or not np.isfinite(v):
        return "–"
    a = abs(float(v))
    if a >= 1e9:
        return f"{v / 1e9:.3g} bn yuan"
    if a >= 1e6:
        return f"{v / 1e6:.3g} m yuan"
    return f"{v:,.0f} yuan"


def _pct(v) -> str:
    return "–" if v is None or not np.isfinite(v) else f"{v:.0%}"


def _html_table(header, rows, css_id=None, left=1) -> str:
    """A narrow table: header cells, rows of already formatted cells (HTML)."""
    ident = f' id="{css_id}"' if css_id else ""
    th = "".join(f'<th class="{"l" if i < left else ""}">{html.escape(h)}</th>'
                 for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f'<td class="{"l" if i < left else ""}">{c}</td>'
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table{ident}><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


class _Page:
    """Collects figures (saved as PNG, embedded) and HTML parts."""

    def __init__(self, outdir: Path):
        self.outdir, self.parts, self.n = outdir, [], 0

    def add(self, text: str):
        self.parts.append(text)

    def figure(self, fig, name: str, caption: str, legend: list | None = None):
        """legend: [(label, colour, dashed)] written as an HTML list."""
        if fig is None:
            return
        self.n += 1
        png = self.outdir / f"{self.n:02d}_{_slug(name)}.png"
        # every figure is laid out (tight_layout) and keeps its legend in the
        # HTML: no second, "tight" layout pass needed
        fig.savefig(png, dpi=90)
        b64 = base64.b64encode(png.read_bytes()).decode("ascii")
        cap = html.escape(caption)
        leg = ""
        if legend:
            # a CSS colour, whatever matplotlib accepted ("0.45" is grey to
            # matplotlib, invalid to CSS: the swatch was drawn black)
            legend = [(label, to_hex(c), dashed) for label, c, dashed in legend]
            items = "".join(
                f'<li><span class="sw{" dash" if dashed else ""}" style="background:{c};'
                f'color:{c}"></span>{html.escape(label)}</li>' for label, c, dashed in legend)
            leg = f'<ul class="legend">{items}</ul>'
        self.add(f'<figure id="fig-{_slug(name)}"><img src="data:image/png;base64,{b64}" '
                 f'alt="{cap}">{leg}<figcaption>{cap}</figcaption></figure>')


def _date(start: str, days: float) -> str:
    try:
        return str((pd.Timestamp(start) + pd.Timedelta(days=float(days))).date())
    except (ValueError, TypeError):
        return f"day {days:g}"

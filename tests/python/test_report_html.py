"""What a reader of the report sees, without a browser (issue 25, item 6):
legend swatches in valid CSS colours, mixes told apart, money in units a
reader reads."""
import re

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from zhizao import report as zreport
from zhizao.figures import TWIN_COLOUR, palette

CSS_HEX = re.compile(r"^#[0-9a-f]{6}$")


def test_legend_swatches_are_css_colours(tmp_path):
    page = zreport._Page(tmp_path)
    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1])
    page.figure(fig, "x", "caption", [("no-policy twin", TWIN_COLOUR, True),
                                      ("plan", "#d95f02", False)])
    html = "\n".join(page.parts)
    colours = re.findall(r'style="background:([^;]+);', html)
    assert len(colours) == 2 and all(CSS_HEX.match(c) for c in colours), colours
    assert colours[0] == "#737373"          # matplotlib's grey 0.45, not black


def test_five_mixes_get_five_distinct_colours():
    """The uncertainty experiment's five mixes: no two greens (the palette
    gave baseline and contest_only two near-identical greens)."""
    from matplotlib.colors import rgb_to_hsv
    hsv = [rgb_to_hsv(to_rgb(c)) for c in palette(list("abcde")).values()]
    greens = [h for h in hsv if 75 / 360 <= h[0] <= 170 / 360 and h[1] > 0.3]
    assert len(greens) <= 1
    cols = [np.array(to_rgb(c)) for c in palette(list("abcdefgh")).values()]
    assert min(np.abs(a - b).sum() for i, a in enumerate(cols) for b in cols[i + 1:]) > 0.3


def test_money_in_readable_units():
    assert zreport._money(7.6e9) == "7.6 bn yuan"
    assert zreport._money(3.184e6) == "3.18 m yuan"
    assert zreport._money(12345.0) == "12,345 yuan"
    assert zreport._money(float("nan")) == "–"
    assert zreport._myuan(7.6e9) == "7,600" and zreport._myuan(3.18e6) == "3.18"


def test_scenario_source_shows_files_not_the_internal_marker(tmp_path):
    a, b = "-- 智造\ninclude \"b.lua\"\n", "x = 1\n"
    bundle = "".join(f"--[[zhizao:file {len(t.encode())} {len(p)}:{p}]]\n{t}\n"
                     for p, t in (("a.lua", a), ("sub/b.lua", b)))
    assert zreport.source_files(bundle) == [("a.lua", a), ("sub/b.lua", b)]
    assert zreport.source_files("plain text") == [("", "plain text")]
    import xarray as xr
    ds = xr.Dataset(attrs={"scenario_source": bundle, "parameters": "p = 1"})
    page = zreport._Page(tmp_path)
    zreport._scenario_details(page, {"s": ds})
    html = "\n".join(page.parts)
    assert "zhizao:file" not in html and "<code>sub/b.lua</code>" in html and "智造" in html


def test_ties_share_a_rank():
    import xarray as xr
    import zhizao
    time = np.array(["2026-01-01", "2029-01-01"], dtype="datetime64[ns]")

    def run(t):
        return xr.Dataset({"time_to_target": (("replicate", "target"), np.array(t)[:, None])},
                          coords={"replicate": [0, 1], "target": ["g"], "time": time})
    r = zhizao.compare({"a": run([np.nan, np.nan]), "b": run([100.0, 200.0]),
                        "c": run([np.nan, np.nan])})
    g = r.loc["years to g"]
    assert list(g["scenario"]) == ["b", "a", "c"]
    assert list(g["tie_rank"]) == [1, 2, 2]        # never reaching it: tied, not 2nd and 3rd


def test_a_probability_gets_the_exact_interval_in_the_optimisation_report():
    from zhizao.optreport import p_interval
    assert p_interval(0.0, 8) == "0 of 8: 0 [0, 0.369]"      # never "0 [0, 0]"
    assert p_interval(1.0, 8) == "8 of 8: 1 [0.631, 1]"
    assert p_interval(float("nan"), 8) == "–"


def _overlaps(fig):
    """Pairs of visible texts of a drawn figure whose boxes overlap (by
    more than a pixel each way): labels a reader cannot read."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text
    FigureCanvasAgg(fig).draw()
    r = fig.canvas.get_renderer()
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    boxes = [(t.get_text(), t.get_window_extent(r)) for t in texts]
    return [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:]
            if min(ba.x1, bb.x1) - max(ba.x0, bb.x0) > 1
            and min(ba.y1, bb.y1) - max(ba.y0, bb.y0) > 1]


def test_cost_panel_labels_do_not_overlap():
    """The --base report's cost panel (issue 25: its labels overlapped):
    mixes close together, some with a cost and some without (crosses on
    the axis with the reason), labelled where each can be read."""
    import pandas as pd
    from zhizao.figures import plot_cost_time
    names = ["plan", "contest_only", "vouchers", "campaign_led", "base", "talent_only"]
    pts = pd.DataFrame({
        "years": [2.50, 2.52, 2.51, 2.60, 2.61, 2.62],
        "years_lo": [2.4, 2.4, 2.4, 2.5, 2.5, 2.5], "years_hi": [2.6, 2.6, 2.6, 2.7, 2.7, 2.7],
        "cost": [3.0e6, 3.05e6, 3.1e6, np.nan, np.nan, np.nan],
        "cost_lo": [2.5e6, 2.5e6, 2.5e6, np.nan, np.nan, np.nan],
        "cost_hi": [3.5e6, 3.5e6, 3.6e6, np.nan, np.nan, np.nan],
        "why": ["", "", "", "no clear gain", "more adopters for less money than the base",
                "harm"]}, index=names)
    for legend in (False, True):
        fig = plot_cost_time(pts, palette(names), legend=legend)
        assert _overlaps(fig) == []
        shown = [t.get_text() for t in fig.axes[0].texts]
        assert all(any(n in s for s in shown) for n in names)   # each mix still labelled

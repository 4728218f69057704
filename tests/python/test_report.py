"""The report, rendered in headless Chromium and checked by what it shows.

A small script is added to a copy of the page; Chromium runs it after
layout (``--dump-dom``) and it writes what it measured into the DOM: the
sections present, every element whose box reaches past the page's width,
every HTML legend that leaves its figure, every figure image that did not
load or is wider than its figure. The page itself carries no script.
`test_layout_check_can_fail` shows the check catching a wide table and an
overflowing legend planted on purpose.
"""
import json
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import zhizao
import zhizao.figures
from zhizao import report as zreport

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

needs_bin = pytest.mark.skipif(not BIN, reason="ZZ_BIN not set")
needs_chromium = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                                    reason="chromium (Debian package) not installed")

CHECK = """<script>
(function () {
  const W = document.documentElement.clientWidth, out = {width: W, wide: [], legends: [],
         images: [], sections: []};
  out.scrollWidth = document.documentElement.scrollWidth;
  document.querySelectorAll('h2[id]').forEach(h => out.sections.push(h.id));
  document.querySelectorAll('body *').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > W + 0.5)
      out.wide.push(e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(r.right));
  });
  document.querySelectorAll('figure').forEach(f => {
    const fr = f.getBoundingClientRect();
    f.querySelectorAll('ul.legend').forEach(l => {
      const r = l.getBoundingClientRect();
      if (r.left < fr.left - 0.5 || r.right > fr.right + 0.5 || r.bottom > fr.bottom + 0.5 ||
          l.scrollWidth > l.clientWidth + 1)
        out.legends.push(f.id);
    });
    f.querySelectorAll('img').forEach(i => {
      const r = i.getBoundingClientRect();
      if (!i.complete || i.naturalWidth === 0 || r.right > fr.right + 0.5) out.images.push(f.id);
    });
  });
  // labels a reader sees in the page: legend entries, captions, headings
  // and the figures themselves; two whose boxes overlap cannot be read
  out.overlaps = [];
  const boxes = [];
  document.querySelectorAll('ul.legend li, figcaption, figure img, h1, h2, h3').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) boxes.push([e, r]);
  });
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      if (Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left) > 1 &&
          Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top) > 1)
        out.overlaps.push(a.textContent.slice(0, 30) + ' / ' + b.textContent.slice(0, 30));
    }
  out.figures = document.querySelectorAll('figure img').length;
  const p = document.createElement('pre');
  p.id = 'zz-layout';
  p.textContent = JSON.stringify(out);
  document.body.appendChild(p);
})();
</script>"""


def layout(index: Path, tmp_path: Path, width: int = 1000, plant: str = "") -> dict:
    """Render a copy of the page with the check script; return its findings."""
    page = index.read_text(encoding="utf-8")
    probe = index.with_name("probe.html")
    probe.write_text(page.replace("</body>", plant + CHECK + "</body>"), encoding="utf-8")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},900",
           "--virtual-time-budget=5000", "--dump-dom", probe.resolve().as_uri()]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    m = re.search(r'<pre id="zz-layout">(.*?)</pre>', r.stdout, re.S)
    assert m, f"chromium gave no layout (exit {r.returncode}):\n{r.stderr[-1500:]}"
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.fixture(scope="module")
def cmp_report(tmp_path_factory):
    if not BIN:
        pytest.skip("ZZ_BIN not set")
    d = tmp_path_factory.mktemp("rep")
    out = d / "cmp.h5"
    subprocess.run([BIN, "compare", SCEN / "baseline.lua", SCEN / "shandong_2026.lua",
                    SCEN / "contest_only.lua", "-o", out, "--replications", "3",
                    "--set", "population.firms=3000", "--quiet"], check=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing")   # CJK drawn
        # against the baseline scenario: in a comparison it is the twin's
        # equal (same seeds), so the numbers below hold for either base
        index = zreport.build_report(out, d / "report", base="baseline")
    return out, index


@needs_chromium
def test_comparison_report_layout(cmp_report, tmp_path):
    _, index = cmp_report
    for width in (1000, 700):
        got = layout(index, tmp_path, width)
        assert got["sections"] == ["headline", "deadlines", "additionality", "cost-time",
                                   "ranking", "pathways", "spending", "scenarios"]
        assert got["wide"] == [], f"wider than the page at {width}px: {got['wide'][:10]}"
        assert got["scrollWidth"] <= got["width"]
        assert got["legends"] == [] and got["images"] == []
        assert got["overlaps"] == [], f"overlapping labels at {width}px: {got['overlaps'][:5]}"
        assert got["figures"] == 6


@needs_chromium
def test_layout_check_can_fail(cmp_report, tmp_path):
    _, index = cmp_report
    wide = '<table id="planted"><tr><td style="white-space:nowrap">' + "x" * 400 + "</td></tr></table>"
    # a legend that does not wrap: its entries run past its figure
    legend = ('<figure id="fig-planted" style="width:200px"><ul class="legend" '
              'style="flex-wrap:nowrap">' + "<li>a long scenario name</li>" * 6 +
              "</ul></figure>")
    # two legend entries drawn on top of each other
    stacked = ('<figure id="fig-stacked"><ul class="legend"><li>plan</li>'
               '<li style="margin-left:-3em">contest_only</li></ul></figure>')
    got = layout(index, tmp_path, 1000, plant=wide + legend + stacked)
    assert any(w.startswith("TABLE#planted") for w in got["wide"])
    assert "fig-planted" in got["legends"]
    assert any("plan" in o and "contest_only" in o for o in got["overlaps"]), got["overlaps"]


def test_comparison_report_content(cmp_report):
    out, index = cmp_report
    page = index.read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="(?!data:)', page)             # self-contained
    assert "<script" not in page
    # deadlines: k of n per scenario, from the file
    ds = zhizao.open(out, "shandong_2026")
    tt = ds.time_to_target.sel(target="province_gsz").values
    k = int(np.sum(tt <= float(ds.target_by.sel(target="province_gsz"))))
    row = re.search(r"<tr><td class=\"l\">province_gsz by 2028-12-31</td>(.*?)</tr>", page).group(1)
    assert f"{k} of 3" in row.split("</td>")[1]
    # additionality (against the baseline here), fiscal money apart (equity not fiscal)
    add = page[page.index('id="additionality-table"'):]
    add = add[:add.index("</table>")]
    assert "shandong_2026" in add and "fiscal m yuan" in add and "baseline</td>" not in add
    twin = zhizao.incremental(out)
    vs = zhizao.incremental(out, base="baseline")
    assert vs.loc[("shandong_2026", "all_firms"), "additional"] == pytest.approx(
        twin.loc[("shandong_2026", "all_firms"), "additional"])
    spent = ds.spent.isel(time=-1)
    nonf = float(spent.sel(instrument="equity").mean())
    assert f"{nonf / 1e6:,.0f}" in add and "e+0" not in add     # 1,500, never 1.5e+03
    # the twin is drawn once: one legend entry for it
    assert page.count("no-policy twin (drawn once") == 2    # main + group panels
    # sources escaped, file by file (the scenario and its includes), without
    # the engine's internal markers
    sources = sum(len(zreport.source_files(d.attrs["scenario_source"]))
                  for d in zhizao.open_all(out).values())
    assert len(re.findall(r'<pre class="source">', page)) == sources >= 3
    assert "zhizao:file" not in page
    assert "规上" in page


def test_harm_is_drawn_and_said(tmp_path):
    if not BIN:
        pytest.skip("ZZ_BIN not set")
    for f in ("baseline.lua", "pioneers.lua"):
        shutil.copy(SCEN / f, tmp_path / f)
    (tmp_path / "harm.lua").write_text(
        'include "baseline.lua"\nscenario { name = "compute_large" }\n'
        'voucher "compute" { rate = 0.30, cap = 2e6, budget = 1.0e9, sizes = "large" }\n'
        # harm: lowers every firm's expected success; actions are policy,
        # the twin runs without them (the vouchers alone no longer harm)
        'at("2026-02-01", function(sim) sim:set("decision.belief_mean", 0.35) end)\n')
    out = tmp_path / "harm.h5"
    # what `make run` gives: one scenario with its twin
    subprocess.run([BIN, "run", tmp_path / "harm.lua", "-o", out, "--replications", "8",
                    "--set", "population.firms=10000", "--counterfactual", "--quiet"],
                   check=True)
    index = zreport.build_report(out, tmp_path / "rep")
    page = index.read_text(encoding="utf-8")
    assert 'id="additionality"' in page and 'id="ranking"' not in page   # one scenario
    add = page[page.index('id="additionality-table"'):]
    add = add[:add.index("</table>")]
    row = re.search(r"<tr><td class=\"l\">compute_large</td><td class=\"l\">all_firms</td>(.*?)</tr>",
                    add).group(1)
    assert '<span class="harm">fewer adopters than the base</span>' in row
    mean = float(zhizao.open(out)["additional"].sel(target="all_firms").mean())
    assert mean < 0 and row.split("</td>")[0].startswith(f'<td class="">{mean:.3g} [')
    # the bar goes below zero
    inc = zhizao.incremental(out)
    from zhizao.figures import palette, plot_additional
    fig = plot_additional(inc, ["all_firms"], palette(["compute_large"]), "its twin")
    bar = fig.axes[0].patches[0]
    assert bar.get_height() < 0 and bar.get_hatch() == "//"
    # the notebook's comparison figure says it too, not "none additional"
    fig = zhizao.plot_comparison({"compute_large": zhizao.open(out)})
    assert any("fewer\nadopters than\nits twin" in t.get_text() for t in fig.axes[1].texts)


def _experiment():
    """A Saltelli design over two factors; time to target depends on them."""
    rng = np.random.default_rng(2)
    N, k = 64, 2
    A, B = rng.uniform(size=(N, k)), rng.uniform(size=(N, k))
    rows = [A, B]
    for i in range(k):
        m = A.copy()
        m[:, i] = B[:, i]
        rows.append(m)
    X = np.vstack(rows)
    n = len(X)
    t = np.empty((n, 2, 4, 1))
    t[:, 0, :, 0] = (300 + 500 * X[:, 0])[:, None]
    t[:, 1, :, 0] = (800 - 600 * X[:, 1])[:, None]
    time = np.array(["2026-01-01", "2029-01-01"], dtype="datetime64[ns]")
    return xr.Dataset(
        {"design": (("point", "factor"), X),
         "time_to_target": (("point", "scenario", "replicate", "target"), t)},
        coords={"point": np.arange(n), "factor": ["population.hurdle_mean", "success_demo"],
                "scenario": ["shandong_2026", "contest_only"], "replicate": np.arange(4),
                "target": ["province_gsz"], "time": time},
        # the marks `zhizao explore` writes, which the file check looks for
        attrs={"zhizao_file": "experiment", "program_version": "0.1.0"})


@needs_chromium
def test_experiment_report(tmp_path):
    # an experiment file as `zhizao explore` will write it (netCDF-4 / HDF5)
    path = tmp_path / "exp.h5"
    _experiment().to_netcdf(path, engine="h5netcdf")
    assert zreport.main([str(path), "-o", str(tmp_path / "rep")]) == 0
    index = tmp_path / "rep" / "index.html"
    page = index.read_text(encoding="utf-8")
    assert "shandong_2026 minus contest_only" in page
    flips = page[page.index('id="flips-table"'):]
    assert "success_demo" in flips
    got = layout(index, tmp_path)
    # every design gets the whole page (issue 25): the answer across the
    # unknowns, deadlines, what each mix adds, then sensitivity, robustness
    # and scenario discovery
    assert got["sections"] == ["headline", "deadlines", "additionality", "sensitivity",
                               "robustness", "discovery"]
    assert "Sobol indices (Saltelli design)" in page
    assert got["wide"] == [] and got["images"] == [] and got["figures"] == 5


def test_report_cli_errors(cmp_report, tmp_path):
    out, _ = cmp_report
    assert zreport.main([str(out), "-o", str(tmp_path / "r"), "--base", "nowhere"]) == 1
    assert zreport.main([str(out), "-o", str(tmp_path / "r"), "--focus", "nowhere"]) == 1
    assert zreport.main([str(tmp_path / "missing.h5"), "-o", str(tmp_path / "r")]) == 5
    page = cmp_report[1].read_text(encoding="utf-8")
    assert "against the base baseline" in page


def test_notebook_plots_twin_once_and_dates(cmp_report):
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    out, _ = cmp_report
    data = zhizao.open_all(out)
    ax = zhizao.plot_pathways(data, target=0.5)
    labels = [ln.get_label() for ln in ax.lines]
    assert labels.count("no-policy twin") == 1 and not any("(no policy)" in x for x in labels)
    # no whisker beyond the 3-year run
    fig = zhizao.plot_comparison(data)
    ends = [seg[:, 0].max() for c in fig.axes[0].collections
            for seg in getattr(c, "get_segments", lambda: [])() if len(seg)]
    assert ends and max(ends) <= 1096 / 365.25 + 1e-9
    ax = zhizao.plot_spending(data["baseline"])          # no programmes: no 1970 axis
    assert mdates.num2date(ax.get_xlim()[0]).year == 2026
    ax = zhizao.plot_spending(data["shandong_2026"])     # 15 programmes, 15 colours
    colours = {tuple(np.round(matplotlib_rgba(ln.get_color()), 3)) for ln in ax.lines}
    assert len(colours) == len(ax.lines) == 15
    plt.close("all")


def matplotlib_rgba(c):
    from matplotlib.colors import to_rgba
    return to_rgba(c)


def test_deadline_after_the_horizon_is_not_identified(tmp_path):
    """jinan_2026 runs two years; province_gsz's deadline is the end of 2028."""
    if not BIN:
        pytest.skip("ZZ_BIN not set")
    out = tmp_path / "jinan.h5"
    r = subprocess.run([BIN, "run", SCEN / "jinan_2026.lua", "-o", out, "--replications", "2",
                        "--set", "population.firms=2000", "--counterfactual"],
                       capture_output=True, text=True, check=True)
    assert "by 2028-12-31: after the horizon, not identified" in r.stdout
    with pytest.raises(ValueError, match="after the horizon"):
        zhizao.p_target(out, "province_gsz")
    exp = zhizao.as_experiment(out)
    page = zreport._Page(tmp_path)
    zreport._deadlines(page, exp, zhizao.figures.palette(["jinan_2026"]), 0.95)
    page = "\n".join(page.parts)
    assert re.search(r"province_gsz by 2028-12-31</td><td[^>]*>after the horizon: not "
                     r"identified", page)


@needs_bin
@needs_chromium
def test_optimisation_report(tmp_path):
    """zhizao report of an optimisation file: the chosen split against the
    plan, every confirmed measure with its interval, the front, the search;
    what it shows read back from the page and checked against the file."""
    for name in ("baseline.lua", "pioneers.lua"):
        (tmp_path / name).write_text((SCEN / name).read_text())
    (tmp_path / "small.lua").write_text(
        'include "baseline.lua"\nscenario { name = "small", years = 2, replications = 3 }\n'
        "population { firms = 3000 }\n"
        'voucher "compute"  { rate = 0.9, cap = 1e7, budget = 2e7 }\n'
        'voucher "scenario" { rate = 0.9, cap = 1e7, budget = 1e7, budget_per_year = true,\n'
        '                     states = { "adopted" } }\n'
        'target { name = "all", share = 0.5, by = "2027-12-31" }\n')
    (tmp_path / "opt.lua").write_text(
        'optimise { scenario = "small.lua", budget = 1.5e8, shares = { "voucher.compute", '
        '"voucher.scenario" }, objective = "additional", target = "all", by = "2027-12-31", '
        "replications = 4, seed = 5, starts = 3, evaluations = 3, confirm = 1 }\n")
    out = tmp_path / "opt.h5"
    subprocess.run([BIN, "optimise", tmp_path / "opt.lua", "-o", out, "-q", "--front", "2"], check=True)
    r = subprocess.run([BIN, "report", out, "-o", tmp_path / "rep"], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=str(SRC / "analysis")))
    assert r.returncode == 0, r.stderr
    index = tmp_path / "rep" / "index.html"
    page = index.read_text(encoding="utf-8")
    ds = xr.open_dataset(out)
    best = ds.attrs["chosen_candidate"]
    split = page[page.index('id="split-table"'):page.index("</table>", page.index('id="split-table"'))]
    for p, b in zip(ds.programme.values, ds.best_budget.values):
        assert f"{b / ds.attrs['budget']:.1%}" in split and p in split
    meas = page[page.index('id="measures-table"'):page.index("</table>", page.index('id="measures-table"'))]
    add = ds.sel(measure="additional")
    assert (f"{float(add.measure_difference[best]):.4g} [{float(add.measure_difference_lower[best]):.4g}, "
            f"{float(add.measure_difference_upper[best]):.4g}]") in meas
    assert f'id="p-beats">{float(ds.p_beats_plan[best]):.3f}' in page
    assert "fiscal yuan per additional adopter" in meas
    got = layout(index, tmp_path)
    assert got["sections"] == ["best-mix", "confirmation", "front", "search"]
    assert got["wide"] == [] and got["images"] == [] and got["figures"] == 2


def test_deadline_chart_shows_every_probability():
    """The deadlines chart's axis spans the probabilities 0 to 1 (a little
    margin), so a dot at 0 or at 1 is drawn, not cut off; two scenarios'
    dots for one target sit side by side, not on top of each other."""
    import pandas as pd
    table = pd.DataFrame({"target": ["a", "a", "b", "b"], "label": ["a by 2027", "a by 2027", "b by 2028",
                                                                     "b by 2028"],
                          "scenario": ["x", "y", "x", "y"], "p": [0.0, 0.4, 1.0, 0.7],
                          "lo": [0.0, 0.2, 0.8, 0.5], "hi": [0.2, 0.6, 1.0, 0.9]})
    fig = zhizao.figures.plot_deadlines(table, zhizao.figures.palette(["x", "y"]))
    lo, hi = fig.axes[0].get_xlim()
    assert -0.1 < lo < 0 and 1 < hi < 1.1, (lo, hi)
    # each scenario's dot a little apart from the other's on its target's row
    x, y = (c.lines[0].get_ydata() for c in fig.axes[0].containers)
    assert all(abs(a - b) > 0.1 for a, b in zip(x, y)) and all(abs(a - b) < 0.5 for a, b in zip(x, y))


def test_sensitivity_chart_draws_s1_and_st_side_by_side():
    """Each factor's S1 and ST bars sit side by side, not one over the other
    (the longer would hide the shorter)."""
    import pandas as pd
    sens = pd.DataFrame({"S1": [0.2, 0.5], "S1_lo": [0.1, 0.4], "S1_hi": [0.3, 0.6],
                         "ST": [0.4, 0.55], "ST_lo": [0.3, 0.5], "ST_hi": [0.5, 0.6]},
                        index=pd.Index(["a", "b"], name="factor"))
    fig = zhizao.figures.plot_sensitivity(sens)
    bars = fig.axes[0].patches
    assert len(bars) == 4                       # S1 of a, b; then ST of a, b
    for i in range(2):
        s1, st = bars[i], bars[2 + i]
        assert s1.get_width() == pytest.approx(sens["S1"].iloc[i])
        assert st.get_width() == pytest.approx(sens["ST"].iloc[i])
        assert s1.get_y() + s1.get_height() <= st.get_y() + 1e-9 or \
            st.get_y() + st.get_height() <= s1.get_y() + 1e-9

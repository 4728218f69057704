"""`zhizao report calib.h5`: the calibration page, rendered in headless
Chromium and checked by what a reader sees there (the tables' rows as
rendered text, the held-out mark, the bound flag), against the file."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [pytest.mark.skipif(not BIN, reason="ZZ_BIN not set"),
              pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                                 reason="chromium (Debian package) not installed")]

# what the browser shows: each table's rows as rendered text, the sections,
# anything wider than the window, images that did not load
READ = """<script>
(function () {
  const W = document.documentElement.clientWidth, out = {tables: {}, sections: [], wide: [],
         images: 0, broken: 0, text: document.body.innerText};
  document.querySelectorAll('table[id]').forEach(t => {
    out.tables[t.id] = Array.from(t.querySelectorAll('tbody tr')).map(
      r => Array.from(r.cells).map(c => c.innerText.trim()));
  });
  document.querySelectorAll('h2[id]').forEach(h => out.sections.push(h.id));
  document.querySelectorAll('body *').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > W + 0.5) out.wide.push(e.tagName + (e.id ? '#' + e.id : ''));
  });
  document.querySelectorAll('figure img').forEach(i => {
    out.images++;
    if (!i.complete || i.naturalWidth === 0) out.broken++;
  });
  const p = document.createElement('pre');
  p.id = 'zz-read';
  p.textContent = JSON.stringify(out);
  document.body.appendChild(p);
})();
</script>"""


def shown(index: Path, tmp_path: Path) -> dict:
    probe = index.with_name("probe.html")
    probe.write_text(index.read_text(encoding="utf-8").replace("</body>", READ + "</body>"),
                     encoding="utf-8")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,900",
           "--virtual-time-budget=5000", "--dump-dom", probe.resolve().as_uri()]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    m = re.search(r'<pre id="zz-read">(.*?)</pre>', r.stdout, re.S)
    assert m, f"chromium gave nothing (exit {r.returncode}):\n{r.stderr[-1500:]}"
    text = m.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
    return json.loads(text.replace("&amp;", "&"))


CAL = """\
calibrate { scenario = "small_base.lua", replications = 3, seed = 3, starts = 8, evaluations = 40 }
free "population.initial_adoption" { 0.05, 0.25 }
free "population.adoption_mult.large" { 1.0, 3.0 }
moment "gsz_start"  { kind = "share", group = { gsz = true }, at = "2026-01-15", value = 0.35, se = 0.02 }
moment "size_ratio" { kind = "ratio", groups = { { size = "large" }, { size = "medium" } }, at = "2026-01-15", value = 1.5, se = 0.1 }
moment "all_start"  { kind = "share", group = {}, at = "2026-01-15", value = 0.1, se = 0.05 }
moment "small_rate" { kind = "hazard", group = { size = "small" }, from = "2026-01-01", to = "2027-01-01", value = 0.06, se = 0.01, holdout = true }
"""


def calibrate(d, *extra):
    for name in ("baseline.lua", "pioneers.lua"):
        (d / name).write_text((SCEN / name).read_text())
    (d / "small_base.lua").write_text('include "baseline.lua"\nscenario { name = "small_base", '
                                      'years = 2 }\npopulation { firms = 3000 }\n')
    (d / "cal.lua").write_text(CAL)
    subprocess.run([BIN, "calibrate", d / "cal.lua", "-o", d / "c.h5", "--quiet", *extra],
                   check=True)
    r = subprocess.run([BIN, "report", d / "c.h5", "-o", d / "rep"], capture_output=True,
                       text=True, env=dict(os.environ, PYTHONPATH=str(SRC / "analysis")))
    assert r.returncode == 0, r.stderr
    return xr.open_dataset(d / "c.h5"), d / "rep" / "index.html"


def test_calibration_report_shows_fit_holdout_bounds_j_and_profile(tmp_path):
    ds, index = calibrate(tmp_path, "--profile", "5")
    got = shown(index, tmp_path)
    assert got["sections"] == ["fit", "estimates", "j-test", "profile"]
    assert got["wide"] == [] and got["broken"] == 0 and got["images"] == 2
    # the fit: one row per moment in the file's order, the held-out one marked
    fit = got["tables"]["fit-table"]
    assert [r[0] for r in fit] == [str(m) for m in ds.moment.values]
    roles = {r[0]: r[2] for r in fit}
    assert roles == {"gsz_start": "fitted", "size_ratio": "fitted", "all_start": "fitted",
                     "small_rate": "held out"}
    k = list(ds.moment.values).index("size_ratio")
    sim, se = float(ds.simulated[k]), float(ds.se[k])
    assert fit[k][5] == f"{sim:.4g}" and fit[k][7] == f"{(sim - 1.5) / se:.2f}"
    h = list(ds.moment.values).index("small_rate")
    p = float(ds.prediction_se[h])
    assert fit[h][6] == f"[{float(ds.simulated[h]) - 1.959963984540054 * p:.4g}, " \
                        f"{float(ds.simulated[h]) + 1.959963984540054 * p:.4g}]"
    # the estimates: the one on its bound flagged, without a standard error
    est = {r[0]: r for r in got["tables"]["estimates-table"]}
    assert list(ds.at_bound.values) == [1, 0]
    bound = est["population.initial_adoption"]
    assert bound[2] == "–" and bound[3] == "–" and "at its upper bound" in bound[5]
    inside = est["population.adoption_mult.large"]
    e, s = float(ds.estimate[1]), float(ds.std_error[1])
    assert inside[5] == "estimated" and inside[2] == f"{s:.4g}"
    assert inside[3] == f"[{e - 1.959963984540054 * s:.4g}, {e + 1.959963984540054 * s:.4g}]"
    assert [r[0] for r in got["tables"]["identification-table"]] == list(est)
    # the J test as the file has it
    assert f"J = {ds.attrs['j_statistic']:.4g} with {ds.attrs['dof']} degrees of freedom" in got["text"]
    assert "no profile" not in got["text"]


def test_calibration_report_without_a_profile_says_so(tmp_path):
    ds, index = calibrate(tmp_path)
    assert "profile_objective" not in ds.variables
    got = shown(index, tmp_path)
    assert "This file has no profile of the objective" in got["text"]
    assert got["images"] == 2 and got["broken"] == 0 and got["wide"] == []

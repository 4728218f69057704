"""`python3 -m zhizao.results`: the generated blocks of docs/results_2026.md
and docs/instruments.md, on a tiny real experiment (zhizao explore, real
HDF5). Figures checked against an independent computation from the raw
file with h5py and numpy; blocks replaced idempotently, prose untouched;
bad markers refused before any document is written."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
ANALYSIS = SRC / "analysis"
sys.path.insert(0, str(ANALYSIS))

pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")

TINY = """\
experiment {
  name = "tiny_results",
  scenarios = { "baseline.lua", "shandong_2026.lua", "vouchers_only.lua", "contest_only.lua",
                "alone_compute_voucher.lua", "alone_contest.lua" },
  design = "sobol", points = 4, replications = 2, seed = 7,
}
include "uncertainty/ranges.lua"
"""

DOC_A = """\
# A page

Prose before, kept as written.

<!-- generated:calibration_note -->
stale note
<!-- /generated -->

| hand | table |
|---|---|

<!-- generated:instrument_table -->
<!-- /generated -->

Single vouchers: <!-- generated:voucher_additional_share -->old<!-- /generated --> additional.

<!-- generated:voucher_table -->
<!-- /generated -->
Prose after.
"""

DOC_B = """\
# Another page

<!-- generated:pathways_table -->
| old | table |
<!-- /generated -->

<!-- generated:demo_table -->
<!-- /generated -->

<!-- generated:money_table -->
<!-- /generated -->
"""


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    d = tmp_path_factory.mktemp("results")
    scen = d / "scenarios"
    shutil.copytree(SRC / "scenarios", scen)
    (scen / "tiny.lua").write_text(TINY)
    out = d / "tiny.h5"
    subprocess.run([BIN, "explore", scen / "tiny.lua", "-o", out, "--quiet", "--threads", "2",
                    "--set", "population.firms=3000"], check=True)
    return d, out


class Ran:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def generate(out, *docs, check=True):
    """`python3 -m zhizao.results FILE DOCS...` (its main, in this process:
    importing the package once keeps the test short)."""
    import contextlib
    import io
    from zhizao.results import main
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        rc = main([str(out), *map(str, docs), "--root", str(SRC)])
    if check:
        assert rc == 0, e.getvalue()
    return Ran(rc, o.getvalue(), e.getvalue())


def outside(text):
    """The text with every generated block's content removed."""
    return re.sub(r"(<!-- generated:\w+ -->).*?(<!-- /generated -->)", r"\1\2", text, flags=re.S)


def row(text, first):
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in\n{text}")


def test_blocks_against_the_raw_file_and_idempotent(experiment, tmp_path):
    from zhizao.results import DUTCH_LOTTERY, num
    _, out = experiment
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(DOC_A)
    b.write_text(DOC_B)
    r = generate(out, a, b)
    assert "4 blocks" in r.stdout and "3 blocks" in r.stdout, r.stdout
    ta, tb = a.read_text(), b.read_text()
    # the prose and the markers are as written; the stale contents are gone
    assert outside(ta) == outside(DOC_A) and outside(tb) == outside(DOC_B)
    assert "stale note" not in ta and "| old | table |" not in tb and ">old<" not in ta

    # the independent computation: the raw HDF5 file, h5py and numpy
    with h5py.File(out, "r") as f:
        scen = [s.decode() if isinstance(s, bytes) else str(s) for s in f["scenario"][:]]
        targ = [s.decode() if isinstance(s, bytes) else str(s) for s in f["target"][:]]
        add = f["additional"][:].astype(float)        # point, scenario, replicate, target
        sup = f["supported"][:].astype(float)
        dead = f["deadweight"][:].astype(float)
        ttt = f["time_to_target"][:].astype(float)    # days, NaN not reached
        by = f["target_by"][:].astype(float)          # scenario, target
        inst = [s.decode() if isinstance(s, bytes) else str(s) for s in f["instrument"][:]]
        spent = f["spent"][:, :, :, -1, :].astype(float)          # point, scenario, rep, instrument
        committed = f["committed"][:, :, :, -1, :].astype(float)
        fisc = f["fiscal"][:].astype(float)                         # scenario, instrument
    assert add.shape[0] == 4 and add.shape[2] == 2
    s, t = scen.index("alone_compute_voucher"), targ.index("all_firms")
    per_point = add[:, s, :, t].mean(axis=1)
    q = np.quantile(per_point, [0.5, 0.05, 0.95])
    cells = row(ta, "compute voucher")
    assert cells[1] == f"{num(q[0])} [{num(q[1])}, {num(q[2])}]", cells
    share = dead[:, s, :, t].sum(axis=1) / sup[:, s, :, t].sum(axis=1)
    q = np.quantile(share, [0.5, 0.05, 0.95])
    assert cells[5] == f"{num(q[0], '%')} [{num(q[1], '%')}, {num(q[2], '%')}]", cells
    # the voucher table: additional share = 1 - deadweight share; the
    # Dutch lottery beside it, 8 of the 9 vouchers used
    v = row(ta, "compute voucher")
    assert "Dutch innovation voucher lottery" in ta
    assert f"{num(8 / 9, '%')} (8 of 9 used; 8 of 10 issued)" in ta
    assert DUTCH_LOTTERY == {"issued": 10, "additional": 8, "deadweight": 1, "unused": 1}
    vrow = row(ta.split("<!-- generated:voucher_table -->")[1], "compute voucher")
    q = np.quantile(1 - share, [0.5, 0.05, 0.95])
    assert vrow[2] == f"{num(q[0], '%')} [{num(q[1], '%')}, {num(q[2], '%')}]", (v, vrow)
    # P(province_gsz by its deadline), pooled over points and replications
    c, g = scen.index("contest_only"), targ.index("province_gsz")
    p = np.mean(np.nan_to_num(ttt[:, c, :, g], nan=np.inf) <= by[c, g])
    assert row(tb, "contest_only")[1] == num(p, "%")
    # money a programme cost: paid out, plus a guarantee's cover still
    # reserved at the end (docs/model.md 6.4, risk compensation)
    pl, rc = scen.index("shandong_2026"), inst.index("risk_compensation")
    cost = spent[:, pl] * fisc[pl]
    cost[..., rc] += committed[:, pl, :, rc] * fisc[pl, rc]
    assert committed[:, pl, :, rc].sum() > 0        # the check can tell the two apart
    q = np.quantile(cost.sum(axis=2).mean(axis=1) / 1e9, [0.5, 0.05, 0.95])
    mrow = row(tb.split("<!-- generated:money_table -->")[1], "shandong_2026")
    assert mrow[1] == f"{num(q[0])} [{num(q[1])}, {num(q[2])}]", mrow
    # the stamp: the commit of the repository
    head = subprocess.run(["git", "-C", str(SRC), "rev-parse", "--short=12", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    if head:
        assert f"at commit `{head}`" in ta
    assert "4 points (sobol design) × 6 scenarios × 2 replications on 3,000 firms" in ta
    import hashlib
    with h5py.File(out, "r") as f:
        params = f["scenario_parameters"][0]
    params = params.decode() if isinstance(params, bytes) else str(params)
    assert f"digest `{hashlib.sha256(params.encode()).hexdigest()[:12]}`" in ta

    # idempotent: a second run on the same file changes nothing
    generate(out, a, b)
    assert a.read_text() == ta and b.read_text() == tb


def test_bad_markers_refused_before_writing(experiment, tmp_path):
    _, out = experiment
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(DOC_A)
    b.write_text(DOC_B + "<!-- generated:no_such_table -->\n<!-- /generated -->\n")
    r = generate(out, a, b, check=False)
    assert r.returncode != 0 and "no_such_table" in r.stderr and "has no generator" in r.stderr
    assert a.read_text() == DOC_A          # nothing written, not even the good page
    b.write_text(DOC_B + "<!-- generated:pathways_table -->\nunclosed\n")
    r = generate(out, a, b, check=False)
    assert r.returncode != 0 and "closed by" in r.stderr
    assert a.read_text() == DOC_A


def test_the_results_experiment_names_what_the_generator_reads():
    """scenarios/results.lua loads (every scenario, every range) and lists the
    mixes and instruments zhizao.results writes rows for."""
    from zhizao.results import ALONE, MIXES
    r = subprocess.run([BIN, "explore", SRC / "scenarios" / "results.lua", "--design"],
                       capture_output=True, text=True, check=True)
    lines = r.stdout.strip().splitlines()
    text = (SRC / "scenarios" / "results.lua").read_text()
    points = int(re.search(r"points = (\d+)", text).group(1))
    assert len(lines) == 1 + points and "decision.learn_publicity" in lines[0]
    listed = re.findall(r'"([a-z_0-9]+)\.lua"', text.split("scenarios =")[1].split("}")[0])
    assert listed == list(MIXES) + list(ALONE)

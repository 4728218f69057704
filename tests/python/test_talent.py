"""The talent programme (人才引进安家扶持) from a scenario to the report:
scenarios/talent_only.lua run by the real `zhizao`, read by xarray and the
analysis package, and rendered by `zhizao report`. Needs ZZ_BIN."""
import os
import subprocess
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import zhizao  # noqa: E402
from zhizao import report as zreport  # noqa: E402

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")


def run(*args):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def talent_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("talent") / "talent.h5"
    run("run", SRC / "scenarios" / "talent_only.lua", "-o", out, "--counterfactual", "-r", 2,
        "--set", "population.firms=6000", "--quiet", "--firms")
    return out


def test_reference_documents_talent():
    ref = run("check", "--reference").stdout
    assert "### talent\n" in ref and "`talent.<field>`" in ref
    for field in ("rate", "hire_cost", "cap", "success_boost", "time_cut", "stage"):
        assert f"| `{field}` |" in ref.split("### talent\n")[1].split("###")[0]


def test_talent_on_the_instrument_axis(talent_file):
    ds = zhizao.open(talent_file)
    assert list(ds["instrument"].values) == ["talent"]
    spent = ds["spent"].sel(instrument="talent").isel(time=-1).values
    assert (spent > 0).all()
    # every payment is one hire's award, min(0.4 x 300,000, 150,000)
    support = ds["firm_support"].sel(instrument="talent").values
    paid = support[support > 0]
    assert paid.size > 0 and np.all(paid == 120000.0)
    assert np.allclose(paid.size, spent.sum() / 120000.0)
    # the programme adds adopters against its own twin
    add = zhizao.additionality(ds)
    assert add.loc["all_firms", "additional"] > 0
    ax = zhizao.plot_spending(ds)
    assert [l.get_label() for l in ax.lines] == ["talent"]
    ds.close()


def test_report_shows_talent(talent_file, tmp_path):
    out = tmp_path / "rep"
    assert zreport.main([str(talent_file), "-o", str(out)]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "talent.success_boost = 0.1" in page and "talent {" in page
    # the spending section draws the talent programme as its own kind
    spending = page.split('id="spending"')[1].split("<h2")[0]
    assert "talent" in spending

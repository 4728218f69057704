"""The headline is computed once: `zhizao run`'s summary (sim/headline.c)
and zhizao.headline (analysis/zhizao/answer.py) give the same numbers on
the same file, line by line and target by target (issue 25, item 1); the
cost per additional adopter is quoted only for a group the money can be
attributed to; the verdicts say what they promise on constructed cases."""
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import zhizao
from zhizao import answer as H

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"
needs_bin = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")

# vouchers for 规上 firms only: their money may be divided by province_gsz's
# gain (and early's), never by a pioneer pair's; generous (90%), so that on
# 6,000 firms they make a clear gain among all firms (at 30% they do not:
# every applicant waits for approval, docs/model.md 6.4.1)
GSZ = """include "baseline.lua"
scenario { name = "gsz_vouchers" }
voucher "compute" { rate = 0.90, cap = 2e6, budget = 1.0e9, gsz_only = true }
target { name = "early", gsz_only = true, share = 0.4, by = "2027-01-01" }
"""

NUM = r"[-+]?[\d.]+(?:e[-+]?\d+)?"
LINE = re.compile(
    rf"^  (?P<target>\S+) (?P<level>\d+)% by (?P<by>[\d-]+)(?: \(no deadline: the horizon\))?: "
    rf"(?P<verdict>[^.]+)\. P\(by the deadline\) with the policy (?P<p>{NUM}) \[(?P<p_lo>{NUM}), "
    rf"(?P<p_hi>{NUM})\] \((?P<k>\d+) of (?P<n>\d+)\), without (?P<twin_p>{NUM}) "
    rf"\[(?P<twin_lo>{NUM}), (?P<twin_hi>{NUM})\] \((?P<twin_k>\d+) of \d+\); "
    rf"reached (?P<when>.*?), without (?P<twin_when>.*?); (?P<years_gained>{NUM}) years gained"
    rf"(?: \[(?P<years_gained_lo>{NUM}), (?P<years_gained_hi>{NUM})\])?(?P<least> \(at least[^)]*\))?; "
    rf"(?P<points_gained>{NUM}) points(?: \[(?P<points_lo>{NUM}), (?P<points_hi>{NUM})\])?, "
    rf"(?P<additional>{NUM}) additional adopters(?: \[(?P<additional_lo>{NUM}), "
    rf"(?P<additional_hi>{NUM})\])?; (?P<cost>.*)$")
COST = re.compile(rf"^(?P<c>{NUM}) m fiscal yuan per additional adopter \[(?P<lo>{NUM}), (?P<hi>{NUM})\]$")


def parse(text: str) -> dict:
    head = text.split("headline:")[1].split("\ndetails:")[0]
    rows = {}
    for line in head.splitlines()[1:]:
        if line.startswith("  money"):
            continue
        m = LINE.match(line)
        assert m, f"headline line not in the documented form:\n{line}"
        rows[m["target"]] = m.groupdict()
    return rows


def close(printed: str, value: float, sig: int = 3):
    """`printed` is `value` written with `sig` significant digits."""
    v = float(printed)
    tol = 0.5 * 10 ** (math.floor(math.log10(abs(value))) - sig + 1) if value else 1e-12
    return abs(v - value) <= tol * 1.0001


def _when(row, prefix=""):
    if row[prefix + "reached"] == 0:
        return None
    return row[prefix + "date"]


@needs_bin
def test_run_summary_and_python_headline_agree(tmp_path):
    for f in ("baseline.lua", "pioneers.lua"):
        shutil.copy(SCEN / f, tmp_path / f)
    (tmp_path / "gsz.lua").write_text(GSZ)
    out = tmp_path / "gsz.h5"
    r = subprocess.run([BIN, "run", tmp_path / "gsz.lua", "-o", out, "-r", "6", "-t", "1",
                        "--set", "population.firms=6000", "--counterfactual"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    printed = parse(r.stdout)
    hl = zhizao.headline(out).loc["gsz_vouchers"]
    assert list(printed) == list(hl.index)
    for g, row in hl.iterrows():
        p = printed[g]
        assert p["verdict"] == row["verdict"], g
        assert p["by"] == row["by_date"] and int(p["level"]) == round(100 * row["level"])
        assert int(p["k"]) == row["k"] and int(p["twin_k"]) == row["twin_k"]
        for key in ("p", "p_lo", "p_hi", "twin_p", "twin_lo", "twin_hi", "years_gained",
                    "points_gained"):
            assert close(p[key], row[key]), (g, key, p[key], row[key])
        for key in ("additional", "additional_lo", "additional_hi"):
            assert close(p[key], row[key], sig=4), (g, key, p[key], row[key])
        if row["reached"] == 0:
            assert p["when"].startswith("not by")
        else:
            assert p["when"].startswith(f"{row['date']} [{row['date_lo']}, {row['date_hi']}]")
            assert ("restricted mean" in p["when"]) == row["restricted"]
        assert (p["least"] is not None) == row["gained_at_least"]
        c = COST.match(p["cost"])
        if np.isfinite(row["cost_per_additional"]):
            assert c, (g, p["cost"])
            assert close(c["c"], row["cost_per_additional"] * 1e-6, 4)
            assert close(c["lo"], row["cost_lo"] * 1e-6, 4)
            assert close(c["hi"], row["cost_hi"] * 1e-6, 4)
        else:
            assert not c, (g, p["cost"])
            why = row["cost_note"].split(":")[0]        # "not attributed", "no clear gain", ...
            assert why in p["cost"], (g, why, p["cost"])
    # the money of 规上-only vouchers is attributed to the 规上 groups only
    assert np.isfinite(hl.loc["all_firms", "cost_per_additional"])
    assert hl.loc["province_gsz", "cost_note"] in ("", ) or \
        hl.loc["province_gsz", "cost_note"].startswith("no clear gain")
    assert hl.loc["pioneer_Jinan_electronics", "cost_note"].startswith("not attributed")
    # one definition everywhere: fiscal money over additional adopters, ratio of means
    ds = xr.open_dataset(out)
    fiscal = (ds.spent.isel(time=-1) * ds.fiscal).sum("instrument").values
    add = ds.additional.sel(target="all_firms").values.astype(float)
    assert hl.loc["all_firms", "cost_per_additional"] == pytest.approx(fiscal.mean() / add.mean())


def test_cost_groups_follow_the_programmes_filters():
    text = "\n".join([
        "voucher.compute.enabled = true", "voucher.compute.cities = all",
        "voucher.compute.industries = all", "voucher.compute.sizes = all",
        "voucher.compute.gsz_only = true",
        "contest.x.enabled = true", "contest.x.cities = Jinan", "contest.x.industries = all",
        "contest.x.sizes = all", "contest.x.gsz_only = true",
        "contest.off.enabled = false", "contest.off.cities = all",
        "target.province_gsz.city = all", "target.province_gsz.industry = all",
        "target.province_gsz.size = all", "target.province_gsz.gsz_only = true",
        "target.jinan.city = Jinan", "target.jinan.industry = all", "target.jinan.size = all",
        "target.jinan.gsz_only = false",
        "target.all_small.city = all", "target.all_small.industry = all",
        "target.all_small.size = small", "target.all_small.gsz_only = false"])
    got = H.cost_groups(text, ["province_gsz", "jinan", "all_small", "all_firms"])
    # every enabled programme pays 规上 firms only; the Jinan contest pays
    # outside no 规上 group, but the vouchers pay outside Jinan
    assert got == {"province_gsz", "all_firms"}


@pytest.mark.parametrize("p, twin_p, twin_share, want", [
    (1.0, 0.0, 0.487, H.NEARLY),          # the case: the twin ends at 48.7% of 50%
    (1.0, 0.0, 0.30, H.MAKES),
    (1.0, 0.75, 0.55, H.TOO),
    (0.25, 0.0, 0.30, H.MISSED),
])
def test_verdicts(p, twin_p, twin_share, want):
    assert H.verdict(p, twin_p, twin_share, 0.5) == want


def test_ratio_of_means_interval_by_the_delta_method():
    rng = np.random.default_rng(1)
    a = rng.normal(100, 10, 4000)
    f = 3e6 * a + rng.normal(0, 1e7, 4000)
    r, lo, hi = H.ratio_of_means(f, a, 0.95)
    assert r == pytest.approx(f.mean() / a.mean())
    # the delta method's standard error against the bootstrap's
    idx = rng.integers(0, a.size, (400, a.size))
    boot = f[idx].mean(axis=1) / a[idx].mean(axis=1)
    assert (hi - lo) / 2 / 1.96 == pytest.approx(boot.std(), rel=0.15)


@needs_bin
def test_compare_opens_with_each_scenarios_headline(tmp_path):
    for f in ("baseline.lua", "pioneers.lua"):
        shutil.copy(SCEN / f, tmp_path / f)
    (tmp_path / "gsz.lua").write_text(GSZ)
    out = tmp_path / "cmp.h5"
    r = subprocess.run([BIN, "compare", tmp_path / "baseline.lua", tmp_path / "gsz.lua", "-o", out,
                        "-r", "4", "--set", "population.firms=4000"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.index("headline:") < r.stdout.index("ranking of")
    hl = zhizao.headline(out)
    for name in ("baseline", "gsz_vouchers"):
        block = r.stdout.split(f"\nscenario {name}\n")[1].split("\n\n")[0]
        printed = parse(block + "\ndetails:")
        for g, row in hl.loc[name].iterrows():
            p = printed[g]
            assert p["verdict"] == row["verdict"] and int(p["k"]) == row["k"], (name, g)
            assert int(p["twin_k"]) == row["twin_k"], (name, g)
            assert close(p["additional"], row["additional"], 4), (name, g)
            assert close(p["points_gained"], row["points_gained"]), (name, g)

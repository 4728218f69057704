"""Invariants of run files, on every library scenario and on random
scenarios drawn from the parameter registry (`zhizao check --reference`:
each programme row at a valid value within its range) by Hypothesis, with
a fixed budget of examples and derandomised so that CI is deterministic.

For every run (with its no-policy twin and the per-firm record):
  * each ledger is conserved: available + committed + spent is the budget
    at every observation (a per-year pot: spent within the budgets
    appropriated), nothing negative, spending never goes back;
  * the money firms received (firm_support) adds up to what each
    programme spent; the twin spends nothing;
  * additional adopters are the policy's minus the twin's: firm by firm
    for all firms (firm_day), and from the shares for every group;
  * the same seed gives the same file with 1 or 2 threads;
  * every budget at zero gives the twin's numbers (a free campaign made to
    cost something, so that it too needs money).
Per-firm properties the files cannot show (filters, caps, who may be paid)
are checked on the same kinds of scenarios in tests/c/test_properties.c.
"""
import os
import re
import resource
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

from h5same import differences

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"
SMALL = ["--set", "population.firms=1500", "--replications", "2"]

pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")


def zz(*args, check=True):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"zhizao {' '.join(map(str, args))} -> {r.returncode}\n{r.stderr}")
    return r


def parameters(path):
    """Every key = value `zhizao check` resolves for a scenario."""
    out = {}
    for line in zz("check", path).stdout.splitlines():
        if " = " in line and not line.startswith("#"):
            k, v = line.split(" = ", 1)
            out[k] = v
    return out


def library():
    """The library's scenarios (not its experiments, optimisations or
    calibrations)."""
    return [p for p in sorted(SCEN.glob("*.lua"))
            if not re.search(r"^(experiment|optimise|calibrate)\s*\{", p.read_text(), re.M)]


# ---- the invariants ---------------------------------------------------------

def names(f, var):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in f[var][...]]


def check_file(path, params):
    with h5py.File(path, "r") as f:
        inst = names(f, "instrument")
        avail, committed, spent = f["budget"][...], f["committed"][...], f["spent"][...]
        years = float(params["scenario.years"])
        for i, name in enumerate(inst):
            B = float(params[f"{name}.budget"])
            tol = 1e-9 * max(B, 1.0)
            assert (avail[..., i] >= -tol).all() and (committed[..., i] >= -tol).all(), name
            assert (spent[..., i] >= 0).all() and (np.diff(spent[..., i], axis=1) >= -tol).all(), name
            if params[f"{name}.budget_per_year"] == "true":
                assert (spent[:, -1, i] <= B * np.ceil(years) + tol).all(), name
            else:
                total = avail[..., i] + committed[..., i] + spent[..., i]
                np.testing.assert_allclose(total, B, rtol=1e-9, atol=1e-6, err_msg=name)
        # what firms received is what the programmes spent; the twin spends nothing
        if inst:                       # a scenario without programmes pays no one
            got = np.nansum(f["firm_support"][...], axis=1)
            np.testing.assert_allclose(got, spent[:, -1, :], rtol=1e-9, atol=1e-6)
            assert not np.any(f["cf_spent"][...])
        # additional adopters: the policy's minus the twin's
        add = f["additional"][...]
        groups = names(f, "target")
        a = np.isfinite(f["firm_day"][...]).sum(axis=1)
        b = np.isfinite(f["cf_firm_day"][...]).sum(axis=1)
        assert (add[:, groups.index("all_firms")] == a - b).all()
        n = f["target_firms"][...]
        pol = np.rint(f["target_share"][:, -1, :] * n)
        twin = np.rint(f["cf_target_share"][:, -1, :] * n)
        assert (add == pol - twin).all()
        sup, dw = f["supported"][...], f["deadweight"][...]
        assert (dw >= 0).all() and (dw <= sup).all()


def zero_budget_sets(params):
    sets = []
    for k, v in params.items():
        if k.endswith(".budget") and not k.startswith("scenario."):
            sets += ["--set", f"{k}=0"]
        if k.startswith("campaign.") and k.endswith(".amount") and float(v) == 0:
            sets += ["--set", f"{k}=1"]      # a free campaign needs no budget: make it cost
    return sets


def check_scenario(path, d):
    """Runs `path` three ways in directory d and checks every invariant."""
    params = parameters(path)
    one, two, zero = d / "t1.h5", d / "t2.h5", d / "zero.h5"
    zz("run", path, "-o", one, *SMALL, "--counterfactual", "--firms", "--threads", 1, "-q")
    check_file(one, params)
    zz("run", path, "-o", two, *SMALL, "--counterfactual", "--firms", "--threads", 2, "-q")
    assert differences(one, two) == []
    zz("run", path, "-o", zero, *SMALL, "--counterfactual", "--firms", "-q", *zero_budget_sets(params))
    with h5py.File(zero, "r") as f:
        assert not np.any(f["spent"][...]) and not np.any(f["additional"][...])
        for v in ("adopted", "implementing", "scaled", "target_share", "firm_day"):
            assert np.array_equal(f[v][...], f[f"cf_{v}"][...], equal_nan=True), v


@pytest.mark.parametrize("path", library(), ids=lambda p: p.stem)
def test_library_scenario_invariants(path, tmp_path):
    check_scenario(path, tmp_path)


# ---- random scenarios from the registry -------------------------------------

def registry():
    """The programme sections of `zhizao check --reference`: [(word, kinds
    or None, named, [(field, type, valid, default, kinds it applies to)])]."""
    text = zz("check", "--reference").stdout
    body = text.split("### Fields of every programme", 1)[1].split("### target", 1)[0]
    out = []
    for block in body.split("\n### ")[1:]:
        head, *lines = block.splitlines()
        word = head.split()[0]
        quoted = re.findall(r'"([^"]+)"', head)
        named = quoted == ["<name>"]
        kinds = None if named or not quoted else quoted
        rows = []
        for ln in lines:
            m = re.match(r"\| `(\w+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|", ln)
            if not m:
                continue
            field, typ, valid, default = (x.strip() for x in m.groups())
            only = [k for k in kinds if re.search(rf"\b{k}\b", default)] if kinds else None
            rows.append((field, typ, valid, default, only or kinds))
        out.append((word, kinds, named, rows))
    return out


def value_of(typ, valid):
    """A strategy of valid Lua values for a row, or None to leave it."""
    if typ in ("number", "whole number"):
        m = re.match(r"([\[(])([-\d.e+]+), ([-\d.e+]+)\]", valid)
        lo, hi = float(m.group(2)), float(m.group(3))
        if typ == "whole number":
            return st.integers(int(lo), int(hi)).map(str)
        ends = [st.just(hi)] + ([st.just(lo)] if m.group(1) == "[" else [])
        inner = st.floats(lo, hi, exclude_min=m.group(1) == "(", allow_nan=False)
        return st.one_of(*ends, inner).map(repr)
    if typ == "true/false":
        return st.sampled_from(["true", "false"])
    if typ == "word":
        return st.sampled_from([f'"{w.strip()}"' for w in valid.split(",")])
    return None      # dates: the defaults, or set below


@st.composite
def random_scenario(draw, reg):
    blocks = []
    for word, kinds, named, rows in reg:
        for kind in (kinds or [None]):
            if not draw(st.booleans()):
                continue
            fields = {"budget": draw(st.floats(1e3, 1e10).map(repr)),
                      "budget_per_year": draw(st.sampled_from(["true", "false"]))}
            if draw(st.booleans()):
                sizes = draw(st.lists(st.sampled_from(["micro", "small", "medium", "large"]),
                                      min_size=1, max_size=4, unique=True))
                fields["sizes"] = "{ " + ", ".join(f'"{s}"' for s in sizes) + " }"
            for field, typ, valid, _default, only in rows:
                strat = value_of(typ, valid)
                if strat is not None and (only is None or kind in only):
                    fields[field] = draw(strat)
            if word == "contest":
                fields.update(opens='"2026-03-01"', closes='"2026-06-01"')
            label = f' "{kind}"' if kind else (' "p"' if named else "")
            body = ", ".join(f"{k} = {v}" for k, v in fields.items())
            blocks.append(f"{word}{label} {{ {body} }}")
    return ('include "baseline.lua"\nscenario { name = "random" }\n' + "\n".join(blocks) + "\n")


REGISTRY = registry() if BIN else []


@settings(max_examples=20, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=random_scenario(REGISTRY))
def test_random_registry_scenario_invariants(text, tmp_path_factory):
    d = tmp_path_factory.mktemp("random")
    for name in ("baseline.lua", "pioneers.lua"):
        (d / name).write_text((SCEN / name).read_text())
    (d / "random.lua").write_text(text)
    check_scenario(d / "random.lua", d)


def test_registry_is_read():
    """The generator sees every instrument of the reference, with rows."""
    words = {w for w, *_ in REGISTRY}
    assert {"voucher", "subsidy", "campaign", "contest", "chain_leader", "talent"} <= words
    assert all(rows for *_, rows in REGISTRY)


def test_campaign_at_the_top_of_its_range_needs_memory_for_the_firms_there_are(tmp_path):
    """firms = 1e8 is valid (it reaches every eligible firm): the run needs
    memory for the population's 2000 firms, not 800 MB for 1e8 tickets, so
    it runs within a 500 MB address space as the baseline does."""
    for name in ("baseline.lua", "pioneers.lua"):
        (tmp_path / name).write_text((SCEN / name).read_text())
    (tmp_path / "c.lua").write_text('include "baseline.lua"\nscenario { name = "c" }\n'
                                    'campaign "all" { firms = 100000000, budget = 0 }\n')

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (500 << 20, 500 << 20))
    r = subprocess.run([BIN, "run", tmp_path / "c.lua", "-o", tmp_path / "c.h5", "-r", "1", "--threads", "1",
                        "--set", "population.firms=2000", "-q"], capture_output=True, text=True,
                       preexec_fn=limit)
    assert r.returncode == 0, r.stderr
    with h5py.File(tmp_path / "c.h5", "r") as f:
        assert f["adopted"].shape[0] == 1

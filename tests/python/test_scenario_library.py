"""The scenario language as docs/scenario-language.md documents it, through
the `zhizao` command: every scenario of the library and of the tutorial
checks and runs; `check` prints every parameter of the registry, exactly as
the result file's `parameters` attribute; `--set` shows in `check`; `at`
and `when` act when and as documented; mistakes give exit code 3 (7 for a
sandbox limit) and a message with the file, line and a way out; the field
tables of the documentation are the registry's own output."""
import hashlib
import os
import re
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCEN = SRC / "scenarios"
TUTORIAL = SRC / "examples" / "tutorial"
DOC = SRC / "docs" / "scenario-language.md"

pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")

# experiment files (zhizao explore, e.g. uncertainty.lua) are tested in
# test_explore.py, calibration files (calibration.lua) in test_calibrate.py
LIBRARY = [p for p in sorted(SCEN.glob("*.lua")) + sorted(TUTORIAL.glob("*.lua"))
           if not p.read_text().lstrip("-\n ").startswith("experiment") and
           "\nexperiment {" not in p.read_text() and "\ncalibrate {" not in p.read_text() and
           "\noptimise {" not in p.read_text()]
SIZES = ("micro", "small", "medium", "large")
COMPONENTS = ("compute", "model", "data", "integration", "other")


def zhizao(*args, check=True, **kw):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"zhizao {' '.join(map(str, args))} -> {r.returncode}\n{r.stderr}")
    return r


def parameters(text):
    """'key = value' lines (check's output after its header, or the
    `parameters` attribute) as an ordered dict."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, sep, value = line.partition(" = ")
        assert sep, f"not a 'key = value' line: {line!r}"
        assert key not in out, f"key printed twice: {key}"
        out[key] = value
    return out


def check(path, *sets):
    r = zhizao("check", path, *[a for s in sets for a in ("--set", s)])
    head = r.stdout.splitlines()[0]
    assert head == f"# {path}: valid", head
    return parameters(r.stdout)


def attr_text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


# a small scenario the tests below build on (lines 2-4)
BASE = """
scenario { name = "%s", start = "2026-01-01", years = 2, seed = 11 }
population { firms = 6000 }
voucher "compute" { rate = 0.3, cap = 2e6, budget = 5e9 }
"""


def line_of(text, part):
    """Line number of the first line of text containing part."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if part in line)


def write(directory, name, text):
    path = Path(directory) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# ---- the library -------------------------------------------------------------

def test_library_is_there():
    names = {p.name for p in LIBRARY}
    assert {"baseline.lua", "shandong_2026.lua", "base.lua", "variant.lua"} <= names
    assert (TUTORIAL / "README.md").exists()


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_library_scenario_checks_and_runs(path, tmp_path):
    # small settings; check with the same overrides must print exactly the
    # parameters the run records (scenario.replications included)
    sets = ["population.firms=3000", "scenario.replications=2"]
    shown = check(path, *sets)
    for key in ("scenario.name", "scenario.seed", "population.firms", "decision.rule",
                "target.province_gsz.share", "target.all_firms.share"):
        assert key in shown, key
    assert shown["population.firms"] == "3000"
    out = tmp_path / "run.h5"
    zhizao("run", path, "-o", out, "--replications", 2, "--set", "population.firms=3000", "--quiet")
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 1
        recorded = parameters(attr_text(f.attrs["parameters"]))
        source = attr_text(f.attrs["scenario_source"])
    assert recorded == shown
    assert path.read_text().strip().splitlines()[0] in source
    ds = xr.open_dataset(out)
    assert ds.sizes["replicate"] == 2 and int(ds.firms.sum()) == 3000
    assert list(ds.target.values)[:2] == ["province_gsz", "all_firms"]
    assert np.isfinite(ds.target_share.values).all()
    ds.close()


# ---- check, the registry and the documentation ---------------------------------

EVERY_KIND = """
scenario { name = "every_kind", years = 1 }
population { firms = 2000 }
decision "economic" { temperature = 0.3 }
voucher "compute"  { budget = 1e8 }
voucher "model"    { budget = 1e8 }
voucher "corpus"   { budget = 1e8 }
voucher "scenario" { budget = 1e8 }
subsidy "investment" { budget = 1e8 }
subsidy "interest"   { budget = 1e8 }
risk_compensation { budget = 1e8 }
insurance { budget = 1e8 }
equity { budget = 1e8 }
campaign "spring" { date = "2026-04-01", amount = 20000, budget = 6e6 }
chain_leader { budget = 1e8 }
contest "jb" { opens = "2026-03-01", closes = "2026-05-01", budget = 1e8 }
talent { budget = 5e7 }
target { name = "jinan", city = "Jinan" }
pioneer { city = "Qingdao", industry = "light_industry" }
compute { capacity = 23180, expansions = { ["2026-09-01"] = 1000 } }
"""

# reference section title -> the instance prefixes of EVERY_KIND it covers
PROGRAMMES = ["voucher.compute", "voucher.model", "voucher.corpus", "voucher.scenario",
              "subsidy.investment", "subsidy.interest", "risk_compensation", "insurance",
              "equity", "campaign.spring", "chain_leader", "contest.jb", "talent"]
SECTIONS = {
    "scenario": ["scenario"], "population": ["population"], "decision": ["decision"],
    "compute": ["compute"], "Fields of every programme": PROGRAMMES,
    "voucher": PROGRAMMES[0:4], "subsidy": PROGRAMMES[4:6],
    "risk_compensation": ["risk_compensation"], "insurance": ["insurance"],
    "equity": ["equity"], "campaign": ["campaign.spring"], "chain_leader": ["chain_leader"],
    "contest": ["contest.jb"], "talent": ["talent"], "target": ["target.jinan"],
    "pioneer": ["pioneer.Qingdao_light_industry"],
}


def reference_tables(text):
    """{section: set of fields} from `check --reference` (Markdown)."""
    tables, section = {}, None
    for line in text.splitlines():
        if line.startswith("### "):
            title = line[4:]
            section = next((s for s in sorted(SECTIONS, key=len, reverse=True)
                            if title.startswith(s)), title)
            tables.setdefault(section, set())
        m = re.match(r"\| `([a-z_]+)` \|", line)
        if m and section:
            tables[section].add(m.group(1))
    return tables


def field_of(key, prefix):
    """'population.size_share.micro' -> 'size_share'."""
    rest = key[len(prefix) + 1:].split(".")
    if len(rest) == 2:
        assert rest[1] in SIZES + COMPONENTS, key
    else:
        assert len(rest) == 1, key
    return rest[0]


def test_check_prints_every_registry_key(tmp_path):
    ref = zhizao("check", "--reference").stdout
    tables = reference_tables(ref)
    assert set(SECTIONS) <= set(tables), set(SECTIONS) - set(tables)
    path = write(tmp_path, "every_kind.lua", EVERY_KIND)
    shown = check(path, "scenario.replications=1")
    # every field of the registry shows for the instances it belongs to ...
    for section, fields in tables.items():
        if section not in SECTIONS:
            continue
        printed = {field_of(k, p) for p in SECTIONS[section] for k in shown
                   if k.startswith(p + ".")}
        identity = {"name"} if section == "target" else {"city", "industry"} \
            if section == "pioneer" else set()
        missing = fields - printed - identity
        assert not missing, f"{section}: registry fields not printed by check: {missing}"
    # ... and nothing shows that the registry does not document
    # (decision.rule is the word after `decision`, named in the headings)
    documented = {p: set() for s in SECTIONS.values() for p in s}
    documented["decision"].add("rule")
    for section, prefixes in SECTIONS.items():
        for p in prefixes:
            documented[p] |= tables[section]
    for key in shown:
        if key.startswith("target.") and not key.startswith("target.jinan."):
            continue  # the two built-in targets and the pioneer's own
        prefix = max((p for p in documented if key.startswith(p + ".")), key=len)
        assert field_of(key, prefix) in documented[prefix], key
    assert shown["compute.expansions"] == "2026-09-01:1000"
    # and the run records the same lines
    out = tmp_path / "every_kind.h5"
    zhizao("run", path, "-o", out, "--replications", 1, "--quiet")
    with h5py.File(out, "r") as f:
        assert parameters(attr_text(f.attrs["parameters"])) == shown


def test_reference_in_the_documentation_is_current():
    ref = zhizao("check", "--reference").stdout
    doc = DOC.read_text()
    begin, end = "<!-- BEGIN zhizao check --reference -->\n", "<!-- END zhizao check --reference -->"
    assert begin in doc and end in doc
    pasted = doc[doc.index(begin) + len(begin):doc.index(end)]
    assert pasted == ref, ("docs/scenario-language.md is out of date with the parameter registry: "
                           "paste the output of `zhizao check --reference` between its markers")
    assert zhizao("check", "--reference", "x.lua", check=False).returncode == 2


def test_set_shows_in_check(tmp_path):
    path = write(tmp_path, "set.lua", BASE % "set" + """
voucher "model" { budget = 1e8 }
subsidy "investment" { budget = 1e8 }
contest "benchmark" { opens = "2026-03-01", closes = "2026-05-01", budget = 1e8 }
compute { capacity = 23180 }
""")
    before = check(path)
    sets = {"voucher.compute.rate": ("0.45", "0.45"),
            "contest.benchmark.winners": ("50", "50"),
            "voucher.model.cities": ("Jinan,Qingdao", "Jinan, Qingdao"),
            "voucher.compute.end": ("2027-06-30", "2027-06-30"),
            "population.credit_access.micro": ("0.3", "0.3"),
            "subsidy.investment.enabled": ("false", "false"),
            "decision.temperature": ("0.3", "0.3"),
            "compute.expansions": ("2027-06-01:5000", "2027-06-01:5000")}
    after = check(path, *[f"{k}={v}" for k, (v, _) in sets.items()])
    for key, (_, shown) in sets.items():
        assert after[key] == shown, key
        assert before[key] != shown, key
    changed = {k for k in after if after[k] != before[k]}
    assert changed == set(sets)
    # a per-size field given once sets every class; later overrides win
    after = check(path, "population.credit_access=0.5", "voucher.compute.rate=0.4",
                  "voucher.compute.rate=0.5")
    assert all(after[f"population.credit_access.{s}"] == "0.5" for s in SIZES)
    assert after["voucher.compute.rate"] == "0.5"
    assert check(path, "voucher.compute.end=none")["voucher.compute.end"] == "none"


# ---- at and when ------------------------------------------------------------------


def run_text(tmp_path, name, text, reps=2):
    path = write(tmp_path, f"{name}.lua", text)
    out = tmp_path / f"{name}.h5"
    r = zhizao("run", path, "-o", out, "--replications", reps, "--quiet")
    return xr.open_dataset(out), r.stderr, text


def test_at_changes_a_voucher_rate_from_its_date(tmp_path):
    plain, _, _ = run_text(tmp_path, "plain", BASE % "plain")
    raised, err, text = run_text(tmp_path, "raised", BASE % "raised" + """
at("2026-07-01", function(sim)
  print("raised on", sim:date(), sim:day())
  sim:set("voucher.compute.rate", 0.9)
end)
""")
    # the at() runs once per replication, at the start of its date
    where = f"raised.lua:{line_of(text, 'print(')}: "
    assert err.count(where + "raised on\t2026-07-01\t181.0\n") == 2, err
    times = plain.time.values
    upto = times <= np.datetime64("2026-07-01")
    spent_p = plain.spent.sel(instrument="voucher.compute").values
    spent_r = raised.spent.sel(instrument="voucher.compute").values
    # same seed, same random numbers: identical until the date (the month's
    # observation on that day comes first) ...
    np.testing.assert_array_equal(spent_p[:, upto], spent_r[:, upto])
    np.testing.assert_array_equal(plain.adopted.values[:, upto], raised.adopted.values[:, upto])
    # ... and more money per voucher afterwards
    assert (spent_r[:, -1] > spent_p[:, -1]).all()
    # the file records the scenario as written, not the change at run time
    assert "voucher.compute.rate = 0.3\n" in raised.attrs["parameters"]
    plain.close()
    raised.close()


def test_when_stops_the_run_at_the_first_observation_that_meets_it(tmp_path):
    threshold = 0.37
    ds, err, text = run_text(tmp_path, "stop", BASE % "stop" + f"""
when(function(sim) return sim:share{{ gsz_only = true }} >= {threshold} end,
     function(sim) print("stop on", sim:date()); sim:stop() end)
""")
    assert err.count(f"stop.lua:{line_of(text, 'print(')}: stop on") == 2, err
    share = ds.target_share.sel(target="province_gsz").values
    spent = ds.spent.sel(instrument="voucher.compute").values
    for r in range(ds.sizes["replicate"]):
        met = np.nonzero(share[r] >= threshold)[0]
        assert met.size, "threshold never met: pick a lower one"
        k = met[0]
        assert 0 < k < len(share[r]) - 1
        # from the stop on, every month repeats the state at the stop
        assert (share[r, k:] == share[r, k]).all()
        assert (spent[r, k:] == spent[r, k]).all()
        assert (ds.adopted.values[r, k:] == ds.adopted.values[r, k]).all()
        # and it was still growing before the stop
        assert spent[r, k] > spent[r, k - 1] or share[r, k] > share[r, k - 1]
    ds.close()


def test_when_is_checked_at_the_start_and_fires_once(tmp_path):
    ds, err, _ = run_text(tmp_path, "at_start", BASE % "at_start" + """
when(function(sim) return true end, function(sim) print("fired", sim:day()) end)
when(function(sim) return sim:day() == 0 end, function(sim) sim:stop() end)
""", reps=1)
    assert err.count("fired\t0.0") == 1, err
    assert (ds.spent.values == 0).all()
    assert (ds.target_share.values == ds.target_share.values[:, :1]).all()
    ds.close()


def test_sim_methods(tmp_path):
    ds, err, _ = run_text(tmp_path, "methods", BASE % "methods" + """
contest "jb" { opens = "2026-03-01", closes = "2026-05-01", winners = 5, budget = 1e8 }
at("2026-02-01", function(sim)
  print("left", sim:budget_left("voucher.compute") <= 5e9, sim:budget_left("contest.jb"))
  print("share", sim:share{} > 0)
  print("jq_large", string.format("%.17g", sim:share{ city = { "Jinan", "Qingdao" }, size = "large" }))
  sim:set("voucher.compute.budget", 6e9)
  sim:set("voucher.compute.end", "2027-06-30")
  sim:set("contest.jb.winners", 7)
end)
at("2026-02-02", function(sim) print("after", sim:budget_left("voucher.compute") > 5e9) end)
""", reps=1)
    assert "left\ttrue\t100000000.0" in err and "share\ttrue" in err, err
    assert "after\ttrue" in err, err
    # sim:share against the file: the action at the start of 2026-02-01
    # follows January's observation at that instant, so it sees its counts
    got = float(err.split("jq_large\t")[1].split()[0])
    cells = dict(city=["Jinan", "Qingdao"], size="large")
    adopted = ds.adopted.isel(replicate=0, time=0).sel(**cells).values.sum()
    firms = ds.firms.sel(**cells).values.sum()
    assert str(ds.time.values[0]).startswith("2026-01")
    assert 0 < adopted < firms and got == adopted / firms, (got, adopted, firms)
    ds.close()


def test_math_random_is_the_replications_own_stream(tmp_path):
    path = write(tmp_path, "rnd.lua", """
scenario { name = "rnd", years = 1, seed = 3 }
population { firms = 3000, initial_adoption = 0 }
local order = ""
for k in pairs({ zeta = 1, alpha = 2, mu = 3, [2] = 4, [1] = 5 }) do order = order .. k .. " " end
print(order)
decision "lua" { review_days = 60, fn = function(firm)
  return math.random() < 0.5 and 0.05 or 0.0
end }
""")
    a, b, c = (tmp_path / f"{n}.h5" for n in "abc")
    r = zhizao("run", path, "-o", a, "--replications", 3, "--threads", 1, "--quiet")
    assert "1 2 alpha mu zeta" in r.stderr  # pairs: sorted keys
    zhizao("run", path, "-o", b, "--replications", 3, "--threads", 2, "--quiet")
    zhizao("run", path, "-o", c, "--replications", 3, "--threads", 2, "--quiet", "--seed", 4)
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b, c)]
    assert digest[0] == digest[1] and digest[0] != digest[2]
    ds = xr.open_dataset(a)
    ends = ds.adopted.isel(time=-1).sum(["city", "industry", "size"]).values
    assert (ends > 0).all() and len(set(ends)) > 1   # replications differ
    ds.close()


# ---- error messages ---------------------------------------------------------------

# (name, scenario text, exit code, substrings of the message)
BAD = [
    ("out of range", 'scenario { name = "x" }\nvoucher "compute" { rate = 1.5, budget = 1e8 }\n',
     3, ["bad.lua:2:", "field 'rate' of voucher \"compute\"", "1.5 is outside [0, 1]"]),
    ("misspelt field", '\n\nvoucher "compute" { rat = 0.3, budget = 1e8 }\n',
     3, ["bad.lua:3:", "unknown field 'rat'", "did you mean 'rate'?"]),
    ("misspelt city", 'voucher "compute" { budget = 1e8, cities = { "Jinan", "Jinnan" } }\n',
     3, ["bad.lua:1:", "'Jinnan' is not a city", "did you mean 'Jinan'?", "valid: Jinan, Qingdao"]),
    ("unknown kind", '\nvoucher "gpu" { budget = 1e8 }\n',
     3, ["bad.lua:2:", "unknown voucher kind 'gpu'", "valid: compute, model, corpus, scenario"]),
    ("no budget", 'scenario {}\nvoucher "model" { rate = 0.5 }\n',
     3, ["bad.lua:2:", "voucher \"model\" has no budget", "budget = 0"]),
    ("misspelt declaration", 'vouchr "compute" { budget = 1e8 }\n',
     3, ["bad.lua:1:", "unknown name 'vouchr'", "did you mean 'voucher'?"]),
    ("choice", 'decision "bass" { peers = "region" }\n',
     3, ["field 'peers' of decision \"bass\"", "'region'", "valid: all, industry, city, city_industry"]),
    ("field of another kind", 'voucher "compute" { budget = 1e8, points = 2 }\n',
     3, ["field 'points' does not apply here", "subsidy \"interest\"", "valid: enabled"]),
    ("quoted number", 'voucher "model" { budget = 1e8, rate = "0.3" }\n',
     3, ["expected a number, got string", "without quotes"]),
    ("impossible date", 'voucher "compute" { budget = 1e8, start = "2026-02-30" }\n',
     3, ["field 'start'", "'2026-02-30' is not a date", "YYYY-MM-DD"]),
    ("shares not adding to 1", '\npopulation { size_share = { micro = 0.5 } }\n',
     3, ["bad.lua:2:", "size_share adds to 1.15", "must add to 1"]),
    ("contest window", 'contest "jb" { budget = 1e8, opens = "2026-03-01", closes = "2026-02-01" }\n',
     3, ["closes (2026-02-01) must come after opens (2026-03-01)"]),
    ("at before the start", 'scenario { start = "2026-01-01" }\nat("2025-12-31", function(sim) end)\n',
     3, ["bad.lua:2:", "at: 2025-12-31 is before the scenario starts (2026-01-01)"]),
    ("end as a bare word", 'voucher "compute" { budget = 1e8, end = "2027-01-01" }\n',
     3, ["bad.lua:1:", "near 'end'"]),
    ("os removed", 'local t = os.time()\n',
     3, ["bad.lua:1:", "'os' is not available in scenarios"]),
    ("pattern functions removed", 'local i = string.find("abc", "b")\n',
     3, ["string.find is not available"]),
    ("random while loading", 'local x = math.random()\n',
     3, ["math.random is only available inside at/when/decision functions"]),
    ("include outside", 'include "../elsewhere.lua"\n',
     3, ["bad.lua:1:", "include:", "outside the scenario's directory"]),
    ("include without .lua", 'include "base"\n',
     3, ["does not end in .lua"]),
    ("endless loop", 'while true do end\n',
     7, ["bad.lua:1:", "instruction limit exceeded"]),
]


@pytest.mark.parametrize("name,text,code,parts", BAD, ids=[b[0] for b in BAD])
def test_bad_scenario_message(tmp_path, name, text, code, parts):
    path = write(tmp_path / "s", "bad.lua", text)
    r = zhizao("check", "bad.lua", check=False, cwd=path.parent)
    assert r.returncode == code, r.stderr
    assert r.stdout == ""
    for part in parts:
        assert part in r.stderr, f"{part!r} not in {r.stderr!r}"


BAD_SET = [
    ("voucher.compute.rat=0.4", ["unknown parameter 'voucher.compute.rat'",
                                 "did you mean 'voucher.compute.rate'?"]),
    ("voucher.gpu.rate=0.4", ["declares no programme 'voucher.gpu'", "declared: voucher.compute"]),
    ("voucher.compute.rate=2", ["2 is outside [0, 1]"]),
    ("scenario.start=2027-01-01", ["can only be set in the scenario file"]),
    ("scenario.horizon=5", ["is computed"]),
    ("decision.p=0.1", ["belongs to decision \"bass\"", "uses decision \"economic\""]),
    ("voucher.compute.cities=Jinan,Qingdo", ["'Qingdo' is not a city", "did you mean 'Qingdao'?"]),
    ("population.size_share.micro=0.5", ["size_share adds to 1.15"]),
    ("voucher.compute.rate", ["expected key=value"]),
]


@pytest.mark.parametrize("assignment,parts", BAD_SET, ids=[b[0] for b in BAD_SET])
def test_bad_set_message(tmp_path, assignment, parts):
    path = write(tmp_path, "base.lua", BASE % "base")
    out = tmp_path / "x.h5"
    for args in (["check", path], ["run", path, "-o", out, "--quiet"]):
        r = zhizao(*args, "--set", assignment, check=False)
        assert r.returncode == 3, r.stderr
        assert f"--set '{assignment}'" in r.stderr
        for part in parts:
            assert part in r.stderr, f"{part!r} not in {r.stderr!r}"
    assert not out.exists()


# errors that only a running replication can meet: exit 3, with the line
BAD_RUN = [
    ("fixed parameter", 'at("2026-03-01", function(sim) sim:set("population.firms", 10) end)',
     ["cannot change during a run"]),
    ("unknown key", 'at("2026-03-01", function(sim) sim:set("voucher.compute.rat", 0.1) end)',
     ["unknown parameter 'voucher.compute.rat'", "did you mean 'voucher.compute.rate'?"]),
    ("out of range", 'at("2026-03-01", function(sim) sim:set("voucher.compute.rate", 1.4) end)',
     ["1.4 is outside [0, 1]"]),
    ("condition not boolean", 'when(function(sim) return sim:day() end, function(sim) end)',
     ["the condition of when() returned number", "true or false"]),
    ("dot instead of colon", 'at("2026-03-01", function(sim) sim.stop() end)',
     ["call it with a colon"]),
    ("unknown method", 'at("2026-03-01", function(sim) sim:stopp() end)',
     ["sim has no method 'stopp'", "did you mean 'stop'?"]),
    ("unknown programme", 'at("2026-03-01", function(sim) sim:budget_left("voucher.comput") end)',
     ["no programme 'voucher.comput'", "did you mean 'voucher.compute'?"]),
    ("declaration at run time", 'at("2026-03-01", function(sim) voucher "model" { budget = 1 } end)',
     ["declarations belong at the top level"]),
]


@pytest.mark.parametrize("name,line,parts", BAD_RUN, ids=[b[0] for b in BAD_RUN])
def test_bad_run_message(tmp_path, name, line, parts):
    text = BASE % "bad" + line + "\n"
    path = write(tmp_path, "bad.lua", text)
    lineno = line_of(text, line)
    r = zhizao("run", path, "-o", tmp_path / "bad.h5", "--replications", 1, "--quiet", check=False)
    assert r.returncode == 3, r.stderr
    assert f"replicate 0: {path}:{lineno}:" in r.stderr, r.stderr
    for part in parts:
        assert part in r.stderr, f"{part!r} not in {r.stderr!r}"
    assert not (tmp_path / "bad.h5").exists()


# ---- include ----------------------------------------------------------------------

def test_include_merges_field_by_field(tmp_path):
    write(tmp_path, "base.lua", BASE % "base" + 'target { name = "jinan", city = "Jinan" }\n')
    write(tmp_path, "parts/extra.lua", 'voucher "model" { budget = 2e8 }\n')
    variant = write(tmp_path, "variant.lua", """
include "base.lua"
include "parts/extra.lua"
scenario { name = "variant" }
voucher "compute" { rate = 0.5 }
population { size_share = { micro = 0.30, small = 0.35 } }
target { name = "jinan", share = 0.6 }
""")
    base, shown = check(tmp_path / "base.lua"), check(variant)
    assert shown["scenario.name"] == "variant" and shown["scenario.seed"] == base["scenario.seed"]
    assert shown["voucher.compute.rate"] == "0.5"
    for field in ("cap", "budget", "cities"):
        assert shown[f"voucher.compute.{field}"] == base[f"voucher.compute.{field}"]
    assert shown["voucher.model.budget"] == "200000000"
    assert shown["population.size_share.micro"] == "0.3"
    assert shown["population.size_share.medium"] == base["population.size_share.medium"]
    assert shown["target.jinan.share"] == "0.6" and shown["target.jinan.city"] == "Jinan"


# ---- the tutorial -----------------------------------------------------------------

def test_tutorial_compare(tmp_path):
    out = tmp_path / "tutorial.h5"
    r = zhizao("compare", TUTORIAL / "base.lua", TUTORIAL / "variant.lua", "-o", out,
               "--replications", 2, "--set", "population.firms=5000")
    assert "ranking of 2 scenarios" in r.stdout
    with h5py.File(out, "r") as f:
        assert set(f.keys()) >= {"base", "vouchers"}
    base = xr.open_dataset(out, group="base")
    pol = xr.open_dataset(out, group="vouchers")
    assert (base.additional == 0).all()
    assert float(pol.additional.sel(target="all_firms").mean()) > 0
    assert set(pol.instrument.values) == {"voucher.compute", "voucher.model"}
    assert "jinan_gsz" in pol.target.values
    np.testing.assert_array_equal(base.adopted.values, pol.cf_adopted.values)
    base.close()
    pol.close()

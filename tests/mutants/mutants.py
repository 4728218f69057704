#!/usr/bin/env python3
"""Mutation testing for zhizao: `make mutants` (not part of `make test`).

Applies one small, realistic bug at a time (a mutant) to the C sources of
sim/model, sim/policy, sim/experiment, sim/calibrate, sim/optimise and to
the Python package analysis/zhizao, rebuilds (C) in a separate build
directory with ccache, runs the tests relevant to the mutated folder with
a time bound, and counts the mutant killed if any test fails or the bound
is hit. Prints each survivor (file:line, operator, the line before and
after) and the kill rate.

Operators, on code outside comments and string literals:
  cmp    a comparison flipped (< <=, > >=, == !=)
  bool   Python's `and` for `or` and back
  arith  + for -, * for / and back
  off1   an integer literal plus one
  const  a floating literal replaced (0 for non-zero, 1 for zero)
  drop   a term dropped (&& x, || x, + x; Python `and x`, `or x`)
  swap   the two arguments of a two-argument call swapped (not of
         symmetric functions: fmin, fmax, min, max)

The source tree is copied to BUILD/src (without .git and build dirs) and
built in BUILD/build; each mutant is applied to the copy and undone after.
--baseline-tests REV runs the same mutants against the tests of git
revision REV (the production code stays that of the work tree), to
measure a test suite before and after a change.

  tests/mutants/mutants.py --sample 60 --seed 1 [--files sim/policy/campaign.c ...]
  tests/mutants/mutants.py --list            (every site, no run)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ["sim/model", "sim/policy", "sim/experiment", "sim/calibrate", "sim/optimise",
           "analysis/zhizao"]

# folder -> (ctest names, pytest files); a file's own entry wins over its folder's
POLICY_C = ["test_instruments", "test_voucher", "test_campaign", "test_chain_leader", "test_contest",
            "test_equity", "test_insurance", "test_risk_compensation", "test_subsidy_interest",
            "test_subsidy_investment", "test_talent", "test_ledger", "test_policy", "test_properties",
            "test_filters", "test_targets", "test_hot_path"]
ANALYSIS_PY = ["test_analysis.py", "test_incremental.py", "test_sensitivity.py",
               "test_survival_robust.py", "test_explore_analysis.py"]
TESTS = {
    "sim/model": (["test_population", "test_rule_economic", "test_bass", "test_hot_path", "test_policy",
                   "test_instruments", "test_properties", "test_engine"], ["test_properties.py"]),
    # an instrument's registry rows are documented: the reference check sees their ranges
    "sim/policy": (POLICY_C, ["test_properties.py", "test_talent.py",
                              "test_scenario_library.py::test_reference_in_the_documentation_is_current"]),
    "sim/experiment": (["test_design"], ["test_explore.py", "test_properties.py"]),
    "sim/experiment/mpi_runner.c": ([], ["test_mpi.py"]),
    "sim/calibrate": (["test_calibrate"], ["test_calibrate.py"]),
    "sim/optimise": ([], ["test_optimise.py"]),
    "analysis/zhizao": ([], ANALYSIS_PY),
    "analysis/zhizao/sensitivity.py": ([], ["test_sensitivity.py"]),
    "analysis/zhizao/incremental.py": ([], ["test_incremental.py", "test_analysis.py"]),
    "analysis/zhizao/robust.py": ([], ["test_survival_robust.py", "test_analysis.py"]),
    "analysis/zhizao/survival.py": ([], ["test_survival_robust.py", "test_analysis.py"]),
    "analysis/zhizao/report.py": ([], ["test_report.py"]),
    "analysis/zhizao/figures.py": ([], ["test_report.py", "test_results_docs.py"]),
    "analysis/zhizao/plots.py": ([], ["test_analysis.py", "test_report.py"]),
    "analysis/zhizao/results.py": ([], ["test_results_docs.py"]),
    "analysis/zhizao/optreport.py": ([], ["test_optimise.py", "test_planner_cli.py"]),
    "analysis/zhizao/validate.py": ([], ["test_faults.py", "test_analysis.py"]),
}

SYMMETRIC = {"fmin", "fmax", "min", "max", "hypot", "isclose", "allclose", "array_equal"}
SKIP_C = re.compile(r"^\s*#|snprintf|fprintf|zz_sim_fail|assert\(|_Static_assert|^\s*static const char")
SKIP_PY = re.compile(r"^\s*(#|@|import |from |raise |assert |def |class )|__all__|warnings\.warn")
# an operand a drop may remove whole: not followed by more of itself
OPERAND = r"!?(?:\w|\.|->|\[[^\]]*\])+(?:\([^()]*\))?(?![\w.(\[]|->)"


def tests_for(rel: str):
    key = rel if rel in TESTS else str(Path(rel).parent)
    return TESTS[key]


def code_mask(line: str, py: bool) -> str:
    """The line with string and char literals (and a trailing comment)
    blanked to spaces, so operators are found only in code."""
    out, i, q = [], 0, None
    while i < len(line):
        c = line[i]
        if q:
            if c == "\\":
                out += "  "
                i += 2
                continue
            if c == q:
                q = None
                out.append(c)
            else:
                out.append(" ")
        elif c in "\"'":
            q = c
            out.append(c)
        elif py and c == "#":
            break
        elif not py and line.startswith("//", i):
            break
        elif not py and line.startswith("/*", i):
            j = line.find("*/", i + 2)
            j = len(line) if j < 0 else j + 2
            out.append(" " * (j - i))
            i = j
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out).ljust(len(line))


def code_lines(path: Path, py: bool):
    """(line number, text, mask) of the lines that hold code."""
    in_block = in_doc = False
    for n, line in enumerate(path.read_text().splitlines(), 1):
        s = line.strip()
        if py:
            if s.count('"""') == 1 or s.count("'''") == 1:
                in_doc = not in_doc
                continue
            if in_doc or s.startswith(('"""', "'''")) or SKIP_PY.search(line):
                continue
        else:
            if in_block:
                if "*/" in s:
                    in_block = False
                continue
            if s.startswith("/*") or s.startswith("*"):
                in_block = "*/" not in s
                continue
            if SKIP_C.search(line):
                continue
        yield n, line, code_mask(line, py)


CMP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
ARITH = {"+": "-", "-": "+", "*": "/", "/": "*"}


def sites(path: Path, rel: str):
    """Every mutant of one file: dicts with file, line, op, old, new."""
    py = path.suffix == ".py"
    for n, line, m in code_lines(path, py):
        def site(op, start, end, repl):
            return {"file": rel, "line": n, "op": op, "old": line,
                    "new": line[:start] + repl + line[end:]}
        for x in re.finditer(r"(?<![-<>=!])(<=|>=|==|!=|<(?![<=])|>(?![>=]))", m):
            if not py and x.group() in "<>" and re.search(r"#include|->", m[max(0, x.start() - 1):x.end()]):
                continue
            yield site("cmp", x.start(), x.end(), CMP[x.group()])
        if py:
            for x in re.finditer(r" (and|or) ", m):
                yield site("bool", x.start(), x.end(), " or " if x.group(1) == "and" else " and ")
        for x in re.finditer(r"(?<=\w|\)|\]) ([-+*/]) (?=[\w(])", m):
            yield site("arith", x.start(1), x.end(1), ARITH[x.group(1)])
        for x in re.finditer(r"(?<![\w.])(\d+)(?![\w.])", m):
            yield site("off1", x.start(), x.end(), str(int(x.group()) + 1))
        for x in re.finditer(r"(?<![\w.])(\d+\.\d*(?:e[-+]?\d+)?|\d+e[-+]?\d+)(?![\w.])", m):
            yield site("const", x.start(), x.end(), "1.0" if float(x.group()) == 0 else "0.0")
        drops = [r"\s+(and|or)\s+" + OPERAND] if py else [r"\s*(&&|\|\|)\s*" + OPERAND]
        drops.append(r"(?<=\w|\)|\]) \+ " + OPERAND)
        for pat in drops:
            for x in re.finditer(pat, m):
                yield site("drop", x.start(), x.end(), "")
        for x in re.finditer(r"\b(\w+)\(([^(),]+), ([^(),]+)\)", m):
            # the arguments as written (the mask blanks their strings)
            a, b = line[x.start(2):x.end(2)].strip(), line[x.start(3):x.end(3)].strip()
            if x.group(1) not in SYMMETRIC and a != b and "=" not in a + b:
                yield site("swap", x.start(2), x.end(3), f"{b}, {a}")


def draw_key(seed, m) -> str:
    """A mutant's place in the sample of `seed`: a hash of what it changes,
    not of its position, so an edit elsewhere (or a line moved) leaves the
    rest of the sample as it was, and two trees are sampled alike."""
    what = f"{seed}|{m['file']}|{m['op']}|{m['old'].strip()}|{m['new'].strip()}"
    return hashlib.sha1(what.encode()).hexdigest()


def all_sites(files):
    out = []
    for rel in files:
        out += list(sites(ROOT / rel, rel))
    return out


def target_files(only):
    if only:
        return [str(Path(f)) for f in only]
    out = []
    for d in FOLDERS:
        ext = "*.py" if d.startswith("analysis") else "*.c"
        out += [str(p.relative_to(ROOT)) for p in sorted((ROOT / d).glob(ext))]
    return out


def sh(cmd, cwd=None, env=None, timeout=None):
    return subprocess.run(cmd, cwd=cwd, env=env, timeout=timeout, capture_output=True, text=True)


def prepare(build: Path, baseline: str | None):
    """A copy of the work tree at build/src (tests from `baseline` if given),
    configured and built once at build/build."""
    src = build / "src"
    if src.exists():
        shutil.rmtree(src)
    ignore = shutil.ignore_patterns(".git", "build", "build-*", "results", "__pycache__", "*.h5")
    # fresh modification times (not the originals'), so that make rebuilds
    # whatever changed since the build directory was last used; ccache keeps
    # the rest cheap
    shutil.copytree(ROOT, src, ignore=ignore, copy_function=shutil.copyfile)
    if baseline:
        for d in ("tests/c", "tests/python"):
            shutil.rmtree(src / d)
        arch = subprocess.run(["git", "-C", str(ROOT), "archive", baseline, "tests/c", "tests/python"],
                              capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=arch, check=True)
    r = sh(["cmake", "-S", str(src), "-B", str(build / "build"), "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
            "-DCMAKE_C_COMPILER_LAUNCHER=ccache"])
    if r.returncode:
        sys.exit(f"mutants: cmake failed\n{r.stderr}")
    r = sh(["cmake", "--build", str(build / "build"), "-j", str(os.cpu_count() or 2)])
    if r.returncode:
        sys.exit(f"mutants: the unmutated tree does not build\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
    return src


def run_tests(build: Path, src: Path, rel: str, bound: float):
    """('killed' | 'survived' | 'timeout' | 'stillborn' (does not build),
    the last lines of what failed)."""
    ctests, pyfiles = tests_for(rel)
    present = [t for t in ctests if (src / "tests/c" / f"{t}.c").exists()]
    pyfiles = [p for p in pyfiles if (src / "tests/python" / p.split("::")[0]).exists()]
    t0 = time.monotonic()
    bdir = build / "build"
    env = dict(os.environ, ZZ_SOURCE_DIR=str(src), ZZ_BIN=str(bdir / "zhizao"), ZZ_BUILD=str(bdir),
               PYTHONPATH=str(src / "analysis"), MPLBACKEND="Agg")
    try:
        if rel.endswith(".c"):
            r = sh(["cmake", "--build", str(bdir), "-j", "2", "--target", "zhizao", *present],
                   timeout=bound)
            if r.returncode:
                return "stillborn", ""
            if present:
                r = sh(["ctest", "--stop-on-failure", "-R", "^(" + "|".join(present) + ")$"], cwd=bdir,
                       env=env, timeout=max(1, bound - (time.monotonic() - t0)))
                if r.returncode:
                    return "killed", r.stdout[-600:]
        if pyfiles:
            # a temporary directory of its own: pytest prunes old ones in the
            # shared default place, under the feet of other sessions' tests
            r = sh([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                    "--basetemp", str(build / "pytest-tmp"),
                    *[str(src / "tests/python" / p) for p in pyfiles]], cwd=src, env=env,
                   timeout=max(1, bound - (time.monotonic() - t0)))
            if r.returncode not in (0, 5):     # 5: nothing collected
                return "killed", "\n".join(ln for ln in r.stdout.splitlines()
                                           if ln.startswith(("E ", "FAILED", "ERROR")))[-600:]
        return "survived", ""
    except subprocess.TimeoutExpired:
        return "timeout", ""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sample", type=int, default=0, help="run N mutants drawn at random (0: all)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the sample")
    ap.add_argument("--files", nargs="*", help="only these files (paths from the repository root)")
    ap.add_argument("--ops", nargs="*", help="only these operators")
    ap.add_argument("--bound", type=float, default=300, help="seconds per mutant (a timeout kills)")
    ap.add_argument("--build", default=str(ROOT / "build-mutants"), help="scratch build directory")
    ap.add_argument("--baseline-tests", metavar="REV", help="run against the tests of git revision REV")
    ap.add_argument("--log", help="append each result as a JSON line to this file (and resume from it)")
    ap.add_argument("--survivors-of", metavar="LOG", help="rerun only the survivors recorded in LOG")
    ap.add_argument("--list", action="store_true", help="print the mutants and stop")
    a = ap.parse_args(argv)

    files = target_files(a.files)
    muts = [m for m in all_sites(files) if not a.ops or m["op"] in a.ops]
    if a.sample and a.sample < len(muts):
        muts = sorted(muts, key=lambda m: draw_key(a.seed, m))[:a.sample]
    if a.survivors_of:
        with open(a.survivors_of) as fh:
            done = [json.loads(x) for x in fh if x.strip()]
        muts = [{k: m[k] for k in ("file", "line", "op", "old", "new")} for m in done
                if m["verdict"] == "survived"]
    if a.list:
        for m in muts:
            print(f"{m['file']}:{m['line']} {m['op']}: {m['new'].strip()}")
        print(f"{len(muts)} mutants")
        return 0
    build = Path(a.build)
    build.mkdir(parents=True, exist_ok=True)
    print(f"mutants: {len(muts)} of {len(all_sites(files))} sites in {len(files)} files; preparing "
          f"{build}", flush=True)
    src = prepare(build, a.baseline_tests)
    count = {"killed": 0, "survived": 0, "timeout": 0, "stillborn": 0}
    survivors = []
    done = {}
    # resume: a survivor stays one (a test that fails for another reason can
    # only kill wrongly), a kill is judged again
    if a.log and Path(a.log).exists():
        with open(a.log) as fh:
            for x in fh:
                if x.strip():
                    d = json.loads(x)
                    if d["verdict"] in ("survived", "stillborn"):
                        done[(d["file"], d["line"], d["new"])] = d["verdict"]
    log = open(a.log, "a") if a.log else None
    for k, m in enumerate(muts, 1):
        if (m["file"], m["line"], m["new"]) in done:
            verdict = done[(m["file"], m["line"], m["new"])]
            count[verdict] += 1
            survivors += [m] if verdict == "survived" else []
            print(f"[{k}/{len(muts)}] {verdict:9s} (logged) {m['file']}:{m['line']}", flush=True)
            continue
        path = src / m["file"]
        text = path.read_text()
        lines = text.split("\n")
        assert lines[m["line"] - 1] == m["old"], m
        lines[m["line"] - 1] = m["new"]
        path.write_text("\n".join(lines))
        t0 = time.monotonic()
        try:
            verdict, why = run_tests(build, src, m["file"], a.bound)
        finally:
            path.write_text(text)
        count[verdict] += 1
        if verdict == "survived":
            survivors.append(m)
        print(f"[{k}/{len(muts)}] {verdict:9s} {time.monotonic() - t0:6.1f}s {m['file']}:{m['line']} "
              f"{m['op']}: {m['new'].strip()}", flush=True)
        if log:
            log.write(json.dumps(dict(m, verdict=verdict, why=why)) + "\n")
            log.flush()
    # leave the copy's build as the tree is
    if any(m["file"].endswith(".c") for m in muts):
        sh(["cmake", "--build", str(build / "build"), "-j", "2", "--target", "zhizao"])
    print("\nsurvivors:")
    for m in survivors:
        print(f"  {m['file']}:{m['line']} {m['op']}\n    - {m['old'].strip()}\n    + {m['new'].strip()}")
    judged = count["killed"] + count["timeout"] + count["survived"]
    rate = (count["killed"] + count["timeout"]) / judged if judged else float("nan")
    print(f"\nkilled {count['killed']}, timed out {count['timeout']}, survived {count['survived']}, "
          f"did not build {count['stillborn']}: kill rate {100 * rate:.1f}% of {judged}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

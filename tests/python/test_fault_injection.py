"""Write failures injected one at a time (issue 21): a preloaded shim
(tests/faults/faultshim.c) makes the n-th write, fsync or rename of a
command fail, or fills the disk at a byte drawn at random. For each command
that writes a result, over a sample of n, the output is either complete and
the same as an uninterrupted run's, or absent, with a .partial that
--resume (where the command has it) completes to the same result, or
refuses in one line saying to start again (HDF5 rewrites metadata in place,
so a write failing midway can damage it beyond repair: never resumed into a
wrong result). Every failure is exit 5 with one line; no temporary file is
left behind.

ZZ_FAULT_SAMPLE (default 8) caps the writes tried per command; the test
prints how many faults it tried (pytest -s)."""
import os
import random
import subprocess
import sys
from pathlib import Path

import h5py
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import h5same  # noqa: E402

BIN = os.path.abspath(os.environ["ZZ_BIN"]) if os.environ.get("ZZ_BIN") else None
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SHIM = os.environ.get("ZZ_FAULTSHIM") or (
    str(Path(BIN).resolve().parent / "libzz_faultshim.so") if BIN else "")
SAMPLE = int(os.environ.get("ZZ_FAULT_SAMPLE", "8"))

pytestmark = pytest.mark.skipif(not BIN or not os.path.exists(SHIM),
                                reason="ZZ_BIN or the fault shim (libzz_faultshim.so) missing")

SMALL = """\
include "baseline.lua"
scenario { name = "%s", years = 1, replications = 2 }
population { firms = 2000 }
voucher "compute"  { rate = 0.9, cap = 1e7, budget = 2e7 }
voucher "scenario" { rate = 0.9, cap = 1e7, budget = 1e7, budget_per_year = true,
                     states = { "adopted" } }
target { name = "all", share = 0.5, by = "2026-12-31" }
"""
FILES = {
    "small.lua": SMALL % "small",
    "other.lua": SMALL.replace("rate = 0.9, cap = 1e7, budget = 2e7",
                               "rate = 0.5, cap = 1e7, budget = 2e7") % "other",
    "ex.lua": 'experiment { scenarios = { "small.lua" }, design = "lhs", points = 2, '
              'replications = 2, seed = 3 }\nuncertain "population.hurdle_mean" { 0.6, 1.2 }\n',
    "cal.lua": 'calibrate { scenario = "small.lua", replications = 2, seed = 3, starts = 4, '
               'evaluations = 8 }\nfree "population.hurdle_mean" { 0.2, 1.5 }\n'
               'moment "a" { kind = "share", group = { gsz = true }, at = "2026-01-31", '
               'value = 0.35, se = 0.02 }\n'
               'moment "b" { kind = "hazard", group = { gsz = true }, from = "2026-01-01", '
               'to = "2026-12-01", value = 0.07, se = 0.01 }\n',
    "opt.lua": 'optimise { scenario = "small.lua", budget = 1.5e8, shares = { "voucher.compute", '
               '"voucher.scenario" }, objective = "target_share", target = "all", '
               'by = "2026-12-31", replications = 2, seed = 5, starts = 4, evaluations = 6, '
               'confirm = 2 }\n',
}
# command line (run from a folder beside the inputs), --resume or None, side file
COMMANDS = {
    "run": (["run", "../small.lua"], None, None),
    "compare": (["compare", "../small.lua", "../other.lua"], None, None),
    "explore": (["explore", "../ex.lua"], "--resume", None),
    "calibrate": (["calibrate", "../cal.lua"], "--resume", "calibrated.lua"),
    "optimise": (["optimise", "../opt.lua"], "--resume", "best_mix.lua"),
}
# attributes that say how the file was made, not what it holds
HOW = {"replayed_evaluations", "tasks_resumed", "resumed", "seconds"}


def zhizao(cwd, args, fault=None, count=None):
    env = dict(os.environ)
    env.pop("ZZ_FAULT", None)
    if fault or count:
        env["LD_PRELOAD"] = SHIM
    if fault:
        env["ZZ_FAULT"] = fault
    if count:
        env["ZZ_FAULT_COUNT"] = str(count)
    return subprocess.run([BIN, *args, "-o", "out.h5", "-q"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def sample(total, most):
    """Up to `most` of 1..total: the first four (the file's own structure,
    coordinates, design: written once and closed at once), the rest evenly
    spread up to the last."""
    if total <= most:
        return list(range(1, total + 1))
    head = list(range(1, 5)) if most > 4 else []
    rest = most - len(head)
    return sorted(set(head) | {5 + round(i * (total - 5) / max(rest - 1, 1)) for i in range(rest)})


def same(a, b):
    old = h5same.PROVENANCE
    h5same.PROVENANCE = old | HOW
    try:
        return h5same.differences(a, b)
    finally:
        h5same.PROVENANCE = old


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_injected_write_failure_leaves_a_whole_file_or_a_resumable_one(tmp_path, command):
    args, resume, side = COMMANDS[command]
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "baseline.lua").write_text((SRC / "scenarios" / "baseline.lua").read_text())
    (tmp_path / "pioneers.lua").write_text((SRC / "scenarios" / "pioneers.lua").read_text())
    ref = tmp_path / "ref"
    ref.mkdir()
    counts = tmp_path / "counts.txt"
    r = zhizao(ref, args, count=counts)
    if "does not come first" in r.stderr:  # an ASan build: no preloading
        pytest.skip("the sanitizer runtime must be preloaded first")
    assert r.returncode == 0, r.stderr
    seen = counts.read_text().split()
    total = {seen[i]: int(seen[i + 1]) for i in range(0, len(seen), 2)}
    # a disk that fills at a byte drawn at random (seeded: the same each time)
    rng = random.Random(f"21-{command}")
    tried = {"write": sample(total["write"], SAMPLE), "fsync": sample(total["fsync"], 3),
             "rename": sample(total["rename"], 3),
             "bytes": sorted(rng.randrange(total["bytes"]) for _ in range(3))}
    outcomes = {"complete": 0, "absent": 0, "resumed": 0, "resume refused": 0, "run again": 0}
    for kind, ns in tried.items():
        for n in ns:
            d = tmp_path / f"{kind}_{n}"
            d.mkdir()
            r = zhizao(d, args, fault=f"{kind}:{n}")
            what = f"{command} with {kind} {n} of {total[kind]} failing"
            assert r.returncode in (0, 5), (what, r.returncode, r.stderr)
            assert "HDF5-DIAG" not in r.stderr and "Traceback" not in r.stderr, (what, r.stderr)
            assert not list(d.glob("*.writing")), (what, list(d.iterdir()))
            out = d / "out.h5"
            if r.returncode == 5:
                assert r.stderr.count("\n") == 1 and "zhizao: " in r.stderr, (what, r.stderr)
            if out.exists():   # under its final name: the whole result, never a part
                assert same(ref / "out.h5", out) == [], what
                if r.returncode == 0 and side:
                    assert (d / side).read_text() == (ref / side).read_text(), what
                outcomes["complete"] += 1
                continue
            outcomes["absent"] += 1
            partial = d / "out.h5.partial"
            if resume is None:
                continue
            # what the failure kept is taken up again and ends as if never stopped
            kept = partial.exists()
            again = zhizao(d, args + ([resume] if kept else []))
            if kept and again.returncode != 0:
                # HDF5 rewrites metadata in place: a write that failed midway
                # can leave a .partial no reader can continue. Refused in so
                # many words, never resumed into a wrong result.
                assert again.returncode in (2, 5) and again.stderr.count("\n") == 1, (
                    what, again.stderr)
                assert "out.h5.partial" in again.stderr and "without --resume" in again.stderr
                outcomes["resume refused"] += 1
                again = zhizao(d, args)
            else:
                outcomes["resumed" if kept else "run again"] += 1
            assert again.returncode == 0, (what, again.stderr)
            assert same(ref / "out.h5", out) == [], what
            if side:
                assert (d / side).read_text() == (ref / side).read_text(), what
    faults = sum(len(v) for v in tried.values())
    print(f"\n{command}: {faults} faults tried (write {len(tried['write'])} of "
          f"{total['write']}, fsync {len(tried['fsync'])} of {total['fsync']}, rename "
          f"{len(tried['rename'])} of {total['rename']}, disk full at bytes {tried['bytes']} "
          f"of {total['bytes']}): {outcomes}")
    assert outcomes["absent"] >= 1   # the faults did reach the command

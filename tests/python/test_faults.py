"""Faults and hostile input (issue 9), met through the command line as a
user would: outputs that must not be written, two runs on one output,
Ctrl-C wherever the time goes, files that lead out of the scenario's
folder, NUL bytes, the total Lua budget, memory over many replications,
and damaged or foreign result files."""
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
PY = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable

pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")

TINY = ('scenario { name = "tiny", start = "2026-01-01", years = 1, seed = 3, '
        'replications = 2 }\npopulation { firms = 100 }\n')
SECRET = "zz-secret-line-do-not-print"


def zhizao(*args, **kw):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, **kw)


def tiny(tmp_path, text=TINY, name="tiny.lua"):
    p = tmp_path / name
    p.write_text(text)
    return p


def partial(out):
    return Path(str(out) + ".partial")


# ---- the output path -------------------------------------------------------

def test_output_refused_before_any_work(tmp_path):
    sc = tiny(tmp_path)
    before = sc.read_bytes()
    (tmp_path / "dir").mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "hard.h5").hardlink_to(sc)
    cases = {"": "empty", tmp_path / "dir": "directory", str(tmp_path / "dir") + "/": "directory",
             sc: "one of the run's inputs", tmp_path / "hard.h5": "one of the run's inputs",
             fifo: "named pipe"}
    for out, what in cases.items():
        t0 = time.time()
        r = zhizao("run", sc, "-o", out, "-q")
        assert r.returncode == 2, (out, r.stderr)
        assert what in r.stderr and "\n" == r.stderr[-1] and r.stderr.count("\n") == 1
        assert time.time() - t0 < 5          # refused at once, not after the run
    assert sc.read_bytes() == before and fifo.exists() and stat.S_ISFIFO(fifo.stat().st_mode)
    assert not list(tmp_path.glob("*.partial")) and not list(Path.cwd().glob(".partial"))
    r = zhizao("run", sc, "-o", tmp_path / "no" / "such" / "x.h5", "-q")
    assert r.returncode == 5 and "does not exist" in r.stderr


def test_output_that_is_an_include_or_the_firm_file(tmp_path):
    tiny(tmp_path, TINY, "base.lua")
    firms = tmp_path / "firms.csv"
    firms.write_text((SRC / "examples" / "firms_sample.csv").read_text())
    sc = tiny(tmp_path, 'include "base.lua"\nscenario { name = "v" }\n', "v.lua")
    r = zhizao("run", sc, "-o", tmp_path / "base.lua", "-q")
    assert r.returncode == 2 and "base.lua" in r.stderr and "inputs" in r.stderr
    r = zhizao("run", sc, "--set", f"population.file={firms}", "-o", firms, "-q")
    assert r.returncode == 2 and "inputs" in r.stderr
    assert firms.read_text().startswith("id,")


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")
def test_output_that_is_a_device_node(tmp_path):
    sc = tiny(tmp_path)
    dev = tmp_path / "null"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))   # a private /dev/null
    r = zhizao("run", sc, "-o", dev, "-q")
    assert r.returncode == 2 and "character device" in r.stderr
    assert stat.S_ISCHR(dev.stat().st_mode)
    # a symbolic link to it is no better
    (tmp_path / "link.h5").symlink_to(dev)
    r = zhizao("run", sc, "-o", tmp_path / "link.h5", "-q")
    assert r.returncode == 2 and stat.S_ISCHR(dev.stat().st_mode)


def test_two_runs_on_one_output(tmp_path):
    out = tmp_path / "one.h5"
    first = subprocess.Popen([BIN, "run", str(SRC / "scenarios" / "bass_validation.lua"),
                              "-o", str(out), "-r", "40", "-t", "1", "-q"],
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:             # a replicate is in the file
            time.sleep(0.2)
            try:
                with h5py.File(partial(out), "r") as f:
                    if int(f.attrs["replications_done"]) >= 1:
                        break
            except (OSError, KeyError):
                pass
        t0 = time.time()
        second = zhizao("run", tiny(tmp_path), "-o", out, "-q")
        assert time.time() - t0 < 5
        assert second.returncode == 5
        assert f"process {first.pid}" in second.stderr and "bass_validation" in second.stderr
        assert first.poll() is None                  # the first run goes on
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=30)
    # what the first run kept is intact: the second run did not touch it
    with h5py.File(partial(out), "r") as f:
        assert f.attrs["complete"] == 0 and int(f.attrs["replications_done"]) >= 1


def test_final_name_only_ever_holds_a_verified_file(tmp_path):
    out = tmp_path / "ok.h5"
    r = zhizao("run", tiny(tmp_path), "-o", out, "-q")
    assert r.returncode == 0 and out.exists() and not partial(out).exists()
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 1
        # every variable carries HDF5's Fletcher-32 checksum
        assert f["adopted"].fletcher32 and f["spent"].fletcher32 and f["events"].fletcher32


# ---- interrupts ----------------------------------------------------------

HEAVY = '''scenario { name = "heavy", start = "2026-01-01", years = 30, seed = 1, replications = 8 }
population { firms = 300 }
local heavy = nil
when(function(sim)
  if heavy == nil then heavy = math.random() < 0.5; print(heavy and "heavy" or "light") end
  if heavy then for i = 1, 9000000 do end end
  return false
end, function(sim) end)
'''


def _seed_with_heavy_first(sc):
    """A seed whose replicate 0 is heavy and replicate 1 light (one thread,
    a month: the print order is the replicate order)."""
    for seed in range(1, 60):
        r = zhizao("run", sc, "-o", sc.parent / "probe.h5", "--seed", seed, "-t", "1", "-r", 3,
                   "--set", "scenario.years=0.1", "-q")
        kinds = [ln.split(": ")[-1] for ln in r.stderr.splitlines() if "heavy" in ln or
                 "light" in ln]
        (sc.parent / "probe.h5").unlink(missing_ok=True)
        if kinds[:2] == ["heavy", "light"]:
            return seed
    pytest.fail("no seed with a heavy replicate 0")


def _interrupt(cmd, ready, out):
    p = subprocess.Popen([BIN, *map(str, cmd)], stderr=subprocess.PIPE, text=True)
    ready(p)
    t0 = time.time()
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    return p.returncode, time.time() - t0, err


def test_ctrl_c_in_lua_keeps_a_later_replicate_that_finished_first(tmp_path):
    sc = tiny(tmp_path, HEAVY, "heavy.lua")
    seed = _seed_with_heavy_first(sc)
    out = tmp_path / "heavy.h5"

    # light replicates take well under a second, a heavy one half a minute:
    # after 3 s replicate 0 still runs, later light ones wait in memory
    rc, took, err = _interrupt(["run", sc, "-o", out, "--seed", seed, "-t", "2", "-q"],
                               lambda p: time.sleep(3), out)
    assert rc == 8, err
    assert took < 2.0, took
    assert "interrupted" in err and "finished and kept (replicate" in err
    with h5py.File(partial(out), "r") as f:
        assert f.attrs["complete"] == 0
        ev = f["events"][:]
        kept = np.flatnonzero(ev > 0)
        assert ev[0] == 0 and kept.size >= 1 and kept.min() >= 1     # 0 was cut short
        assert int(f.attrs["replications_done"]) == kept.size
    # the analysis package reads exactly those
    code = ("import warnings, zhizao; warnings.simplefilter('ignore');"
            f"print(list(zhizao.open({str(partial(out))!r})['replicate'].values))")
    r = subprocess.run([PY, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(SRC / "analysis")})
    assert r.returncode == 0 and eval(r.stdout) == [int(k) for k in kept], r.stderr


def test_ctrl_c_while_a_firm_file_trickles_in(tmp_path):
    fifo = tmp_path / "firms.csv"
    os.mkfifo(fifo)
    rows = (SRC / "examples" / "firms_sample.csv").read_text().splitlines()
    out = tmp_path / "slow.h5"

    def feed():
        try:
            with open(fifo, "w") as f:            # blocks until zhizao opens it
                f.write(rows[0] + "\n")
                for i in range(60):
                    f.write(rows[1].replace(rows[1].split(",")[0], f"s{i}", 1) + "\n")
                    f.flush()
                    time.sleep(0.5)
        except BrokenPipeError:                   # zhizao stopped reading: expected
            pass
    import threading
    t = threading.Thread(target=feed, daemon=True)
    t.start()
    rc, took, err = _interrupt(["run", tiny(tmp_path), "--set", f"population.file={fifo}",
                                "-o", out, "-q"], lambda p: time.sleep(1.5), out)
    assert rc == 8 and took < 2.0, (rc, took, err)
    assert "interrupted while reading the firm file" in err
    assert not out.exists() and not partial(out).exists()


# ---- files a scenario names ------------------------------------------------

def test_symbolic_link_out_of_the_scenario_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.lua").write_text(f"{SECRET}\n")
    (outside / "secret.csv").write_text(f"{SECRET}\n")
    d = tmp_path / "scn"
    d.mkdir()
    (d / "base.lua").symlink_to(outside / "secret.lua")
    (d / "firms.csv").symlink_to(outside / "secret.csv")
    for text in ('include "base.lua"\n' + TINY,
                 TINY + 'population { file = "firms.csv" }\n'):
        sc = tiny(d, text, "s.lua")
        r = zhizao("check", sc)
        assert r.returncode == 3, r.stderr
        assert "symbolic link" in r.stderr and "s.lua:" in r.stderr
        assert SECRET not in r.stderr
    # a file named on the command line is the user's choice, but a file
    # that is not a firm file shows nothing of itself
    r = zhizao("run", tiny(d, TINY, "t.lua"), "--set", f"population.file={outside / 'secret.csv'}",
               "-o", tmp_path / "x.h5", "-q")
    assert r.returncode == 4 and "not a firm file" in r.stderr and SECRET not in r.stderr


def test_named_pipe_included(tmp_path):
    os.mkfifo(tmp_path / "pipe.lua")
    sc = tiny(tmp_path, 'include "pipe.lua"\n' + TINY, "s.lua")
    r = zhizao("check", sc, timeout=10)       # never blocks waiting for a writer
    assert r.returncode == 3 and "named pipe" in r.stderr and "s.lua:1" in r.stderr


# ---- NUL bytes and control characters -------------------------------------

def test_nul_bytes_refused_with_file_and_line(tmp_path):
    sc = tmp_path / "n.lua"
    sc.write_text('scenario { name = "a" }\nvoucher "x\\0y" { rate = 0.3 }\n')
    r = zhizao("check", sc)
    assert r.returncode == 3 and "n.lua:2" in r.stderr and "NUL" in r.stderr
    sc.write_text('scenario { name = "a\\0b" }\n')
    r = zhizao("check", sc)
    assert r.returncode == 3 and "n.lua:1" in r.stderr and "NUL" in r.stderr
    sc.write_bytes(b'scenario { name = "a" }\n-- x\x00y\n')
    r = zhizao("check", sc)
    assert r.returncode == 3 and "n.lua:2" in r.stderr and "NUL" in r.stderr
    base = (SRC / "examples" / "firms_sample.csv").read_bytes().splitlines()
    csv = tmp_path / "f.csv"
    for bad, line in ((base[0] + b"\x00x", 1), (base[1].replace(b",1,", b",1\x00junk,", 1), 2)):
        csv.write_bytes(b"\n".join([bad] + base[1:] if line == 1 else [base[0], bad] + base[2:]))
        r = zhizao("run", tiny(tmp_path), "--set", f"population.file={csv}", "-o",
                   tmp_path / "o.h5", "-q")
        assert r.returncode == 4 and f"f.csv:{line}" in r.stderr and "NUL" in r.stderr


def test_control_characters_escaped_and_nan_named(tmp_path):
    csv = tmp_path / "f.csv"
    rows = (SRC / "examples" / "firms_sample.csv").read_text().splitlines()
    cells = rows[1].split(",")
    cells[1] = "\x1b[2J\x1b[31mJinan"
    csv.write_text("\n".join([rows[0], ",".join(cells)]) + "\n")
    r = zhizao("run", tiny(tmp_path), "--set", f"population.file={csv}", "-o", tmp_path / "o.h5",
               "-q")
    assert r.returncode == 4 and "\x1b" not in r.stderr and "\\x1B[2J" in r.stderr
    r = zhizao("check", tiny(tmp_path), "--set", "population.firms=-nan")
    assert r.returncode == 3 and "got -nan" not in r.stderr and "got NaN" in r.stderr
    r = zhizao("check", tiny(tmp_path, TINY + "population { firms = 0/0 }\n", "n.lua"))
    assert r.returncode == 3 and "-nan" not in r.stderr and "n.lua:3" in r.stderr


# ---- the total Lua budget -------------------------------------------------

def test_total_lua_budget_of_a_replication(tmp_path):
    # each call stays far below the per-call limit; together they do not
    sc = tiny(tmp_path, TINY + 'decision "lua" { fn = function(f)\n'
              '  local x = 0\n  for i = 1, 20000 do x = x + i end\n  return 0.01\nend }\n',
              "budget.lua")
    r = zhizao("run", sc, "-o", tmp_path / "b.h5", "-r", 1, "-q", "--lua-instructions", 2000000)
    assert r.returncode == 7, r.stderr
    assert "budget.lua:5" in r.stderr   # the loop and "total Lua budget" in r.stderr
    assert "--lua-instructions" in r.stderr
    r = zhizao("run", sc, "-o", tmp_path / "b.h5", "-r", 1, "-q")     # the default suffices
    assert r.returncode == 0, r.stderr
    r = zhizao("run", sc, "-o", tmp_path / "c.h5", "-r", 1, "-q", "--lua-seconds", 0)
    assert r.returncode == 2


# ---- memory over many replications -----------------------------------------

def test_memory_does_not_grow_with_replications(tmp_path):
    """Generous, not a timing: results wait in memory only while a slower
    replicate holds up the writing order (bench/memory.sh measures)."""
    sc = tiny(tmp_path, TINY.replace("firms = 100", "firms = 50"))
    # a fresh parent whose only child is the run: its peak alone is measured
    code = ("import resource, subprocess, sys\n"
            "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            "sys.stderr.write(r.stderr)\n")
    r = subprocess.run([PY, "-c", code, BIN, "run", str(sc), "-o", str(tmp_path / "m.h5"),
                        "-r", "2500", "-t", "2", "-q"], capture_output=True, text=True)
    rc, kb = map(int, r.stdout.split())
    assert rc == 0, r.stderr
    assert kb / 1024 < 200, kb / 1024


# ---- damaged and foreign result files ------------------------------------

@pytest.fixture(scope="module")
def result_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("res")
    out = d / "good.h5"
    r = zhizao("run", tiny(d), "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    return out


def _damaged(result_file, tmp_path):
    data = bytearray(result_file.read_bytes())
    files = {}
    zeroed = bytearray(data)
    zeroed[1024:4096] = bytes(3072)                  # metadata wiped
    files["zeroed.h5"] = zeroed
    files["truncated.h5"] = data[: len(data) // 2]
    files["text.h5"] = b"id,city\n1,Jinan\n"
    files["empty.h5"] = b""
    flipped = bytearray(data)
    for off in range(600, len(data), 997):           # bits flipped all over
        flipped[off] ^= 0x5A
    files["flipped.h5"] = flipped
    out = {}
    for name, b in files.items():
        (tmp_path / name).write_bytes(bytes(b))
        out[name] = tmp_path / name
    with h5py.File(tmp_path / "foreign.h5", "w") as f:
        f["adopted"] = np.zeros((2, 3), dtype="i4")
        f.attrs["complete"] = "yes"
    out["foreign.h5"] = tmp_path / "foreign.h5"
    return out


def test_report_on_damaged_and_foreign_files(result_file, tmp_path):
    expected = {"zeroed.h5": 5, "truncated.h5": 5, "text.h5": 4, "foreign.h5": 4}
    for name, path in _damaged(result_file, tmp_path).items():
        if name not in expected:     # the others: test_open_on_damaged_files...
            continue
        r = zhizao("report", path, "-o", tmp_path / f"rep_{name}")
        assert r.returncode == expected[name], (name, r.returncode, r.stderr)
        assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1, (name, r.stderr)
        assert name in r.stderr
    r = zhizao("report", result_file, "-o", tmp_path / "rep_good")
    assert r.returncode == 0, r.stderr


def test_open_on_damaged_files_never_takes_python_down(result_file, tmp_path):
    files = _damaged(result_file, tmp_path)
    code = f"""
import sys, zhizao
for p in {[str(p) for p in files.values()]!r}:
    try:
        zhizao.open(p)
        print("opened", p)
    except zhizao.ResultFileError as e:
        print("refused", e.exit_code, str(e).count(chr(10)), p)
print("alive")
"""
    r = subprocess.run([PY, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(SRC / "analysis")})
    assert r.returncode == 0 and r.stdout.strip().endswith("alive"), r.stderr
    lines = r.stdout.splitlines()[:-1]
    assert len(lines) == len(files) and all(ln.startswith("refused") for ln in lines), lines
    assert all(ln.split()[2] == "0" for ln in lines)      # one line each


def test_a_crash_while_probing_is_a_one_line_error(tmp_path, monkeypatch, result_file):
    """The child that reads the file may die (HDF5 segfaults on some damaged
    metadata); the caller gets an error, not the crash."""
    sys.path.insert(0, str(SRC / "analysis"))
    from zhizao import validate

    def crash(path):
        os.kill(os.getpid(), signal.SIGSEGV)
    monkeypatch.setattr(validate, "_probe", crash)
    validate._cache.clear()
    with pytest.raises(validate.ResultFileError, match="crashed reading it.*SIGSEGV"):
        validate.check(result_file)


def test_report_on_a_partial_file_says_which_replications_it_holds(tmp_path):
    sc = tiny(tmp_path, HEAVY, "heavy.lua")
    seed = _seed_with_heavy_first(sc)
    out = tmp_path / "p.h5"

    rc, _, err = _interrupt(["run", sc, "-o", out, "--seed", seed, "-t", "2", "-q"],
                            lambda p: time.sleep(3), out)
    assert rc == 8, err
    r = zhizao("report", partial(out), "-o", tmp_path / "rep")
    assert r.returncode == 0, r.stderr
    assert "incomplete run" in r.stderr and "of 8 replications (" in r.stderr


# ---- explore and compare outputs get the same guarantees as run -----------

def _experiment(tmp_path, points=2, reps=1, design="lhs"):
    for name in ("baseline.lua", "pioneers.lua", "shandong_2026.lua"):
        (tmp_path / name).write_text((SRC / "scenarios" / name).read_text())
    (tmp_path / "ranges.lua").write_text('uncertain "population.hurdle_mean" { 0.6, 1.2 }\n')
    ex = tmp_path / "ex.lua"
    ex.write_text('experiment { scenarios = { "baseline.lua", "shandong_2026.lua" }, '
                  f'design = "{design}", points = {points}, replications = {reps}, seed = 3 }}\n'
                  'include "ranges.lua"\n')
    return ex


def test_explore_and_compare_outputs_refused_before_any_work(tmp_path):
    ex = _experiment(tmp_path)
    inputs = {p: p.read_bytes() for p in tmp_path.glob("*.lua")}
    (tmp_path / "dir").mkdir()
    cases = {ex: "one of the run's inputs", tmp_path / "ranges.lua": "one of the run's inputs",
             tmp_path / "shandong_2026.lua": "one of the run's inputs",
             tmp_path / "dir": "directory", "": "empty"}
    for out, what in cases.items():
        t0 = time.time()
        r = zhizao("explore", ex, "-o", out, "--set", "population.firms=50000", "-q")
        assert r.returncode == 2 and what in r.stderr, (out, r.stderr)
        assert r.stderr.count("\n") == 1 and time.time() - t0 < 5
    for out in (tmp_path / "baseline.lua", tmp_path / "dir"):
        r = zhizao("compare", tmp_path / "baseline.lua", tmp_path / "shandong_2026.lua",
                   "-o", out, "-q")
        assert r.returncode == 2, r.stderr
    assert all(p.read_bytes() == b for p, b in inputs.items())
    assert not list(tmp_path.glob("*.partial"))


def _wait_tasks(p, n, proc, limit=60):
    t0 = time.time()
    while proc.poll() is None and time.time() - t0 < limit:
        try:
            with h5py.File(p, "r", locking=False) as f:
                if int(f.attrs["tasks_done"]) >= n:
                    return
        except (OSError, KeyError):
            pass
        time.sleep(0.1)


def test_two_explores_on_one_output_and_resume_after(tmp_path):
    ex = _experiment(tmp_path, points=8, reps=4)
    out = tmp_path / "x.h5"
    args = ["--set", "population.firms=20000", "--threads", "1", "-q"]
    first = subprocess.Popen([BIN, "explore", str(ex), "-o", str(out), *args],
                             stderr=subprocess.PIPE, text=True)
    try:
        _wait_tasks(partial(out), 1, first)
        first.send_signal(signal.SIGSTOP)       # holds its lock, however fast the machine
        assert first.poll() is None, "the first explore finished too soon to be met"
        for extra in ([], ["--resume"]):        # a resume may not join a running writer
            t0 = time.time()
            second = zhizao("explore", ex, "-o", out, *args, *extra)
            assert time.time() - t0 < 5
            assert second.returncode == 5, second.stderr
            assert f"process {first.pid}" in second.stderr and "explore" in second.stderr
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGINT)
        first.send_signal(signal.SIGCONT)
        first.communicate(timeout=60)
    assert first.returncode == 8 and partial(out).exists() and not out.exists()
    with h5py.File(partial(out), "r") as f:
        kept = int(f["task_done"][()].sum())
        assert f.attrs["complete"] == 0 and kept >= 1
    # the partial file is resumed by its own run: the lock does not stop it
    r = zhizao("explore", ex, "-o", out, *args[:-1], "--resume")
    assert r.returncode == 0, r.stderr
    assert f"{8 * 2 * 4 - kept} tasks (" in r.stderr
    assert out.exists() and not partial(out).exists()
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 1 and int(f["task_done"][()].sum()) == 8 * 2 * 4
        assert f["target_share"].fletcher32


def test_explore_never_renames_over_what_appeared_at_its_output(tmp_path):
    """A named pipe made at the output while the experiment runs is not
    replaced by the finished file (rename would replace it silently); the
    result stays in the .partial, complete and resumable elsewhere."""
    ex = _experiment(tmp_path, points=4, reps=2)
    out = tmp_path / "x.h5"
    proc = subprocess.Popen([BIN, "explore", str(ex), "-o", str(out), "--set",
                             "population.firms=20000", "--threads", "1", "-q"],
                            stderr=subprocess.PIPE, text=True)
    _wait_tasks(partial(out), 1, proc)
    proc.send_signal(signal.SIGSTOP)
    assert proc.poll() is None
    os.mkfifo(out)
    proc.send_signal(signal.SIGCONT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 5 and "named pipe" in err, err
    assert stat.S_ISFIFO(out.stat().st_mode) and partial(out).exists()
    with h5py.File(partial(out), "r") as f:
        assert f.attrs["complete"] == 1 and int(f["task_done"][()].sum()) == 4 * 2 * 2


def test_explore_reads_its_file_back_before_the_final_name(tmp_path):
    """A chunk damaged on disk while the experiment runs (a finished task's
    data, Fletcher-32 checked) stops the file from taking its final name."""
    ex = _experiment(tmp_path, points=4, reps=2)
    out = tmp_path / "x.h5"
    proc = subprocess.Popen([BIN, "explore", str(ex), "-o", str(out), "--set",
                             "population.firms=20000", "--threads", "1", "-q"],
                            stderr=subprocess.PIPE, text=True)
    _wait_tasks(partial(out), 2, proc)
    proc.send_signal(signal.SIGSTOP)
    try:
        assert proc.poll() is None
        with h5py.File(partial(out), "r", locking=False) as f:
            info = f["target_share"].id.get_chunk_info(0)   # task (0, 0, 0): written
        with open(partial(out), "r+b") as f:
            f.seek(info.byte_offset + info.size // 2)
            b = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([b[0] ^ 0xFF]))
    finally:
        proc.send_signal(signal.SIGCONT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 5 and "target_share" in err, err
    assert not out.exists() and partial(out).exists()

"""`zhizao explore`, `compare`, `run` and `calibrate` over MPI ranks under a
real mpirun: the same file (and estimates) as one process, whatever the rank
count; a worker killed with SIGKILL leaves a .partial of finished tasks that
--resume on another rank count completes (explore), or that holds the
finished replications marked incomplete (run); more ranks than tasks; the
other commands refuse several ranks. Open MPI refuses root unless told (the CI
machine runs as root), hence the two OMPI_ALLOW_* variables."""
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import h5py
import pytest

from h5same import differences

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
MPIRUN = shutil.which("mpirun")

pytestmark = [pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set"),
              pytest.mark.skipif(not MPIRUN, reason="mpirun (openmpi-bin) is not installed")]

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_btl_vader_single_copy_mechanism="none")


def library(d):
    for f in (SRC / "scenarios").glob("*.lua"):
        (d / f.name).write_text(f.read_text())


def zz(*args, check=True):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, env=ENV)
    if check and r.returncode != 0:
        raise AssertionError(f"zhizao {' '.join(map(str, args))} -> {r.returncode}\n{r.stderr}")
    return r


def mpi(n, *args, check=True, env=None):
    cmd = [MPIRUN, "--oversubscribe", "--bind-to", "none", "-n", str(n)]
    for k in env or {}:
        cmd += ["-x", k]
    r = subprocess.run(cmd + [BIN, *map(str, args)], capture_output=True, text=True,
                       env=dict(ENV, **(env or {})), timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"mpirun -n {n} zhizao {' '.join(map(str, args))} -> "
                             f"{r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def ran_on(path):
    with h5py.File(path, "r") as f:
        return {k: f.attrs[k].decode() for k in ("ran_on", "resumed_on") if k in f.attrs}


def _rank_pid(root, rank):
    """The pid of MPI rank `rank` among the children of mpirun `root`."""
    for d in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{d}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) != root:
                    continue
            with open(f"/proc/{d}/environ", "rb") as f:
                if f"OMPI_COMM_WORLD_RANK={rank}".encode() in f.read().split(b"\0"):
                    return int(d)
        except (OSError, IndexError, ValueError):
            pass
    return None


def on_three_ranks_until(ready, *args):
    """Starts mpirun -n 3 zhizao ARGS and waits until ready() (at most a
    minute, or until the job ends); the running process."""
    p = subprocess.Popen([MPIRUN, "--oversubscribe", "--bind-to", "none", "-n", "3", BIN,
                          *map(str, args)], env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while time.time() - t0 < 60 and p.poll() is None and not ready():
        time.sleep(0.02)
    return p


def partial_count(out, count, need):
    """ready() once OUT.partial's attribute `count` reaches `need`."""
    def ready():
        try:
            with h5py.File(str(out) + ".partial", "r", locking=False) as f:
                return int(f.attrs[count]) >= need
        except (OSError, KeyError):
            return False
    return ready


def trace_rows(partial, n):
    """ready() once a .partial trace holds n rows (a header and n - 1)."""
    return lambda: partial.exists() and len(partial.read_text().splitlines()) >= n


def kill_worker_when(out, count, need, *args):
    """Runs mpirun -n 3 zhizao ARGS -o OUT and kills rank 2 with SIGKILL once
    OUT.partial's attribute `count` reaches `need`; returns (rc, stderr)."""
    ready = partial_count(out, count, need)
    p = on_three_ranks_until(ready, *args, "-o", out)
    pid = _rank_pid(p.pid, 2) if p.poll() is None and ready() else None
    assert pid, "the job ended (or never began) before rank 2 could be killed"
    os.kill(pid, signal.SIGKILL)
    _, err = p.communicate(timeout=60)
    return p.returncode, err


def ctrl_c_on_three_ranks(ready, *args):
    """Runs mpirun -n 3 zhizao ARGS, presses Ctrl-C on mpirun once ready()
    (or after a minute); the return code and stderr."""
    p = on_three_ranks_until(ready, *args)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    return p.returncode, err


def test_three_ranks_with_threads_write_the_one_process_file(tmp_path):
    library(tmp_path)
    (tmp_path / "e.lua").write_text(
        'experiment { scenarios = { "baseline.lua", "shandong_2026.lua", "contest_only.lua" },\n'
        '             design = "sobol", points = 3, replications = 3, seed = 5 }\n'
        'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n'
        'uncertain "voucher.compute.rate"   { 0.1, 0.5 }\n')
    args = [tmp_path / "e.lua", "--set", "population.firms=2000", "--cells"]
    zz("explore", *args, "-o", tmp_path / "one.h5", "--threads", "1", "--quiet")
    r = mpi(3, "explore", *args, "-o", tmp_path / "three.h5", "--threads", "2")
    # rank 0 alone speaks: one header, one summary with the twins the workers ran
    assert r.stderr.count("27 tasks") == 2 and "27 tasks (and 9 no-policy twins)" in r.stderr
    assert r.stdout.count("wrote") == 1
    assert differences(tmp_path / "one.h5", tmp_path / "three.h5") == []
    assert ran_on(tmp_path / "three.h5")["ran_on"].startswith(
        "3 MPI ranks (rank 0 writes, 2 work), 2 threads per rank: ")
    assert "1 process, 1 threads" in ran_on(tmp_path / "one.h5")["ran_on"]


def _experiment(d, points=8, reps=4):
    library(d)
    (d / "k.lua").write_text(
        'experiment { scenarios = { "baseline.lua", "shandong_2026.lua" }, design = "lhs",\n'
        f'             points = {points}, replications = {reps}, seed = 3 }}\n'
        'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n')
    return [d / "k.lua", "--set", "population.firms=3000", "--threads", "1"]


def test_killed_worker_keeps_finished_tasks_and_resume_on_other_ranks_completes(tmp_path):
    args = _experiment(tmp_path, points=12, reps=2)
    args[2] = "population.firms=20000"   # long enough to be killed half-way
    whole, out = tmp_path / "whole.h5", tmp_path / "cut.h5"
    partial = Path(str(out) + ".partial")
    # a real SIGKILL of worker rank 2: mpirun then ends the job, and rank 0,
    # stopped by it, keeps what had come back
    rc, err = kill_worker_when(out, "tasks_done", 2, "explore", *args)
    assert rc != 0, err
    assert re.search(r"interrupted \(lost: rank 2, .*--resume continues|rank 2 ", err, re.S), err
    assert partial.exists() and not out.exists()
    with h5py.File(partial, "r") as f:
        done = int(f["task_done"][()].sum())
        assert f.attrs["complete"] == 0 and int(f.attrs["tasks_done"]) == done
    assert 2 <= done < 48
    # on two ranks now: only what was missing is run, and the file is the same
    r = mpi(2, "explore", *args, "-o", out, "--resume")
    assert f"zhizao: {48 - done} tasks (" in r.stderr, r.stderr
    assert out.exists() and not partial.exists()
    zz("explore", *args, "-o", whole, "--quiet")
    assert differences(whole, out) == []
    assert ran_on(out)["resumed_on"].startswith("2 MPI ranks")


def test_a_worker_that_exits_mid_run_is_named(tmp_path):
    # rank 2 exits (the test hook) right after sending its first unit: a
    # deterministic loss, where the SIGKILL above depends on timing
    args = _experiment(tmp_path)
    out = tmp_path / "cut.h5"
    r = mpi(3, "explore", *args, "-o", out, check=False, env={"ZZ_TEST_MPI_DIE": "2:1"})
    assert r.returncode != 0, r.stderr
    assert re.search(r"interrupted \(lost: rank 2, .*--resume continues|rank 2 |\[\[\d+,1\],2\]",
                     r.stderr, re.S), r.stderr
    with h5py.File(str(out) + ".partial", "r") as f:
        assert f.attrs["complete"] == 0 and 0 < int(f.attrs["tasks_done"]) < 64


def test_ctrl_c_on_mpirun_keeps_finished_tasks_and_resume_in_one_process(tmp_path):
    args = _experiment(tmp_path, points=16, reps=2)
    # long enough to be stopped half-way, with a margin: at 20,000 firms the
    # faster economic rule finished all 64 tasks (1.1 s) before the signal
    args[2] = "population.firms=60000"
    out = tmp_path / "c.h5"
    partial = Path(str(out) + ".partial")
    rc, err = ctrl_c_on_three_ranks(partial_count(out, "tasks_done", 2), "explore", *args, "-o", out)
    assert rc != 0, err
    assert "interrupted" in err and "--resume continues" in err, err
    assert partial.exists() and not out.exists()
    zz("explore", *args, "-o", out, "--resume", "--quiet")
    zz("explore", *args, "-o", tmp_path / "whole.h5", "--quiet")
    assert differences(tmp_path / "whole.h5", out) == []


def test_more_ranks_than_tasks(tmp_path):
    library(tmp_path)
    (tmp_path / "one.lua").write_text(
        'experiment { scenarios = { "shandong_2026.lua" }, points = 1, replications = 1 }\n')
    args = [tmp_path / "one.lua", "--set", "population.firms=2000", "--quiet"]
    zz("explore", *args, "-o", tmp_path / "a.h5")
    mpi(4, "explore", *args, "-o", tmp_path / "b.h5")
    assert differences(tmp_path / "a.h5", tmp_path / "b.h5") == []


def test_compare_on_three_ranks_writes_the_one_process_file_and_ranking(tmp_path):
    library(tmp_path)
    args = [tmp_path / "baseline.lua", tmp_path / "shandong_2026.lua",
            tmp_path / "contest_only.lua", "-r", "5", "-s", "3", "--firms",
            "--set", "population.firms=3000", "--set", "contest_only:decision.temperature=0.3"]
    one = zz("compare", *args, "-o", tmp_path / "one.h5", "--threads", "1")
    three = mpi(3, "compare", *args, "-o", tmp_path / "one.h5.mpi", "--threads", "2")
    assert differences(tmp_path / "one.h5", tmp_path / "one.h5.mpi") == []
    # the same ranking table, printed once; the twins the workers ran counted
    assert one.stdout.replace("one.h5", "one.h5.mpi") == three.stdout
    assert "15 tasks (and 10 no-policy twins)" in three.stderr, three.stderr


def test_bad_input_and_other_commands_on_several_ranks_get_one_clear_error(tmp_path):
    library(tmp_path)
    r = mpi(2, "check", tmp_path / "shandong_2026.lua", check=False)
    assert r.returncode != 0, r.stderr
    assert r.stderr.count("only run, compare, explore, calibrate and optimise spread") == 1, r.stderr
    assert not (tmp_path / "x.h5").exists()
    r = mpi(2, "run", tmp_path / "nowhere.lua", "-o", tmp_path / "x.h5", check=False)
    lines = [x for x in r.stderr.splitlines() if x.startswith("zhizao:")]
    assert r.returncode != 0 and len(lines) == 1 and "nowhere.lua" in lines[0], r.stderr
    assert "MPI_ABORT" not in r.stderr
    (tmp_path / "bad.lua").write_text('experiment { scenarios = { "nowhere.lua" } }\n')
    r = mpi(3, "explore", tmp_path / "bad.lua", "-o", tmp_path / "y.h5", check=False)
    lines = [x for x in r.stderr.splitlines() if x.startswith("zhizao:")]
    assert r.returncode != 0 and len(lines) == 1 and "bad.lua:1" in lines[0], r.stderr
    assert "MPI_ABORT" not in r.stderr
    r = mpi(3, "compare", tmp_path / "baseline.lua", tmp_path / "nowhere.lua", "-o",
            tmp_path / "z.h5", check=False)
    lines = [x for x in r.stderr.splitlines() if x.startswith("zhizao:")]
    assert r.returncode != 0 and len(lines) == 1 and "nowhere.lua" in lines[0], r.stderr
    assert "MPI_ABORT" not in r.stderr


# ---- zhizao run ------------------------------------------------------------

RUN = ["--set", "population.firms=3000", "--counterfactual", "--firms"]


def _summary(stdout):
    # the first line says how long it took
    return [x for x in stdout.splitlines() if not x.startswith("scenario ")]


def test_run_on_three_ranks_with_threads_writes_the_one_process_file(tmp_path):
    library(tmp_path)
    sc = tmp_path / "shandong_2026.lua"
    one = zz("run", sc, *RUN, "-r", "5", "-o", tmp_path / "one.h5", "--threads", "1")
    three = mpi(3, "run", sc, *RUN, "-r", "5", "-o", tmp_path / "three.h5", "--threads", "2")
    assert differences(tmp_path / "one.h5", tmp_path / "three.h5") == []
    with h5py.File(tmp_path / "three.h5", "r") as f:
        assert f.attrs["complete"] == 1 and "cf_adopted" in f and "firm_day" in f
    # rank 0 alone prints the summary, the same as one process's
    assert _summary(one.stdout.replace("one.h5", "x")) == _summary(three.stdout.replace("three.h5", "x"))
    assert three.stdout.count("wrote ") == 1


def test_run_with_fewer_replications_than_ranks(tmp_path):
    library(tmp_path)
    args = [tmp_path / "baseline.lua", "--set", "population.firms=2000", "-r", "2", "--quiet"]
    zz("run", *args, "-o", tmp_path / "a.h5")
    mpi(4, "run", *args, "-o", tmp_path / "b.h5")
    assert differences(tmp_path / "a.h5", tmp_path / "b.h5") == []


def test_run_with_a_killed_worker_keeps_its_finished_replications(tmp_path):
    library(tmp_path)
    args = [tmp_path / "shandong_2026.lua", "--set", "population.firms=20000", "-r", "16",
            "--threads", "1", "--counterfactual"]
    out = tmp_path / "r.h5"
    rc, err = kill_worker_when(out, "replications_done", 2, "run", *args)
    assert rc != 0, err
    assert not out.exists()
    # each kept replicate is the one one process computes
    zz("run", *args, "-o", tmp_path / "one.h5", "--quiet")
    with h5py.File(str(out) + ".partial", "r") as f, h5py.File(tmp_path / "one.h5", "r") as g:
        kept = [int(r) for r in (f["events"][()] > 0).nonzero()[0]]
        assert f.attrs["complete"] == 0 and int(f.attrs["replications_done"]) == len(kept) >= 2
        for v in ("adopted", "cf_adopted", "spent", "events"):
            assert (f[v][kept] == g[v][kept]).all(), v
    # rank 0 says what it kept, unless mpirun's SIGKILL (1 s after its
    # SIGTERM) ended it first: then mpirun names the rank
    m = re.search(r"zhizao: interrupted \(lost: rank 2, [^\n]*; (\d+) of 16 replications finished "
                  r"and kept \(replicate [-0-9, ]+\); in \S+r\.h5\.partial \(complete = 0\)", err)
    assert (m and int(m.group(1)) == len(kept)) or re.search(r"rank 2 .*signal 9", err), err


# ---- zhizao calibrate --------------------------------------------------------

CAL_BASE = 'include "baseline.lua"\nscenario { name = "small_base", years = 2 }\npopulation { firms = FIRMS }\n'
CAL = """\
calibrate { scenario = "small_base.lua", replications = 4, seed = 3, starts = 8, evaluations = 30 }
free "population.hurdle_mean" { 0.2, 1.5 }
free "population.initial_adoption" { 0.2, 0.5 }
moment "gsz_start"  { kind = "share",  group = { gsz = true }, at = "2026-01-31", value = 0.35, se = 0.02 }
moment "gsz_rate"   { kind = "hazard", group = { gsz = true }, from = "2026-01-01", to = "2027-01-01", value = 0.07, se = 0.01 }
moment "size_ratio" { kind = "ratio", groups = { { size = "large" }, { size = "small" } }, at = "2026-07-15", value = 3.2, se = 0.4 }
"""


def _calibration(d, firms=3000):
    library(d)
    (d / "small_base.lua").write_text(CAL_BASE.replace("FIRMS", str(firms)))
    (d / "cal.lua").write_text(CAL)
    return d / "cal.lua"


def _same_estimates(a, b):
    with h5py.File(a, "r") as f, h5py.File(b, "r") as g:
        for v in ("estimate", "std_error", "simulated", "trace", "trace_moments", "objective"):
            assert f[v][()].tobytes() == g[v][()].tobytes(), v
        assert f.attrs["j_statistic"] == g.attrs["j_statistic"]


def test_calibrate_on_three_ranks_gives_the_one_process_estimates(tmp_path):
    cal = _calibration(tmp_path)
    (tmp_path / "one").mkdir()
    (tmp_path / "three").mkdir()
    one = zz("calibrate", cal, "-o", tmp_path / "one" / "c.h5", "--threads", "1")
    three = mpi(3, "calibrate", cal, "-o", tmp_path / "three" / "c.h5", "--threads", "1")
    _same_estimates(tmp_path / "one" / "c.h5", tmp_path / "three" / "c.h5")
    # rank 0 alone writes the file and calibrated.lua, and prints the table
    assert sorted(p.name for p in (tmp_path / "three").iterdir()) == ["c.h5", "calibrated.lua"]
    frag = [(tmp_path / d / "calibrated.lua").read_text().splitlines()[1:] for d in ("one", "three")]
    assert frag[0] == frag[1]
    table = [x.split(" evaluations")[0] for x in one.stdout.splitlines()]
    assert table == [x.split(" evaluations")[0] for x in three.stdout.splitlines()]
    # more ranks than replications: the idle rank adds zeros
    mpi(6, "calibrate", cal, "-o", tmp_path / "six.h5", "--threads", "1", "--quiet")
    _same_estimates(tmp_path / "one" / "c.h5", tmp_path / "six.h5")


def test_calibrate_interrupted_on_three_ranks_resumes_on_two(tmp_path):
    cal = _calibration(tmp_path, firms=12000)
    out = tmp_path / "cut.h5"
    partial = Path(str(out) + ".partial")
    rc, err = ctrl_c_on_three_ranks(trace_rows(partial, 4), "calibrate", cal, "-o", out, "--threads", "1")
    if rc == 0:
        pytest.skip("the calibration finished before the interruption")
    assert "interrupted after" in err and "--resume" in err, err
    kept = len(partial.read_text().splitlines()) - 1
    assert kept >= 3 and not out.exists()
    # the rest on two ranks (rank 0 hands the kept trace to the other): the
    # estimates of an uninterrupted run in one process
    mpi(2, "calibrate", cal, "-o", out, "--resume", "--quiet")
    zz("calibrate", cal, "-o", tmp_path / "whole.h5", "--quiet")
    _same_estimates(tmp_path / "whole.h5", out)
    with h5py.File(out, "r") as f:
        assert f.attrs["replayed_evaluations"] >= kept


# ---- zhizao optimise ---------------------------------------------------------

def test_optimise_on_three_ranks_writes_the_one_process_file(tmp_path):
    from test_optimise import make_files as optimisation
    (tmp_path / "one").mkdir()
    (tmp_path / "three").mkdir()
    opt = optimisation(tmp_path)
    zz("optimise", opt, "-o", tmp_path / "one" / "o.h5", "-q", "--threads", "1")
    mpi(3, "optimise", opt, "-o", tmp_path / "three" / "o.h5", "-q", "--threads", "1")
    assert differences(tmp_path / "one" / "o.h5", tmp_path / "three" / "o.h5") == []
    # rank 0 alone writes
    assert sorted(p.name for p in (tmp_path / "three").iterdir()) == \
        sorted(p.name for p in (tmp_path / "one").iterdir())


def test_optimise_interrupted_on_three_ranks_resumes_on_two(tmp_path):
    """Ctrl-C on mpirun: the ranks stop at the same evaluation (no hang),
    rank 0 keeps the evaluations in the .partial; --resume on two ranks
    (every rank replays the kept rows) ends with the one-process file."""
    from test_optimise import OPT, make_files as optimisation
    opt = optimisation(tmp_path, OPT.replace("starts = 6, evaluations = 16", "starts = 8, evaluations = 40"))
    # long enough for mpirun's SIGTERM (about 2 s after Ctrl-C) to reach the
    # ranks mid-search: at 20,000 firms the faster economic rule finished
    # all 49 evaluations (1.9 s) first and the test only ever skipped
    small = tmp_path / "small.lua"
    small.write_text(small.read_text().replace("firms = 3000", "firms = 60000"))
    out = tmp_path / "cut.h5"
    partial = Path(str(out) + ".partial")
    rc, err = ctrl_c_on_three_ranks(trace_rows(partial, 6), "optimise", opt, "-o", out, "-q", "--threads", "1")
    if rc == 0 or out.exists():
        pytest.skip("the optimisation finished before the interruption reached the ranks")
    assert "--resume" in err, err
    kept = len(partial.read_text().splitlines()) - 1
    assert kept >= 5 and not out.exists()
    r = mpi(2, "optimise", opt, "-o", out, "--resume", "--threads", "1")
    assert "replayed)" in r.stdout, r.stdout
    zz("optimise", opt, "-o", tmp_path / "whole.h5", "-q", "--threads", "1")
    assert differences(tmp_path / "whole.h5", out) == []

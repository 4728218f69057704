"""`zhizao explore` and `compare` over MPI ranks under a real mpirun: the
same file as one process, whatever the rank count; a killed worker leaves a .partial that
--resume on another rank count completes; more ranks than tasks; the other
commands refuse several ranks. Open MPI refuses root unless told (the CI
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
    args = _experiment(tmp_path)
    whole, out = tmp_path / "whole.h5", tmp_path / "cut.h5"
    partial = Path(str(out) + ".partial")
    zz("explore", *args, "-o", whole, "--quiet")
    # rank 2 dies (as if killed) right after sending its first unit
    r = mpi(3, "explore", *args, "-o", out, check=False, env={"ZZ_TEST_MPI_DIE": "2:1"})
    assert r.returncode != 0, r.stderr
    # rank 0 names the lost rank, unless mpirun ended it first: then mpirun does
    assert re.search(r"interrupted \(lost: rank 2, .*--resume continues|rank 2 |\[\[\d+,1\],2\]",
                     r.stderr, re.S), r.stderr
    assert partial.exists() and not out.exists()
    with h5py.File(partial, "r") as f:
        done = int(f["task_done"][()].sum())
        assert f.attrs["complete"] == 0 and int(f.attrs["tasks_done"]) == done
    assert 0 < done < 64
    # on two ranks now: only what was missing is run, and the file is the same
    r = mpi(2, "explore", *args, "-o", out, "--resume")
    assert f"zhizao: {64 - done} tasks (" in r.stderr, r.stderr
    assert out.exists() and not partial.exists()
    assert differences(whole, out) == []
    assert ran_on(out)["resumed_on"].startswith("2 MPI ranks")


def test_ctrl_c_on_mpirun_keeps_finished_tasks_and_resume_in_one_process(tmp_path):
    args = _experiment(tmp_path, points=16, reps=2)
    # long enough to be stopped half-way, with a margin: at 20,000 firms the
    # faster economic rule finished all 64 tasks (1.1 s) before the signal
    args[2] = "population.firms=60000"
    out = tmp_path / "c.h5"
    partial = Path(str(out) + ".partial")
    p = subprocess.Popen([MPIRUN, "--oversubscribe", "--bind-to", "none", "-n", "3", BIN,
                          "explore", *map(str, args), "-o", str(out)], env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while time.time() - t0 < 60 and p.poll() is None:
        try:
            with h5py.File(partial, "r", locking=False) as f:
                if int(f.attrs["tasks_done"]) >= 2:
                    break
        except (OSError, KeyError):
            pass
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode != 0, err
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
    r = mpi(2, "run", tmp_path / "shandong_2026.lua", "-o", tmp_path / "x.h5", check=False)
    assert r.returncode != 0 and r.stderr.count("only 'explore' and 'compare' spread") == 1
    assert not (tmp_path / "x.h5").exists()
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

"""Faults, round three (issue 21): every file calibrate, optimise and report
write goes through the checks run and explore make (output/outpath.h);
--resume trusts nothing it reads; write failures end in one line and exit
5. Met through the command line, as a user (or a careless script) would."""
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import h5py
import pytest

BIN = os.environ.get("ZZ_BIN")
SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
PY = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable

pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")

SMALL = """\
include "baseline.lua"
scenario { name = "small", years = 1, replications = 2 }
population { firms = 1000 }
voucher "compute"  { rate = 0.9, cap = 1e7, budget = 2e7 }
voucher "scenario" { rate = 0.9, cap = 1e7, budget = 1e7, budget_per_year = true,
                     states = { "adopted" } }
target { name = "all", share = 0.5, by = "2026-12-31" }
"""
CAL = """\
calibrate { scenario = "small.lua", replications = 2, seed = 3, starts = 4, evaluations = 8 }
free "population.hurdle_mean" { 0.2, 1.5 }
moment "gsz_start" { kind = "share",  group = { gsz = true }, at = "2026-01-31", value = 0.35, se = 0.02 }
moment "gsz_rate"  { kind = "hazard", group = { gsz = true }, from = "2026-01-01", to = "2026-12-01",
                     value = 0.07, se = 0.01 }
"""
OPT = """\
optimise { scenario = "small.lua", budget = 1.5e8, shares = { "voucher.compute", "voucher.scenario" },
           objective = "target_share", target = "all", by = "2026-12-31",
           replications = 2, seed = 5, starts = 4, evaluations = 6, confirm = 2 }
"""


def zhizao(*args, **kw):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, **kw)


def files(d, small=SMALL, cal=CAL, opt=OPT):
    for name in ("baseline.lua", "pioneers.lua", "shandong_2026.lua"):
        (d / name).write_text((SRC / "scenarios" / name).read_text())
    (d / "small.lua").write_text(small)
    (d / "cal.lua").write_text(cal)
    (d / "opt.lua").write_text(opt)
    return d / "cal.lua", d / "opt.lua"


def partial(out):
    return Path(str(out) + ".partial")


def snapshot(d):
    return {p.name: (p.read_bytes() if p.is_file() and not p.is_symlink() else None)
            for p in d.iterdir()}


def _explore(d, points=8, reps=4):
    (d / "ranges.lua").write_text('uncertain "population.hurdle_mean" { 0.6, 1.2 }\n')
    ex = d / "ex.lua"
    ex.write_text('experiment { scenarios = { "baseline.lua", "shandong_2026.lua" }, '
                  f'design = "lhs", points = {points}, replications = {reps}, seed = 3 }}\n'
                  'include "ranges.lua"\n')
    return ex


def _wait_for(cond, proc, limit=60):
    t0 = time.time()
    while proc.poll() is None and time.time() - t0 < limit:
        if cond():
            return True
        time.sleep(0.05)
    return False


def _tasks_done(p, n):
    def cond():
        try:
            with h5py.File(p, "r", locking=False) as f:
                return int(f.attrs["tasks_done"]) >= n
        except (OSError, KeyError):
            return False
    return cond


# ---- 1. one output path for every file --------------------------------------

def test_a_running_jobs_output_is_refused_by_every_command(tmp_path):
    """calibrate and optimise given the -o of a running explore, and explore
    given that explore's own .partial as its output, stop at once and leave
    the running job's .partial as it was."""
    cal, opt = files(tmp_path)
    ex = _explore(tmp_path)
    out = tmp_path / "x.h5"
    job = subprocess.Popen([BIN, "explore", str(ex), "-o", str(out), "--set",
                            "population.firms=20000", "--threads", "1", "-q"],
                           stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(_tasks_done(partial(out), 1), job)
        job.send_signal(signal.SIGSTOP)
        kept = partial(out).read_bytes()
        for args in (["calibrate", cal, "-o", out], ["optimise", opt, "-o", out],
                     ["calibrate", cal, "-o", out, "--resume"],
                     ["explore", ex, "-o", partial(out), "--set", "population.firms=2000"]):
            t0 = time.time()
            r = zhizao(*args, "-q")
            assert r.returncode == 5, (args, r.stderr)
            assert f"process {job.pid}" in r.stderr and r.stderr.count("\n") == 1, r.stderr
            assert time.time() - t0 < 5
            assert partial(out).read_bytes() == kept and not out.exists()
        assert not (tmp_path / "calibrated.lua").exists()
        assert not (tmp_path / "best_mix.lua").exists()
        assert not Path(str(partial(out)) + ".partial").exists()
    finally:
        job.send_signal(signal.SIGINT)
        job.send_signal(signal.SIGCONT)
        job.communicate(timeout=60)
    assert job.returncode == 8 and partial(out).exists()


@pytest.mark.parametrize("command", ["calibrate", "optimise"])
def test_two_of_a_kind_on_one_output(tmp_path, command):
    """A second calibration (or optimisation, or --resume) on an output in
    use stops at once, naming the first; the first finishes as if alone."""
    slow = SMALL.replace("firms = 1000", "firms = 30000")
    cal, opt = files(tmp_path, small=slow,
                     cal=CAL.replace("evaluations = 8", "evaluations = 30"),
                     opt=OPT.replace("evaluations = 6", "evaluations = 30"))
    spec = cal if command == "calibrate" else opt
    out = tmp_path / "c.h5"
    first = subprocess.Popen([BIN, command, str(spec), "-o", str(out), "--threads", "1", "-q"],
                             stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: partial(out).exists() and
                         len(partial(out).read_text().splitlines()) >= 2, first)
        first.send_signal(signal.SIGSTOP)
        # the same output, resumed or not, and another output in the same
        # folder (the same calibrated.lua or best_mix.lua)
        for o, extra in ((out, []), (out, ["--resume"]), (tmp_path / "other.h5", [])):
            r = zhizao(command, spec, "-o", o, "-q", *extra)
            assert r.returncode == 5, r.stderr
            assert f"process {first.pid}" in r.stderr, r.stderr
        assert not partial(tmp_path / "other.h5").exists()
    finally:
        first.send_signal(signal.SIGCONT)
        _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert out.exists() and not partial(out).exists()


@pytest.mark.parametrize("command,side", [("calibrate", "calibrated.lua"),
                                          ("optimise", "best_mix.lua")])
def test_side_file_never_written_over_an_input_a_device_or_a_pipe(tmp_path, command, side):
    cal, opt = files(tmp_path)
    spec = cal if command == "calibrate" else opt
    sub = tmp_path / "sub"
    sub.mkdir()
    out = sub / "r.h5"
    # the side file is the scenario, the spec itself (hard link), /dev/null, a pipe
    cases = {"input": lambda p: p.symlink_to(tmp_path / "small.lua"),
             "spec": lambda p: p.hardlink_to(spec),
             "device": lambda p: p.symlink_to("/dev/null"),
             "pipe": lambda p: os.mkfifo(p)}
    for what, make in cases.items():
        make(sub / side)
        before = snapshot(tmp_path)
        t0 = time.time()
        r = zhizao(command, spec, "-o", out, "-q", timeout=30)
        assert r.returncode == 2, (what, r.stderr)
        assert side in r.stderr and r.stderr.count("\n") == 1, r.stderr
        assert time.time() - t0 < 5, what        # before any work, never blocked
        assert snapshot(tmp_path) == before and not out.exists() and not partial(out).exists()
        (sub / side).unlink()
    r = zhizao(command, spec, "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    assert (sub / side).is_file() and not (sub / side).is_symlink()
    assert (sub / side).read_text().startswith(f"-- {side}: written by")
    assert not list(sub.glob("*.writing"))


@pytest.mark.parametrize("command", ["calibrate", "optimise"])
def test_links_at_temporary_names_are_never_followed(tmp_path, command):
    cal, opt = files(tmp_path)
    spec = cal if command == "calibrate" else opt
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "r.h5"
    # at .partial: refused before any work, the target untouched
    partial(out).symlink_to(victim)
    r = zhizao(command, spec, "-o", out, "-q")
    assert r.returncode == 5 and "r.h5.partial" in r.stderr, r.stderr
    assert victim.read_text() == "precious\n" and partial(out).is_symlink()
    partial(out).unlink()
    # at the side file's .writing (claimed like the .partial): refused
    side = tmp_path / ("calibrated.lua" if command == "calibrate" else "best_mix.lua")
    Path(str(side) + ".writing").symlink_to(victim)
    r = zhizao(command, spec, "-o", out, "-q")
    assert r.returncode == 5 and side.name + ".writing" in r.stderr, r.stderr
    assert victim.read_text() == "precious\n" and not partial(out).exists()
    Path(str(side) + ".writing").unlink()
    # at .writing (the HDF5 file before its rename): the link goes, its
    # target stays
    writing = Path(str(out) + ".writing")
    writing.symlink_to(victim)
    r = zhizao(command, spec, "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    assert victim.read_text() == "precious\n"
    assert not writing.exists() and not writing.is_symlink()
    with h5py.File(out, "r") as f:
        assert int(f.attrs["complete"]) == 1
    assert side.read_text().startswith("--")


# ---- the report's folder -----------------------------------------------------

@pytest.fixture(scope="module")
def run_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("run")
    files(d)
    out = d / "r.h5"
    r = zhizao("run", d / "small.lua", "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    return out


def report(path, outdir):
    env = dict(os.environ, PYTHONPATH=str(SRC / "analysis"), MPLBACKEND="Agg")
    return subprocess.run([BIN, "report", str(path), "-o", str(outdir)], capture_output=True,
                          text=True, env=env)


def test_report_never_deletes_a_users_files(run_file, tmp_path):
    """-o of a folder with the user's pictures and page (-o . in a working
    folder) is refused and changes nothing; a folder of an earlier report
    is rewritten; one where the user added a file to a report is refused."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "holiday.png").write_bytes(b"\x89PNG not really")
    (mine / "index.html").write_text("<p>my page</p>")
    before = snapshot(mine)
    r = report(run_file, mine)
    assert r.returncode == 2 and "mine" in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert snapshot(mine) == before
    rep = tmp_path / "rep"
    r = report(run_file, rep)
    assert r.returncode == 0, r.stderr
    first = sorted(p.name for p in rep.iterdir())
    assert "index.html" in first and any(n.endswith(".png") for n in first)
    # the folder rules themselves, without drawing again
    sys.path.insert(0, str(SRC / "analysis"))
    from zhizao import outdir
    assert outdir.prepare(rep) == rep                # its own earlier output: cleared
    assert sorted(p.name for p in rep.iterdir()) == [outdir.MARKER]
    (rep / "01_x.png").write_bytes(b"")
    (rep / "notes.txt").write_text("mine")
    before = snapshot(rep)
    with pytest.raises(outdir.FolderRefused, match="notes.txt"):
        outdir.prepare(rep)
    assert snapshot(rep) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert outdir.prepare(empty) == empty
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(outdir.FolderRefused, match="not a folder"):
        outdir.prepare(afile)
    assert afile.read_text() == "x"


# ---- 2. --resume trusts nothing it reads --------------------------------------

def _explore_file(d, name, points, reps=1):
    ex = _explore(d, points=points, reps=reps)
    ex = ex.rename(d / f"{name}.lua")
    out = d / f"{name}.h5"
    r = zhizao("explore", ex, "-o", out, "--set", "population.firms=1500", "-q")
    assert r.returncode == 0, r.stderr
    return ex, out


def test_resume_checks_every_shape_before_reading(tmp_path):
    """A .partial with this experiment's digest but another layout (more
    points: a larger task_done) is refused, left byte for byte as it was,
    and never renamed to the final name."""
    files(tmp_path)
    small, small_out = _explore_file(tmp_path, "small_ex", points=2)
    _, big_out = _explore_file(tmp_path, "big_ex", points=6, reps=2)
    with h5py.File(small_out, "r") as f:
        digest64, digest = f.attrs["digest64"], f.attrs["digest"]
    out = tmp_path / "forged.h5"
    with h5py.File(big_out, "r+") as f:
        f.attrs["digest64"], f.attrs["digest"], f.attrs["complete"] = digest64, digest, 0
    big_out.rename(partial(out))
    before = partial(out).read_bytes()
    r = zhizao("explore", small, "-o", out, "--set", "population.firms=1500", "--resume", "-q")
    assert r.returncode == 2, r.stderr
    assert "layout" in r.stderr and "another type or shape" in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1
    assert partial(out).read_bytes() == before and not out.exists()


@pytest.mark.parametrize("damage", ["empty", "truncated", "not hdf5"])
def test_refused_resume_changes_nothing_and_says_why(tmp_path, damage):
    files(tmp_path)
    ex, done = _explore_file(tmp_path, "ex", points=2)
    out = tmp_path / "x.h5"
    data = done.read_bytes()
    partial(out).write_bytes({"empty": b"", "truncated": data[:len(data) // 3],
                              "not hdf5": b"point,value\n1,2\n"}[damage])
    before = partial(out).read_bytes()
    r = zhizao("explore", ex, "-o", out, "--set", "population.firms=1500", "--resume", "-q")
    assert r.returncode in (2, 5), r.stderr
    assert "different experiment" not in r.stderr and "x.h5.partial" in r.stderr, r.stderr
    assert "--resume" in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert partial(out).read_bytes() == before and not out.exists()


# ---- 3. a full disk -----------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A folder on a tmpfs of the given size (root only), unmounted after."""
    mounted = []

    def make(size):
        d = tmp_path / f"disk{len(mounted)}"
        d.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(d)],
                           capture_output=True)
        if r.returncode != 0:
            pytest.skip("cannot mount a small tmpfs here (needs root)")
        mounted.append(d)
        return d
    yield make
    for d in mounted:
        subprocess.run(["umount", str(d)], capture_output=True)


def _complete(path):
    with h5py.File(path, "r") as f:
        return int(f.attrs.get("complete", 0)) == 1


@pytest.mark.parametrize("command", ["run", "explore", "calibrate", "optimise"])
def test_full_disk_is_one_line_and_exit_5(tmp_path, small_disk, command):
    """On a disk too small for the output: exit 5 (not a crash in HDF5's
    exit handler), one line naming the file and the cause, no HDF5
    diagnostics, and nothing but a complete file under a final name."""
    cal, opt = files(tmp_path)
    ex = _explore(tmp_path, points=3, reps=2)
    big = tmp_path / "big.lua"
    big.write_text(SMALL.replace("firms = 1000", "firms = 20000").replace("years = 1", "years = 2"))
    spec = {"run": big, "explore": ex, "calibrate": cal, "optimise": opt}[command]
    failed = 0
    for size in ("8k", "24k"):
        d = small_disk(size)
        out = d / "x.h5"
        r = zhizao(command, spec, "-o", out, "-q", timeout=120)
        assert r.returncode in (0, 5), (size, r.returncode, r.stderr)
        if r.returncode == 5:
            failed += 1
            assert r.stderr.count("\n") == 1 and "HDF5-DIAG" not in r.stderr, r.stderr
            assert "No space left on device" in r.stderr and str(d) in r.stderr, r.stderr
        for p in d.iterdir():
            assert not p.name.endswith(".writing"), p
            if p.name.endswith(".h5"):
                assert _complete(p), p
    assert failed >= 1


# ---- 4. Ctrl-C within a second, population building included -------------------

def test_ctrl_c_while_building_a_million_firms(tmp_path):
    """Ctrl-C while explore builds a population of about a million firms
    ends it within a second, and the message promises no .partial file
    when none is there (no task had finished)."""
    files(tmp_path)
    ex = tmp_path / "pop.lua"
    ex.write_text('experiment { scenarios = { "small.lua" }, design = "lhs", points = 3, '
                  'replications = 1, seed = 3 }\n'
                  'uncertain "population.firms" { 900000, 1000000 }\n')
    out = tmp_path / "x.h5"
    for delay in (0.3, 0.9):
        p = subprocess.Popen([BIN, "explore", str(ex), "-o", str(out), "-q", "--threads", "1"],
                             stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        assert p.poll() is None
        t0 = time.time()
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=30)
        took = time.time() - t0
        assert p.returncode == 8, err
        assert took < 1.0, (delay, took)
        assert not partial(out).exists() and not out.exists()
        assert "nothing was kept" in err and "kept in" not in err, err


# ---- 5. the damage probe reads every variable of every kind of file ----------------

def _flip_chunk(path, name, out):
    """A copy of `path` with one byte of `name`'s first chunk flipped (its
    Fletcher-32 checksum then fails when the data are read)."""
    import shutil
    shutil.copyfile(path, out)
    with h5py.File(out, "r") as f:
        ds = f[name]
        assert ds.fletcher32 and ds.chunks, name
        info = ds.id.get_chunk_info(0)
    with open(out, "r+b") as f:
        f.seek(info.byte_offset + info.size // 2)
        b = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([b[0] ^ 0xFF]))
    return out


def _open_in_child(paths):
    """zhizao.open on each path in one fresh interpreter: for each,
    ['refused', code, newlines in the message, file named?] or ['opened']."""
    code = f"""
import zhizao
for p in {[str(p) for p in paths]!r}:
    try:
        zhizao.open(p).close()
        print("opened")
    except zhizao.ResultFileError as e:
        print("refused", e.exit_code, str(e).count(chr(10)), p in str(e))
"""
    r = subprocess.run([PY, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(SRC / "analysis")})
    assert r.returncode == 0, r.stderr
    return [ln.split() for ln in r.stdout.splitlines()]


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    """One file of each kind: run, experiment, calibration, optimisation."""
    d = tmp_path_factory.mktemp("kinds")
    cal, opt = files(d)
    ex = _explore(d, points=2, reps=1)
    out = {"run": d / "run.h5", "explore": d / "ex.h5", "calibrate": d / "cal.h5",
           "optimise": d / "opt.h5"}
    for cmd, spec in (("run", d / "small.lua"), ("explore", ex), ("calibrate", cal),
                      ("optimise", opt)):
        extra = ["--set", "population.firms=1500"] if cmd == "explore" else []
        r = zhizao(cmd, spec, "-o", out[cmd], "-q", *extra)
        assert r.returncode == 0, r.stderr
    return out


def _last_chunked(path):
    """The last variable (in file order) stored in Fletcher-32 checked chunks."""
    names = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and o.chunks
                     and o.fletcher32 and o.size and o.id.get_num_chunks() else None)
    return names[-1], len(names)


def test_damage_in_the_last_variable_is_found(kinds, tmp_path):
    """The probe reads every variable (it stopped after 16 before), in
    every kind of file: zhizao.open refuses with one line naming the file,
    and zhizao report exits 5 without a traceback; the good files open."""
    bad = {}
    for kind, path in kinds.items():
        name, count = _last_chunked(path)
        bad[kind] = _flip_chunk(path, name, tmp_path / f"bad_{kind}.h5")
    got = _open_in_child(list(bad.values()) + list(kinds.values()))
    assert got[:4] == [["refused", "5", "0", "True"]] * 4, got
    assert got[4:] == [["opened"]] * 4, got
    for kind in ("run", "optimise"):
        r = report(bad[kind], tmp_path / f"rep_{kind}")
        assert r.returncode == 5 and "Traceback" not in r.stderr, (kind, r.stderr)
        assert r.stderr.count("\n") == 1 and str(bad[kind]) in r.stderr, r.stderr


def test_fake_optimisation_calibration_and_experiment_files_are_foreign(tmp_path):
    import numpy as np
    with h5py.File(tmp_path / "fake_opt.h5", "w") as f:      # only the mark
        f.attrs["kind"] = "optimisation"
    with h5py.File(tmp_path / "fake_cal.h5", "w") as f:
        f.attrs["calibration_path"] = "cal.lua"
        f["estimate"] = np.zeros(2)
    with h5py.File(tmp_path / "fake_ex.h5", "w") as f:       # shapes right, no netCDF dims
        f.attrs["zhizao_file"] = "experiment"
        f["design"] = np.zeros((2, 1))
        f["time_to_target"] = np.zeros((2, 1, 1, 1))
    names = ["fake_opt.h5", "fake_cal.h5", "fake_ex.h5"]
    got = _open_in_child([tmp_path / n for n in names])
    assert got == [["refused", "4", "0", "True"]] * 3, got
    for name in ("fake_opt.h5", "fake_ex.h5"):
        r = report(tmp_path / name, tmp_path / f"rep_{name}")
        assert r.returncode == 4 and "Traceback" not in r.stderr, (name, r.stderr)
        assert r.stderr.count("\n") == 1 and name in r.stderr, r.stderr


# ---- 6. absurd inputs refused ------------------------------------------------------

def test_standard_error_so_small_the_objective_overflows(tmp_path):
    """se = 1e-300 gave exit 0 with J = inf, the bounds' midpoint as the
    estimate and a standard error of exactly 0."""
    cal, _ = files(tmp_path, cal=CAL.replace("se = 0.01", "se = 1e-300"))
    r = zhizao("calibrate", cal, "-o", tmp_path / "c.h5", "-q")
    assert r.returncode == 3, r.stderr
    assert "cal.lua:4:" in r.stderr and "se = 1e-300 is too small" in r.stderr, r.stderr
    assert not list(tmp_path.glob("c.h5*")) and not (tmp_path / "calibrated.lua").exists()
    cal.write_text(CAL.replace("se = 0.01", "se = 1e-9"))   # small but sound: accepted
    r = zhizao("calibrate", cal, "-o", tmp_path / "c.h5", "-q")
    assert r.returncode == 0, r.stderr


def test_design_row_with_more_fields_than_the_header(tmp_path):
    files(tmp_path)
    (tmp_path / "f.lua").write_text(
        'experiment { scenarios = { "small.lua" }, design = "file", file = "points.csv", '
        'replications = 1 }\nuncertain "population.hurdle_mean" { 0.6, 1.2 }\n')
    (tmp_path / "points.csv").write_text("population.hurdle_mean\n0.7\n0.8,0.9\n")
    r = zhizao("explore", tmp_path / "f.lua", "--design")
    assert r.returncode == 3, r.stderr
    assert "points.csv:3:" in r.stderr and "more fields" in r.stderr and "0.9" in r.stderr
    (tmp_path / "points.csv").write_text("population.hurdle_mean\n0.7\n0.8,\n")
    r = zhizao("explore", tmp_path / "f.lua", "--design")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 3, r.stderr


@pytest.mark.parametrize("command", ["calibrate", "optimise"])
def test_refused_text_resume_changes_nothing(tmp_path, command):
    """--resume of a .partial written for other work, or of none at all, is
    refused and leaves the disk as it was (no empty .partial made)."""
    cal, opt = files(tmp_path)
    spec = cal if command == "calibrate" else opt
    out = tmp_path / "r.h5"
    r = zhizao(command, spec, "-o", out, "--resume", "-q")
    assert r.returncode == 5 and "no " in r.stderr and "to resume" in r.stderr, r.stderr
    assert not partial(out).exists()
    partial(out).write_text("zhizao-other-trace 0123 1 2\n1 0x1p+0 0x1p+0\n")
    before = snapshot(tmp_path)
    r = zhizao(command, spec, "-o", out, "--resume", "-q")
    assert r.returncode == 2 and "was written for another" in r.stderr, r.stderr
    assert snapshot(tmp_path) == before

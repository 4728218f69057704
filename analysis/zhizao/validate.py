"""Checking a result file before anything reads it in earnest.

A damaged HDF5 file can make the HDF5 C library crash the process that
reads it (a segmentation fault or an abort: no Python exception to catch).
So a file is first probed in a forked child process, which opens it, walks
every group, dataset and attribute and reads the datasets' data (checking
each chunk's Fletcher-32 checksum, written by the engine since 0.1). The
parent never touches a file the child could not read; it raises
:class:`ResultFileError` with one line naming the file and what is wrong.

What is checked, in order: the path is a regular, non-empty file; it
begins with the HDF5 signature (else: not an HDF5 file, e.g. a CSV or a
truncated download); the child reads it whole without error or crash; it
holds zhizao results (a variable ``adopted`` at the root or in a group,
and the ``program_version`` attribute the engine writes; or, for an
experiment file of ``zhizao explore`` (attribute ``zhizao_file =
"experiment"``), the variables ``design`` and ``time_to_target``).

Exit codes of ``zhizao report`` for these errors (the simulator's table,
``zhizao --help``): 4 for a file that is readable but is not a zhizao
result (foreign), 5 for one that cannot be read (missing, truncated,
damaged).
"""

from __future__ import annotations

import json
import os
import signal
import stat
from pathlib import Path

__all__ = ["ResultFileError", "check", "EXIT_FOREIGN", "EXIT_DAMAGED"]

EXIT_FOREIGN, EXIT_DAMAGED = 4, 5
_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# data read per file by the probe; beyond it, a damaged chunk is still an
# ordinary error (checksum) when the data are read, just not found here
_READ_LIMIT = 1 << 30
_cache: dict = {}


class ResultFileError(ValueError):
    """A result file that is missing, damaged, truncated or foreign.

    ``str(e)`` is one line naming the file; ``e.exit_code`` is the command
    line's exit code for it (4 foreign, 5 unreadable or damaged).
    """

    def __init__(self, message: str, exit_code: int = EXIT_DAMAGED):
        super().__init__(message)
        self.exit_code = exit_code


# what the optimisation and calibration files (zhizao optimise, calibrate)
# must hold: (variable, number of dimensions)
_OPTIMISATION = (("best_budget", 1), ("best_free", 1), ("evaluation_budget", 2),
                 ("objective", 1), ("candidate_budget", 2), ("difference", 1),
                 ("p_beats_plan", 1))
_CALIBRATION = (("estimate", 1), ("std_error", 1), ("target", 1), ("simulated", 1),
                ("trace", 2), ("objective", 1))


def _budget(size: int) -> int:
    """Bytes of data the probe reads: every variable of any file zhizao
    writes (compressed data expand, hence the factor), yet bounded."""
    return max(_READ_LIMIT, 64 * size)


def _probe(path: str) -> dict:
    """Runs in the child: read everything, return what the parent needs."""
    import h5py
    import numpy as np

    info = {"nodes": [], "error": None}
    budget = [_budget(os.stat(path).st_size)]

    def read(name, obj):
        for k in obj.attrs:
            obj.attrs[k]
        if isinstance(obj, h5py.Dataset):
            if obj.shape is None or obj.size == 0:
                return
            if obj.ndim == 0:
                obj[()]
                return
            row = max(1, obj.size // obj.shape[0]) * obj.dtype.itemsize
            step = max(1, (64 << 20) // max(row, 1))
            for i in range(0, obj.shape[0], step):
                if budget[0] <= 0:
                    return
                np.asarray(obj[i:i + step])
                budget[0] -= row * (min(obj.shape[0], i + step) - i)  # what was read

    with h5py.File(path, "r") as f:
        for k in f.attrs:
            f.attrs[k]
        f.visititems(read)
        kind = _text(f.attrs.get("kind", b""))
        if kind == "optimisation" or "calibration_path" in f.attrs:
            kind = "optimisation" if kind == "optimisation" else "calibration"
            why = _missing(f, h5py, _OPTIMISATION if kind == "optimisation" else _CALIBRATION)
            if why:
                info["foreign"] = f"marked as {'an' if kind[0] == 'o' else 'a'} {kind} file "\
                                  f"but {why}"
                return info
            info["kind"] = kind
            info["foreign"] = _netcdf(path, [None])
            return info
        if _text(f.attrs.get("zhizao_file", b"")) == "experiment":
            # an experiment file (zhizao explore): one result set at the root
            why = _foreign_experiment(f, h5py)
            if why:
                info["foreign"] = f"the root: {why}"
                return info
            done = f.get("task_done")
            info["experiment"] = True
            info["foreign"] = _netcdf(path, [None])
            if info["foreign"]:
                return info
            info["nodes"].append({
                "group": "",
                "complete": int(np.asarray(f.attrs.get("complete", 1))),
                "replications": int(np.asarray(f.attrs.get("replications", -1))),
                "written": ([] if done is None
                            else [int(i) for i in np.flatnonzero(np.asarray(done[()]).ravel() > 0)]),
            })
            return info
        for name, node in [("", f)] + [(n, f[n]) for n in f if isinstance(f[n], h5py.Group)]:
            if "adopted" not in node:
                continue
            where = f"group '{name}'" if name else "the root"
            why = _foreign(node, h5py, np)
            if why:
                info["foreign"] = f"{where}: {why}"
                break
            ev = np.asarray(node["events"][:])
            info["nodes"].append({
                "group": name,
                "complete": int(np.asarray(node.attrs.get("complete", 1))),
                "replications": int(np.asarray(node.attrs.get("replications", -1))),
                "written": [int(i) for i in np.flatnonzero(ev > 0)],
            })
    if info["nodes"] and not info.get("foreign"):
        info["foreign"] = _netcdf(path, [n["group"] or None for n in info["nodes"]])
    return info


def _text(v) -> str:
    return v.decode(errors="replace") if isinstance(v, bytes) else str(v)


def _missing(f, h5py, wanted) -> str | None:
    for name, ndim in wanted:
        v = f.get(name)
        if not isinstance(v, h5py.Dataset) or v.ndim != ndim:
            return f"no {ndim}-dimensional variable '{name}'"
    return None


def _netcdf(path: str, groups) -> str | None:
    """Why xarray could not open the file's result sets (their structure
    only, no data): a file may read whole in HDF5 and still not be the
    netCDF layout zhizao writes. One line, or None."""
    import warnings

    import xarray as xr

    from .io import _engine
    for g in groups:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                xr.open_dataset(path, group=g, engine=_engine(), decode_timedelta=False).close()
        except Exception as e:  # noqa: BLE001 - any failure: not our layout
            where = f"group '{g}'" if g else "the root"
            text = " ".join(str(e).split())[:200] or type(e).__name__
            return f"{where} is not laid out as zhizao writes it ({type(e).__name__}: {text})"
    return None


def _foreign_experiment(f, h5py) -> str | None:
    """Why a file marked as an experiment is not what `zhizao explore` writes."""
    for name, ndim in (("design", 2), ("time_to_target", 4)):
        v = f.get(name)
        if not isinstance(v, h5py.Dataset) or v.ndim != ndim:
            return f"no {ndim}-dimensional variable '{name}'"
    return None


def _foreign(node, h5py, np) -> str | None:
    """Why a node with an 'adopted' member is not what the engine writes."""
    a = node["adopted"]
    if not isinstance(a, h5py.Dataset) or a.dtype.kind not in "iu" or a.ndim != 5:
        return "'adopted' is not a 5-dimensional integer variable"
    ev = node.get("events")
    if not isinstance(ev, h5py.Dataset) or ev.dtype.kind not in "iu" or ev.ndim != 1:
        return "no 1-dimensional integer variable 'events'"
    for k in ("complete", "replications", "replications_done"):
        v = node.attrs.get(k)
        if v is None:
            continue
        v = np.asarray(v)
        if v.dtype.kind not in "iu" or v.size != 1:
            return f"attribute '{k}' is not an integer"
    return None


def _run_probe(path: str) -> dict:
    """Forks; the child probes and reports as JSON through a pipe."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns
        code = 0
        try:
            os.close(r)
            # a crash here is reported by the parent; the child says nothing
            import faulthandler
            faulthandler.disable()
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 2)
            try:
                out = _probe(path)
            except Exception as e:  # noqa: BLE001 - any failure is the file's
                out = {"error": " ".join(str(e).split()) or type(e).__name__}
            data = json.dumps(out).encode()
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    chunks = []
    with os.fdopen(r, "rb") as f:
        while True:
            b = f.read(1 << 16)
            if not b:
                break
            chunks.append(b)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
        raise ResultFileError(f"{path}: damaged: the HDF5 library crashed reading it ({name})")
    try:
        return json.loads(b"".join(chunks) or b"{}")
    except ValueError:
        raise ResultFileError(f"{path}: damaged: it could not be read") from None


def _ranges(ids) -> str:
    out, start, prev = [], None, None
    for i in list(ids) + [None]:
        if start is not None and (i is None or i != prev + 1):
            out.append(f"{start}" if prev == start else f"{start}-{prev}")
            start = None
        if i is not None and start is None:
            start = i
        prev = i
    return ", ".join(out)


def check(path) -> dict:
    """Validate a result file; return its summary or raise ResultFileError.

    The summary: ``{"nodes": [{"group", "complete", "replications",
    "written"}...]}``, one node per result set (``group`` "" is the root),
    ``written`` listing the replicates the file holds. Cached per file
    state (size and modification time).
    """
    p = str(path)
    try:
        st = os.stat(p)
    except OSError as e:
        raise ResultFileError(f"{p}: cannot read: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ResultFileError(f"{p}: not a regular file")
    key = (p, st.st_size, st.st_mtime_ns, st.st_ino)
    if key in _cache:
        return _cache[key]
    if st.st_size == 0:
        raise ResultFileError(f"{p}: empty file (a run that never started writing?)")
    try:
        with open(p, "rb") as f:
            head = f.read(len(_SIGNATURE))
    except OSError as e:
        raise ResultFileError(f"{p}: cannot read: {e.strerror}") from None
    if head != _SIGNATURE:
        raise ResultFileError(f"{p}: not an HDF5 file, so not a zhizao result file "
                              f"(it begins with {head[:8]!r})", EXIT_FOREIGN)
    info = _run_probe(p)
    partial = p.endswith(".partial")
    if info.get("error"):
        what = "an interrupted or running run's file, " if partial else ""
        raise ResultFileError(f"{p}: {what}damaged or truncated: {info['error']}")
    if info.get("foreign"):
        raise ResultFileError(f"{p}: an HDF5 file but not a zhizao result file "
                              f"({info['foreign']})", EXIT_FOREIGN)
    if not info.get("nodes") and not info.get("kind"):
        raise ResultFileError(f"{p}: an HDF5 file but not a zhizao result file (no variable "
                              "'adopted' at its root or in a group)", EXIT_FOREIGN)
    _cache[key] = info
    return info


def describe_partial(path, info: dict) -> str:
    """One line: which replications an incomplete file holds."""
    parts = []
    for n in info["nodes"]:
        if n["complete"] == 1 and not str(path).endswith(".partial"):
            continue
        held = n["written"] or []
        where = f" [{n['group']}]" if n["group"] else ""
        of = f" of {n['replications']}" if n["replications"] >= 0 else ""
        parts.append(f"{where} holds {len(held)}{of} replications"
                     + (f" ({_ranges(held)})" if held else ""))
    return f"{path}: incomplete run:" + ";".join(parts) if parts else ""

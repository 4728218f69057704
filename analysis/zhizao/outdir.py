"""The report's folder: the report writes only into a folder it creates, an
empty one, or one that holds nothing but an earlier report of its own
(marked by the file ``.zhizao-report``). It never deletes a user's files:
a folder holding anything else is refused before a figure is drawn.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["MARKER", "FolderRefused", "prepare", "write_text"]

MARKER = ".zhizao-report"
# what the report writes: the figures (NN_name.png), the page, and the
# page's temporary name while it is written
_OURS = re.compile(r"(\d\d_[A-Za-z0-9_-]*\.png|index\.html|index\.html\.writing)")


class FolderRefused(ValueError):
    """The output folder is not the report's to write (exit code 2)."""

    exit_code = 2


def prepare(outdir) -> Path:
    """Make `outdir` ready for a new report and return it (see above)."""
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise FolderRefused(f"{outdir}: exists and is not a folder; give a folder name with -o")
    if not outdir.exists():
        outdir.mkdir(parents=True)
    entries = list(outdir.iterdir())
    names = {p.name for p in entries}
    if entries and MARKER not in names:
        raise FolderRefused(
            f"{outdir}: the folder is not empty and holds no earlier report "
            f"({_few(sorted(names))}); the report writes only into a new or empty folder "
            "or one of its own earlier reports: choose another -o")
    foreign = sorted(p.name for p in entries
                     if p.name != MARKER and (not _OURS.fullmatch(p.name) or p.is_dir()
                                              and not p.is_symlink()))
    if foreign:
        raise FolderRefused(
            f"{outdir}: holds an earlier report and other files ({_few(foreign)}), which the "
            "report would not delete: move them or choose another -o")
    for p in entries:
        if p.name != MARKER:
            p.unlink()  # a link here is removed, never what it points to
    marker = outdir / MARKER
    if not marker.exists():
        marker.write_text("zhizao report folder: the report may replace the figures "
                          "(NN_*.png) and index.html here\n", encoding="utf-8")
    return outdir


def write_text(path, text: str) -> Path:
    """`text` to `path` through a temporary name, so that no half-written
    page ever carries the final name."""
    path = Path(path)
    tmp = path.with_name(path.name + ".writing")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _few(names, n=4) -> str:
    shown = ", ".join(names[:n])
    return shown + (f" and {len(names) - n} more" if len(names) > n else "")

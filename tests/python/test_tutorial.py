"""The tutorial cannot go stale (issue 25, item 7): every command its
README shows runs; the printed comparison is what the command prints today;
every figure its prose quotes (``<!--v:NAME-->``) is what the file says.
When the model changes, `make tutorial` regenerates them
(examples/tutorial/generate.py)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(os.environ.get("ZZ_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BIN = os.environ.get("ZZ_BIN")
sys.path.insert(0, str(SRC / "examples" / "tutorial"))
import generate  # noqa: E402

pytestmark = pytest.mark.skipif(not BIN, reason="ZZ_BIN (the zhizao executable) is not set")
TEXT = generate.README.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """The repository's layout in a scratch folder, after the README's
    compare command has run there."""
    d = generate.layout(tmp_path_factory.mktemp("tutorial"))
    out = generate.run_compare(os.path.abspath(BIN), d, TEXT)
    return d, out


def _run(cmd, cwd):
    argv = cmd.split()
    assert argv[0] == "build/zhizao", cmd
    argv[0] = os.path.abspath(BIN)
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True)


def test_every_shell_command_runs(work):
    d, _ = work
    cmds = generate.commands(TEXT)
    assert any(" check " in c for c in cmds) and any(" compare " in c for c in cmds)
    for cmd in cmds:
        r = _run(cmd, d)
        assert r.returncode == 0, (cmd, r.stderr)
    # the `check` excerpt is what check prints, in order
    check = next(c for c in cmds if " check " in c)
    shown = TEXT.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    printed = _run(check, d).stdout.splitlines()
    excerpt = [line for line in shown if line != "..."]
    assert printed[:len(excerpt)] == excerpt


def test_the_printed_comparison_is_todays(work):
    _, out = work
    block = generate.BLOCK.search(TEXT)
    assert block, "the README lost its generated block"
    assert block.group(2) == out.lstrip("\n"), \
        "the tutorial's printout is stale: run `make tutorial`"


def test_every_quoted_figure_is_todays(work):
    d, _ = work
    vals = generate.values(d / "tutorial.h5")
    quoted = dict(generate.VALUE.findall(TEXT))
    assert len(quoted) >= 10
    for name, shown in quoted.items():
        assert vals[name] == shown, f"{name}: README says {shown!r}, the run {vals[name]!r}"


def test_python_block_and_report_run(work, tmp_path):
    d, _ = work
    env = dict(os.environ, PYTHONPATH=str(SRC / "analysis"), MPLBACKEND="Agg")
    for code in generate.python_blocks(TEXT):
        r = subprocess.run([sys.executable, "-c", code], cwd=d, capture_output=True, text=True,
                           env=env)
        assert r.returncode == 0, r.stderr
    r = subprocess.run([os.path.abspath(BIN), "report", "tutorial.h5", "-o", "report/"],
                       cwd=d, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert (d / "report" / "index.html").exists()


def test_reading_results_example_is_todays(work):
    """docs/reading-results.md's headline example is the tutorial run's."""
    _, out = work
    text = generate.READING.read_text(encoding="utf-8")
    block = generate.HEAD_BLOCK.search(text)
    assert block, "docs/reading-results.md lost its generated headline"
    assert block.group(2) == generate.headline_line(out), \
        "docs/reading-results.md's headline example is stale: run `make tutorial`"

"""Executes examples/compare_pathways.ipynb headless (nbclient) on a
comparison file.

The file comes from a real `zhizao compare` of baseline, shandong_2026 and
vouchers_only (2 replications, 3000 firms) when ZZ_BIN points to an
executable whose `compare --help` exits 0 (scenarios from ZZ_SOURCE_DIR,
default: this checkout); otherwise it is built by hand with h5py by the
same writer as test_analysis.py.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "examples" / "compare_pathways.ipynb"
SCENARIOS = ["baseline", "shandong_2026", "vouchers_only"]
PIONEERS = 13
ANALYSIS_DIR = REPO / "analysis"


def _hand_made_compare(path: Path) -> Path:
    # reuse the layout writer of test_analysis.py (loaded by path, so it
    # works whatever pytest's import mode)
    spec = importlib.util.spec_from_file_location(
        "zz_test_analysis_writer", Path(__file__).with_name("test_analysis.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.write_compare(path)


def _supports_compare(zz_bin: str) -> bool:
    try:
        return subprocess.run([zz_bin, "compare", "--help"], capture_output=True,
                              timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture
def compare_file(tmp_path):
    """A comparison file: from the real binary when available, else by hand."""
    zz_bin = os.environ.get("ZZ_BIN")
    if zz_bin and _supports_compare(zz_bin):
        src = Path(os.environ.get("ZZ_SOURCE_DIR", REPO))
        out = tmp_path / "tmp" / "compare.h5"
        out.parent.mkdir()
        cmd = [zz_bin, "compare", *(str(src / "scenarios" / f"{s}.lua") for s in SCENARIOS),
               "-o", str(out), "--replications", "2", "--set", "population.firms=3000",
               "--quiet"]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
        assert res.returncode == 0, f"{' '.join(cmd)} failed:\n{res.stderr}"
        return out
    return _hand_made_compare(tmp_path / "compare.h5")


def _kernel_name(tmp_path, monkeypatch) -> str:
    """'python3' if its kernelspec runs this interpreter (Debian's ipykernel
    registers /usr/bin/python3), else a temporary kernelspec that does."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try:
        exe = KernelSpecManager().get_kernel_spec("python3").argv[0]
        if os.path.realpath(shutil.which(exe) or exe) == os.path.realpath(sys.executable):
            return "python3"
    except NoSuchKernel:
        pass
    kdir = tmp_path / "jupyter" / "kernels" / "zhizao-python3"
    kdir.mkdir(parents=True)
    (kdir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (zhizao tests)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join(
        [str(tmp_path / "jupyter")] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]))
    return "zhizao-python3"


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")


def test_compare_pathways_notebook_runs(compare_file, tmp_path, monkeypatch):
    import zhizao
    names = zhizao.groups(compare_file)
    assert len(names) >= 2
    # the kernel is a subprocess: give it absolute paths
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ANALYSIS_DIR)] + [os.path.abspath(p) for p in
                               os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    monkeypatch.setenv("ZZ_COMPARE_FILE", str(compare_file))
    monkeypatch.delenv("MPLBACKEND", raising=False)   # let ipykernel use the inline backend
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name=_kernel_name(tmp_path, monkeypatch),
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()          # raises CellExecutionError if any cell fails
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert f"scenarios: {names}" in text
    ranking = text[text.index("measure"):]
    assert "years to" in ranking
    for n in names:
        assert n in ranking
    data = zhizao.open_all(compare_file)
    if any(zhizao.has_twin(ds) for ds in data.values()):
        assert "yuan per additional adopter" in ranking
        assert "deadweight_share" in text and "yuan_per_additional" in text
    images = [o for o in outputs if o.output_type == "display_data" and "image/png" in o.data]
    assert len(images) >= 4       # all firms, target groups, comparison, sensitivity
    # deadlines, incremental, sensitivity and robustness sections
    assert "P(" in text and "against the twin; the cost counts fiscal money" in text
    # the answer first (issue 25): the headline, with its verdict words
    assert text.index("headline:") < text.index("measure")
    assert any(v in text[text.index("headline:"):] for v in zhizao.answer.VERDICTS)
    assert "over paired replications" in text and "p_best" in text
    assert "plan minus contest" in text and "replication noise" in text
    assert "where the best mix changes" in text and "S1" in text and "ST" in text
    targets = [str(t) for t in next(iter(data.values()))["target"].values]
    if any(t.startswith("pioneer_") for t in targets):      # a real comparison
        assert names == SCENARIOS
        assert f"{PIONEERS} target groups:" in text
        for name in SCENARIOS:
            assert f"{name}: 2 replicates" in text and "3000 firms, twin: True" in text
        assert "years to pioneer_Jinan_electronics" in ranking

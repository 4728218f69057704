"""Regenerates the printed output and the figures of the tutorial's README
from real runs, so that they cannot go stale (`make tutorial`).

    PYTHONPATH=analysis python3 examples/tutorial/generate.py [--zhizao build/zhizao]

It runs, in a scratch folder laid out like the repository, the README's
own `zhizao compare` command; writes its standard output between the
markers ``<!-- generated: compare -->`` and ``<!-- end generated -->``
(and one headline line of it into docs/reading-results.md's example);
and replaces every ``<!--v:NAME-->...<!--/v-->`` span with the value NAME
computed from the file that run wrote (:func:`values`).
tests/python/test_tutorial.py runs every command the README shows and
checks both against what they print and compute today.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
READING = HERE.parents[1] / "docs" / "reading-results.md"
_END = r"(```\n<!-- end generated -->)"
HEAD_BLOCK = re.compile(r"(<!-- generated: headline -->\n```text\n)(.*?)" + _END, re.S)
BLOCK = re.compile(r"(<!-- generated: compare -->\n```text\n)(.*?)" + _END, re.S)
VALUE = re.compile(r"<!--v:(\w+)-->(.*?)<!--/v-->")


def commands(text: str, lang: str = "sh") -> list:
    """The commands of every ```sh block (continuation lines joined)."""
    out = []
    for block in re.findall(rf"```{lang}\n(.*?)```", text, re.S):
        out += [c.strip() for c in block.replace("\\\n", " ").splitlines() if c.strip()]
    return out


def python_blocks(text: str) -> list:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def compare_command(text: str) -> str:
    return next(c for c in commands(text) if " compare " in c)


def values(h5) -> dict:
    """The figures the README quotes, from the comparison file."""
    import zhizao
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hl = zhizao.headline(h5)
        acc = zhizao.accounting(h5)
    v = hl.loc["vouchers"]
    gsz, allf, jn = v.loc["province_gsz"], v.loc["all_firms"], v.loc["jinan_gsz"]
    base = hl.loc["base"].loc["province_gsz"]
    a = acc.loc["vouchers"]
    return {
        "verdict_gsz": gsz["verdict"],
        "share_gsz": f"{100 * gsz['share']:.1f}%",
        "twin_share_gsz": f"{100 * gsz['twin_share']:.1f}%",
        "points_gsz": f"{gsz['points_gained']:+.2f}",
        "k_gsz": f"{int(gsz['k'])} of {int(gsz['n'])}",
        "twin_k_gsz": f"{int(gsz['twin_k'])} of {int(gsz['n'])}",
        "base_k_gsz": f"{int(base['k'])} of {int(base['n'])}",
        "years_gsz": f"{gsz['years_gained']:.2g}",
        "k_jinan": f"{int(jn['k'])} of {int(jn['n'])}",
        "add_all": f"{allf['additional']:,.0f}",
        "cost_all": f"{allf['cost_per_additional'] * 1e-6:.3g} m yuan",
        "fiscal": f"{allf['fiscal'] * 1e-6:,.0f} m yuan",
        "supported": f"{a['supported']:,.0f}",
        "deadweight": f"{a['deadweight']:,.0f}",
        "deadweight_share": f"{a['deadweight_share']:.0%}",
    }


def run_compare(zhizao_bin: str, workdir: Path, text: str) -> str:
    """The README's compare command, run in `workdir` (a copy of the
    repository's layout: examples/tutorial/, build/zhizao); its stdout."""
    cmd = compare_command(text).split()
    cmd[0] = zhizao_bin
    r = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr}")
    return r.stdout


def layout(workdir: Path) -> Path:
    """examples/tutorial/ as in the repository, inside workdir."""
    dst = workdir / "examples" / "tutorial"
    dst.mkdir(parents=True, exist_ok=True)
    for f in ("base.lua", "variant.lua"):
        shutil.copy(HERE / f, dst / f)
    return workdir


def headline_line(stdout: str, scenario: str = "vouchers", target: str = "province_gsz") -> str:
    """One target's headline line of one scenario's block, as printed."""
    block = stdout.split(f"\nscenario {scenario}\n")[1]
    return next(line.strip() for line in block.splitlines()
                if line.startswith(f"  {target} ")) + "\n"


def render_reading(text: str, stdout: str) -> str:
    """docs/reading-results.md with the headline example of today's run."""
    return HEAD_BLOCK.sub(lambda m: m.group(1) + headline_line(stdout) + m.group(3), text)


def render(text: str, stdout: str, vals: dict) -> str:
    text = BLOCK.sub(lambda m: m.group(1) + stdout.lstrip("\n") + m.group(3), text)
    return VALUE.sub(lambda m: f"<!--v:{m.group(1)}-->{vals[m.group(1)]}<!--/v-->", text)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--zhizao", default=str(HERE.parents[1] / "build" / "zhizao"))
    args = p.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as d:
        work = layout(Path(d))
        out = run_compare(os.path.abspath(args.zhizao), work, text)
        vals = values(work / "tutorial.h5")
    README.write_text(render(text, out, vals), encoding="utf-8")
    READING.write_text(render_reading(READING.read_text(encoding="utf-8"), out),
                       encoding="utf-8")
    print(f"regenerated {README} and {READING}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

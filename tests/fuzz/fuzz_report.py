"""Fuzzing of the report's reader (zhizao.open and its damage probe,
analysis/zhizao/validate.py) with damaged result files: bytes of a good
file of each kind flipped at random offsets, or the file cut short. Every
input must be opened or refused with ResultFileError (one line, naming the
file); anything else (another exception, a crash of this process) is a
finding, written to tests/fuzz/crashes/report/.

    python3 tests/fuzz/fuzz_report.py GOOD.h5 [GOOD2.h5 ...] [--seconds 60] [--seed 1]
    python3 tests/fuzz/fuzz_report.py --zhizao build/zhizao [--seconds 60]

With --zhizao it first writes a run, an experiment and an optimisation file
of small scenarios to damage (what `make fuzz` does)."""
import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import zhizao
from zhizao import validate


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    if rng.random() < 0.15:
        return bytes(b[: rng.randrange(len(b))])
    for _ in range(rng.choice((1, 1, 2, 4, 16))):
        at = rng.randrange(len(b))
        b[at] ^= rng.randrange(1, 256)
    return bytes(b)


SMALL = """include "baseline.lua"
scenario { name = "small", years = 1, replications = 2 }
population { firms = 1500 }
voucher "compute" { rate = 0.9, cap = 1e7, budget = 2e7 }
voucher "scenario" { rate = 0.9, cap = 1e7, budget = 1e7, states = { "adopted" } }
target { name = "all", share = 0.5, by = "2026-12-31" }
"""


def make_files(zhizao_bin: str, d: Path) -> list:
    src = Path(__file__).resolve().parents[2] / "scenarios"
    for name in ("baseline.lua", "pioneers.lua"):
        (d / name).write_text((src / name).read_text())
    (d / "small.lua").write_text(SMALL)
    (d / "ex.lua").write_text('experiment { scenarios = { "small.lua" }, design = "lhs", '
                              'points = 2, replications = 2, seed = 3 }\n'
                              'uncertain "population.hurdle_mean" { 0.6, 1.2 }\n')
    (d / "opt.lua").write_text(
        'optimise { scenario = "small.lua", budget = 1.5e8, shares = { "voucher.compute", '
        '"voucher.scenario" }, objective = "target_share", target = "all", by = "2026-12-31", '
        'replications = 2, seed = 5, starts = 4, evaluations = 6, confirm = 2 }\n')
    out = []
    for cmd, spec in (("run", "small.lua"), ("explore", "ex.lua"), ("optimise", "opt.lua")):
        subprocess.run([zhizao_bin, cmd, d / spec, "-o", d / f"{cmd}.h5", "-q"], check=True)
        out.append(d / f"{cmd}.h5")
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("files", nargs="*")
    p.add_argument("--zhizao", help="write the good files with this executable")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--crashes", default=str(Path(__file__).parent / "crashes" / "report"))
    a = p.parse_args(argv)
    rng = random.Random(a.seed)
    files = list(a.files)
    if a.zhizao:
        made = Path(tempfile.mkdtemp(prefix="zz_fuzz_good_"))
        files += make_files(a.zhizao, made)
    goods = [(Path(f).name, Path(f).read_bytes()) for f in files]
    execs = refused = opened = found = 0
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="zz_fuzz_report_") as d:
        while time.time() - t0 < a.seconds:
            name, data = rng.choice(goods)
            path = Path(d) / f"x{execs}_{name}"
            path.write_bytes(mutate(data, rng))
            execs += 1
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ds = zhizao.open(path)
                    ds.load()
                    ds.close()
                opened += 1
            except validate.ResultFileError as e:
                refused += 1
                if "\n" in str(e) or str(path) not in str(e):
                    found += 1
                    print(f"bad message for {path.name}: {e!r}", file=sys.stderr)
                    Path(a.crashes).mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, Path(a.crashes) / path.name)
            except Exception:  # noqa: BLE001 - the finding
                found += 1
                print(f"{path.name}: {traceback.format_exc()}", file=sys.stderr)
                Path(a.crashes).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, Path(a.crashes) / path.name)
            path.unlink()
    print(f"fuzz_report: {execs} executions in {time.time() - t0:.0f} s: {opened} opened, "
          f"{refused} refused, {found} findings")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

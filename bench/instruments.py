#!/usr/bin/env python3
"""What each instrument buys on its own, at one point of the parameters.

Runs each of scenarios/alone_*.lua (the default population with one
instrument of the plan) beside its no-policy twin (common random numbers),
with its budget set to --budget, and prints a Markdown table: additional
adopters by the end, money disbursed, money per additional adopter, with
the spread over replications.

    /usr/bin/python3 bench/instruments.py build/zhizao [--replications 8] [--budget 1e9]

docs/instruments.md shows the same figures across the uncertain
parameters (`make results`); this script is the quick look at the
defaults, and the way to try another budget.
"""
import argparse
import math
import pathlib
import statistics
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "analysis"))
from zhizao.results import ALONE  # noqa: E402  the variants and their labels


def budget_key(zhizao, scen):
    """The one programme's budget key (e.g. voucher.compute.budget)."""
    shown = subprocess.run([zhizao, "check", str(scen)], capture_output=True, text=True,
                           check=True).stdout
    keys = [line.split(" = ")[0] for line in shown.splitlines()
            if line.split(" = ")[0].endswith(".budget") and not line.startswith("compute.")]
    if len(keys) != 1:
        raise SystemExit(f"{scen}: expected one programme budget, found {keys}")
    return keys[0]


def spread(values):
    v = [x for x in values if math.isfinite(x)]
    if not v:
        return "n/a"
    mean = statistics.fmean(v)
    sd = statistics.stdev(v) if len(v) > 1 else 0.0
    return f"{mean:,.0f} ± {sd:,.0f}" if abs(mean) >= 100 else f"{mean:.2f} ± {sd:.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("zhizao")
    ap.add_argument("--replications", type=int, default=8)
    ap.add_argument("--budget", type=float, default=1e9)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "one.h5"
        for name, label in ALONE.items():
            scen = ROOT / "scenarios" / f"{name}.lua"
            cmd = [args.zhizao, "run", str(scen), "-o", str(out), "--counterfactual", "--quiet",
                   "--replications", str(args.replications),
                   "--set", f"{budget_key(args.zhizao, scen)}={args.budget!r}"]
            if args.threads:
                cmd += ["--threads", str(args.threads)]
            subprocess.run(cmd, check=True)
            with h5py.File(out, "r") as f:
                targets = [t.decode() if isinstance(t, bytes) else t for t in f["target"][:]]
                g = targets.index("all_firms")
                gsz = targets.index("province_gsz")
                add = f["additional"][:, g].astype(float)
                add_gsz = f["additional"][:, gsz].astype(float)
                spent = f["spent"][:, -1, :].sum(axis=1)
                sup = f["supported"][:, g].astype(float)
                dead = f["deadweight"][:, g].astype(float)
            per = np.where(add > 0, spent / np.maximum(add, 1), np.nan)
            dead_share = np.where(sup > 0, dead / np.maximum(sup, 1), np.nan)
            rows.append((label, spread(add), spread(add_gsz), spread(spent / 1e6),
                         spread(per / 1e6), spread(100 * dead_share)))
            print(f"{label}: done", file=sys.stderr)

    print(f"Each instrument alone, budget {args.budget / 1e9:g} bn yuan, "
          f"{args.replications} replications, default population (120,000 firms), "
          "2026-2028; mean ± sd over replications.\n")
    print("| instrument | additional adopters (all firms) | additional 规上 adopters | "
          "disbursed (m yuan) | m yuan per additional adopter | deadweight (% of supported) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What each instrument buys on its own.

Runs the default Shandong population with one instrument at a time, each
with the same fixed budget, beside its no-policy twin (common random
numbers), and prints a Markdown table: additional adopters by the end,
money disbursed, money per additional adopter, with the spread over
replications.

    /usr/bin/python3 bench/instruments.py build/zhizao [--replications 8] [--budget 1e9]

Each variant is baseline.lua plus one declaration below (rates and caps as
in shandong_2026.lua; quantities raised where the plan's figure could not
spend the budget at all, e.g. 300 trainees).
"""
import argparse
import math
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]

INSTRUMENTS = {
    "compute voucher": 'voucher "compute" {{ rate = 0.30, cap = 2e6, budget = {b} }}',
    "model voucher": 'voucher "model" {{ rate = 0.50, cap = 5e6, budget = {b} }}',
    "corpus voucher": 'voucher "corpus" {{ rate = 0.30, cap = 1e6, budget = {b} }}',
    "scenario voucher": 'voucher "scenario" {{ rate = 0.30, cap = 2e6, budget = {b} }}',
    "investment subsidy": 'subsidy "investment" {{ rate = 0.20, cap = 5e6, budget = {b} }}',
    "loan interest subsidy": 'subsidy "interest" {{ points = 2, cap = 1e6, budget = {b} }}',
    "risk compensation": 'risk_compensation {{ loss_share = 0.5, cap = 2e6, budget = {b} }}',
    "first-of-kind insurance": 'insurance {{ premium_rate = 0.03, premium_share = 0.8, cover = 0.8, cap = 1e6, budget = {b} }}',
    "equity fund": 'equity {{ amount = 5e6, per_year = 100, cap = 5e6, budget = {b} }}',
    "training campaign": 'campaign "training" {{ date = "2026-05-15", firms = 50000, amount = 20000, budget = {b} }}',
    "chain leaders": 'chain_leader {{ onboard_rate = 166.7, cost_cut = 0.2, peer_boost = 0.1, cap = 5e5, budget = {b} }}',
    "揭榜挂帅 contest": 'contest "benchmark" {{ opens = "2026-03-01", closes = "2026-05-01", rounds = 3, '
                      'winners = 40, reward_rate = 0.5, reward_cap = 1e7, budget = {b} }}',
}


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
        tmp = pathlib.Path(tmp)
        for name in ("baseline.lua", "pioneers.lua"):
            shutil.copy(ROOT / "scenarios" / name, tmp / name)
        for label, decl in INSTRUMENTS.items():
            scen = tmp / "one.lua"
            scen.write_text('include "baseline.lua"\nscenario { name = "one" }\n'
                            + decl.format(b=repr(args.budget)) + "\n")
            out = tmp / "one.h5"
            cmd = [args.zhizao, "run", str(scen), "-o", str(out), "--counterfactual", "--quiet",
                   "--replications", str(args.replications)]
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

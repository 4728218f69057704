#!/usr/bin/env python3
"""The tables of docs/results_2026.md, from a `zhizao compare` result file.

Prints five Markdown tables covering every scenario of the file. Tables 1
and 2 are ranked as ``zhizao.compare`` ranks them, which is the ranking
``zhizao compare`` itself prints.

1. time to 50% for every target except ``all_firms`` (province_gsz and the
   pioneer city x industry pairs): mean years since the start [95%
   t-interval over replications], and how many replications reach it;
2. money disbursed per additional adopter (all firms, against each
   scenario's own no-policy twin), mean [95% interval], in million yuan;
3. the accounting of all firms at the end (``zhizao.accounting``): money
   spent, additional adopters, supported adopters, deadweight and its
   share, supported - deadweight, spill-over;
4. the lower bound on months gained to province_gsz
   (``zhizao.time_to_target``: ``months_gained_min``, ``n_censored``);
5. the compute market: highest utilisation and price in any replicate and
   month, policy run and twin.

Run it on the file written by the comparison of docs/results_2026.md:

    PYTHONPATH=analysis /usr/bin/python3 bench/results_tables.py FILE.h5

(Debian's /usr/bin/python3, which has numpy, xarray, h5py and pandas.)
"""
import sys

import numpy as np

import zhizao

GSZ = "province_gsz"


def fmt(x, d=2):
    return "–" if not np.isfinite(x) else f"{x:.{d}f}"


def time_table(data, rank, reps):
    print("| target (50%) | " + " | ".join(f"{k}." for k in range(1, len(data) + 1)) + " |")
    print("|---" * (len(data) + 1) + "|")
    first = next(iter(data.values()))
    targets = [str(t) for t in first["target"].values if str(t) != "all_firms"]
    for g in targets:
        cells = []
        for _, r in rank.loc[f"years to {g}"].iterrows():
            n = int(round(r["reached"] * reps))
            if n == 0:
                t = "not reached"
            elif n == 1:
                t = f"{fmt(r['mean'])} y"
            else:
                t = f"{fmt(r['mean'])} y [{fmt(r['lo'])}, {fmt(r['hi'])}]"
            cells.append(f"{r['scenario']} {t} ({n}/{reps})")
        print(f"| {g} | " + " | ".join(cells) + " |")


def cost_table(rank):
    print("| rank | scenario | yuan per additional adopter, mean [95% interval] (million) |")
    print("|---|---|---|")
    for k, r in rank.loc["yuan per additional adopter"].iterrows():
        v = ("– (no additional adopters)" if not np.isfinite(r["mean"]) else
             f"{r['mean'] / 1e6:.3f} [{r['lo'] / 1e6:.3f}, {r['hi'] / 1e6:.3f}]")
        print(f"| {k} | {r['scenario']} | {v} |")


def accounting_table(data):
    acc = zhizao.accounting(data)
    print("| scenario | spent (bn yuan) | additional adopters [95%] | supported | deadweight | "
          "deadweight share [95%] | supported − deadweight | spill-over |")
    print("|---|---|---|---|---|---|---|---|")
    for s, a in acc.iterrows():
        share = ("–" if not np.isfinite(a["deadweight_share"]) else
                 f"{a['deadweight_share']:.1%} [{a['deadweight_share_lo']:.1%}, "
                 f"{a['deadweight_share_hi']:.1%}]")
        print(f"| {s} | {a['spent'] / 1e9:.2f} | {a['additional']:.0f} "
              f"[{a['additional_lo']:.0f}, {a['additional_hi']:.0f}] | {a['supported']:.0f} | "
              f"{a['deadweight']:.0f} | {share} | {a['supported_additional']:.0f} | "
              f"{a['spillover']:.0f} |")


def months_gained(data, reps):
    print(f"| scenario | reaches {GSZ} | twin reaches it | months gained, at least "
          "(mean over replications reaching it) | censored |")
    print("|---|---|---|---|---|")
    for s, ds in data.items():
        tt = zhizao.time_to_target(ds)
        if GSZ not in tt.index or "months_gained_min" not in tt.columns:
            continue
        r = tt.loc[GSZ]
        print(f"| {s} | {int(r['n_reached'])}/{reps} | {int(round(r['cf_reached'] * reps))}/{reps} | "
              f"{fmt(r['months_gained_min'], 1)} | {int(r['n_censored'])} |")


def compute_market(data):
    print("| scenario | utilisation at start | highest utilisation (run) | highest price (run) | "
          "highest utilisation (twin) | highest price (twin) |")
    print("|---|---|---|---|---|---|")
    for s, ds in data.items():
        if "compute_utilisation" not in ds.variables:
            print(f"| {s} | – | – | – | – | – |")
            continue
        u, p = ds["compute_utilisation"], ds["compute_price"]
        cu = ds["cf_compute_utilisation"] if "cf_compute_utilisation" in ds.variables else None
        cp = ds["cf_compute_price"] if "cf_compute_price" in ds.variables else None
        print(f"| {s} | {float(u.isel(time=0).mean()):.1%} | {float(u.max()):.1%} | "
              f"{float(p.max()):.3f} | "
              + (f"{float(cu.max()):.1%}" if cu is not None else "–") + " | "
              + (f"{float(cp.max()):.3f}" if cp is not None else "–") + " |")


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    data = zhizao.open_all(argv[1])
    rank = zhizao.compare(data)
    reps = next(iter(data.values())).sizes["replicate"]
    time_table(data, rank, reps)
    print()
    cost_table(rank)
    print()
    accounting_table(data)
    print()
    months_gained(data, reps)
    print()
    compute_market(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

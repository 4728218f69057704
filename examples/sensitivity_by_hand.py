"""Sensitivity of shandong_2026's time to 50% (and of its lead over
contest_only) to the behavioural assumptions, before `zhizao explore` exists.

A Saltelli design (A, B, AB_i from a scrambled Sobol sequence, scipy) over
the assumptions below; at each point one `zhizao compare` of the two
scenarios with that point's values as --set (same seed everywhere: common
random numbers); the points stacked into an experiment-shaped Dataset
(design (point, factor), time_to_target (point, scenario, replicate,
target)) and handed to zhizao.sensitivity / robust_ranking / ranking_flips
exactly as an experiment file will be.

    PYTHONPATH=analysis /usr/bin/python3 examples/sensitivity_by_hand.py \
        --bin build/zhizao --n 32 --firms 6000 --replications 6 -o exp.nc

The ranges are the assumptions' plausible ranges (docs/model.md): the
hurdle 0.6-1.2 (issue 10: 0.6 reaches 50% in 1.9 y, 1.2 never), the
a contest benchmark's publicity from unseen to ten projects' worth, the logit
temperature, the awareness rate.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import xarray as xr
from scipy.stats import qmc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "analysis"))
import zhizao  # noqa: E402

FACTORS = {"population.hurdle_mean": (0.6, 1.2),
           "decision.learn_publicity": (0.0, 10.0),
           "decision.temperature": (0.15, 0.6),
           "decision.awareness_rate": (0.1, 0.5)}
SCENARIOS = ["shandong_2026", "contest_only"]


def design(n: int, seed: int) -> np.ndarray:
    k = len(FACTORS)
    u = qmc.Sobol(d=2 * k, scramble=True, seed=seed).random(n)
    A, B = u[:, :k], u[:, k:]
    blocks = [A, B]
    for i in range(k):
        m = A.copy()
        m[:, i] = B[:, i]
        blocks.append(m)
    lo = np.array([v[0] for v in FACTORS.values()])
    hi = np.array([v[1] for v in FACTORS.values()])
    U = np.vstack(blocks)
    return U, lo + U * (hi - lo)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(ROOT / "build" / "zhizao"))
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--firms", type=int, default=6000)
    ap.add_argument("--replications", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", default="sensitivity_by_hand.nc")
    a = ap.parse_args()
    U, X = design(a.n, a.seed)
    parts = []
    with tempfile.TemporaryDirectory() as tmp:
        for p, x in enumerate(X):
            out = Path(tmp) / f"p{p}.h5"
            sets = [f"population.firms={a.firms}"] + [f"{k}={v:.6g}" for k, v in zip(FACTORS, x)]
            cmd = [a.bin, "compare", *(str(ROOT / "scenarios" / f"{s}.lua") for s in SCENARIOS),
                   "-o", str(out), "--replications", str(a.replications), "--quiet"]
            for s in sets:
                cmd += ["--set", s]
            subprocess.run(cmd, check=True)
            e = zhizao.as_experiment(out)
            parts.append(e[["time_to_target"]].load())
            by = e["target_by"].load()
            print(f"\rpoint {p + 1}/{len(X)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    exp = xr.concat(parts, dim="point", data_vars="all", coords="minimal", compat="override")
    exp["target_by"] = by
    exp["design"] = (("point", "factor"), X)
    exp["design_unit"] = (("point", "factor"), U)
    exp = exp.assign_coords(factor=list(FACTORS), point=np.arange(len(X)))
    exp.attrs = parts[0].attrs
    exp.to_netcdf(a.output)
    g = "province_gsz"
    for sc in ("shandong_2026", ("shandong_2026", "contest_only")):
        s = zhizao.sensitivity(exp, "time_to_target", target=g, scenario=sc)
        print(f"\n{s.attrs['output']}  (N = {s.attrs['N']}, {len(X)} points; replication "
              f"noise {s.attrs['noise_share']:.1%} of the variance)")
        print(s.round(3).to_string())
    rr = zhizao.robust_ranking(exp, "time_to_target", target=g)
    print(f"\nrobustness across the {len(X)} points ({rr.attrs['measure']}):")
    print(rr.round(3).to_string())
    f = zhizao.ranking_flips(exp, "time_to_target", target=g, max_depth=2)
    print(f"\nwhere the best mix changes (tree accuracy {f['accuracy']:.0%}):")
    print(f["leaves"].to_string())


if __name__ == "__main__":
    main()

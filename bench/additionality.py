#!/usr/bin/env python3
"""Share of supported adopters that are additional (1 - deadweight share),
all firms, for result files written by `zhizao run --counterfactual`
(issue 23's Done-when figures):

    zhizao run scenarios/dutch_like_voucher.lua --counterfactual -o dutch.h5 -q
    python3 bench/additionality.py dutch.h5 [more.h5 ...]

Prints, per file: supported adopters, deadweight, additional share among the
supported (mean and 95% interval across replications), additional adopters
in all, and fiscal yuan per additional adopter."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
import zhizao  # noqa: E402
from zhizao.tables import additionality, cost_effectiveness  # noqa: E402

print(f"{'file':28} {'supported':>10} {'deadweight':>10} {'additional among supported':>30} "
      f"{'additional':>10} {'m yuan/add.':>11}")
for path in sys.argv[1:]:
    ds = zhizao.open(path)
    a = additionality(ds).loc["all_firms"]
    c = cost_effectiveness(ds)
    c = c.loc["all_firms"] if "all_firms" in getattr(c, "index", []) else c
    share = 1 - a["deadweight_share"]
    lo, hi = 1 - a["deadweight_share_hi"], 1 - a["deadweight_share_lo"]
    m = c["mean"] if "mean" in c else float("nan")
    print(f"{Path(path).name:28} {a['supported']:10.0f} {a['deadweight']:10.0f} "
          f"{share:17.1%} [{lo:.1%}, {hi:.1%}] {a['additional']:10.0f} {m / 1e6:11.3f}")

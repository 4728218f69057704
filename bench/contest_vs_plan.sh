#!/bin/sh
# contest_only against shandong_2026 across the learning parameters' ranges
# (issue 23's Done-when): for each point, both scenarios beside their twins
# on the same seeds; prints mean years to province_gsz and additional
# adopters (all firms) of each.
#   sh bench/contest_vs_plan.sh [build/zhizao]
BIN=${1:-build/zhizao}
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mktemp -d)
for point in "decision.learn_publicity=5" "decision.learn_publicity=0" "decision.learn_publicity=10" \
             "decision.belief_mean=0.30" "decision.belief_mean=0.55" \
             "decision.belief_strength=10" "decision.belief_strength=100" \
             "decision.learn_local=5" "decision.learn_local=40"; do
  "$BIN" compare "$SRC/scenarios/shandong_2026.lua" "$SRC/scenarios/contest_only.lua" \
      -o "$OUT/c.h5" -t 2 -q --set "$point" >/dev/null || exit 1
  PYTHONPATH="$SRC/analysis" /usr/bin/python3 - "$OUT/c.h5" "$point" <<'PY'
import sys
import numpy as np
import zhizao
from zhizao.tables import additionality
out = []
for name, ds in zhizao.open_all(sys.argv[1]).items():
    tt = ds["time_to_target"].sel(target="province_gsz").values
    tt = tt.astype("timedelta64[D]").astype(float) if np.issubdtype(tt.dtype, np.timedelta64) else tt
    add = additionality(ds).loc["all_firms", "additional"]
    out.append(f"{name}: {np.nanmean(tt) / 365.25:.2f} y to province_gsz ({np.isfinite(tt).sum()}/{tt.size}), {add:+.0f} adopters")
print(f"{sys.argv[2]:32} " + " | ".join(out))
PY
done
rm -rf "$OUT"

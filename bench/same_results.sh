#!/usr/bin/env bash
# Do two builds give the same results? Runs, with each executable, the five
# commands that write results:
#   run        every library scenario (15,000 firms, 3 replications with
#              twins, 2 threads), shandong_2026 at full size (2 replications);
#   compare    baseline, shandong_2026 and pioneers (5,000 firms, 3 reps);
#   explore    4 Sobol points x 2 scenarios x 2 replications (3,000 firms);
#   calibrate  2 free parameters, 3 moments, 12 evaluations (3,000 firms);
#   optimise   a budget split between two vouchers, 10 evaluations and a
#              confirmation (3,000 firms);
# and compares the HDF5 files dataset by dataset and attribute by attribute,
# bit for bit (tests/python/h5same.py; NaN equal to NaN; the host names are
# not compared), and the Lua files calibrate and optimise write beside them
# byte for byte. The study files are written once into a temporary folder
# and both executables run from sibling folders with the same relative
# paths, so that the paths a file records are the same. For work that must
# not change a number (speed, restructuring):
#
#   git worktree add /tmp/base a2d813b && cmake -S /tmp/base -B /tmp/base/build \
#       && cmake --build /tmp/base/build -j2 --target zhizao
#   bench/same_results.sh /tmp/base/build/zhizao build/zhizao
#
# Prints the files that differ and exits non-zero if any does.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
A=$(realpath "$1")
B=$(realpath "$2")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$SRC/scenarios"
for bin in A B; do
    exe=${!bin}
    mkdir -p "$TMP/$bin"
    for s in bass_validation.lua alone_*.lua baseline.lua contest_only.lua jinan_2026.lua pioneers.lua \
             shandong_2026.lua subsidy_only.lua talent_only.lua vouchers_only.lua; do
        "$exe" run "$s" -r 3 --counterfactual -t 2 -q --set population.firms=15000 \
            -o "$TMP/$bin/${s%.lua}.h5" > /dev/null
    done
    "$exe" run shandong_2026.lua -r 2 --counterfactual --firms -t 2 -q -o "$TMP/$bin/shandong_full.h5" > /dev/null
done

# The studies: small configurations of the tests (tests/python/test_explore.py,
# test_calibrate.py, test_optimise.py), written beside a copy of the library.
mkdir -p "$TMP/study"
cp "$SRC"/scenarios/*.lua "$TMP/study/"
cat > "$TMP/study/small_base.lua" <<'LUA'
include "baseline.lua"
scenario { name = "small_base", years = 2 }
population { firms = 3000 }
LUA
cat > "$TMP/study/cal.lua" <<'LUA'
calibrate { scenario = "small_base.lua", replications = 2, seed = 3, starts = 4, evaluations = 12 }
free "population.hurdle_mean" { 0.2, 1.5 }
free "population.initial_adoption" { 0.2, 0.5 }
moment "gsz_start"  { kind = "share",  group = { gsz = true }, at = "2026-01-31", value = 0.35, se = 0.02 }
moment "gsz_rate"   { kind = "hazard", group = { gsz = true }, from = "2026-01-01", to = "2027-01-01",
                      value = 0.07, se = 0.01 }
moment "size_ratio" { kind = "ratio", groups = { { size = "large" }, { size = { "small", "micro" }, gsz = false } },
                      at = "2026-07-15", value = 3.2, se = 0.4 }
LUA
cat > "$TMP/study/small.lua" <<'LUA'
include "baseline.lua"
scenario { name = "small", years = 2, replications = 3 }
population { firms = 3000 }
voucher "compute"  { rate = 0.9, cap = 1e7, budget = 2e7 }
voucher "scenario" { rate = 0.9, cap = 1e7, budget = 1e7, budget_per_year = true, states = { "adopted" } }
target { name = "all", share = 0.5, by = "2027-12-31" }
LUA
cat > "$TMP/study/opt.lua" <<'LUA'
optimise { scenario = "small.lua", budget = 1.5e8, shares = { "voucher.compute", "voucher.scenario" },
           objective = "target_share", target = "all", by = "2027-12-31",
           replications = 2, seed = 5, starts = 4, evaluations = 10, confirm = 2 }
LUA
cat > "$TMP/study/exp.lua" <<'LUA'
experiment {
  name = "small",
  scenarios = { "baseline.lua", "shandong_2026.lua" },
  design = "sobol", points = 4, replications = 2, seed = 7,
}
uncertain "population.hurdle_mean" { 0.6, 1.2 }
uncertain "decision.temperature"   { 0.15, 0.6, scale = "log" }
uncertain "voucher.compute.rate"   { 0.1, 0.5 }
LUA
for bin in A B; do
    exe=${!bin}
    cd "$TMP/$bin"
    "$exe" compare ../study/baseline.lua ../study/shandong_2026.lua ../study/pioneers.lua -r 3 -t 2 -q \
        --set population.firms=5000 -o compare.h5 > /dev/null
    "$exe" explore ../study/exp.lua -t 2 -q --set population.firms=3000 -o explore.h5 > /dev/null
    "$exe" calibrate ../study/cal.lua -t 2 -q -o calibrate.h5 > /dev/null   # and calibrated.lua
    "$exe" optimise ../study/opt.lua -t 2 -q -o optimise.h5 > /dev/null     # and best_mix.lua
done
cd "$SRC/tests/python"
python3 - "$TMP/A" "$TMP/B" <<'PY'
import glob, os, sys
from h5same import differences
a, b = sys.argv[1:]
same, bad = [], []
for fa in sorted(glob.glob(a + "/*.h5")) + sorted(glob.glob(a + "/*.lua")):
    name = os.path.basename(fa)
    fb = os.path.join(b, name)
    if not os.path.exists(fb):
        d = ["missing in the second build's results"]
    elif fa.endswith(".h5"):
        d = differences(fa, fb)
    else:
        with open(fa, "rb") as x, open(fb, "rb") as y:
            d = [] if x.read() == y.read() else ["bytes differ"]
    (bad if d else same).append(name)
    if d:
        print(name, d[:6])
print("the same:", " ".join(same))
print(f"{len(same)} of {len(same) + len(bad)} files the same")
sys.exit(1 if bad or not same else 0)
PY

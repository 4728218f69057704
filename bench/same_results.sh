#!/usr/bin/env bash
# Do two builds give the same results? Runs every library scenario (15,000
# firms, 3 replications with twins, 2 threads), shandong_2026 at full size
# (2 replications) and bass_validation with each executable and compares
# the files dataset by dataset, bit for bit (tests/python/h5same.py; NaN
# equal to NaN). For speed work that must not change a number:
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
cd "$SRC/tests/python"
python3 - "$TMP/A" "$TMP/B" <<'PY'
import glob, os, sys
from h5same import differences
a, b = sys.argv[1:]
bad = 0
files = sorted(glob.glob(a + "/*.h5"))
for fa in files:
    d = differences(fa, os.path.join(b, os.path.basename(fa)))
    if d:
        bad += 1
        print(os.path.basename(fa), d[:6])
print(f"{len(files) - bad} of {len(files)} files the same")
sys.exit(1 if bad else 0)
PY

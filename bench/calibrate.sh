#!/usr/bin/env bash
# Benchmark of `zhizao calibrate` (issue 13). Never run by the tests.
#
#   bench/calibrate.sh [build/zhizao]
#
# The library's scenarios/calibration.lua (3 free parameters, 6 moments)
# on its calibration_base.lua (the baseline, one year) at FIRMS firms with REPS replications per
# evaluation (each replication its own population seed), STARTS Sobol
# starts and at most EVALS local evaluations. Prints the calibration's own
# summary (evaluations per minute on its last line) and the wall and CPU
# time. Wall time depends on what else the machine runs.
#   REPS=8 STARTS=24 EVALS=120 bench/calibrate.sh   # the library file as written
set -euo pipefail
ZZ=$(realpath "${1:-build/zhizao}")
FIRMS=${FIRMS:-40000}
REPS=${REPS:-8}
STARTS=${STARTS:-8}
EVALS=${EVALS:-30}
THREADS=${THREADS:-2}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cp "$SRC"/scenarios/*.lua "$TMP"/
printf 'include "calibration_base.lua"\npopulation { firms = %d }\n' "$FIRMS" > "$TMP/bench_base.lua"
sed -e 's/scenario = "calibration_base.lua"/scenario = "bench_base.lua"/' \
    -e "s/replications = [0-9]*/replications = $REPS/" \
    -e "s/starts = [0-9]*/starts = $STARTS/" \
    -e "s/evaluations = [0-9]*/evaluations = $EVALS/" \
    "$SRC/scenarios/calibration.lua" > "$TMP/bench_cal.lua"
echo "zhizao calibrate: $FIRMS firms x 1 year x $REPS replications per evaluation," \
     "$STARTS starts, <= $EVALS local, $THREADS threads"
/usr/bin/time -f "wall %e s, cpu %U+%S s" "$ZZ" calibrate "$TMP/bench_cal.lua" -o "$TMP/c.h5" \
    --threads "$THREADS"

#!/usr/bin/env bash
# Benchmark of `zhizao explore` (issue 10). Never run by the tests.
#
#   bench/explore.sh [build/zhizao]
#
# 1. tasks per second: POINTS x 4 scenarios x REPS replications of the
#    library at FIRMS firms over 3 years (issue: 64 x 4 x 8 at 40,000);
# 2. the shared twin: the same 4 scenarios at one point as four separate
#    runs with their twins (`run --counterfactual`, what `compare` did
#    before it became an experiment) and as one experiment (one twin per
#    replication, what `compare` and `explore` do now);
# 3. a 1,000-replication ensemble of shandong_2026 at 40,000 firms, twin
#    included (ENS_REPS replications; scaled to 1,000 in the last column).
# Wall time depends on what else the machine runs; CPU time (user + sys)
# is printed beside it. Lower the sizes for a quick look:
#   POINTS=16 ENS_REPS=200 bench/explore.sh
set -euo pipefail
ZZ=$(realpath "${1:-build/zhizao}")
POINTS=${POINTS:-64}
REPS=${REPS:-8}
FIRMS=${FIRMS:-40000}
ENS_REPS=${ENS_REPS:-1000}
THREADS=${THREADS:-2}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cp "$SRC"/scenarios/*.lua "$TMP"/
MIX=(baseline shandong_2026 vouchers_only contest_only)

# timed LABEL CMD...: appends "wall cpu" (seconds) to $TMP/times
timed() { /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$@"; awk '{printf "%.2f %.2f\n", $1, $2 + $3}' "$TMP/t"; }

cat > "$TMP/bench.lua" <<LUA
experiment { scenarios = { "baseline.lua", "shandong_2026.lua", "vouchers_only.lua",
                           "contest_only.lua" },
             design = "sobol", points = $POINTS, replications = $REPS, seed = 1 }
uncertain "population.hurdle_mean" { 0.6, 1.2 }
uncertain "decision.temperature" { 0.15, 0.6, scale = "log" }
uncertain "decision.learn_publicity" { 0, 10 }
LUA
read -r w c < <(timed "$ZZ" explore "$TMP/bench.lua" -o "$TMP/bench.h5" -t "$THREADS" -q \
                      --set population.firms="$FIRMS")
tasks=$((POINTS * 4 * REPS))
printf 'explore: %d points x 4 scenarios x %d replications at %d firms, %d threads: %d tasks in %.1f s wall (%.2f tasks/s), %.1f s CPU (%.2f tasks per CPU second)\n' \
    "$POINTS" "$REPS" "$FIRMS" "$THREADS" "$tasks" "$w" "$(echo "$tasks / $w" | bc -l)" "$c" \
    "$(echo "$tasks / $c" | bc -l)"

sw=0; sc=0
for s in "${MIX[@]}"; do
    read -r w c < <(timed "$ZZ" run "$TMP/$s.lua" -o "$TMP/$s.h5" -r "$REPS" -s 1 --counterfactual \
                          -t "$THREADS" -q --set population.firms="$FIRMS")
    sw=$(echo "$sw + $w" | bc -l); sc=$(echo "$sc + $c" | bc -l)
done
cat > "$TMP/one.lua" <<LUA
experiment { scenarios = { "baseline.lua", "shandong_2026.lua", "vouchers_only.lua",
                           "contest_only.lua" }, replications = $REPS, seed = 1 }
LUA
read -r ew ec < <(timed "$ZZ" explore "$TMP/one.lua" -o "$TMP/one.h5" -t "$THREADS" -q \
                        --set population.firms="$FIRMS")
printf 'shared twin: 4 scenarios x %d replications: 4 runs with twins %.1f s wall / %.1f s CPU; one experiment %.1f s wall / %.1f s CPU: %.0f%% less CPU\n' \
    "$REPS" "$sw" "$sc" "$ew" "$ec" "$(echo "100 * (1 - $ec / $sc)" | bc -l)"

read -r w c < <(timed "$ZZ" run "$TMP/shandong_2026.lua" -o "$TMP/ens.h5" -r "$ENS_REPS" \
                      --counterfactual -t "$THREADS" -q --set population.firms="$FIRMS")
printf 'ensemble: shandong_2026, %d replications + twins at %d firms, 3 years, %d threads: %.1f s wall, %.1f s CPU; per 1000 replications %.1f s wall, %.1f s CPU\n' \
    "$ENS_REPS" "$FIRMS" "$THREADS" "$w" "$c" "$(echo "$w * 1000 / $ENS_REPS" | bc -l)" \
    "$(echo "$c * 1000 / $ENS_REPS" | bc -l)"

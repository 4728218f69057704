#!/usr/bin/env bash
# Benchmark of `zhizao explore` (issue 10). Never run by the tests.
#
#   bench/explore.sh [build/zhizao]
#
# 1. tasks per second: POINTS x 4 scenarios x REPS replications of the
#    library at FIRMS firms over 3 years (issue: 64 x 4 x 8 at 40,000);
# 2. the shared twin: the same 4 scenarios at one point, as `compare` runs
#    them (one twin per scenario and replication) and as `explore` runs
#    them (one twin per replication);
# 3. a 1,000-replication ensemble of shandong_2026 at 40,000 firms, twin
#    included (ENS_REPS replications; scale the time by 1000 / ENS_REPS).
# Sizes can be lowered for a quick look: POINTS=16 ENS_REPS=200 bench/explore.sh
set -euo pipefail
ZZ=${1:-build/zhizao}
POINTS=${POINTS:-64}
REPS=${REPS:-8}
FIRMS=${FIRMS:-40000}
ENS_REPS=${ENS_REPS:-1000}
THREADS=${THREADS:-2}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cp "$SRC"/scenarios/*.lua "$TMP"/
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l; }

cat > "$TMP/bench.lua" <<LUA
experiment { scenarios = { "baseline.lua", "shandong_2026.lua", "vouchers_only.lua",
                           "contest_only.lua" },
             design = "sobol", points = $POINTS, replications = $REPS, seed = 1 }
uncertain "population.hurdle_mean" { 0.6, 1.2 }
uncertain "decision.temperature" { 0.15, 0.6, scale = "log" }
uncertain "decision.success_demo" { 0.005, 0.04 }
LUA
t=$(now)
"$ZZ" explore "$TMP/bench.lua" -o "$TMP/bench.h5" -t "$THREADS" -q --set population.firms=$FIRMS
s=$(since "$t")
tasks=$((POINTS * 4 * REPS))
printf 'explore: %d points x 4 scenarios x %d replications at %d firms: %d tasks in %.1f s = %.2f tasks/s (%d threads)\n' \
    "$POINTS" "$REPS" "$FIRMS" "$tasks" "$s" "$(echo "$tasks / $s" | bc -l)" "$THREADS"

cat > "$TMP/one.lua" <<LUA
experiment { scenarios = { "baseline.lua", "shandong_2026.lua", "vouchers_only.lua",
                           "contest_only.lua" }, replications = $REPS, seed = 1 }
LUA
t=$(now)
"$ZZ" compare "$TMP"/{baseline,shandong_2026,vouchers_only,contest_only}.lua -o "$TMP/cmp.h5" \
    -r "$REPS" -s 1 -t "$THREADS" -q --set population.firms=$FIRMS
sc=$(since "$t")
t=$(now)
"$ZZ" explore "$TMP/one.lua" -o "$TMP/one.h5" -t "$THREADS" -q --set population.firms=$FIRMS
se=$(since "$t")
printf 'shared twin: 4 scenarios x %d replications: compare (a twin per scenario) %.1f s, explore (one twin) %.1f s: %.0f%% less time\n' \
    "$REPS" "$sc" "$se" "$(echo "100 * (1 - $se / $sc)" | bc -l)"

t=$(now)
"$ZZ" run "$TMP/shandong_2026.lua" -o "$TMP/ens.h5" -r "$ENS_REPS" --counterfactual -t "$THREADS" \
    -q --set population.firms=$FIRMS
s=$(since "$t")
printf 'ensemble: shandong_2026, %d replications + twins at %d firms, 3 years: %.1f s (%.1f s per 1000)\n' \
    "$ENS_REPS" "$FIRMS" "$s" "$(echo "$s * 1000 / $ENS_REPS" | bc -l)"

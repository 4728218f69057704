#!/usr/bin/env bash
# Benchmark of `zhizao explore` and `zhizao run` over MPI ranks (issue 11).
# Never run by the tests. On one machine:
#
#   bench/mpi.sh [build/zhizao]
#
# 1. tasks per second on 1, 2 and 4 ranks (RANKS), one thread per rank:
#    rank 0 hands out units and writes, so N ranks have N - 1 workers
#    (1 rank = the plain one-process path, no mpirun);
# 2. the cost per task of the MPI path against threads in one process:
#    CPU seconds per task summed over every rank (user + sys of mpirun's
#    tree), against one process with as many threads as there are workers.
# Wall time depends on what else the machine runs; the sizes are small on
# purpose (POINTS x 4 scenarios x REPS at FIRMS firms over 3 years).
#   POINTS=8 REPS=4 FIRMS=20000 bench/mpi.sh
# 3. the same for `zhizao run` of shandong_2026.lua with its no-policy twin:
#    RUN_REPS replications (a task = a replication and its twin).
set -euo pipefail
ZZ=$(realpath "${1:-build/zhizao}")
POINTS=${POINTS:-8}
REPS=${REPS:-4}
FIRMS=${FIRMS:-20000}
RANKS=${RANKS:-"1 2 4"}
RUN_REPS=${RUN_REPS:-32}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cp "$SRC"/scenarios/*.lua "$TMP"/
# Open MPI refuses root unless told (containers, CI)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN=(mpirun --oversubscribe --bind-to none)

cat > "$TMP/bench.lua" <<LUA
experiment { scenarios = { "baseline.lua", "shandong_2026.lua", "vouchers_only.lua",
                           "contest_only.lua" },
             design = "sobol", points = $POINTS, replications = $REPS, seed = 1 }
uncertain "population.hurdle_mean" { 0.6, 1.2 }
uncertain "decision.learn_publicity" { 0, 10 }
LUA
tasks=$((POINTS * 4 * REPS))
args=(explore "$TMP/bench.lua" -q --set population.firms="$FIRMS")

# timed CMD...: prints "wall cpu" (seconds; cpu = user + sys of the tree)
timed() { /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$@"; awk '{printf "%.2f %.2f\n", $1, $2 + $3}' "$TMP/t"; }

# measure LABEL COUNT UNIT ARGS...: ARGS on each rank count of RANKS (one
# thread per rank), then in one process on 1 and 2 threads
measure() {
    local label=$1 count=$2 unit=$3 w c n t
    shift 3
    for n in $RANKS; do
        if [ "$n" = 1 ]; then
            read -r w c < <(timed "$ZZ" "$@" -o "$TMP/r1.h5" -t 1)
        else
            read -r w c < <(timed "${MPIRUN[@]}" -n "$n" "$ZZ" "$@" -o "$TMP/r$n.h5" -t 1)
        fi
        printf '%s%d rank(s), 1 thread each: %.1f s wall, %.2f %ss/s, %.3f CPU s per %s\n' "$label" \
            "$n" "$w" "$(echo "$count / $w" | bc -l)" "$unit" "$(echo "$c / $count" | bc -l)" "$unit"
    done
    for t in 1 2; do
        read -r w c < <(timed "$ZZ" "$@" -o "$TMP/t$t.h5" -t "$t")
        printf '%s1 process, %d threads: %.1f s wall, %.2f %ss/s, %.3f CPU s per %s\n' "$label" \
            "$t" "$w" "$(echo "$count / $w" | bc -l)" "$unit" "$(echo "$c / $count" | bc -l)" "$unit"
    done
}

echo "$POINTS points x 4 scenarios x $REPS replications at $FIRMS firms = $tasks tasks, $(nproc) cores"
measure "" "$tasks" task "${args[@]}"
echo "run: shandong_2026.lua --counterfactual, $RUN_REPS replications at $FIRMS firms"
measure "run, " "$RUN_REPS" replication run "$TMP/shandong_2026.lua" -q --counterfactual \
    -r "$RUN_REPS" --set population.firms="$FIRMS"

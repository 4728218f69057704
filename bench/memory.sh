#!/bin/sh
# Peak memory against the number of replications (issue 9): a tiny scenario
# (50 firms, one year) run with R replications; prints R, peak RSS, wall
# time and file size. Memory should stay near flat as R grows (results are
# written as they finish; at most a few per thread wait in memory).
#   sh bench/memory.sh [build/zhizao] [R ...]     default R: 1000 5000 20000
set -e
BIN=${1:-build/zhizao}
[ $# -gt 0 ] && shift
RS=${*:-1000 5000 20000}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
cat > "$DIR/tiny.lua" <<'LUA'
scenario { name = "tiny", start = "2026-01-01", years = 1, seed = 3, replications = 10 }
population { firms = 50 }
LUA
printf '%8s %12s %10s %12s\n' replications peak_rss_MB wall_s file_MB
for R in $RS; do
  /usr/bin/time -f '%M %e' -o "$DIR/time" "$BIN" run "$DIR/tiny.lua" -o "$DIR/out.h5" \
      --replications "$R" --threads 2 --quiet
  read -r kb secs < "$DIR/time"
  size=$(stat -c %s "$DIR/out.h5")
  awk -v r="$R" -v kb="$kb" -v s="$secs" -v sz="$size" \
      'BEGIN { printf "%8d %12.1f %10.1f %12.1f\n", r, kb / 1024, s, sz / 1048576 }'
  rm -f "$DIR/out.h5"
done

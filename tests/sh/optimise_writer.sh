#!/bin/sh
# The optimiser's writer with more chosen parameters than its buffer's
# slack (four free factors beside two shares): every array it packs must
# fit the buffer it sized. In the plain build the run and the file must
# succeed; under `make sanitize` AddressSanitizer turns any write past the
# buffer into a failure (a C-level check that pytest, which make sanitize
# does not run, cannot give).
#   optimise_writer.sh ZHIZAO SOURCE_DIR
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")   # absolute: the run is in a temporary folder
src=$2
d=$(mktemp -d "${TMPDIR:-/tmp}/zz_optw.XXXXXX")
trap 'rm -rf "$d"' EXIT
cp "$src/scenarios/baseline.lua" "$src/scenarios/pioneers.lua" "$d/"
cat > "$d/small.lua" <<'LUA'
include "baseline.lua"
scenario { name = "small", years = 1, replications = 2 }
population { firms = 1500 }
voucher "compute"  { rate = 0.9, cap = 1e7, budget = 2e7 }
voucher "scenario" { rate = 0.9, cap = 1e7, budget = 1e7 }
target { name = "all", share = 0.5, by = "2026-12-31" }
LUA
cat > "$d/opt.lua" <<'LUA'
optimise { scenario = "small.lua", budget = 5e7, shares = { "voucher.compute", "voucher.scenario" },
           objective = "target_share", target = "all", by = "2026-12-31",
           replications = 2, seed = 3, starts = 3, evaluations = 8, confirm = 1 }
free "voucher.compute.rate"  { 0.1, 0.9 }
free "voucher.scenario.rate" { 0.1, 0.9 }
free "voucher.compute.cap"   { 1e6, 1e7 }
free "voucher.scenario.cap"  { 1e6, 1e7 }
LUA
cd "$d"
"$bin" optimise opt.lua -o opt.h5 -q
test -s opt.h5
test -s best_mix.lua
echo "optimise_writer: ok"

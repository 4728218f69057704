# Thin wrapper over CMake. `make run` and `make test` first install any
# missing Debian packages (.ci/deps.sh), so both work on a fresh machine.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SCENARIO ?= scenarios/shandong_2026.lua
OUT ?= results/shandong_2026.h5

.PHONY: all deps test-deps configure build run test sanitize bench profile fuzz results tutorial mutants clean

all: build

deps:
	@bash .ci/deps.sh

test-deps:
	@bash .ci/deps.sh test

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# With its no-policy twin, so the summary and the report show additionality.
run: build
	@mkdir -p $(dir $(OUT))
	$(BUILD)/zhizao run $(SCENARIO) -o $(OUT) --counterfactual

# test-deps first, then the build: two apt runs at once would fight over
# apt's lock under make -j.
test: test-deps
	@$(MAKE) --no-print-directory build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The C tests under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: test-deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DZZ_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -E pytest

# libFuzzer on each harness of tests/fuzz for FUZZ_SECONDS (clang, ASan,
# UBSan), one job each, starting from the seed corpus tests/fuzz/corpus/<name>
# (new inputs go to build-fuzz/corpus/<name>, not into the repository). A
# crash is written to tests/fuzz/crashes/<name>/ and stops the target:
# commit it with the fix, and `make test` replays it for ever after.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= scenario firms set partial
fuzz: test-deps
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZZ_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; mkdir -p build-fuzz/corpus/$$t; \
	  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	    -timeout=30 -rss_limit_mb=4096 -max_len=16384 -print_final_stats=1 \
	    -artifact_prefix=tests/fuzz/crashes/$$t/ build-fuzz/corpus/$$t tests/fuzz/corpus/$$t; \
	done
	@cmake -S . -B $(BUILD) >/dev/null && cmake --build $(BUILD) -j $(JOBS) --target zhizao
	@echo "== fuzz_report (the report's reader) for $(FUZZ_SECONDS) s"
	@PYTHONPATH=analysis MPLBACKEND=Agg /usr/bin/python3 tests/fuzz/fuzz_report.py \
	  --zhizao $(BUILD)/zhizao --seconds $(FUZZ_SECONDS)

# docs/results_2026.md and docs/instruments.md from one experiment over the
# uncertain parameters: explore (resumed if interrupted), then every
# generated block rewritten, stamped with the commit.
PYTHON ?= /usr/bin/python3
RESULTS ?= $(BUILD)/results/results.h5
# RESULTS_NOTE="..." adds a sentence to the pages' calibration note.
# the tutorial's printed comparison and quoted figures, from real runs
# (tests/python/test_tutorial.py fails when they are stale)
tutorial: build
	PYTHONPATH=analysis $(PYTHON) examples/tutorial/generate.py --zhizao $(BUILD)/zhizao

results: build
	PYTHONPATH=analysis $(PYTHON) -m zhizao.results $(RESULTS) docs/results_2026.md docs/instruments.md \
	  --run $(BUILD)/zhizao --experiment scenarios/results.lua --threads $(JOBS) \
	  $(if $(RESULTS_NOTE),--note "$(RESULTS_NOTE)")

bench: build
	$(BUILD)/bench_engine
	$(BUILD)/bench_rule

# Where the economic and the bass rule's time goes, event kind by event
# kind (a build with the run loop's timers: -DZZ_PROFILE=ON).
profile: deps
	@cmake -S . -B build-profile -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZZ_PROFILE=ON -DZZ_BUILD_TESTS=OFF >/dev/null
	@cmake --build build-profile -j $(JOBS) --target bench_rule
	build-profile/bench_rule $(SCENARIO) 3

# Mutation testing (tests/mutants/mutants.py), not part of `make test`:
# MUTANTS mutants drawn with MUTANT_SEED from sim/model, sim/policy,
# sim/experiment, sim/calibrate, sim/optimise and analysis/zhizao (or
# MUTANT_FILES), each built in build-mutants and run against the tests of
# its folder for at most MUTANT_BOUND seconds; prints the survivors and
# the kill rate. MUTANTS=0 runs every mutant (thousands: hours).
MUTANTS ?= 60
MUTANT_SEED ?= 1
MUTANT_BOUND ?= 300
mutants: test-deps
	$(PYTHON) tests/mutants/mutants.py --sample $(MUTANTS) --seed $(MUTANT_SEED) --bound $(MUTANT_BOUND) \
	  $(if $(MUTANT_FILES),--files $(MUTANT_FILES))

clean:
	rm -rf $(BUILD) build-asan build-fuzz build-profile build-mutants

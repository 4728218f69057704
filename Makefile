# Thin wrapper over CMake. `make run` and `make test` first install any
# missing Debian packages (.ci/deps.sh), so both work on a fresh machine.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SCENARIO ?= scenarios/shandong_2026.lua
OUT ?= results/shandong_2026.h5

.PHONY: all deps test-deps configure build run test sanitize bench clean

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

bench: build
	$(BUILD)/bench_engine
	$(BUILD)/bench_rule

clean:
	rm -rf $(BUILD) build-asan

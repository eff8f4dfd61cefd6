# The README's two commands: `make demo` (the main job) and `make check` (every test).
# Everything else is a step of those two.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
DEB_BUILD  ?= build-deb
FUZZ_SECONDS ?= 300
JOBS       ?= 2
CMAKE_FLAGS ?=
DEMO_PORT  ?= 0
PREFIX     ?= /usr/local

.PHONY: all deps build build-asan build-fuzz check test test-asan test-fuzz demo bench drills fuzz install clean \
	deb deb-check package-check

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

build-werror:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLS_WERROR=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

build-asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLS_WERROR=ON \
		-DLS_SANITIZE=address,undefined $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)

test: build-werror
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 300

test-asan: build-asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest -j $(JOBS) --output-on-failure --timeout 600 -LE lint

check: deps
	$(MAKE) test
	$(MAKE) test-asan
	$(MAKE) test-fuzz
	$(MAKE) deb-check

# make deb: the Debian package (CPack) in $(DEB_BUILD)/, a Release build under /usr without the
# tests. deb-check (run by make check) checks its contents and metadata with dpkg-deb and runs
# its binaries; package-check installs it into a clean Debian root (mmdebstrap, cached in
# $(DEB_BUILD)/) and runs letta-sync there: minutes, so not in make check.
deb:
	cmake -S . -B $(DEB_BUILD) -DCMAKE_BUILD_TYPE=Release -DLS_TESTS=OFF -DLS_WERROR=OFF \
		-DCMAKE_INSTALL_PREFIX=/usr $(CMAKE_FLAGS)
	cmake --build $(DEB_BUILD) -j $(JOBS)
	cd $(DEB_BUILD) && cpack -G DEB
	@ls $(DEB_BUILD)/letta-sync_*.deb

deb-check: deb
	bash scripts/check-deb.sh $(DEB_BUILD)

package-check: deb
	bash scripts/package-check.sh $(DEB_BUILD)

# The fuzzers (manifest loader; API responses -> plan) in their own clang build dir;
# FUZZ_SECONDS=300 each by default. The corpora are kept in $(FUZZ_BUILD)/corpus* between runs.
build-fuzz:
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DLS_FUZZ=ON \
		$(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_manifest fuzz_api

fuzz: build-fuzz
	bash tests/fuzz/run-fuzz.sh $(FUZZ_BUILD)/tests/fuzz_manifest $(FUZZ_SECONDS) . $(FUZZ_BUILD)/corpus
	bash tests/fuzz/run-fuzz-api.sh $(FUZZ_BUILD)/tests/fuzz_api $(FUZZ_SECONDS) . $(FUZZ_BUILD)/corpus-api

# The 10-second fuzz ctest, in the clang build dir (run by make check).
test-fuzz: build-fuzz
	cd $(FUZZ_BUILD) && ctest -L fuzz --output-on-failure

# make bench (bench/bench.sh): the whole-product figures, in a RelWithDebInfo build; writes
# bench/results.json. make drills (tests/drills/run-drills.sh): every reliability drill at full
# size; DRILLS=... picks some (faults kill asan valgrind fuzz secrets). Both in docs/.
bench: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)
	bash bench/bench.sh $(BUILD)

drills: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)
	bash tests/drills/run-drills.sh $(BUILD)

demo: deps build
	@bash scripts/demo.sh $(BUILD)

# DESTDIR is honoured by cmake --install through the environment.
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(DEB_BUILD)

#!/usr/bin/env bash
# The whole test suite: install what is missing, run the Swift tests in release mode (numerical
# code is too slow to test in a debug build), run reckit on an emulated CPU without AVX, kill-test
# every writing command, fuzz each reader of untrusted input briefly, check RecKit as a versioned
# dependency, then build the shim and Swift modules with CMake/Ninja and run their tests with ctest. The sanitizer runs
# (scripts/sanitize.sh) and long fuzzing (scripts/fuzz.sh 600) are separate: together they take
# longer than CI allows on a 2-core machine (docs/reliability.md has their times).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "==> swift test (release)"
swift build -c release --build-tests
swift test -c release --skip-build
echo "==> portability: reckit on an emulated x86-64 without AVX (baseline kernels, same ALS RMSE)"
bash scripts/portability-check.sh
echo "==> kill test: every writing command killed 50 times, outputs old or new, never mixed"
bash scripts/kill-test.sh 50
echo "==> fuzzing: every reader of untrusted input, 10 s per target (scripts/fuzz.sh runs longer)"
FUZZ_JOBS=2 bash scripts/fuzz.sh 10
echo "==> RecKit as a versioned dependency (Examples/Client)"
bash scripts/client-check.sh
echo "==> CMake/Ninja build and ctest"
cmake -S . -B .build-cmake -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build .build-cmake
ctest --test-dir .build-cmake --output-on-failure

#!/usr/bin/env bash
# The test suite under the sanitizers (issue 26):
#
#   scripts/sanitize.sh [address|thread|all]     (default: all)
#
# address: every test, built with AddressSanitizer (.build-asan), the `reckit` the CLI tests run
#          included.
# thread:  the suites that exercise the parallel code — the engine's Parallel helpers and kernels,
#          SGD's strata, ALS's sweeps, the server (serving state, event log, hot swaps under load)
#          — built with ThreadSanitizer (.build-tsan).
# Each build is separate from .build, so the ordinary release build is untouched. Exits non-zero
# on any sanitizer report (a report fails the test process).
set -euo pipefail
cd "$(dirname "$0")/.."
WHICH=${1:-all}
bash scripts/install-deps.sh
# A sanitizer report is the diagnosis; Swift's backtracer would only delay it.
export SWIFT_BACKTRACE=enable=no
# Leaks inside the toolchain's Foundation are suppressed (scripts/sanitizers/lsan.supp says which and why).
export LSAN_OPTIONS="suppressions=$PWD/scripts/sanitizers/lsan.supp:print_suppressions=0"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/sanitizers/tsan.supp"
THREAD_SUITES="EngineTests|ProductTests|SGDTests|SGDModelTests|ALSTests|ALSModelTests|ServingTests|ServeTests|LoaderTests"

run() {
  local sanitizer=$1 path=$2 filter=${3:-}
  echo "==> swift test under the $sanitizer sanitizer${filter:+ ($filter)}"
  local start=$SECONDS
  swift build -c release --build-tests --sanitize="$sanitizer" --build-path "$path"
  local built=$SECONDS
  if [ -n "$filter" ]; then
    swift test -c release --skip-build --sanitize="$sanitizer" --build-path "$path" --filter "$filter"
  else
    swift test -c release --skip-build --sanitize="$sanitizer" --build-path "$path"
  fi
  echo "$sanitizer: build $((built - start)) s, tests $((SECONDS - built)) s"
}

case $WHICH in
  address) run address .build-asan ;;
  thread) run thread .build-tsan "$THREAD_SUITES" ;;
  all) run address .build-asan; run thread .build-tsan "$THREAD_SUITES" ;;
  *) echo "usage: scripts/sanitize.sh [address|thread|all]" >&2; exit 2 ;;
esac

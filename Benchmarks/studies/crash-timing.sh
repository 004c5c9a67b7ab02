#!/usr/bin/env bash
# How long a crashing reckit holds a pipeline (issue 26, defect 8): a real fault is made inside a
# running command by preloading Tests/RecKitCLITests/Fixtures/fault.c, and the seconds from the
# fault to the end of the pipeline are printed with what the Swift backtracer reported. Cases: a
# null-pointer write and a trap (ud2, like fatalError) in `data synth`, and a trap in `serve`
# under its threads — each with SWIFT_BACKTRACE unset (the runtime's default) and `enable=no`.
# Usage: bash Benchmarks/studies/crash-timing.sh [RECKIT]   (default .build/release/reckit)
set -euo pipefail
cd "$(dirname "$0")/../.."
reckit=$(readlink -f "${1:-.build/release/reckit}")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
clang -shared -fPIC -O1 -o "$work/libfault.so" Tests/RecKitCLITests/Fixtures/fault.c -lpthread
"$reckit" data synth --users 2000 --items 500 --ratings 50000 --out "$work/small.csv" -q
"$reckit" train als --data "$work/small.csv" --out "$work/m.model" -q
run() {  # run KIND AFTER_MS SETTING COMMAND…
  local kind=$1 after=$2 setting=$3; shift 3
  local t0 t1 status
  t0=$(date +%s.%N)
  set +e
  local backtrace=(-u SWIFT_BACKTRACE)
  [ "$setting" = default ] || backtrace=("SWIFT_BACKTRACE=$setting")
  {  # the shell's own "Segmentation fault" notice is not part of the measurement
    env "${backtrace[@]}" LD_PRELOAD="$work/libfault.so" FAULT_KIND=$kind FAULT_AFTER_MS=$after "$@" 2> "$work/err" | cat > "$work/out"
    status=${PIPESTATUS[0]}
  } 2> /dev/null
  set -e
  t1=$(date +%s.%N)
  printf '%-6s %-10s %-22s exit %3s  %5.2f s after the fault  %s\n' "$2" "$kind" "$setting" "$status" \
    "$(echo "$t1 - $t0 - $after / 1000" | bc -l)" "$(grep -o 'Backtrace took [0-9.]*s' "$work/err" || echo 'no backtrace')"
}
for setting in default enable=no; do
  run null-write 500 "$setting" "$reckit" data synth --ratings 50000000 --out "$work/big.csv" -q
  run trap 500 "$setting" "$reckit" data synth --ratings 50000000 --out "$work/big.csv" -q
  run trap 1500 "$setting" "$reckit" serve --model "$work/m.model" --port 0 --log-level warning
done

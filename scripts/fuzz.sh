#!/usr/bin/env bash
# Fuzzes every reader of untrusted input with libFuzzer + AddressSanitizer (issue 26):
#
#   scripts/fuzz.sh [SECONDS] [TARGET…]     (default: 600 s per target, every target)
#   FUZZ_JOBS=2 scripts/fuzz.sh 600         (targets two at a time, one per core)
#
# Targets (Fuzz/RecKitFuzz): delimited, matrix-market, npy, rkds, model, experiment-config,
# bandit-log, event-log, request-body. Seed corpora are Fuzz/corpus/TARGET plus files the built
# `reckit` writes (models of every kind, caches, arrays, logs); dictionaries are Fuzz/dict. The
# corpus a run grows is kept in .build-fuzz/corpus. A crash, leak of a sanitizer report, timeout
# or out-of-memory stops that target, leaves its input in .build-fuzz/artifacts, and makes the
# script exit 1: add the input to Fuzz/corpus/TARGET and a regression test, then fix it.
# Prints one line per target: executions, coverage (edges) and features, corpus size, findings.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-600}
shift || true
ALL=(delimited matrix-market npy rkds model experiment-config bandit-log event-log request-body)
[ $# -gt 0 ] && TARGETS=("$@") || TARGETS=("${ALL[@]}")
JOBS=${FUZZ_JOBS:-1}
OUT=.build-fuzz
# Swift's backtracer would hold a crashing target for minutes symbolicating; libFuzzer reports.
export SWIFT_BACKTRACE=enable=no
# Leaks inside the toolchain's Foundation (not RecKit's code) are suppressed; see the file.
export LSAN_OPTIONS="suppressions=$PWD/scripts/sanitizers/lsan.supp:print_suppressions=0"

bash scripts/install-deps.sh
echo "==> building reckit (seed corpora) and reckit-fuzz (libFuzzer + AddressSanitizer)"
swift build -c release --product reckit >/dev/null 2>&1
RECKIT_FUZZ=1 swift build -c release --product reckit-fuzz --build-path "$OUT" \
  -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address >/dev/null 2>&1
R=$PWD/.build/release/reckit
F=$PWD/$OUT/release/reckit-fuzz

# --- Seed corpora -------------------------------------------------------------------------------
SEEDS=$OUT/seeds
rm -rf "$SEEDS"; mkdir -p "$SEEDS" "$OUT/corpus" "$OUT/artifacts"
for t in "${ALL[@]}"; do
  mkdir -p "$SEEDS/$t" "$OUT/corpus/$t"
  [ -d "Fuzz/corpus/$t" ] && cp Fuzz/corpus/$t/* "$SEEDS/$t/" 2>/dev/null || true
done
G=$(mktemp -d); trap 'rm -rf "$G"' EXIT
"$R" data synth --users 12 --items 20 --ratings 80 --seed 1 --out "$G/r.csv" -q
awk -F, 'NR > 1 { print $1 "," $2 "," $3 "," NR }' "$G/r.csv" > "$G/t.csv"
# Delimited: each file behind a few option prefixes (the first two bytes choose the options).
k=0
for f in "$G/r.csv" "$G/t.csv" Tests/RecKitDataTests/BadFiles/*.csv Tests/RecKitDataTests/BadFiles/*.data Tests/RecKitDataTests/BadFiles/*.dat; do
  for prefix in '\x00\x00' '\x01\x01' '\x02\x08' '\x21\x18' '\x60\x41'; do
    { printf "$prefix"; cat "$f"; } > "$SEEDS/delimited/seed-$k"; k=$((k + 1))
  done
done
"$R" data convert "$G/r.csv" --out "$G/r.mtx" -q
for f in "$G/r.mtx" Tests/RecKitDataTests/BadFiles/*.mtx; do
  { printf '\x00'; cat "$f"; } > "$SEEDS/matrix-market/$(basename "$f")"
done
"$R" data convert "$G/r.csv" --out "$SEEDS/rkds/r.rkds" -q
"$R" data convert "$G/t.csv" --columns 0,1,2,3 --out "$SEEDS/rkds/t.rkds" -q
"$R" svd "$G/r.csv" --rank 2 --precision double --out "$G/svd" -q
cp "$G/svd/"*.npy "$SEEDS/npy/"
for m in $("$R" train --help | grep -E '^[a-z0-9+-]+: ' | cut -d: -f1); do
  # Ranks above the tiny data's size are refused: retry those with 2 factors.
  "$R" train "$m" "$G/t.csv" --columns 0,1,2,3 --out "$SEEDS/model/$m.model" -q 2>/dev/null \
    || "$R" train "$m" "$G/t.csv" --columns 0,1,2,3 --factors 2 --out "$SEEDS/model/$m.model" -q 2>/dev/null \
    || echo "no seed model for $m"
done
"$R" train als "$G/r.csv" --factors 2 --out "$G/m.model" -q
"$R" bandit simulate "$G/r.csv" --rounds 30 --policies epsilon-greedy:0.2 --log "$SEEDS/bandit-log/log.csv" -q >/dev/null

# --- Runs ---------------------------------------------------------------------------------------
dict_for() {
  case $1 in
    delimited|matrix-market|npy|bandit-log) echo "Fuzz/dict/$1.dict" ;;
    model) echo "Fuzz/dict/json.dict" ;;
    experiment-config) cat Fuzz/dict/json.dict Fuzz/dict/experiment-config.dict > "$G/$1.dict"; echo "$G/$1.dict" ;;
    event-log|request-body) cat Fuzz/dict/json.dict Fuzz/dict/serving.dict > "$G/$1.dict"; echo "$G/$1.dict" ;;
    *) echo "" ;;
  esac
}

run_target() {
  local t=$1 dict log=$OUT/fuzz-$1.log
  dict=$(dict_for "$t")
  local args=(-max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1
              -artifact_prefix="$OUT/artifacts/$t-" -max_len=262144)
  [ -n "$dict" ] && args+=(-dict="$dict")
  local status=0
  RECKIT_FUZZ_TARGET=$t "$F" "${args[@]}" "$OUT/corpus/$t" "$SEEDS/$t" >"$log" 2>&1 || status=$?
  local execs cov ft corpus
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  corpus=$(ls "$OUT/corpus/$t" | wc -l)
  local finding="none"
  [ "$status" -ne 0 ] && finding="FOUND (exit $status; see $log and $OUT/artifacts/$t-*)"
  printf '%-18s %5d s  executions %9s  coverage %5s edges  features %6s  corpus %5d  findings: %s\n' \
    "$t" "$SECONDS_PER_TARGET" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$finding"
  return "$status"
}

echo "==> fuzzing ${#TARGETS[@]} target(s), $SECONDS_PER_TARGET s each, $JOBS at a time"
failed=0
pids=()
for t in "${TARGETS[@]}"; do
  run_target "$t" & pids+=($!)
  if [ ${#pids[@]} -ge "$JOBS" ]; then wait "${pids[0]}" || failed=$((failed + 1)); pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
if [ "$failed" -gt 0 ]; then echo "fuzzing: $failed target(s) with findings"; exit 1; fi
echo "fuzzing: no findings"

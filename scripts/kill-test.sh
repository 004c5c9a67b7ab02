#!/usr/bin/env bash
# Kill test of every writing command (issue 26): each command is started over a complete old
# output and killed with SIGKILL KILLS times, half at a random moment of the run and half during the
# write (as soon as its temporary output appears); after every kill the output must
# be exactly the old version or exactly the new one (compared by SHA-256 of every file), never a
# mix or a part. Leftover temporaries of the killed runs must be gone after the next complete run.
#
#   scripts/kill-test.sh [KILLS]        (default 50; needs a release build: swift build -c release)
#
# Prints one line per command (kills; how many landed while it ran and while its temporary output
# existed; how many left the old and the new version) and
# exits 1 if any output was mixed or partial.
set -euo pipefail
KILLS=${1:-50}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
R="$ROOT/.build/release/reckit"
[ -x "$R" ] || { echo "build first: swift build -c release" >&2; exit 2; }
W=$(mktemp -d /tmp/reckit-kill.XXXXXX)
trap 'rm -rf "$W"' EXIT

# Input data: 300 000 ratings, large enough that writing takes a visible share of each run.
"$R" data synth --users 6000 --items 3000 --ratings 300000 --seed 1 --out "$W/in.csv" -q
"$R" train als "$W/in.csv" --factors 8 --iterations 2 --out "$W/in.model" -q

# The SHA-256 of a file, or of a folder's files with their names; "missing" when absent. A JSON
# report holds timings, so it is judged by what it reports (its models), or "invalid" if it does
# not parse.
digest() {
  if [ -f "$1" ] && [[ "$1" == *.json ]]; then
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print([m["model"] for m in d["models"]])' "$1" 2>/dev/null \
      || echo invalid
  elif [ -f "$1" ] && [[ "$1" == *.model ]]; then
    # A model holds its fit's timings: a complete file is one RecKit reads (its checksum holds),
    # and its configuration's factors tell which version it is.
    if "$R" similar --model "$1" --item 1 --n 1 -q >/dev/null 2>&1; then
      python3 -c 'import re, sys; print(re.search(rb"\"factors\":(\d+)", open(sys.argv[1], "rb").read()).group(1).decode())' "$1"
    else echo invalid; fi
  elif [ -d "$1" ]; then (cd "$1" && find . -type f | LC_ALL=C sort | xargs -r sha256sum) | sha256sum | cut -c1-16
  elif [ -f "$1" ]; then sha256sum < "$1" | cut -c1-16
  else echo missing; fi
}

failures=0
# kill_loop NAME OUTPUT OLD-COMMAND… -- NEW-COMMAND…
kill_loop() {
  local name=$1 out=$2; shift 2
  local old=() new=()
  while [ "$1" != "--" ]; do old+=("$1"); shift; done; shift; new=("$@")
  rm -rf "$out" "$W/saved"
  "${new[@]}" >/dev/null 2>&1; local new_digest; new_digest=$(digest "$out")
  rm -rf "$out"; "${new[@]}" >/dev/null 2>&1
  [ "$(digest "$out")" = "$new_digest" ] || { echo "$name: two complete runs differ; cannot judge" >&2; failures=$((failures + 1)); return; }
  local start end; start=$(date +%s%N)
  rm -rf "$out"; "${old[@]}" >/dev/null 2>&1; local old_digest; old_digest=$(digest "$out")
  end=$(date +%s%N)
  local span_ms=$(( (end - start) / 1000000 + 50 ))
  cp -a "$out" "$W/saved"
  local n_old=0 n_new=0 n_running=0 n_writing=0 bad=0
  for ((k = 0; k < KILLS; k++)); do
    rm -rf "$out"; cp -a "$W/saved" "$out"
    "${new[@]}" >/dev/null 2>&1 &
    local pid=$!
    if ((k % 2 == 0)); then
      # A random moment of the whole run.
      sleep "$(awk -v s="$span_ms" -v r="$RANDOM" 'BEGIN { printf "%.3f", s * r / 32768 / 1000 }')"
    else
      # During the write itself: as soon as the temporary output exists.
      while kill -0 "$pid" 2>/dev/null && [ ! -e "$out.tmp-$pid" ]; do :; done
    fi
    if kill -0 "$pid" 2>/dev/null; then n_running=$((n_running + 1)); fi
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if [ -e "$out.tmp-$pid" ]; then n_writing=$((n_writing + 1)); fi
    local d; d=$(digest "$out")
    if [ "$d" = "$old_digest" ]; then n_old=$((n_old + 1))
    elif [ "$d" = "$new_digest" ]; then n_new=$((n_new + 1))
    else bad=$((bad + 1)); echo "$name: kill $k left a mixed or partial output ($d)" >&2; fi
  done
  # The next complete run reclaims what the killed ones left.
  "${new[@]}" >/dev/null 2>&1
  local parent; parent=$(dirname "$out")
  local left; left=$(find "$parent" -maxdepth 1 -name "$(basename "$out").tmp-*" -o -maxdepth 1 -name "$(basename "$out").old-*" | wc -l)
  printf '%-20s kills %3d  while running %3d  while writing %3d  → old %3d  new %3d  mixed/partial %d  leftovers after next run %d\n' \
    "$name" "$KILLS" "$n_running" "$n_writing" "$n_old" "$n_new" "$bad" "$left"
  failures=$((failures + bad + left))
}

kill_loop "data synth (csv)" "$W/synth.csv" \
  "$R" data synth --users 6000 --items 3000 --ratings 300000 --seed 2 --out "$W/synth.csv" -q -- \
  "$R" data synth --users 6000 --items 3000 --ratings 300000 --seed 3 --out "$W/synth.csv" -q
kill_loop "data convert (rkds)" "$W/conv.rkds" \
  "$R" data convert "$W/synth.csv" --out "$W/conv.rkds" -q -- \
  "$R" data convert "$W/in.csv" --out "$W/conv.rkds" -q
kill_loop "train als (model)" "$W/m.model" \
  "$R" train als "$W/in.csv" --factors 4 --iterations 1 --out "$W/m.model" -q -- \
  "$R" train als "$W/in.csv" --factors 16 --iterations 2 --out "$W/m.model" -q
kill_loop "svd (folder)" "$W/svd" \
  "$R" svd "$W/in.csv" --rank 2 --out "$W/svd" -q -- \
  "$R" svd "$W/in.csv" --rank 8 --out "$W/svd" -q
kill_loop "data split (folder)" "$W/split" \
  "$R" data split "$W/in.csv" --method kfold --folds 5 --out "$W/split" -q -- \
  "$R" data split "$W/in.csv" --method kfold --folds 3 --out "$W/split" -q
kill_loop "recommend (csv)" "$W/rec.csv" \
  "$R" recommend --model "$W/in.model" --all-users --n 5 --out "$W/rec.csv" -q -- \
  "$R" recommend --model "$W/in.model" --all-users --n 20 --out "$W/rec.csv" -q
kill_loop "evaluate (json)" "$W/eval.json" \
  "$R" evaluate --model global-mean "$W/in.csv" --folds 2 --json "$W/eval.json" -q -- \
  "$R" evaluate --model baseline "$W/in.csv" --folds 2 --json "$W/eval.json" -q

if [ "$failures" -gt 0 ]; then echo "kill test: $failures failure(s)"; exit 1; fi
echo "kill test: every output was the old or the new complete version"

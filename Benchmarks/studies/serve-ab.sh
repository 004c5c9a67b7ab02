#!/usr/bin/env bash
# Two builds of `reckit` under the mixed serving load of scripts/serve-bench.sh (one feedback event
# in ten requests), alternated ROUNDS times so that both see the same machine: per run, wrk's
# requests/s, p50 and p99, and from the server's histogram the share of feedback requests under
# 2 ms and 5 ms and their mean. Run scripts/serve-bench.sh once first (it makes the data and model).
# Usage: bash Benchmarks/studies/serve-ab.sh BIN_A BIN_B [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { echo "usage: $0 BIN_A BIN_B [ROUNDS]" >&2; exit 2; }
work=bench-out/serve
[ -f "$work/als64.model" ] || { echo "no $work/als64.model: run scripts/serve-bench.sh first" >&2; exit 1; }
one() {  # one BIN
  rm -rf "$work/events-ab"
  "$1" serve --model "$work/als64.model" --port 0 --events "$work/events-ab" --log-level warning > "$work/ab.out" 2> "$work/ab.err" &
  local pid=$!
  for _ in $(seq 600); do grep -q "listening on" "$work/ab.out" 2>/dev/null && break; sleep 0.1; done
  local port
  port=$(sed -n 's/.*listening on [^:]*:\([0-9]*\).*/\1/p' "$work/ab.out")
  local w m
  w=$(FEEDBACK_EVERY=10 USERS=100000 ITEMS=20000 wrk -t2 -c32 -d15s --latency -s scripts/serve-bench.lua "http://127.0.0.1:$port" \
      | awk '/Requests\/sec/{r=$2} /50%/{a=$2} /99%/{b=$2} END{printf "%s req/s, p50 %s, p99 %s", r, a, b}')
  m=$(curl -s "http://127.0.0.1:$port/metrics" | awk -F'[ }]' '
      /endpoint="feedback",le="0.002"/{a=$NF} /endpoint="feedback",le="0.005"/{b=$NF}
      /seconds_sum\{endpoint="feedback"/{s=$NF} /seconds_count\{endpoint="feedback"/{c=$NF}
      END{printf "feedback: %.1f %% < 2 ms, %.1f %% < 5 ms, mean %.2f ms", 100*a/c, 100*b/c, 1000*s/c}')
  echo "$1: $w; $m"
  kill -TERM $pid; wait $pid || true
}
for _ in $(seq "${3:-3}"); do one "$1"; one "$2"; done

#!/usr/bin/env bash
# The serving benchmark of docs/serving.md: implicit ALS (64 factors) on the synthetic 100 000 users ×
# 20 000 items × 2 M ratings file, served by `reckit serve`, loaded by wrk on the same machine
# (2 threads, 32 connections, 15 s, random known users, top-10 with seen items excluded); then the
# same load with one feedback event in every ten requests. Prints wrk's figures and the server's
# peak memory. Usage: bash scripts/serve-bench.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
seconds="${1:-15}"
swift build -c release --product reckit >/dev/null
R=.build/release/reckit
work=bench-out/serve
mkdir -p "$work"
[ -f "$work/s2m.csv" ] || $R data synth --users 100000 --items 20000 --ratings 2000000 --seed 42 --out "$work/s2m.csv" -q
[ -f "$work/als64.model" ] || $R train als "$work/s2m.csv" --implicit --factors 64 --out "$work/als64.model" -q
$R info | sed -n '2,5p'

run() {  # run NAME FEEDBACK_EVERY
  rm -rf "$work/events"
  $R serve --model "$work/als64.model" --port 0 --events "$work/events" --log-level warning > "$work/serve.out" 2> "$work/serve.err" &
  local pid=$!
  for _ in $(seq 1200); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  local port
  port=$(sed -n 's/.*listening on [^:]*:\([0-9]*\).*/\1/p' "$work/serve.out")
  echo "==> $1: wrk -t2 -c32 -d${seconds}s --latency (feedback every ${2:-none})"
  FEEDBACK_EVERY="$2" USERS=100000 ITEMS=20000 wrk -t2 -c32 -d"${seconds}s" --latency -s scripts/serve-bench.lua "http://127.0.0.1:$port" \
    | grep -E "Requests/sec|Non-2xx|Socket errors|50%|90%|99%|requests in"
  echo "server peak memory: $(grep VmHWM /proc/$pid/status | awk '{printf "%.0f MB", $2/1024}')"
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^reckit_request_seconds_(count|sum|bucket)\{endpoint="(recommend|feedback)"' || true
  kill -TERM $pid; wait $pid || true
}
run "recommend" 0
run "recommend + feedback" 10

# With PEER=1: the serving peer on the same file and load (implicit 0.7.3 ALS, 64 factors, behind
# FastAPI/uvicorn; ../shared/peers/serve_implicit_fastapi.py, needs pip install implicit fastapi uvicorn pandas).
if [ "${PEER:-0}" = 1 ]; then
  peers="${RECKIT_PEERS:-../shared/peers}"
  python3 "$peers/serve_implicit_fastapi.py" "$work/s2m.csv" 18080 > "$work/peer.out" 2> "$work/peer.err" &
  peer=$!
  for _ in $(seq 600); do curl -s "127.0.0.1:18080/recommend?user=5&n=10" >/dev/null 2>&1 && break; sleep 0.5; done
  echo "==> peer (implicit + FastAPI): wrk -t2 -c32 -d${seconds}s --latency"
  WRK_USERS=99999 wrk -t2 -c32 -d"${seconds}s" --latency -s "$peers/wrk_users.lua" http://127.0.0.1:18080 \
    | grep -E "Requests/sec|Non-2xx|Socket errors|50%|90%|99%|requests in"
  kill $peer; wait $peer || true
fi

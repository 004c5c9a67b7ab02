#!/usr/bin/env bash
# The main job: install what is missing, build in release mode, and run `reckit bench` with its
# defaults on built-in data. Extra arguments go to `reckit bench` (e.g. `--threads 1,2`).
# Results: the table on standard output; JSON, an HTML page and SVG charts in bench-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "==> building (release)"
swift build -c release --product reckit
mkdir -p bench-out
echo "==> reckit info"
.build/release/reckit info
echo "==> reckit bench"
.build/release/reckit bench --json bench-out/bench.json --html bench-out/bench.html --svg bench-out "$@"

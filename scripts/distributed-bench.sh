#!/usr/bin/env bash
# Distributed ALS benchmark: seconds per iteration, bytes sent per iteration and rank, and peak
# memory per rank, for one rank × 1 thread, 2 ranks × 1 thread and one rank × 2 threads (one
# process using both cores), in alternating rounds; medians. Writes a JSON report (schema
# reckit-mpi-bench/1) and prints a table. docs/distributed.md has measured results.
#
#   bash scripts/distributed-bench.sh FILE [ITERATIONS] [ROUNDS] [OUT.json]
#
# Implicit feedback, conjugate gradient (3 steps), 64 factors. The OpenBLAS variables are unset for
# these runs only, so that every host runs OpenBLAS's best kernel (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:?usage: scripts/distributed-bench.sh FILE [ITERATIONS] [ROUNDS] [OUT.json]}
iterations=${2:-5}
rounds=${3:-3}
out=${4:-distributed-bench.json}
bash scripts/install-deps.sh
swift build -c release --product reckit-mpi >/dev/null
bin=.build/release/reckit-mpi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# mpirun binds each rank to a core when there are at most two ranks; the 2-thread single process
# must not be bound to one core.
configs=("1 1 core" "2 1 core" "1 2 none")
for round in $(seq 1 "$rounds"); do
  for config in "${configs[@]}"; do
    set -- $config
    echo "==> round $round: $1 rank(s) × $2 thread(s)" >&2
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE mpirun --allow-run-as-root --oversubscribe --bind-to "$3" -np "$1" \
      "$bin" als "$file" --implicit --factors 64 --iterations "$iterations" --threads "$2" -q --json "$work/r$round-$1x$2.json"
  done
done
python3 - "$work" "$out" "$file" <<'PY'
import glob, json, os, statistics, sys
work, out, path = sys.argv[1:4]
rows = {}
for f in sorted(glob.glob(os.path.join(work, "*.json"))):
    d = json.load(open(f))
    key = (d["ranks"], d["threads_per_rank"])
    r = rows.setdefault(key, {"ranks": key[0], "threads_per_rank": key[1], "seconds_per_iteration": [], "bytes_sent_per_iteration_per_rank": [],
                              "peak_memory_bytes_per_rank": [], "seconds_load": []})
    r["seconds_per_iteration"].append(statistics.median(d["seconds_per_iteration"]))
    r["bytes_sent_per_iteration_per_rank"].append(max(statistics.median(b) for b in d["bytes_sent_per_iteration_by_rank"]))
    r["peak_memory_bytes_per_rank"].append(max(d["peak_memory_bytes_by_rank"]))
    r["seconds_load"].append(d["seconds_load"])
    r.update(users=d["users"], items=d["items"], ratings=d["ratings"])
table = []
for key in sorted(rows):
    r = rows[key]
    table.append({k: (statistics.median(v) if isinstance(v, list) else v) for k, v in r.items()})
base = next(t for t in table if t["ranks"] == 1 and t["threads_per_rank"] == 1)
print(f"{path}: {base['ratings']} ratings, {base['users']} users × {base['items']} items; implicit CG, 64 factors; medians")
print(f"{'ranks × threads':>16} {'s/iteration':>12} {'speedup':>8} {'MB sent/it/rank':>16} {'peak MB/rank':>13} {'load s':>7}")
for t in table:
    print(f"{t['ranks']:>10} × {t['threads_per_rank']:<3} {t['seconds_per_iteration']:>12.3f} {base['seconds_per_iteration'] / t['seconds_per_iteration']:>7.2f}× "
          f"{t['bytes_sent_per_iteration_per_rank'] / 1e6:>16.1f} {t['peak_memory_bytes_per_rank'] / 1e6:>13.0f} {t['seconds_load']:>7.2f}")
json.dump({"schema": "reckit-mpi-bench/1", "file": path, "rows": table}, open(out, "w"), indent=2)
print(f"wrote {out}")
PY

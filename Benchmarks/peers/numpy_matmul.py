#!/usr/bin/env python3
"""numpy's float32 matmul on n x n matrices: median seconds of `reps` runs after a warm-up, one JSON
line. Threads are fixed with threadpoolctl when installed, else by OPENBLAS_NUM_THREADS."""
import json, sys, time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 2048
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 9
import numpy as np
try:
    from threadpoolctl import threadpool_limits
    limit = threadpool_limits(threads)
except ImportError:
    limit = None
rng = np.random.default_rng(1)
a = rng.random((n, n), dtype=np.float32) - 0.5
b = rng.random((n, n), dtype=np.float32) - 0.5
a @ b
ts = []
for _ in range(reps):
    s = time.perf_counter(); a @ b; ts.append(time.perf_counter() - s)
ts.sort()
med = ts[len(ts) // 2]
print(json.dumps({"peer": "numpy-matmul", "numpy": np.__version__, "threads": threads, "n": n,
                  "seconds": med, "gflops": 2 * n**3 / med / 1e9}))

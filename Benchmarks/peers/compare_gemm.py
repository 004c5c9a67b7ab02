#!/usr/bin/env python3
"""GEMM side by side, in one run: RecKit (both back ends) vs a plain C program calling cblas_sgemm
with the kernel RecKit selects, vs numpy's matmul. Prints the ratios the engine issue asks for.

    python3 Benchmarks/peers/compare_gemm.py [--reckit .build/release/reckit] [--n 2048] [--small 1024]
Needs a release build of reckit, a C compiler and pkg-config; numpy is optional.
"""
import argparse, json, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
p = argparse.ArgumentParser()
p.add_argument("--reckit", default=".build/release/reckit")
p.add_argument("--n", type=int, default=2048)
p.add_argument("--small", type=int, default=1024)
p.add_argument("--rounds", type=int, default=3, help="alternate the programs this many times; medians of the rounds")
args = p.parse_args()

def run(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, **(env or {})}).stdout

info = json.loads(run([args.reckit, "info", "--json"]))
kernel = info["openblasKernel"]
tmp = tempfile.mkdtemp()
cexe = os.path.join(tmp, "cblas_sgemm")
flags = run(["pkg-config", "--cflags", "--libs", "openblas"]).split()
subprocess.run(["cc", "-O2", os.path.join(here, "cblas_sgemm.c"), *flags, "-o", cexe], check=True)

def reckit_rows(sizes, threads, batch=10000):
    out = os.path.join(tmp, "r.json")
    run([args.reckit, "bench", "gemm", "--sizes", sizes, "--threads", threads, "--dtype", "float", "--batch", str(batch), "--json", out])
    return json.load(open(out))["rows"]

def median(xs):
    xs = sorted(xs); return xs[len(xs) // 2]

results = {}
def add(key, value):
    results.setdefault(key, []).append(value)

try:
    import numpy  # noqa: F401
    have_numpy = True
except ImportError:
    have_numpy = False

for _ in range(args.rounds):
    for t in (1, 2):
        c = json.loads(run([cexe, str(args.n), "9"], {"OPENBLAS_NUM_THREADS": str(t), "OPENBLAS_CORETYPE": kernel}))
        add(("c", t), c["gflops"])
        if have_numpy:
            npy = json.loads(run([sys.executable, os.path.join(here, "numpy_matmul.py"), str(args.n), str(t), "9"],
                                 {"OPENBLAS_NUM_THREADS": str(t)}))
            add(("numpy", t), npy["gflops"])
    for r in reckit_rows(f"{args.small},{args.n}", "1,2"):
        add((r["op"], r["backend"], r["size"], r["threads"]), r["gflops"])
    big = round((10000 * 64 ** 3) ** (1 / 3))  # order of one GEMM doing the batch's flops
    for r in reckit_rows(str(big), "1,2", batch=0):
        if r["op"] == "gemm":
            add(("equal-flops", r["backend"], r["threads"]), r["gflops"])

m = {k: median(v) for k, v in results.items()}
n, s = args.n, args.small
print(f"CPU {info['cpu']}, OpenBLAS {info['openblasVersion']} kernel {kernel}; medians of {args.rounds} rounds (GFLOP/s)")
print(f"C cblas_sgemm n={n}: 1 thread {m[('c',1)]:.1f}, 2 threads {m[('c',2)]:.1f}")
if have_numpy:
    print(f"numpy matmul  n={n}: 1 thread {m[('numpy',1)]:.1f}, 2 threads {m[('numpy',2)]:.1f}")
for b in ("blas", "swift"):
    g1, g2 = m[("gemm", b, n, 1)], m[("gemm", b, n, 2)]
    print(f"RecKit {b:5} sgemm n={n}: 1 thread {g1:.1f}, 2 threads {g2:.1f} (2/1 = {g2/g1:.2f})")
print(f"ratio RecKit blas / C (n={n}, 1 thread): {m[('gemm','blas',n,1)]/m[('c',1)]:.3f}")
if have_numpy:
    print(f"ratio RecKit blas / numpy (n={n}, 1 thread): {m[('gemm','blas',n,1)]/m[('numpy',1)]:.3f}")
print(f"ratio RecKit swift / blas (n={s}, 1 thread): {m[('gemm','swift',s,1)]/m[('gemm','blas',s,1)]:.3f}")
for b in ("blas", "swift"):
    for t in (1, 2):
        bg = m[("batched_gemm", b, 64, t)]
        eq = m[("equal-flops", b, t)]
        print(f"batched 10000x64^2 {b:5} {t} thread(s): {bg:.1f} GFLOP/s = {bg/eq:.2f} x one equal-flop GEMM on {b} ({eq:.1f}), "
              f"{bg/m[('equal-flops','blas',t)]:.2f} x on blas")

#!/usr/bin/env python3
"""Truncated SVD of a rating matrix, side by side in one run, in Double: RecKit's Lanczos and
randomised solvers (`reckit bench svd`) against scipy's svds (PROPACK and ARPACK) and
scikit-learn's randomized_svd — the methods of ../shared/peers/bench_svd.py. Every solver's k
singular values are compared with ARPACK's (max relative error). Rounds alternate peers and RecKit;
the table shows medians, and the ratios are peer seconds / RecKit seconds.

    python3 Benchmarks/peers/compare_svd.py FILE [--rank 64] [--threads 2] [--rounds 3]
        [--python PY_WITH_SCIPY_SKLEARN] [--reckit .build/release/reckit] [--power-iterations 7]
        [--oversampling 10] [--with-float] [--tolerance TOL]
Make FILE with ../shared/peers/gen_synthetic.py 100000 20000 2000000 FILE.
RecKit's randomised solver runs with scikit-learn's defaults: oversampling 10 and the power
iterations scikit-learn's n_iter='auto' picks (7 when k < 0.1·min(m, n), else 4), unless
--power-iterations and --oversampling set its own (to compare at the same σ error, not the same work).
--with-float also runs RecKit's solvers in Float and the randomised one with a Float sketch and a Double
finish (`reckit bench svd --precision double,mixed,float`): rows "reckit-…-float" and
"reckit-randomized-mixed", with their σ error against ARPACK's Double values like every other row.
--tolerance passes a Lanczos residual tolerance to RecKit (default: its own, 1e-13 relative to σ₁).
Each solver's max relative residual max‖(A·vᵢ − σᵢuᵢ, Aᵀuᵢ − σᵢvᵢ)‖/σ₁ is printed too (the peers'
computed here from the vectors they return, RecKit's as it reports it — for its randomised solver
the first half only, docs/svd.md), so solvers can be compared at the accuracy they deliver.
"""
import argparse, json, os, subprocess, sys, tempfile

p = argparse.ArgumentParser()
p.add_argument("file")
p.add_argument("--rank", type=int, default=64)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--rounds", type=int, default=3)
p.add_argument("--python", default=sys.executable, help="a Python with numpy, scipy and scikit-learn")
p.add_argument("--reckit", default=".build/release/reckit")
p.add_argument("--power-iterations", type=int, default=None, help="default: scikit-learn's n_iter='auto'")
p.add_argument("--oversampling", type=int, default=10, help="RecKit's randomised oversampling (scikit-learn's is 10)")
p.add_argument("--with-float", action="store_true", help="also run RecKit's solvers in Float")
p.add_argument("--tolerance", type=float, default=None, help="RecKit's Lanczos residual tolerance (default: its own)")
a = p.parse_args()
tmp = tempfile.mkdtemp()

peer_code = r"""
import sys, os, time, json
th = sys.argv[3]
os.environ['OPENBLAS_NUM_THREADS'] = th; os.environ['OMP_NUM_THREADS'] = th
import numpy as np, pandas as pd, scipy, sklearn, scipy.sparse as sp
from scipy.sparse.linalg import svds
from sklearn.utils.extmath import randomized_svd
df = pd.read_csv(sys.argv[1], header=None, names=['u', 'i', 'r'])
u = df.u.astype('category').cat.codes.values; i = df.i.astype('category').cat.codes.values
X = sp.csr_matrix((df.r.values.astype(np.float64), (u, i)))
k = int(sys.argv[2]); out = {}
for name, fn in [('scipy-propack', lambda: svds(X, k=k, solver='propack', random_state=0)),
                 ('scipy-arpack', lambda: svds(X, k=k, solver='arpack', random_state=0)),
                 ('sklearn-randomized', lambda: randomized_svd(X, k, random_state=0))]:
    t = time.perf_counter(); U, s, Vt = fn(); t = time.perf_counter() - t
    np.save(os.path.join(sys.argv[4], name + '.npy'), np.sort(s)[::-1]); out[name] = t
    R1 = X @ Vt.T - U * s; R2 = X.T @ U - Vt.T * s
    out[name + '-residual'] = float(np.sqrt((R1 ** 2).sum(0) + (R2 ** 2).sum(0)).max() / s.max())
out['shape'] = list(X.shape); out['nnz'] = int(X.nnz); out['versions'] = [scipy.__version__, sklearn.__version__]
print(json.dumps(out))
"""
q = a.power_iterations
if q is None:
    m, n = None, None  # decided after the peers report the shape
reckit_names = ["reckit-lanczos", "reckit-randomized"] + (["reckit-randomized-mixed", "reckit-lanczos-float", "reckit-randomized-float"] if a.with_float else [])
times = {name: [] for name in ["scipy-propack", "scipy-arpack", "sklearn-randomized"] + reckit_names}
meta = {}
residuals = {}
for r in range(a.rounds):
    res = json.loads(subprocess.run([a.python, "-c", peer_code, a.file, str(a.rank), str(a.threads), tmp],
                                    check=True, capture_output=True, text=True).stdout)
    for name in ["scipy-propack", "scipy-arpack", "sklearn-randomized"]:
        times[name].append(res[name])
        residuals.setdefault(name, []).append(res[name + "-residual"])
    meta = res
    if q is None:
        q = 7 if a.rank < 0.1 * min(res["shape"]) else 4
    js = os.path.join(tmp, "svd.json")
    subprocess.run([a.reckit, "bench", "svd", a.file, "--rank", str(a.rank), "--threads", str(a.threads), "--backend", "blas",
                    "--power-iterations", str(q), "--oversampling", str(a.oversampling), "--singular-values", os.path.join(tmp, "reckit"), "--json", js]
                   + (["--precision", "double,mixed,float"] if a.with_float else [])
                   + (["--tolerance", str(a.tolerance)] if a.tolerance is not None else []),
                   check=True, capture_output=True)
    for row in json.load(open(js))["rows"]:
        suffix = "-float" if row["dtype"] == "float" else "-mixed" if row["params"].get("sketch") == "float" else ""
        times["reckit-" + row["op"].removeprefix("svd_") + suffix].append(row["seconds"])
        residuals.setdefault("reckit-" + row["op"].removeprefix("svd_") + suffix, []).append(float(row["results"]["max_rel_residual"]))
        meta[row["op"] + suffix] = row["results"]

import numpy as np
ref = np.load(os.path.join(tmp, "scipy-arpack.npy"))
def err(path):
    s = np.load(path)
    return float(np.max(np.abs(s - ref) / ref))
errors = {name: err(os.path.join(tmp, name + ".npy")) for name in ["scipy-propack", "scipy-arpack", "sklearn-randomized"]}
for name in reckit_names:
    errors[name] = err(os.path.join(tmp, name + ".npy"))
med = lambda xs: sorted(xs)[len(xs) // 2]
print(f"{os.path.basename(a.file)}: {meta['shape'][0]}×{meta['shape'][1]}, {meta['nnz']} stored; k = {a.rank}, Double, "
      f"{a.threads} thread(s); scipy {meta['versions'][0]}, scikit-learn {meta['versions'][1]}; medians of {a.rounds} rounds; "
      f"RecKit Lanczos tolerance {a.tolerance if a.tolerance is not None else 'default (1e-13)'}")
print(f"{'solver':28s} {'seconds':>8s}  {'max rel err of σ vs ARPACK':>27s}  {'max rel residual':>16s}  (each round)")
for name in times:
    print(f"{name:28s} {med(times[name]):8.3f}  {errors[name]:27.1e}  {max(residuals[name]):16.1e}  ({', '.join(f'{t:.3f}' for t in times[name])})")
print(f"RecKit randomised: q = {q} power iterations, oversampling {a.oversampling}; max relative residual "
      f"{meta['svd_randomized']['max_rel_residual']}; Lanczos max relative residual {meta['svd_lanczos']['max_rel_residual']}")
print(f"Lanczos vs scipy PROPACK:            {med(times['scipy-propack']) / med(times['reckit-lanczos']):.2f} x faster")
print(f"Lanczos vs scipy ARPACK:             {med(times['scipy-arpack']) / med(times['reckit-lanczos']):.2f} x faster")
print(f"randomised vs scikit-learn:          {med(times['sklearn-randomized']) / med(times['reckit-randomized']):.2f} x faster")
if a.with_float:
    print(f"randomised, Float sketch, Double results vs scikit-learn: {med(times['sklearn-randomized']) / med(times['reckit-randomized-mixed']):.2f} x faster")
    print(f"randomised in Float vs scikit-learn: {med(times['sklearn-randomized']) / med(times['reckit-randomized-float']):.2f} x faster")

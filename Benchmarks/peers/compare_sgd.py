#!/usr/bin/env python3
"""Biased matrix factorisation by SGD on MovieLens 100K's u1..u5, side by side in one run:
Surprise's SVD (its defaults: 100 factors, 20 epochs, learning rate 0.005, regularisation 0.02)
against RecKit's biased-mf with the same settings, on 1 and 2 threads. Rounds alternate Surprise
and RecKit; the table shows each one's median seconds per fold (fit + predicting the test file,
as surprise_folds.py measures) and mean RMSE over the five folds, and the speed-ups are Surprise
seconds / RecKit seconds.

    python3 Benchmarks/peers/compare_sgd.py ML100K_DIR [--rounds 3] [--python PY_WITH_SURPRISE]
        [--reckit .build/release/reckit] [--model biased-mf] [--surprise SVD]
With --model svd++ --surprise SVDpp the same for SVD++ (Surprise's SVDpp defaults: 20 factors,
20 epochs, learning rate 0.007, regularisation 0.02; RecKit runs it on one thread).
"""
import argparse, json, os, re, statistics, subprocess, sys

p = argparse.ArgumentParser()
p.add_argument("folds_dir")
p.add_argument("--rounds", type=int, default=3)
p.add_argument("--python", default=sys.executable, help="a Python with scikit-surprise")
p.add_argument("--reckit", default=".build/release/reckit")
p.add_argument("--model", default="biased-mf")
p.add_argument("--surprise", default="SVD")
a = p.parse_args()

settings = {"SVD": ["--factors", "100", "--epochs", "20", "--learning-rate", "0.005", "--regularization", "0.02",
                    "--set", "regularization-bias=0.02", "--set", "init-std=0.1"],
            "SVDpp": ["--factors", "20", "--epochs", "20", "--learning-rate", "0.007", "--regularization", "0.02",
                      "--set", "regularization-bias=0.02", "--set", "regularization-implicit=0.02", "--set", "init-std=0.1"]}[a.surprise]
peer_code = r"""
import sys, time, json, surprise
from surprise import SVD, SVDpp, Dataset, Reader, accuracy
from surprise.model_selection import PredefinedKFold
d, name = sys.argv[1], sys.argv[2]
reader = Reader(line_format='user item rating timestamp', sep='\t')
data = Dataset.load_from_folds([(f'{d}/u{i}.base', f'{d}/u{i}.test') for i in range(1, 6)], reader=reader)
make = {'SVD': lambda: SVD(random_state=0), 'SVDpp': lambda: SVDpp(random_state=0, cache_ratings=True)}[name]
rmse, secs = [], []
for tr, te in PredefinedKFold().split(data):
    algo = make(); t = time.perf_counter(); algo.fit(tr); pred = algo.test(te); secs.append(time.perf_counter() - t)
    rmse.append(accuracy.rmse(pred, verbose=False))
print(json.dumps({'seconds': sum(secs) / 5, 'rmse': sum(rmse) / 5, 'version': surprise.__version__}))
"""
row = re.compile(r"^\| (\S+) \| ([0-9.]+) ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| ([0-9.]+) s \|")


def reckit(threads):
    out = subprocess.run([a.reckit, "evaluate", "--model", a.model, "--folds-dir", a.folds_dir, "--threads", str(threads)] + settings,
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = row.match(line)
        if m and m.group(1) == a.model:
            return float(m.group(3)), float(m.group(2))
    sys.exit("could not read reckit's table:\n" + out)


thread_counts = [1] if a.model == "svd++" else [1, 2]
peer_times, peer_rmse, version = [], None, "?"
ours = {t: [] for t in thread_counts}
rmse = {}
for r in range(a.rounds):
    res = json.loads(subprocess.run([a.python, "-c", peer_code, a.folds_dir, a.surprise], check=True, capture_output=True, text=True).stdout)
    peer_times.append(res["seconds"]); peer_rmse = res["rmse"]; version = res["version"]
    for t in thread_counts:
        s, e = reckit(t)
        ours[t].append(s); rmse[t] = e
    print(f"round {r + 1}: Surprise {peer_times[-1]:.3f} s, RecKit " + ", ".join(f"{t} thread(s) {ours[t][-1]:.3f} s" for t in thread_counts),
          file=sys.stderr)

peer = statistics.median(peer_times)
print(f"\nSurprise {version} {a.surprise} vs RecKit {a.model}, MovieLens 100K u1..u5, median of {a.rounds} rounds\n")
print("| Run | Seconds per fold (fit + test) | RMSE (mean of 5 folds) | Speed-up over Surprise |")
print("|---|---|---|---|")
print(f"| Surprise {a.surprise} | {peer:.3f} | {peer_rmse:.4f} | 1.0× |")
for t in thread_counts:
    m = statistics.median(ours[t])
    print(f"| RecKit {a.model}, {t} thread{'s' if t > 1 else ''} | {m:.3f} | {rmse[t]:.4f} | {peer / m:.1f}× |")

#!/usr/bin/env python3
"""Loading a rating CSV, side by side in one run: pandas.read_csv into columns (the peers' bench_load.py
method) vs RecKit parsing into CSR, writing its binary cache and reloading it. Medians of the rounds.

    python3 Benchmarks/peers/compare_load.py FILE [--python PY_WITH_PANDAS] [--reckit .build/release/reckit]
Make FILE with ../shared/peers/gen_synthetic.py 500000 50000 20000000 FILE.
"""
import argparse, json, os, subprocess, sys, tempfile, time

p = argparse.ArgumentParser()
p.add_argument("file")
p.add_argument("--python", default=sys.executable, help="a Python with pandas")
p.add_argument("--reckit", default=".build/release/reckit")
p.add_argument("--rounds", type=int, default=3)
a = p.parse_args()

pandas_code = """
import sys, time, numpy as np, pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[1], header=None, names=['u', 'i', 'r'], dtype={'u': np.int64, 'i': np.int64, 'r': np.float32})
print(time.perf_counter() - t, len(df), pd.__version__)
"""
out = os.path.join(tempfile.mkdtemp(), "load.json")
pandas, parse, reload_, write, rss = [], [], [], [], []
for _ in range(a.rounds):
    sec, rows, version = subprocess.run([a.python, "-c", pandas_code, a.file], check=True, capture_output=True, text=True).stdout.split()
    pandas.append(float(sec))
    subprocess.run([a.reckit, "bench", "load", a.file, "--json", out], check=True, capture_output=True)
    r = {row["op"]: row for row in json.load(open(out))["rows"]}
    parse.append(r["parse_csr"]["seconds"]); write.append(r["cache_write"]["seconds"]); reload_.append(r["cache_reload"]["seconds"])
    rss.append(r["cache_reload"]["peak_rss_bytes"])
med = lambda xs: sorted(xs)[len(xs) // 2]
print(f"{os.path.basename(a.file)}: {rows} rows; medians of {a.rounds} rounds")
print(f"pandas {version} read_csv (columns):      {med(pandas):.3f} s")
print(f"RecKit parse into CSR ({os.cpu_count()} threads): {med(parse):.3f} s  -> {med(pandas) / med(parse):.2f} x pandas")
print(f"RecKit cache write:                   {med(write):.3f} s")
print(f"RecKit cache reload:                  {med(reload_):.3f} s  -> {med(parse) / med(reload_):.1f} x faster than the parse")
print(f"RecKit peak RSS (parse + cache):      {med(rss) / 2**20:.0f} MiB")

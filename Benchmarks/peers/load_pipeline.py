#!/usr/bin/env python3
"""The pandas + scipy pipeline that ends where RecKit's load does: read a user,item,rating CSV with
pandas.read_csv, map ids to dense codes (category codes), build a scipy CSR matrix. Prints the
in-process time; time the whole process with GNU time (docs/benchmarks.md, "Loading rating files").

    python3 Benchmarks/peers/load_pipeline.py FILE
"""
import sys, time
import numpy as np, pandas as pd, scipy.sparse as sp

t = time.perf_counter()
df = pd.read_csv(sys.argv[1], header=None, names=['u', 'i', 'r'], dtype={'u': np.int64, 'i': np.int64, 'r': np.float32})
u = df.u.astype('category').cat.codes.values
i = df.i.astype('category').cat.codes.values
X = sp.csr_matrix((df.r.values, (u, i)))
print(f"pandas {pd.__version__} + scipy CSR: {time.perf_counter() - t:.3f} s in process, {X.shape[0]}×{X.shape[1]}, {X.nnz} stored")

#!/usr/bin/env python3
"""The shared example of RecKitEvaluationTests.agreesWithImplicitOnTheSharedExample, computed by
implicit's ranking_metrics_at_k: 4 users x 6 items, fixed 2-d factors (no score ties), one training
item per user, K = 2. Prints precision, map and ndcg.  Usage: implicit_metrics_example.py"""
import numpy as np, scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares
from implicit.evaluation import ranking_metrics_at_k

user_factors = np.array([[1, 0], [0, 1], [3, 1], [2, -1]], dtype=np.float32)
item_factors = np.array([[5, 0], [4, 1], [3, 3], [1, 4], [0, 5], [2, 2]], dtype=np.float32)
train = [(0, 0), (1, 4), (2, 2), (3, 1)]
test = [(0, 1), (0, 3), (1, 3), (1, 0), (2, 5), (2, 0), (2, 1), (3, 0)]
def csr(pairs):
    r, c = zip(*pairs)
    return sp.csr_matrix((np.ones(len(pairs), np.float32), (r, c)), shape=(4, 6))
model = AlternatingLeastSquares(factors=2)
model.user_factors, model.item_factors = user_factors, item_factors
m = ranking_metrics_at_k(model, csr(train), csr(test), K=2, show_progress=False)
print(f"precision {m['precision']:.10f} map {m['map']:.10f} ndcg {m['ndcg']:.10f}")

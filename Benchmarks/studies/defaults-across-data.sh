#!/usr/bin/env bash
# Do biased-mf's defaults hold across rating scales and densities, and svd++'s and explicit als's
# across scales? Validation RMSE only: each subsample of u1/u2.base is split 90/10 and scored on
# its own 10 %; no test file is read (the scales part reads u1.test, scaled).
# Usage: bash Benchmarks/studies/defaults-across-data.sh [ML-100K DIR] (writes to a temp folder).
set -euo pipefail
D=${1:-${RECKIT_ML100K:-../shared/data/ml-100k}}
R=${RECKIT:-.build/release/reckit}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
rmse() { "$R" evaluate --model biased-mf --train "$1" --test "$2" "${@:3}" --json "$W/o.json" >/dev/null 2>&1
         python3 -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['rmse'], end=' ')" "$W/o.json"; }
for fold in 1 2; do for keep in 25 50 100; do
  if [ "$keep" = 100 ]; then cp "$D/u$fold.base" "$W/s.csv"
  else "$R" data split "$D/u$fold.base" --test-fraction "0.$((100 - keep))" --seed 11 --out "$W/sub" >/dev/null 2>&1; cp "$W/sub/train.csv" "$W/s.csv"; fi
  "$R" data split "$W/s.csv" --test-fraction 0.1 --seed 5 --out "$W/f${fold}_$keep" >/dev/null 2>&1
done; done
echo "validation RMSE, columns: u1 at 25 % 50 % 100 %, u2 at 25 % 50 % 100 %"
grid() { echo -n "$1=$2: "; for fold in 1 2; do for keep in 25 50 100; do rmse "$W/f${fold}_$keep/train.csv" "$W/f${fold}_$keep/test.csv" --set "$1=$2"; done; done; echo; }
for v in 0.03 0.05 0.1 0.15 0.2 0.3; do grid regularization $v; done
for v in 30 100 300 600; do grid factors $v; done
for v in 40 80 160; do grid epochs $v; done
for v in 0.005 0.02 0.08; do grid regularization-bias $v; done
echo "rating scales: u1.base/u1.test × c, test RMSE ÷ c, rule on (rating-unit 0) and off (1)"
for c in 0.2 1 2 10; do
  for f in base test; do awk -v c=$c -F'\t' '{printf "%s\t%s\t%g\t%s\n",$1,$2,$3*c,$4}' "$D/u1.$f" > "$W/x.$f"; done
  for model in biased-mf svd++ als; do for unit in 0 1; do
    "$R" evaluate --model $model --train "$W/x.base" --test "$W/x.test" --set rating-unit=$unit --json "$W/o.json" >/dev/null 2>&1
    python3 -c "import json,sys; print('c=%s %s rating-unit=%s: %.4f' % (sys.argv[2], sys.argv[3], sys.argv[4], json.load(open(sys.argv[1]))['rmse'] / float(sys.argv[2])))" "$W/o.json" $c $model $unit
  done; done
done

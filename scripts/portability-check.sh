#!/usr/bin/env bash
# RecKit runs on any x86-64: the library is compiled for the baseline instruction set and only the
# kernel tiers (and the shim's dispatched C variants) use AVX2 or AVX-512, after checking the CPU.
# This runs the release `reckit` under QEMU's user-mode emulator as a Westmere CPU (SSE4.2, no AVX)
# and checks that it picks the baseline kernels, trains and evaluates ALS on both back ends, and
# gets the RMSE of the native run (to 1e-3). A binary with AVX instructions outside the tiers dies
# here with SIGILL (the build of aa7c471 did).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -m)" != "x86_64" ]; then echo "portability-check: not an x86-64 host, skipped"; exit 0; fi
command -v qemu-x86_64 >/dev/null || { echo "portability-check: qemu-x86_64 missing (bash scripts/install-deps.sh)" >&2; exit 1; }
reckit=.build/release/reckit
[ -x "$reckit" ] || swift build -c release --product reckit
work="$(mktemp -d "${TMPDIR:-/tmp}/reckit-portability.XXXXXX")"
trap 'rm -rf "$work"' EXIT
emulate() { qemu-x86_64 -cpu Westmere "$reckit" "$@"; }

info="$(emulate info)"
echo "$info" | grep -q '^Pure-Swift tier:  baseline' || { echo "$info"; echo "portability-check: the pure-Swift tier is not baseline" >&2; exit 1; }
echo "$info" | grep -q '^Shim kernels:     baseline' || { echo "$info"; echo "portability-check: the shim kernels are not baseline" >&2; exit 1; }

"$reckit" data synth --users 400 --items 300 --ratings 12000 --seed 3 --out "$work/ratings.csv" --quiet
rmse() { sed -n 's/^| als | \([0-9.]*\).*/\1/p'; }
native="$("$reckit" evaluate "$work/ratings.csv" --model als --folds 2 --quiet 2>&1 | rmse)"
for backend in swift blas; do
  emulated="$(emulate evaluate "$work/ratings.csv" --model als --folds 2 --backend "$backend" --quiet 2>&1 | rmse)"
  python3 - "$native" "$emulated" "$backend" <<'PY'
import sys
native, emulated, backend = sys.argv[1], sys.argv[2], sys.argv[3]
if not emulated:
    sys.exit(f"portability-check: ALS on the {backend} back end printed no RMSE under emulation")
if abs(float(native) - float(emulated)) > 1e-3:
    sys.exit(f"portability-check: {backend} RMSE {emulated} under emulation, {native} natively")
print(f"portability-check: Westmere (no AVX), {backend} back end: ALS RMSE {emulated} (native {native})")
PY
done

#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages RecKit builds against, when any is missing.
# Needs root (or sudo). Swift itself is expected on PATH already.
set -euo pipefail
# libxml2: FoundationXML (the tests parse the benchmark charts as XML) loads it at run time.
# wrk: the load generator of scripts/serve-bench.sh. python3: scripts/kill-test.sh reads the JSON
# reports and model headers it judges with it.
# libopenmpi-dev, openmpi-bin: the distributed layer (RecKitDistributed, reckit-mpi) and its tests.
packages=(libopenblas-dev liblapacke-dev pkg-config cmake ninja-build libxml2 wrk python3 libopenmpi-dev openmpi-bin)
# qemu-user: scripts/portability-check.sh runs reckit as a CPU without AVX.
[ "$(uname -m)" = "x86_64" ] && packages+=(qemu-user)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift is not on PATH: install the Swift toolchain first (swift.org)" >&2; exit 1; }

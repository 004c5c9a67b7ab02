#!/usr/bin/env bash
# RecKit as a versioned dependency: builds Examples/Client, a package that depends on RecKit with
# `.package(url: …, from: "0.2.0")`, in release mode and runs the README's API tour in it.
#
# The client resolves RecKit from a temporary git repository that holds this checkout's files
# (committed or not; ignored files left out), tagged with RecKit's version. So the check fails when
# RecKit's manifest stops being usable by version (e.g. flags SwiftPM refuses in a versioned
# dependency) or when the README's API is not reachable from another package.
# The tour reads MovieLens 100K when it is there ($RECKIT_DATA_DIR/ml-100k or ../shared/data/ml-100k)
# and synthetic ratings otherwise.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/reckit-client.XXXXXX")"
trap 'rm -rf "$work"' EXIT

version="$(sed -n 's/.*static let string = "\([0-9.]*\)".*/\1/p' "$root/Sources/RecKitBenchmarks/Measurement.swift")"
[ -n "$version" ] || { echo "client-check: cannot read RecKit's version (RecKitVersion.string)" >&2; exit 1; }

echo "==> client package: RecKit $version as a versioned dependency"
mkdir -p "$work/RecKit"
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf -) | tar -xf - -C "$work/RecKit"
git -C "$work/RecKit" init -q
git -C "$work/RecKit" add -A
git -C "$work/RecKit" -c user.name=client-check -c user.email=client-check@localhost commit -q -m "RecKit $version snapshot"
git -C "$work/RecKit" tag "$version"

cp -R "$root/Examples/Client" "$work/Client"
rm -rf "$work/Client/.build"
export RECKIT_PACKAGE_URL="$work/RecKit"
swift build -c release --package-path "$work/Client"

data=""
for dir in "${RECKIT_DATA_DIR:-}" "$root/../shared/data"; do
  if [ -n "$dir" ] && [ -f "$dir/ml-100k/u.data" ]; then data="$dir/ml-100k/u.data"; break; fi
done
[ -n "$data" ] || echo "client-check: MovieLens 100K not found; the tour uses synthetic ratings"
out="$("$work/Client/.build/release/Client" ${data:+"$data"})"
echo "$out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "client tour: OK" ] || { echo "client-check: the tour did not finish with 'client tour: OK'" >&2; exit 1; }
echo "client-check: resolved, built and ran the client in ${SECONDS} s"

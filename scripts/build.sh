#!/usr/bin/env bash
# Configures and builds Annot into ./build (incremental: re-running rebuilds only what changed).
#   scripts/build.sh [extra cmake -D options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ANNOT_BUILD_DIR:-"$root/build"}
jobs=${ANNOT_BUILD_JOBS:-$(nproc)}
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
elif (($# > 0)); then
  cmake "$build" "$@"
fi
cmake --build "$build" -j "$jobs"

#!/usr/bin/env bash
# Every test again, built in a tree of its own under the sanitizers: AddressSanitizer with
# LeakSanitizer and UndefinedBehaviorSanitizer (`address`, the default), or ThreadSanitizer
# (`thread`). The tests that run `annot` run the instrumented one, so servers and CLI commands are
# checked too. On demand, not in CI: the instrumented build alone takes some 20 minutes on 2 cores.
# Exit status: ctest's (a sanitizer report fails its test).
#   scripts/test-sanitized.sh [address|thread] [ctest args...]
# ANNOT_SANITIZED_BUILD_DIR overrides the tree (default: <repo>/build-<mode>).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=address
if [[ $# -gt 0 && ($1 == address || $1 == thread) ]]; then
  mode=$1
  shift
fi
case $mode in
  address) flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined" ;;
  thread) flags="-fsanitize=thread" ;;
esac
build=${ANNOT_SANITIZED_BUILD_DIR:-"$root/build-$mode"}
"$root/scripts/install-deps.sh" --test
# -O1 and line tables only: the tree builds in about two thirds of the time -O2 -g takes, and reports
# still name files and lines.
cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DANNOT_BUILD_BENCH=OFF -DANNOT_STATIC_CXX_RUNTIME=OFF \
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" \
  "-DCMAKE_C_FLAGS=$flags -fno-omit-frame-pointer" "-DCMAKE_CXX_FLAGS=$flags -fno-omit-frame-pointer" \
  "-DCMAKE_EXE_LINKER_FLAGS=$flags" "-DCMAKE_SHARED_LINKER_FLAGS=$flags" "-DCMAKE_MODULE_LINKER_FLAGS=$flags" \
  >"$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j "${ANNOT_BUILD_JOBS:-$(nproc)}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/scripts/tsan-suppressions.txt}
cd "$build"
ctest --output-on-failure -j "${ANNOT_TEST_JOBS:-2}" --timeout 1200 "$@"

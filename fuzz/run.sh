#!/bin/sh
# Builds fuzzers in their own clang tree and runs each for the given number of seconds (default 60)
# on a copy of the committed seed corpus: the named targets, or all three (config_parse and
# result_validate, the config engine's; export, the exporters'). Exit status: non-zero on any crash,
# leak, sanitizer report or timeout; the crashing input is kept in the artifacts folder it names.
#   fuzz/run.sh 60
#   fuzz/run.sh 600 export
# ANNOT_FUZZ_BUILD_DIR overrides the build tree (default: <repo>/build-fuzz).
set -eu
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-config_parse result_validate export}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ANNOT_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${ANNOT_FUZZ_JOBS:-2}

# Instrument everything the fuzzers link (engine, plugins) for coverage and the sanitizers; the
# fuzzer targets add -fsanitize=fuzzer themselves.
CC=clang CXX=clang++ cmake -G Ninja -S "$root" -B "$build" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DANNOT_BUILD_FUZZERS=ON -DANNOT_STATIC_CXX_RUNTIME=OFF \
  "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
  >"$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
ninja -C "$build" -j"$jobs" $(for t in $targets; do printf 'fuzz_%s ' "$t"; done)

artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
status=0
for target in $targets; do
  work=$(mktemp -d)
  cp -R "$root/fuzz/corpus/$target/." "$work/"
  echo "== fuzz_$target for ${secs}s on $(ls "$work" | wc -l) seeds"
  if ! UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
      "$build/bin/fuzz_$target" "$work" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/$target-"; then
    echo "fuzz_$target FAILED; reproducer in $artifacts" >&2
    status=1
  fi
  rm -rf "$work"
done
exit $status

#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build, and run every test.
#   scripts/test.sh [ctest args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
start=$(date +%s)
"$root/scripts/install-deps.sh" --test
"$root/scripts/build.sh"
build=${ANNOT_BUILD_DIR:-"$root/build"}
# The libFuzzer targets live in a second, clang-built tree; each runs for a minute. The exporters'
# fuzzer (fuzz/run.sh 600 export) is left to on-demand runs: building its instrumented tree takes
# some 5 minutes more of the CI's 45.
if [[ "${ANNOT_FUZZ_SECONDS:-60}" != 0 ]]; then
  ANNOT_FUZZ_BUILD_DIR=${ANNOT_FUZZ_BUILD_DIR:-"$build-fuzz"} "$root/fuzz/run.sh" "${ANNOT_FUZZ_SECONDS:-60}" \
    config_parse result_validate
fi
cd "$build"
ctest --output-on-failure -j "${ANNOT_TEST_JOBS:-2}" "$@"
echo "test.sh: finished in $(( $(date +%s) - start )) s"

#!/usr/bin/env bash
# Projects of large tasks: memory that grows with a task's size rather than with the number of tasks.
# N text tasks of KB kilobytes each (gen_tasks.py large) are imported by the CLI, then exported by the
# CLI as JSON, JSON_MIN and CSV into a folder on tmpfs; then one task of BIG megabytes is imported and
# exported as JSON. Prints wall time and peak RSS (the CLI's export reader and importer do not map the
# database, so the peak is the process's own memory plus ~14 MB of its code).
#   [RUNS=3] bench/export/large_tasks.sh <build dir> [tasks=1000] [kb=200] [big=40]
set -euo pipefail
runs=${RUNS:-3}
build=${1:?usage: large_tasks.sh <build dir> [tasks] [kb] [big]}
n=${2:-1000}
kb=${3:-200}
big=${4:-40}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
need_timed

bench_user
serve
many=$(project text)
one=$(project text)
stop

measure() {  # label command... : median wall and largest peak RSS of $runs runs (MEASURE_RUNS overrides)
  local label=$1 walls=() peak=0 wall usr sys kb
  shift
  for _ in $(seq "${MEASURE_RUNS:-$runs}"); do
    read -r wall usr sys kb < <("$timed" "$tmp/report" "$tmp/err" "$@") ||
      { printf '%-34s failed: %s\n' "$label" "$(tail -1 "$tmp/err")"; return; }
    walls+=("$wall")
    (( kb > peak )) && peak=$kb
    rm -rf "$tmp/out"
  done
  printf '%-34s %7.3f s  peak RSS %7.1f MB\n' "$label" "$(printf '%s\n' "${walls[@]}" | median)" "$(echo "$peak/1024" | bc -l)"
}

python3 "$here/gen_tasks.py" large "$n" "$tmp/many.json" "$kb"
printf '%s tasks of %s KB (%s MB of JSON)\n' "$n" "$kb" "$(( $(stat -c %s "$tmp/many.json") >> 20 ))"
# Imported once (an import adds its tasks: the project keeps N of them for the exports).
MEASURE_RUNS=1 measure "import" "$annot" import "$many" "$tmp/many.json" --data-dir "$data" --quiet
rm -f "$tmp/many.json"
for format in JSON JSON_MIN CSV; do
  measure "export $format" "$annot" export "$many" --format "$format" --out "$tmp/out/" --data-dir "$data" --quiet
done

python3 -c 'import json, sys; json.dump([{"data": {"text": "x" * (int(sys.argv[1]) << 20)}}], open(sys.argv[2], "w"))' \
  "$big" "$tmp/big.json"
MEASURE_RUNS=1 measure "import one task of $big MB" "$annot" import "$one" "$tmp/big.json" --data-dir "$data" --quiet
rm -f "$tmp/big.json"
measure "export it as JSON" "$annot" export "$one" --format JSON --out "$tmp/out/" --data-dir "$data" --quiet

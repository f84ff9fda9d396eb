#!/usr/bin/env bash
# `annot import` of N tasks (default 1,000,000) while wrk POSTs annotations (16 connections) to `annot
# serve` on the same database: how long the import takes and how long saves wait beside it (the
# writers' turn, host/src/store/README.md). Prints the import's time and wrk's latency line.
#   bench/api/import_beside_serve.sh <build dir> [tasks] [seconds of wrk]
set -uo pipefail
build=${1:?usage: import_beside_serve.sh <build dir> [tasks] [seconds]}
n=${2:-1000000}
secs=${3:-25}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/serve.sh" "$build" /dev/shm/annot-import-beside.XXXXXX
python3 - "$n" "$tmp/tasks.json" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("[" + ",".join(json.dumps({"image": "https://example.com/%d.jpg" % i}) for i in range(n)) + "]")
PY
BENCH_TOKEN=$token BENCH_FIRST_TASK=$first BENCH_LAST_TASK=$last wrk -t1 -c16 -d"${secs}s" --timeout 30s --latency \
  -s "$here/post_annotation.lua" "http://127.0.0.1:$port" >"$tmp/wrk.txt" 2>&1 &
wrk_pid=$!
sleep 1
start=$EPOCHREALTIME
"$build/bin/annot" import 1 "$tmp/tasks.json" --data-dir "$tmp/data" --batch 5000 --quiet >"$tmp/import.txt" 2>&1
rc=$?
end=$EPOCHREALTIME
wait "$wrk_pid"
printf 'import of %s tasks: exit %s in %.2f s\n' "$n" "$rc" "$(echo "$end - $start" | bc -l)"
[[ $rc == 0 ]] || tail -3 "$tmp/import.txt"
echo "saves beside it (wrk: avg, stdev, max):"
grep -E "^ +Latency +[0-9]|99%|Requests/sec|timeout|non-201" "$tmp/wrk.txt"

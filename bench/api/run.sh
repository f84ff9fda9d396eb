#!/usr/bin/env bash
# wrk -c64 for 10 s on GET /health, GET /api/tasks/{id} and POST /api/tasks/{id}/annotations against
# one `annot serve` (the same run), printing requests/s, p99 and the ratios to /health.
#   bench/api/run.sh <build dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/serve.sh" "${1:?usage: run.sh <build dir>}"

load() { awk '{print $1}' /proc/loadavg; }
run() {  # name, wrk args...
  local name=$1; shift
  local before; before=$(load)
  wrk -t2 -c64 -d10s --latency "$@" >"$tmp/$name.txt"
  local rps p50 p90 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/$name.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$tmp/$name.txt")
  p90=$(awk '$1 == "90%" {print $2}' "$tmp/$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$tmp/$name.txt")
  non2xx=$(awk '/^ *Non-2xx or 3xx responses/ {print $NF}' "$tmp/$name.txt")
  # The machine is shared: the 1-minute load average before and after each run goes with the figure.
  printf '%-18s %10s req/s   p50 %8s   p90 %8s   p99 %8s   non-2xx %s   load %s -> %s\n' "$name" "$rps" \
    "$p50" "$p90" "$p99" "${non2xx:-0}" "$before" "$(load)"
  echo "$rps" >"$tmp/$name.rps"
}
url=http://127.0.0.1:$port
mid=$(( (first + last) / 2 ))
run health "$url/health"
run task_read -H "Authorization: Token $token" "$url/api/tasks/$mid"
BENCH_TOKEN=$token BENCH_FIRST_TASK=$first BENCH_LAST_TASK=$last run annotation_write -s "$here/post_annotation.lua" "$url"
health=$(cat "$tmp/health.rps")
printf 'task read / health:        %.2f\n' "$(echo "$(cat "$tmp/task_read.rps") / $health" | bc -l)"
printf 'annotation write / health: %.2f\n' "$(echo "$(cat "$tmp/annotation_write.rps") / $health" | bc -l)"
count=$(curl -fsS -H "Authorization: Token $token" "$url/api/tasks?project=1&page_size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_annotations"])')
echo "annotations stored: $count"
# The WAL after 10 s of writes: the store folds it back at checkpoint_pages (64 MB by default).
echo "WAL after the writes: $(( $(stat -c %s "$tmp/data/annot.db-wal" 2>/dev/null || echo 0) / 1048576 )) MiB"

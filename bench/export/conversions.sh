#!/usr/bin/env bash
# Stored-export conversions (the web dialog's "Export in the background", then a format): imports
# <tasks> image tasks (gen_tasks.py); then, for each of COCO, YOLO, VOC, JSON_MIN and CSV, starts a
# server, makes a stored export (the JSON snapshot) and converts it, alternating the binaries round by
# round. Prints the wall time polled through the API (every ~60 ms: faster polling takes a core), the server's
# CPU time (user + system) over it, and the server's peak RSS.
#   [RUNS=3] bench/export/conversions.sh <build dir> [tasks=200000] [another annot binary to compare]
set -euo pipefail
runs=${RUNS:-3}
build=${1:?usage: conversions.sh <build dir> [tasks] [other annot binary]}
n=${2:-200000}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
binaries=("$annot")
[[ -n "${3:-}" ]] && binaries+=("$3")

bench_user
image_project "$n"
p=$image_project_id

api_call() {  # method path [json body] -> response body
  curl -fsS -X "$1" -H "Authorization: Token $token" -H 'Content-Type: application/json' \
    ${3:+-d "$3"} "http://127.0.0.1:$port$2"
}
# Polled with curl and grep alone (a Python start per poll would blur the figures): the export's
# status, then its one conversion's ("status" just before "traceback" in converted_formats).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }  # the server's user + system time
wait_for() {  # export [conversion]
  local pattern='"status":"(completed|failed)","task_filter_options"' body
  [[ -n "${2:-}" ]] && pattern='"status":"(completed|failed)","traceback"'
  for _ in $(seq 1 60000); do
    body=$(api_call GET "/api/projects/$p/exports/$1")
    if grep -qE "$pattern" <<<"$body"; then
      grep -oE "$pattern" <<<"$body" | grep -oE 'completed|failed' | head -1
      return
    fi
    sleep 0.05
  done
  echo timeout
}

echo "== conversions of a stored export of $n image tasks =="
for round in $(seq "$runs"); do
  for bin in "${binaries[@]}"; do
    annot="$bin"
    for f in COCO YOLO VOC JSON_MIN CSV; do
      serve
      pk=$(api_call POST "/api/projects/$p/exports" '{}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
      [[ $(wait_for "$pk") == completed ]] || { echo "export $pk failed"; exit 1; }
      c0=$(cpu_ticks)
      t0=$(date +%s.%N)
      api_call POST "/api/projects/$p/exports/$pk/convert" "{\"export_type\": \"$f\"}" >/dev/null
      s=$(wait_for "$pk" "$f")
      t1=$(date +%s.%N)
      c1=$(cpu_ticks)
      printf 'round %d %-40s %-9s %-9s %6.2f s  server cpu %5.2f s  peak RSS %6.1f MB\n' "$round" "$bin" "$f" \
        "$s" "$(echo "$t1 - $t0" | bc -l)" "$(echo "($c1 - $c0) / $(getconf CLK_TCK)" | bc -l)" \
        "$(awk '/VmHWM/{print $2/1024}' "/proc/$pid/status")"
      api_call DELETE "/api/projects/$p/exports/$pk" >/dev/null || true
      stop
    done
  done
done

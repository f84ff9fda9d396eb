#!/usr/bin/env bash
# One large annotation (a 60 MB TextArea text, then a polygon of 2,000,000 points, ~37 MB) POSTed to `annot
# serve` while wrk POSTs small annotations over 8 connections: the large save's time, the server's peak RSS
# above what it held before, what it still holds after, and how long the small saves waited (they share the
# store's one writer with the large one).
#   bench/api/big_results.sh <build dir> [seconds of wrk per case]
set -uo pipefail
build=${1:?usage: big_results.sh <build dir> [seconds]}
secs=${2:-12}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/serve.sh" "$build" /dev/shm/annot-big-results.XXXXXX
api() { curl -sS -H "Authorization: Token $token" -H 'Content-Type: application/json' "$@"; }

python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
config = ('<View><Image name="image" value="$image"/><PolygonLabels name="poly" toName="image">'
          '<Label value="A"/></PolygonLabels><TextArea name="notes" toName="image"/></View>')
json.dump({"title": "big results", "label_config": config}, open(d + "/project.json", "w"))
json.dump([{"image": "https://example.com/big.jpg"}], open(d + "/task.json", "w"))
text = "".join(chr(97 + (i * 7) % 26) for i in range(60_000_000 // 1000)) * 1000
json.dump({"result": [{"id": "t1", "from_name": "notes", "to_name": "image", "type": "textarea",
                       "value": {"text": [text]}}]}, open(d + "/text.json", "w"))
points = [[round((i % 1000) / 10, 3), round((i // 1000) / 20, 3)] for i in range(2_000_000)]
json.dump({"result": [{"id": "p1", "from_name": "poly", "to_name": "image", "type": "polygonlabels",
                       "original_width": 4000, "original_height": 3000,
                       "value": {"points": points, "closed": True, "polygonlabels": ["A"]}}]},
          open(d + "/polygon.json", "w"))
PY
project=$(api -d @"$tmp/project.json" "http://127.0.0.1:$port/api/projects" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api -d @"$tmp/task.json" "http://127.0.0.1:$port/api/projects/$project/import" >/dev/null
task=$(api "http://127.0.0.1:$port/api/projects/$project/tasks" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')

kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }
for case in text polygon; do
  echo 5 >"/proc/$pid/clear_refs"  # VmHWM starts again from VmRSS
  before=$(kb VmRSS)
  BENCH_TOKEN=$token BENCH_FIRST_TASK=$first BENCH_LAST_TASK=$last wrk -t1 -c8 -d"${secs}s" --timeout 30s --latency \
    -s "$here/post_annotation.lua" "http://127.0.0.1:$port" >"$tmp/wrk.txt" 2>&1 &
  wrk_pid=$!
  sleep 1
  size=$(stat -c %s "$tmp/$case.json")
  out=$(api -o "$tmp/answer" -w '%{http_code} %{time_total}' --data-binary @"$tmp/$case.json" \
    "http://127.0.0.1:$port/api/tasks/$task/annotations")
  wait "$wrk_pid"
  printf '%-8s %5.1f MB: HTTP %s in %.2f s; server RSS %s MB before, peak +%s MB, %s MB after\n' "$case" \
    "$(echo "$size/1048576" | bc -l)" "${out% *}" "${out#* }" "$((before / 1024))" \
    "$(( ($(kb VmHWM) - before) / 1024 ))" "$(( $(kb VmRSS) / 1024 ))"
  [[ ${out% *} == 201 ]] || head -c 300 "$tmp/answer"
  echo "  small saves beside it (wrk: avg, stdev, max):"
  grep -E "^ +Latency +[0-9]|99%|Requests/sec|non-201" "$tmp/wrk.txt" | sed 's/^/  /'
done

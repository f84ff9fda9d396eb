#!/usr/bin/env bash
# The API's export of a project narrowed by a data-manager tab or selection (the export dialog's "this
# tab" and "the selected tasks"): JSON_MIN of the whole project, of a selection of all tasks but one
# (every task id resolved, then read by id), and of a tab whose filter keeps the second half;
# alternated, medians of $runs runs, with the ratio of the selection to the whole.
#   [RUNS=7] bench/export/scope.sh <build dir> [tasks=200000]
set -euo pipefail
runs=${RUNS:-7}
build=${1:?usage: scope.sh <build dir> [tasks]}
n=${2:-200000}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

bench_user
image_project "$n"
img=$image_project_id
serve
auth=(-H "Authorization: Token $token" -H 'Content-Type: application/json')
half=$(python3 -c "import json; print(json.dumps({'project': $img, 'data': {'title': 'half', 'filters': {
  'conjunction': 'and', 'items': [{'filter': 'filter:tasks:id', 'operator': 'greater', 'type': 'Number', 'value': $n // 2}]}}}))")
view=$(curl -fsS "${auth[@]}" -d "$half" "http://127.0.0.1:$port/api/dm/views" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
selection=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("{\"all\": true, \"excluded\": [7]}"))')
base="http://127.0.0.1:$port/api/projects/$img/export?exportType=JSON_MIN&download_all_tasks=true"
declare -A walls
for run in $(seq "$runs"); do
  for kind in whole selection tab; do
    case $kind in whole) q= ;; selection) q="&selectedItems=$selection" ;; tab) q="&view=$view" ;; esac
    walls[$kind]+="$(curl -fsS "${auth[@]}" -o "$tmp/out.json" -w '%{time_total}' "$base$q") "
    if [[ $run == 1 ]]; then
      echo "$kind: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/out.json") records"
    fi
  done
done
for kind in whole selection tab; do
  printf '%-9s JSON_MIN API %6.3f s (fastest %.3f)\n' "$kind" "$(printf '%s\n' ${walls[$kind]} | median)" \
    "$(printf '%s\n' ${walls[$kind]} | fastest)"
done
echo "selection / whole: $(echo "$(printf '%s\n' ${walls[selection]} | median) / $(printf '%s\n' ${walls[whole]} | median)" | bc -l | cut -c1-4)"

#!/usr/bin/env bash
# Export of a project labelled through the API against the same tasks imported with their
# annotations. run.sh's projects are imported whole, so each task's annotation lies beside it in the
# database; annotations made in the labelling stream lie in the order they were made, and another
# project labelled at the same time interleaves its rows with them. This times `annot export --out
# DIR` on tmpfs of both projects, alternated, medians of $runs runs, and prints the ratio.
#   [RUNS=7] bench/export/labelled.sh <build dir> [tasks=10000]
set -euo pipefail
runs=${RUNS:-7}
build=${1:?usage: labelled.sh <build dir> [tasks]}
n=${2:-10000}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

python3 "$here/gen_tasks.py" images "$n" "$tmp/images.json"
python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); [x.pop("annotations") for x in t]; json.dump(t, open(sys.argv[2], "w"))' \
  "$tmp/images.json" "$tmp/bare.json"
bench_user
serve
imported=$(project images)
labelled=$(project images)
other=$(project images)
stop
"$annot" import "$imported" "$tmp/images.json" --data-dir "$data" --quiet >/dev/null
"$annot" import "$labelled" "$tmp/bare.json" --data-dir "$data" --quiet >/dev/null
"$annot" import "$other" "$tmp/bare.json" --data-dir "$data" --quiet >/dev/null
serve
start=$EPOCHREALTIME
python3 "$here/label_stream.py" "$port" "$token" "$tmp/images.json" "$labelled" "$other"
printf '%s annotations made through the API in %.1f s\n' $((2 * n)) "$(echo "$EPOCHREALTIME - $start" | bc -l)"
stop

uptime
echo "== $n image tasks x 3 boxes, output on tmpfs =="
for f in JSON_MIN COCO JSON; do
  declare -A walls=()
  for _ in $(seq "$runs"); do
    for p in "$imported" "$labelled"; do
      rm -rf "$tmp/out"
      start=$EPOCHREALTIME
      "$annot" export "$p" --format "$f" --out "$tmp/out/" --data-dir "$data" --quiet >/dev/null
      walls[$p]+="$(echo "$EPOCHREALTIME - $start" | bc -l) "
    done
  done
  a=$(tr ' ' '\n' <<<"${walls[$imported]}" | grep . | median)
  b=$(tr ' ' '\n' <<<"${walls[$labelled]}" | grep . | median)
  printf '%-9s imported %.3f s   labelled %.3f s   ratio %.2f\n' "$f" "$a" "$b" "$(echo "$b / $a" | bc -l)"
  unset walls
done
rm -rf "$tmp/out"

#!/usr/bin/env bash
# Exports that copy the project's images (download_resources): N image tasks, each naming an uploaded
# 1x1 PNG of its own (gen_tasks.py uploads), exported by the CLI with --download-resources as
# COCO_WITH_IMAGES, YOLO_WITH_IMAGES and VOC into a folder and a zip on tmpfs, and COCO without images
# beside them: wall time, CPU and peak RSS (the copies' bookkeeping is what grows with the project).
#   [RUNS=3] bench/export/resources.sh <build dir> [tasks=100000]
set -euo pipefail
runs=${RUNS:-3}
build=${1:?usage: resources.sh <build dir> [tasks]}
n=${2:-100000}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
need_timed

bench_user
python3 "$here/gen_tasks.py" uploads "$n" "$tmp/uploads.json" "$data/upload"
serve
pid_project=$(project images)
stop
"$annot" import "$pid_project" "$tmp/uploads.json" --data-dir "$data" --batch 1000 --quiet >/dev/null
rm -f "$tmp/uploads.json"

for format in COCO COCO_WITH_IMAGES YOLO_WITH_IMAGES VOC; do
  flags=--download-resources
  [[ $format == COCO ]] && flags=
  for out in "$tmp/out/" "$tmp/out.zip"; do
    walls=() cpus=() peak=0
    for _ in $(seq "$runs"); do
      rm -rf "$tmp/out" "$tmp/out.zip"
      read -r wall usr sys kb < <("$timed" "$tmp/report" "$tmp/err" "$annot" export "$pid_project" --format "$format" \
        --out "$out" --data-dir "$data" --quiet $flags)
      walls+=("$wall")
      cpus+=("$(echo "$usr + $sys" | bc -l)")
      (( kb > peak )) && peak=$kb
    done
    if [[ $out == */ ]]; then
      images=$(find "$tmp/out" -path '*/images/*' -type f | wc -l)
    else
      images=$(python3 -c 'import sys, zipfile; print(sum(1 for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.startswith("images/") and not n.endswith("/")))' "$out")
    fi
    printf '%-17s %-6s %7.3f s (fastest %.3f)  cpu %5.2f s  peak RSS %6.1f MB  (%s images copied)\n' "$format" \
      "$([[ $out == */ ]] && echo folder || echo zip)" "$(printf '%s\n' "${walls[@]}" | median)" \
      "$(printf '%s\n' "${walls[@]}" | fastest)" "$(printf '%s\n' "${cpus[@]}" | median)" \
      "$(echo "$peak/1024" | bc -l)" "$images"
  done
done
rm -rf "$tmp/out" "$tmp/out.zip"

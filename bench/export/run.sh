#!/usr/bin/env bash
# Export benchmark: generates 20,000 image tasks x 3 boxes and 20,000 text tasks x 5 spans
# (gen_tasks.py, deterministic), imports them, then times `annot export --out DIR` on tmpfs (/dev/shm)
# and the API download (zip included) for each format, with peak RSS; then 200,000 image tasks
# for COCO RSS. Formats whose plugin is not built are reported as missing. CPU is user + system time
# of the CLI process, or of the server around the download (comparable when the machine is loaded).
# Before, between and after the exports it prints the machine's own speed (annot_machine_floor: file
# creation, fresh pages, and a CPU workload of numbers printed and read back): this VM runs 20-30%
# slower in some phases, and an export's time over the floor's compares across runs.
#   [RUNS=5] bench/export/run.sh <build dir> [tasks=20000] [big=200000]
set -euo pipefail
runs=${RUNS:-5}
build=${1:?usage: run.sh <build dir> [tasks] [big]}
n=${2:-20000}
big=${3:-200000}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
need_timed

python3 "$here/gen_tasks.py" images "$n" "$tmp/images.json"
python3 "$here/gen_tasks.py" text "$n" "$tmp/text.json"
bench_user

serve
img=$(project images)
txt=$(project text)
stop
"$annot" import "$img" "$tmp/images.json" --data-dir "$data" --batch 1000 --quiet >/dev/null
"$annot" import "$txt" "$tmp/text.json" --data-dir "$data" --batch 1000 --quiet >/dev/null

# Each figure is the median of $runs runs (default 5), with the fastest beside it: on a shared virtual
# machine one short run can be 20-30% off (the vCPUs run slower for a while after being idle).

cli() {  # project format label [more export arguments] [output: a folder (default) or a .zip]
  local out="${5:-$tmp/out-$2/}" walls=() cpus=() peak=0 line wall kb usr sys
  for _ in $(seq "$runs"); do
    rm -rf "$out"
    # annot_run_timed: the clock around the export process alone (see run_timed.cpp).
    if ! line=$("$timed" "$tmp/report" "$tmp/err" "$annot" export "$1" --format "$2" --out "$out" \
        --data-dir "$data" --quiet ${4:-}); then
      printf '%-10s %-10s CLI  %s\n' "$3" "$2" "failed: $(tail -1 "$tmp/err")"
      return
    fi
    read -r wall usr sys kb <<<"$line"
    walls+=("$wall")
    cpus+=("$(echo "$usr + $sys" | bc -l)")
    (( kb > peak )) && peak=$kb
  done
  printf '%-10s %-10s CLI  %7.3f s (fastest %.3f)  cpu %5.2f s  peak RSS %6.1f MB  (%s tasks, %s files)\n' "$3" "$2" \
    "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${walls[@]}" | fastest)" \
    "$(printf '%s\n' "${cpus[@]}" | median)" "$(echo "$peak/1024" | bc -l)" \
    "$(grep -oE '"tasks": [0-9]+' "$tmp/report" | grep -oE '[0-9]+$')" "$(find "$out" -type f | wc -l)"
  rm -rf "$out"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }  # the server's user + system time
api() {  # project format label [runs]
  local code wall t0 t1 walls=() cpus=()
  for _ in $(seq "${4:-$runs}"); do
    t0=$(cpu_ticks)
    # curl's own clock, from the start of the request to the last byte written (not curl's start-up).
    read -r code wall < <(curl -sS -o "$tmp/download" -w '%{http_code} %{time_total}\n' \
      -H "Authorization: Token $token" "http://127.0.0.1:$port/api/projects/$1/export?exportType=$2")
    t1=$(cpu_ticks)
    walls+=("$wall")
    cpus+=("$(echo "($t1 - $t0) / $(getconf CLK_TCK)" | bc -l)")
  done
  printf '%-10s %-10s API  %7.3f s (fastest %.3f)  cpu %5.2f s  HTTP %s  %6.1f MB\n' "$3" "$2" \
    "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${walls[@]}" | fastest)" \
    "$(printf '%s\n' "${cpus[@]}" | median)" "$code" "$(echo "$(stat -c %s "$tmp/download")/1048576" | bc -l)"
  rm -f "$tmp/download"
}

# The machine's speed now: 20,001 YOLO-sized files created on two threads (no YOLO export can be faster)
# and 64 MiB of fresh memory touched, medians of $runs runs.
floor() {
  local files=() pages=() cpu=() dir="$tmp/floor"
  [[ -x "$build/bin/annot_machine_floor" ]] || { echo "machine floor: annot_machine_floor not built"; return; }
  for _ in $(seq "$runs"); do
    rm -rf "$dir" && mkdir "$dir"
    files+=("$("$build/bin/annot_machine_floor" files $((n + 1)) "$dir" 2)")
    pages+=("$("$build/bin/annot_machine_floor" pages 64)")
    cpu+=("$("$build/bin/annot_machine_floor" cpu 400000)")
  done
  rm -rf "$dir"
  printf 'machine floor: %s files on 2 threads %.1f ms, 64 MiB of fresh pages %.1f ms, cpu %.1f ms (%s)\n' \
    $((n + 1)) "$(printf '%s\n' "${files[@]}" | median)" "$(printf '%s\n' "${pages[@]}" | median)" \
    "$(printf '%s\n' "${cpu[@]}" | median)" "$1"
}

uptime
floor "before the CLI exports"
echo "== $n tasks each, output on tmpfs =="
for f in COCO YOLO VOC JSON_MIN CSV JSON; do cli "$img" "$f" images; done
for f in CONLL2003 JSON_MIN CSV SPACY; do cli "$txt" "$f" text; done
floor "after the CLI exports"
serve
for f in COCO YOLO VOC JSON_MIN CSV; do api "$img" "$f" images; done
for f in CONLL2003 JSON_MIN CSV; do api "$txt" "$f" text; done
server_peak() { printf 'server peak RSS (VmHWM) %.1f MB %s\n' "$(awk '/VmHWM/{print $2/1024}' "/proc/$pid/status")" "$1"; }
server_peak "after the API exports above (one server)"
stop

if (( big > 0 )); then
  image_project "$big"
  bigp=$image_project_id
  echo "== $big image tasks =="
  for f in COCO JSON_MIN; do cli "$bigp" "$f" big; done
  # Chosen tasks (every 100th, as an "export selected" would): the id list drives the reads, so
  # this costs what 2,000 tasks cost, not a scan of the project per batch. The big project's ids
  # follow the two projects above in a fresh data folder.
  first=$((2 * n + 1))
  cli "$bigp" JSON_MIN big-ids "--ids $(seq -s, "$first" 100 $((first + big - 1)))"
  cli "$bigp" COCO big-1-id "--ids $first"
  # A zip lists every file in its central directory (YOLO: a file per task), kept in memory up to
  # 65,536 entries and spilled to a scratch file beyond.
  cli "$bigp" YOLO big-zip "" "$tmp/big-yolo.zip"
  for f in COCO YOLO; do
    serve
    api "$bigp" "$f" big 1
    server_peak "after that download (a server of its own)"
    stop
  done
fi
floor "at the end"
uptime

# Shared by the export benchmarks (sourced after setting build, the build folder, and here, this
# folder): a scratch folder on tmpfs removed at exit (tmp, with the data folder data), the executables
# (annot; timed, checked by need_timed), the bench user (bench_user: token), the server (serve/stop,
# which use token once it is set), projects, a project of generated image tasks (image_project), medians.
tmp=$(mktemp -d /dev/shm/annot-export-bench.XXXXXX)
pid=
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
annot="$build/bin/annot"
# annot_run_timed: the clock around one process alone, with its CPU and peak RSS (run_timed.cpp).
timed="$build/bin/annot_run_timed"
need_timed() { [[ -x "$timed" ]] || { echo "$(basename "$0"): $timed is not built (ninja -C $build annot_run_timed)" >&2; exit 2; }; }
data="$tmp/data"

serve() {  # starts `annot serve` on a free port: sets port and pid
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  ANNOT_PORT=$port ANNOT_HOST=127.0.0.1 ANNOT_DATA_DIR="$data" ANNOT_LOG_LEVEL=warn "$annot" serve >"$tmp/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.05; done
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
project() {  # kind -> project id
  local config
  config=$(python3 "$here/gen_tasks.py" config "$1")
  curl -fsS -H "Authorization: Token $token" -H 'Content-Type: application/json' \
    -d "$(python3 -c 'import json,sys; print(json.dumps({"title": sys.argv[1], "label_config": sys.argv[2]}))' "$1" "$config")" \
    "http://127.0.0.1:$port/api/projects" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
bench_user() { token=$("$annot" user create --email bench@example.com --data-dir "$data" | grep -oE '^[0-9a-f]{40}$' | head -1); }
image_project() {  # tasks -> sets image_project_id: gen_tasks.py's image tasks, imported into a new project
  python3 "$here/gen_tasks.py" images "$1" "$tmp/images.json"
  serve
  image_project_id=$(project images)
  stop
  "$annot" import "$image_project_id" "$tmp/images.json" --data-dir "$data" --batch 1000 --quiet >/dev/null
  rm -f "$tmp/images.json"
}
median() { sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
fastest() { sort -g | head -1; }

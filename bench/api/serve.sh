# Sourced by the bench/api scripts: a bench_api data directory (a user, an image project, 10,000 tasks)
# in a fresh temporary folder and one `annot serve` on it, removed on exit.
#   source serve.sh <build dir> [folder template]
# Sets: tmp (the folder), token, first, last (the project's task ids), port, pid (the server's).
build=${1:?usage: source serve.sh <build dir> [folder template]}
tmp=$(mktemp -d "${2:-/tmp/annot-bench-api.XXXXXX}")
pid=
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

read -r token first last <<<"$("$build/bin/bench_api" setup "$tmp/data")"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ANNOT_PORT=$port ANNOT_HOST=127.0.0.1 ANNOT_DATA_DIR="$tmp/data" ANNOT_LOG_LEVEL=warn "$build/bin/annot" serve >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.05; done

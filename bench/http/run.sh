#!/usr/bin/env bash
# HTTP benchmark: GET /health on the minimal Beast baseline and on our server, in the same run, with
# the same wrk settings; prints requests/s, p99 latency and the ratio. Builds nothing.
#
#   bench/http/run.sh BUILD_DIR [SERVER COMMAND...]
#
# The server command defaults to `BUILD_DIR/bin/annot serve --port {port} --data-dir {data}`;
# {port} and {data} are replaced by a free port and a fresh temporary directory. Any command that
# serves GET /health on 127.0.0.1:{port} works (for instance before `annot serve` exists).
# Environment: DURATION (default 10s), CONNECTIONS (64), THREADS (wrk threads, 1), ANNOT_LOG_LEVEL
# (default warn: the baseline logs nothing, so neither does annot's per-request access log).
set -euo pipefail
export ANNOT_LOG_LEVEL=${ANNOT_LOG_LEVEL:-warn}

if [[ $# -lt 1 ]]; then
  sed -n '2,11p' "$0" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
shift
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
wrk_threads=${THREADS:-1}

baseline="$build/bin/bench_minimal_beast"
[[ -x "$baseline" ]] || { echo "missing $baseline (build target bench_minimal_beast)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (Debian package wrk)" >&2; exit 1; }
if [[ $# -gt 0 ]]; then
  server_cmd=("$@")
else
  [[ -x "$build/bin/annot" ]] || { echo "missing $build/bin/annot; pass a server command instead" >&2; exit 1; }
  server_cmd=("$build/bin/annot" serve --port '{port}' --data-dir '{data}')
fi

data=$(mktemp -d /tmp/annot-bench-http.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_ready() {  # port
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on port $1 after 10s" >&2
  return 1
}

# Prints "RPS P99_MS" for a wrk run against port $1.
measure() {
  local out
  out=$(wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency "http://127.0.0.1:$1/health")
  echo "$out" >>"$data/wrk.log"
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  # wrk prints 1.23ms, 456.00us or 1.02s: convert to milliseconds.
  p99=$(awk -v v="$p99" 'BEGIN {
    n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }')
  local errors
  errors=$(awk '/Non-2xx or 3xx responses:|Socket errors:/' <<<"$out")
  [[ -n "$errors" ]] && echo "  wrk on port $1: $errors" >&2
  echo "$rps $p99"
}

base_port=$(free_port)
"$baseline" "$base_port" >"$data/baseline.log" 2>&1 &
pids+=($!)
wait_ready "$base_port"

ours_port=$(free_port)
cmd=()
for arg in "${server_cmd[@]}"; do
  arg=${arg//\{port\}/$ours_port}
  cmd+=("${arg//\{data\}/$data/server-data}")
done
"${cmd[@]}" >"$data/server.log" 2>&1 &
pids+=($!)
wait_ready "$ours_port" || { cat "$data/server.log" >&2; exit 1; }
curl_check=$(exec 3<>"/dev/tcp/127.0.0.1/$ours_port"; printf 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3; cat <&3)
grep -q '"status"' <<<"$curl_check" || { echo "our server does not answer GET /health:" >&2; echo "$curl_check" >&2; exit 1; }

echo "wrk -t$wrk_threads -c$connections -d$duration, GET /health, $(nproc) cores"
read -r base_rps base_p99 < <(measure "$base_port")
read -r ours_rps ours_p99 < <(measure "$ours_port")
printf '%-22s %12s %10s\n' "server" "requests/s" "p99 ms"
printf '%-22s %12.0f %10.3f\n' "minimal Beast" "$base_rps" "$base_p99"
printf '%-22s %12.0f %10.3f\n' "$(basename "${cmd[0]}")" "$ours_rps" "$ours_p99"
awk -v a="$ours_rps" -v b="$base_rps" 'BEGIN { printf "ratio (ours / minimal): %.2f\n", a / b }'

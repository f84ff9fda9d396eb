#!/usr/bin/env bash
# 32 clients post annotations to a real `annot serve`; the server is killed with SIGKILL mid-run,
# restarted on the same data directory, and every annotation that got a 201 must be there.
set -euo pipefail
annot=$1
driver=$2
tmp=$(mktemp -d)
pid=
cleanup() { [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [[ -f "$tmp/log" ]] && tail -20 "$tmp/log" | sed 's/^/  log: /' >&2; exit 1; }

read -r token tasks <<<"$("$driver" setup "$tmp/data")" || fail "setup"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

start() {
  ANNOT_PORT=$port ANNOT_HOST=127.0.0.1 ANNOT_DATA_DIR="$tmp/data" "$annot" serve >>"$tmp/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 400); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || fail "annot serve exited early"
    sleep 0.05
  done
  fail "annot serve did not answer /health"
}

start
# shellcheck disable=SC2086
"$driver" load "$port" "$token" "$tmp/acked" 60 $tasks 2>"$tmp/load.err" &
load_pid=$!
sleep 2
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=
wait "$load_pid" || fail "the load driver saw refused writes: $(cat "$tmp/load.err")"
cat "$tmp/load.err" >&2
acked=$(wc -l <"$tmp/acked")
[[ "$acked" -gt 100 ]] || fail "only $acked annotations were acknowledged before the kill"

start
"$driver" verify "$port" "$token" "$tmp/acked" || fail "acknowledged annotations are missing after the restart"
kill -TERM "$pid"
wait "$pid" || true
pid=
echo "api_durability_sigkill: ok ($acked acknowledged annotations survived SIGKILL)"

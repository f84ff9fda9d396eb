#!/usr/bin/env bash
# Runs `annot` as a user would: --version, bad options, `plugins`, then `serve` on a free port with
# options from the environment, a few requests with curl, and a clean stop on SIGTERM.
set -euo pipefail
annot=$1
tmp=$(mktemp -d)
pid=
cleanup() { [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [[ -f "$tmp/log" ]] && sed 's/^/  log: /' "$tmp/log" >&2; exit 1; }

"$annot" --version | grep -q "plugin SDK" || fail "--version does not name the SDK"
"$annot" serve --port nope >/dev/null 2>"$tmp/err" && fail "a bad port was accepted"
grep -q "invalid port" "$tmp/err" || fail "a bad port gets no clear message: $(cat "$tmp/err")"
"$annot" serve --no-such-flag >/dev/null 2>"$tmp/err" && fail "an unknown option was accepted"
grep -q "unknown option --no-such-flag" "$tmp/err" || fail "unknown option message: $(cat "$tmp/err")"
"$annot" frobnicate >/dev/null 2>&1 && fail "an unknown command was accepted"

"$annot" plugins --json >"$tmp/plugins.json" || fail "annot plugins --json failed"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "plugins" in d and "refused" in d' "$tmp/plugins.json" \
  || fail "annot plugins --json is not the listing"
"$annot" plugins --plugins-dir "$tmp/none" >/dev/null 2>&1 || true

# A free port: bind 0 through python, release it, hand it to annot through the environment.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ANNOT_PORT=$port ANNOT_HOST=127.0.0.1 ANNOT_DATA_DIR="$tmp/data" "$annot" serve >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || fail "annot serve exited early"
  sleep 0.05
done
[[ "$(curl -fsS "http://127.0.0.1:$port/health")" == '{"status":"UP"}' ]] || fail "/health"
curl -fsS "http://127.0.0.1:$port/api/plugins" | grep -q '"plugins"' || fail "/api/plugins"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/nothing-here")
[[ "$code" == 404 ]] || fail "unknown route answered $code"
[[ -d "$tmp/data" ]] || fail "the data directory was not created"

kill -TERM "$pid"
for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$pid" 2>/dev/null && fail "annot did not stop on SIGTERM"
wait "$pid" || fail "annot exited non-zero after SIGTERM"
pid=
echo "cli_serve: ok"

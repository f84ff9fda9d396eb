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

# annot config validate: a good config passes; a toName naming no tag fails with its line.
cat >"$tmp/ok.xml" <<'XML'
<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img"><Label value="Car"/></RectangleLabels>
</View>
XML
sed 's/toName="img"/toName="nope"/' "$tmp/ok.xml" >"$tmp/bad.xml"
"$annot" config validate "$tmp/ok.xml" >"$tmp/out" 2>&1 || fail "a good config was refused: $(cat "$tmp/out")"
"$annot" config validate "$tmp/bad.xml" >"$tmp/out" 2>&1 && fail "a toName naming no tag was accepted"
grep -q "nope" "$tmp/out" || fail "the error does not name the missing tag: $(cat "$tmp/out")"
grep -q "3" "$tmp/out" || fail "the error gives no line: $(cat "$tmp/out")"

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
python3 - "$tmp/ok.xml" "$tmp/bad.xml" >"$tmp/ok.json" <<'PY'
import json, sys
print(json.dumps({"label_config": open(sys.argv[1]).read()}))
PY
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$tmp/ok.json" \
  "http://127.0.0.1:$port/api/projects/validate/")
[[ "$code" == 204 ]] || fail "POST /api/projects/validate/ of a good config answered $code"
python3 -c 'import json,sys; print(json.dumps({"label_config": open(sys.argv[1]).read()}))' "$tmp/bad.xml" >"$tmp/bad.json"
code=$(curl -s -o "$tmp/answer" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$tmp/bad.json" \
  "http://127.0.0.1:$port/api/projects/validate/")
[[ "$code" == 400 ]] || fail "POST /api/projects/validate/ of a bad config answered $code"
grep -q "nope" "$tmp/answer" || fail "the 400 does not name the missing tag: $(cat "$tmp/answer")"
[[ -d "$tmp/data" ]] || fail "the data directory was not created"

kill -TERM "$pid"
for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$pid" 2>/dev/null && fail "annot did not stop on SIGTERM"
wait "$pid" || fail "annot exited non-zero after SIGTERM"
pid=
echo "cli_serve: ok"

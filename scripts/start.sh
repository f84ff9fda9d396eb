#!/usr/bin/env bash
# The README's first command: install what is missing, build, and start the host with the default
# plugin bundle on an embedded SQLite database in ./data, on port 8080 (ANNOT_PORT overrides).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "$root"
exec "${ANNOT_BUILD_DIR:-$root/build}/bin/annot" serve --data-dir "${ANNOT_DATA_DIR:-$root/data}" \
  --port "${ANNOT_PORT:-8080}" "$@"

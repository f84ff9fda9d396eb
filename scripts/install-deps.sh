#!/usr/bin/env bash
# Installs the Debian 12 packages Annot needs, only those missing. Run as root or with sudo.
#   scripts/install-deps.sh          what building and serving need
#   scripts/install-deps.sh --test   plus what the test suite needs (clang for the fuzzers, ...)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ccache
  libboost1.81-dev libboost-json1.81-dev
  nlohmann-json3-dev libpugixml-dev libsqlite3-dev libspdlog-dev libsodium-dev zlib1g-dev
  libisal-dev  # export zips: ISA-L deflate and CRC-32
  liburing-dev  # export folders: small files created in batches through io_uring
  libpcre2-dev  # the data manager's regex filter
  libssl-dev  # https url= imports (Asio SSL on OpenSSL)
  libgtest-dev
)
# The web build runs npm ci; a NodeSource nodejs already bundles npm (and conflicts with Debian's).
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(clang libclang-rt-14-dev curl python3 wrk)
  packages+=(chromium)  # the browser tests (tests/web) drive Debian's chromium with playwright-core
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

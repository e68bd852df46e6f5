#!/usr/bin/env bash
# Installs every build and test dependency from Debian 12's archive.
# Idempotent: packages already present are skipped by apt-get.
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build pkg-config
  libcaf-dev libboost-dev libssl-dev openssl ca-certificates
  rapidjson-dev libcpptoml-dev libspdlog-dev libfmt-dev catch2 libcli11-dev
  libsqlite3-dev protobuf-compiler libprotobuf-dev
  curl jq ccache
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

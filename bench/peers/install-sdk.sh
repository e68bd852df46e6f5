#!/usr/bin/env bash
# Installs the official Lark Node SDK (the version every peer and check
# pins) into an npm prefix once; later calls find it and return at once.
# usage: install-sdk.sh <npm prefix, e.g. <build>/node-sdk>
# Exit 77 (ctest's SKIP_RETURN_CODE) when node/npm are missing or npm cannot
# install it (no registry access).
set -u
cache=${1:?npm prefix dir}
version=1.74.0
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIP: node or npm is not installed"
  exit 77
fi
pkg="$cache/node_modules/@larksuiteoapi/node-sdk/package.json"
if ! grep -q "\"version\":\"$version\"" "$pkg" 2>/dev/null; then
  mkdir -p "$cache"
  if ! npm install --prefix "$cache" --no-audit --no-fund --loglevel=error \
       "@larksuiteoapi/node-sdk@$version" >&2; then
    echo "SKIP: npm install @larksuiteoapi/node-sdk@$version failed (registry unreachable?)"
    exit 77
  fi
fi

#!/usr/bin/env bash
# Official-SDK faithfulness check: the Lark Node SDK's WSClient against mock_feishu.
# usage: run.sh <path of mock_feishu> <npm cache dir, e.g. <build>/node-sdk>
# Exit 77 (ctest SKIP_RETURN_CODE) when node/npm are missing or the SDK cannot be installed.
set -u
mock=${1:?mock_feishu path}
cache=${2:?cache dir}
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
NODE_PATH="$cache/node_modules" exec node "$(dirname "$0")/sdk_check.js" "$mock"

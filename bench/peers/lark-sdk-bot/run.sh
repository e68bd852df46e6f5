#!/usr/bin/env bash
# Baseline peer: a minimal bot on the official Lark Node SDK.
# usage: run.sh <npm cache dir, e.g. <build>/node-sdk> <config.json>
# Installs @larksuiteoapi/node-sdk 1.74.0 into the cache dir once (as
# tests/bench/sdk_faithfulness/run.sh does), then execs node bot.js, so the PID
# the caller holds is node's. Exit 77 (SKIP) when node/npm are missing or the
# SDK cannot be installed.
set -u
cache=${1:?npm cache dir}
config=${2:?config.json}
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
NODE_PATH="$cache/node_modules" exec node "$(dirname "$0")/bot.js" "$config"

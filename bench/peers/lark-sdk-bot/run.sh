#!/usr/bin/env bash
# Baseline peer: a minimal bot on the official Lark Node SDK.
# usage: run.sh <npm cache dir, e.g. <build>/node-sdk> <config.json>
# Installs the SDK into the cache dir once (bench/peers/install-sdk.sh), then
# execs node bot.js, so the PID the caller holds is node's. Exit 77 (SKIP)
# when node/npm are missing or the SDK cannot be installed.
set -u
cache=${1:?npm cache dir}
config=${2:?config.json}
here=$(dirname "$0")
bash "$here/../install-sdk.sh" "$cache" || exit $?
NODE_PATH="$cache/node_modules" exec node "$here/bot.js" "$config"

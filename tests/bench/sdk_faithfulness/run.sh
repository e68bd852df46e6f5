#!/usr/bin/env bash
# Official-SDK faithfulness check: the Lark Node SDK's WSClient against mock_feishu.
# usage: run.sh <path of mock_feishu> <npm cache dir, e.g. <build>/node-sdk>
# Exit 77 (ctest SKIP_RETURN_CODE) when node/npm are missing or the SDK cannot be installed.
set -u
mock=${1:?mock_feishu path}
cache=${2:?cache dir}
here=$(dirname "$0")
bash "$here/../../../bench/peers/install-sdk.sh" "$cache" || exit $?
NODE_PATH="$cache/node_modules" exec node "$here/sdk_check.js" "$mock"

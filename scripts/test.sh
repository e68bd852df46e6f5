#!/usr/bin/env bash
# Installs the dependencies, builds from scratch into build/ (or $BUILD_DIR)
# and runs every test. Usage: bash scripts/test.sh [--asan] [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
if [ "${1:-}" = "--asan" ]; then
  shift
  build=${BUILD_DIR:-build-asan}
  cmake_args+=(-DLOONG_SANITIZE=address,undefined)
fi
bash scripts/install-deps.sh
cmake -S . -B "$build" "${cmake_args[@]}"
cmake --build "$build" -j2
ctest --test-dir "$build" -j2 --output-on-failure --no-tests=error "$@"

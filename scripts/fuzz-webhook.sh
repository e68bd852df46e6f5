#!/usr/bin/env bash
# Fuzzes the webhook decision (protocol/webhook.cpp) with libFuzzer.
# Usage: scripts/fuzz-webhook.sh [seconds]   (default 60)
# Configures a clang build in build-fuzz (override with LOONG_FUZZ_BUILD_DIR),
# builds tests/fuzz/webhook_fuzz, runs it from the seeds in
# tests/fuzz/seeds/webhook (made from the spec §10 vectors) and prints the
# number of executions. Exits non-zero when the fuzzer finds a crash.
set -euo pipefail

seconds=${1:-60}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOONG_FUZZ_BUILD_DIR:-$root/build-fuzz}
src=$root
mkdir -p "$build"

# Until the top level adds tests/fuzz itself, wrap the project in a tiny
# CMake project that adds both.
if ! grep -q 'tests/fuzz' "$root/CMakeLists.txt"; then
  src=$build/wrapper
  mkdir -p "$src"
  cat >"$src/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.25)
project(loong_fuzz_wrapper LANGUAGES CXX)
enable_testing()
add_subdirectory("$root" loong)
add_subdirectory("$root/tests/fuzz" fuzz)
EOF
fi

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
  -DLOONG_FUZZ=ON -DCMAKE_BUILD_TYPE=Release >"$build/configure.log" 2>&1 \
  || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j2 --target webhook_fuzz

bin=$(find "$build" -name webhook_fuzz -type f -perm -u+x | head -n 1)
corpus=$build/corpus/webhook
artifacts=$build/artifacts/
mkdir -p "$corpus" "$artifacts"
log=$build/webhook_fuzz.log

status=0
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$root/tests/fuzz/ubsan.supp"
"$bin" -max_total_time="$seconds" -max_len=16384 -print_final_stats=1 \
  -artifact_prefix="$artifacts" "$corpus" "$root/tests/fuzz/seeds/webhook" \
  >"$log" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
grep -E '^(Done|stat::)' "$log" || true
echo "webhook_fuzz: ${execs:-unknown} executions in ${seconds}s," \
  "corpus $(ls "$corpus" | wc -l) inputs, log $log"
if [ "$status" -ne 0 ]; then
  echo "webhook_fuzz FAILED (exit $status); crash inputs in $artifacts" >&2
  tail -n 40 "$log" >&2
fi
exit "$status"

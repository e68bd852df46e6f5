#!/usr/bin/env bash
# Regenerates docs/benchmarks.md's figures: builds (Release), installs gnuplot
# and the official Lark Node SDK for the baseline, runs every scenario
# against gateway, SDK baseline and echo lower bound (chaos: gateway and SDK),
# renders the plots and splices the tables into docs/benchmarks.md.
# usage: bash bench/run.sh [loong_load flags, e.g. --scenario a --targets gateway]
#        bash bench/run.sh --scenario chaos --targets gateway,sdk   (chaos only)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
out=${BENCH_OUT:-$build/bench-out}
bash scripts/install-deps.sh
if ! command -v gnuplot >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >/dev/null
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target loong_load
cache="$build/node-sdk"
bash bench/peers/install-sdk.sh "$cache" || echo "note: no SDK baseline in this run"
rm -rf "$out"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--scenario all --targets gateway,sdk,echo)
status=0
"$build/bench/load/loong_load" --out "$out" --node-cache "$cache" "${args[@]}" || status=$?
mkdir -p docs/img
if [ -s "$out/tables.md" ]; then  # a chaos-only run has nothing to plot
  gnuplot -e "dir='$out'; img='docs/img'" bench/plots.gp 2>/dev/null || echo "note: some plots lack data"
fi
# Splice the generated tables between the markers of docs/benchmarks.md: the
# load tables (tables.md) and the chaos tables (chaos.md) have a block each,
# and a run that produced none of one kind leaves that block as it was.
splice() {  # <tables file> <marker name>
  [ -s "$1" ] || return 0
  awk -v tables="$1" -v begin="<!-- BEGIN $2 -->" -v end="<!-- END $2 -->" '
    $0 == begin { print; while ((getline l < tables) > 0) print l; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }' docs/benchmarks.md > "$out/benchmarks.md"
  cp "$out/benchmarks.md" docs/benchmarks.md
}
splice "$out/tables.md" "GENERATED"
splice "$out/chaos.md" "GENERATED CHAOS"
if [ -s "$out/tables.md" ]; then cp "$out/results.json" docs/img/bench-results.json; fi
if [ -s "$out/chaos.md" ]; then cp "$out/results.json" docs/img/bench-chaos.json; fi
echo "docs/benchmarks.md updated from $out (driver exit $status)"
exit $status

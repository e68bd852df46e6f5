#pragma once

// Renders the rows of a run: results.json (everything), tables.md (the
// tables of docs/benchmarks.md) and *.dat files for bench/plots.gp.

#include <string>
#include <vector>

#include "bench/load/scenarios.hpp"

namespace loong::bench {

/// Writes results.json, tables.md and the .dat files into `dir`; "" on
/// success, else what failed.
std::string write_report(const std::string& dir, const std::vector<result_row>& rows,
                         const std::string& machine);

} // namespace loong::bench

#pragma once

#include <cstdint>
#include <vector>

#include <caf/expected.hpp>

namespace loong::store {

class database;

/// One schema step: running `sql` takes a file from `version - 1` to
/// `version`. Steps are append-only; never edit one that has shipped.
struct migration {
  /// The schema version after this step (1, 2, ...).
  int64_t version = 0;
  /// Short description, used in error messages.
  const char* name = "";
  /// The DDL to run (may hold several statements).
  const char* sql = "";
};

/// Returns the ordered list of schema steps this binary knows.
const std::vector<migration>& migrations();

/// Returns the newest schema version this binary knows.
int64_t latest_schema_version();

/// Applies the missing steps, each in its own transaction, and returns how
/// many ran. A file newer than this binary is an error naming both versions.
caf::expected<size_t> migrate(database& db);

} // namespace loong::store

#pragma once

// Small helpers shared by the mock servers: command-line parsing, request
// targets, JSON access, ids and the signal wait of main().

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace loong::bench {

/// Header list in the same shape as net::header_list.
using header_pairs = std::vector<std::pair<std::string, std::string>>;

/// Compact JSON writer used by every mock response.
using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// Path and decoded query parameters of a request target.
struct target_parts {
  /// Path without the query string.
  std::string path;
  /// Query parameters (last value wins), percent-decoded.
  std::map<std::string, std::string> query;
  /// Returns a query parameter or `def`.
  std::string param(const std::string& key, std::string def = {}) const;
  /// Returns an integer query parameter or `def` when absent or not a number.
  int64_t int_param(const std::string& key, int64_t def) const;
};

/// Splits "/a/b?x=1&y=%20" into its path and decoded query.
target_parts split_target(std::string_view target);

/// Percent-decodes a URL component ('+' becomes a space).
std::string url_decode(std::string_view s);

/// Parses a JSON object; nullopt when `text` is not a JSON object.
std::optional<rapidjson::Document> parse_object(std::string_view text);

/// True when `text` is one complete JSON document of any type.
bool parse_json_ok(std::string_view text);

/// Returns member `key` as a string, or `def` when absent or not a string.
std::string json_str(const rapidjson::Value& obj, const char* key,
                     std::string def = {});

/// Returns member `key` as an integer (also from a decimal string), or `def`.
int64_t json_int(const rapidjson::Value& obj, const char* key, int64_t def);

/// Returns member `key` as a bool, or `def` when absent or not a bool.
bool json_bool(const rapidjson::Value& obj, const char* key, bool def);

/// True when member `key` exists (any type, including null).
bool json_has(const rapidjson::Value& obj, const char* key);

/// Serializes a JSON value compactly.
std::string json_dump(const rapidjson::Value& v);

/// Returns the JSON string literal for `s` (with quotes and escaping).
std::string json_quote(std::string_view s);

/// Case-insensitive header lookup; "" when absent.
std::string header_value(const header_pairs& headers, std::string_view name);

/// Milliseconds on the wall clock (Unix epoch).
int64_t wall_ms();

/// Milliseconds on the monotonic clock (for latencies and deadlines).
int64_t mono_ms();

/// Microseconds on the monotonic clock (load-run latencies).
int64_t mono_us();

/// Random lowercase hex string of `n_bytes` random bytes.
std::string random_hex(size_t n_bytes);

/// Parses a decimal integer; nullopt for anything else (no partial parses).
std::optional<int64_t> to_int(std::string_view s);

/// Command-line reader: `--name value` and `--name=value` forms.
class arg_reader {
public:
  /// Takes argv without the program name.
  arg_reader(int argc, char** argv);
  /// True while arguments remain.
  bool more() const;
  /// Consumes the next flag name (e.g. "--port"); "" at the end.
  std::string next_flag();
  /// Consumes the value of the current flag; nullopt when it is missing.
  std::optional<std::string> value();

private:
  std::vector<std::string> args_;
  size_t pos_ = 0;
  std::optional<std::string> inline_value_;
};

/// Blocks SIGINT and SIGTERM in the calling thread (call before starting any
/// thread, so every thread inherits the mask and only sigwait sees them).
void block_termination_signals();

/// Waits for SIGINT or SIGTERM; returns the signal number.
int wait_for_termination();

/// Prints "<name> listening on <url>" as the first stdout line and flushes.
void announce(const std::string& name, const std::string& url);

} // namespace loong::bench

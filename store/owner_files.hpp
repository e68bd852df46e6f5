#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace loong::store {

/// File names under `<home>/gateway-runtime/` (contract §4.1).
namespace owner_file {
/// The live owner's slot: all status fields plus the private owner_token.
constexpr const char* active = "owner-active.json";
/// The last record written, kept after the owner exits.
constexpr const char* status = "status.json";
/// Written by `gateway stop`; targets one owner token.
constexpr const char* stop_request = "stop-request.json";
/// The control endpoint's bearer token (mode 0600).
constexpr const char* control_token = "control-token";
/// Held with an exclusive flock for the owner's lifetime.
constexpr const char* lock = "owner.lock";
} // namespace owner_file

/// Default heartbeat age after which a running owner counts as stale.
constexpr int64_t default_stale_after_ms = 15000;

/// The persisted gateway owner state; JSON field names as contract §1.8.
struct owner_record {
  /// starting | running | stopping | stopped | failed.
  std::string phase = "stopped";
  bool running = false;
  std::optional<int64_t> pid;
  /// gateway_headless | gateway_attached_cli | multi_channel_serve.
  std::string mode = "gateway_headless";
  std::string version;
  /// The config file the owner loaded, "-" when none.
  std::string config_path = "-";
  std::optional<std::string> attached_cli_session;
  /// Unix ms.
  int64_t started_at_ms = 0;
  /// Unix ms; the JSON key has no `_ms` suffix (contract §1.8).
  int64_t last_heartbeat_at = 0;
  /// Unix ms.
  std::optional<int64_t> stopped_at_ms;
  std::optional<std::string> shutdown_reason;
  std::optional<std::string> last_error;
  int64_t configured_surface_count = 0;
  int64_t running_surface_count = 0;
  /// Control listener binding, set once it is bound.
  std::optional<std::string> bind_address;
  std::optional<int64_t> port;
  /// default | config | env | cli | ephemeral_cli.
  std::optional<std::string> port_source;
  std::optional<std::string> token_path;
  /// Private: written to owner-active.json only, never printed.
  std::string owner_token;
};

/// Renders pretty JSON (2-space indent) in the contract's field order.
/// `runtime_dir` (when not empty) and `stale` (when set) add those status
/// fields; `include_private` adds `owner_token`.
std::string to_json(const owner_record& r, bool include_private,
                    const std::string& runtime_dir = {},
                    std::optional<bool> stale = {});

/// Parses an owner record. Missing fields keep their defaults; a field of
/// the wrong type is an error naming it.
caf::expected<owner_record> parse_owner_record(std::string_view json);

/// What another process knows about the owner (contract §4.3).
struct owner_view {
  /// The winning persisted record, unchanged (its owner_token may be set:
  /// never print it; `to_json(owner_view, ...)` leaves it out).
  owner_record record;
  /// Persisted running && !stale.
  bool running = false;
  bool stale = false;
};

/// Renders `gateway status --json`: the record with `runtime_dir`, the
/// derived `running` and `stale`, and no private fields.
std::string to_json(const owner_view& v, const std::string& runtime_dir);

/// Reads status.json and owner-active.json; the newer heartbeat wins (ties:
/// owner-active). A running record is stale when its heartbeat is older than
/// `stale_after_ms`, its pid is dead, or nobody holds the owner lock.
/// Missing or corrupt files give the default stopped view.
owner_view read_owner(const std::string& runtime_dir, int64_t now_ms,
                      int64_t stale_after_ms = default_stale_after_ms);

/// Tells whether a record that says running is stale (see `read_owner`).
bool is_stale(const owner_record& r, const std::string& runtime_dir,
              int64_t now_ms, int64_t stale_after_ms = default_stale_after_ms);

/// The content of stop-request.json.
struct stop_request {
  /// Unix ms.
  int64_t requested_at_ms = 0;
  int64_t requested_by_pid = 0;
  /// The owner token of the owner asked to stop.
  std::string target_owner_token;
};

/// Reads stop-request.json; missing is `ec::not_found`, corrupt an error.
caf::expected<stop_request> read_stop_request(const std::string& runtime_dir);

/// Result of `request_stop`, one per `gateway stop` output line.
enum class stop_outcome {
  /// A live owner was found and a request now targets it.
  requested,
  /// A pending request already targets this owner.
  already_requested,
  /// No owner file, owner not running, or stale.
  not_running,
};

/// The `gateway stop` side (contract §4.4): writes stop-request.json
/// `{requested_at_ms, requested_by_pid, target_owner_token}` for a live owner.
caf::expected<stop_outcome>
request_stop(const std::string& runtime_dir, int64_t now_ms,
             int64_t stale_after_ms = default_stale_after_ms);

/// Reads and parses one owner file; missing or corrupt gives nothing.
std::optional<owner_record> load_owner_file(const std::string& runtime_dir,
                                            const char* name);

/// Tells whether `pid` names no process (kill(pid, 0) fails with ESRCH).
/// An absent or out-of-range pid is not known to be dead.
bool pid_dead(const std::optional<int64_t>& pid);

/// Joins `runtime_dir` and one of the `owner_file` names.
std::string runtime_path(const std::string& runtime_dir, const char* name);

} // namespace loong::store

#pragma once

// Long-connection (WebSocket) wire format of the Feishu/Lark event channel:
// protobuf frames, ping/pong/ACK, multi-part reassembly, endpoint discovery
// and handshake classification (spec/feishu-lark-protocol.md §6).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace loong::feishu {

/// One key/value header of a frame.
struct frame_header {
  /// e.g. "type", "message_id", "sum", "seq", "biz_rt".
  std::string key;
  /// Decimal strings for the numeric headers.
  std::string value;
};

/// A decoded `pbbp2.Frame` (spec §6.3).
struct frame {
  /// Echoed verbatim in the ACK; full uint64 range (spec §9.5).
  uint64_t seq_id = 0;
  /// Echoed verbatim in the ACK, like `seq_id`.
  uint64_t log_id = 0;
  /// The `service_id` of the connection URL.
  int32_t service = 0;
  /// 0 = control (ping/pong), 1 = data (event/card).
  int32_t method = 0;
  /// Headers in wire order; duplicates are kept.
  std::vector<frame_header> headers;
  /// Field 6; never interpreted, echoed when present.
  std::optional<std::string> payload_encoding;
  /// Field 7; never interpreted, echoed when present.
  std::optional<std::string> payload_type;
  /// Field 8: event JSON, ClientConfig JSON or ACK JSON; absent in pings.
  std::optional<std::string> payload;
  /// Field 9 (`LogIDNew`); echoed when present.
  std::optional<std::string> log_id_new;

  /// Returns the value of the first header named `key`, "" if absent.
  std::string header(std::string_view key) const;
};

/// Encodes a frame byte-identically to the SDK (fields 1-4 always written).
std::string encode_frame(const frame& f);

/// Decodes one binary WebSocket message; nullopt when it is not a frame.
std::optional<frame> decode_frame(std::string_view bytes);

/// Builds the client ping for `service` (spec §6.5).
frame make_ping(int32_t service);

/// Builds a server pong, with a ClientConfig payload when non-empty (mocks).
frame make_pong(int32_t service, std::string client_config_json = {});

/// Builds the ACK for the (completing) data frame (spec §6.7): all fields
/// and headers echoed, `biz_rt` appended (negative values become 0) and the
/// payload replaced by {"code":<code>}.
frame make_ack(const frame& completing_frame, int64_t biz_rt_ms,
               int code = 200);

/// Live connection settings, all in seconds (spec §6.1 ClientConfig).
struct client_config {
  /// Seconds between client pings.
  int ping_interval_s = 120;
  /// -1 = reconnect forever.
  int reconnect_count = -1;
  /// Seconds between reconnect attempts.
  int reconnect_interval_s = 120;
  /// Upper bound of the random delay before the first reconnect attempt.
  int reconnect_nonce_s = 30;
};

/// Updates `cfg` from a ClientConfig JSON object, taking only keys that are
/// present and sensible: intervals in (0, 86400], nonce in [0, 86400],
/// count -1 or > 0. Anything unparsable leaves `cfg` untouched.
void apply_client_config(client_config& cfg, std::string_view json);

/// Renders `cfg` as {"PingInterval":..,"ReconnectCount":..,...}.
std::string client_config_json(const client_config& cfg);

/// Reads the integer `code` of an ACK payload (any of the three SDK forms);
/// -1 when the payload is not such a JSON object.
int ack_code(std::string_view ack_payload);

/// Reassembles multi-part data frames (spec §6.6) within fixed bounds.
class reassembler {
public:
  /// Bounds on memory held for incomplete messages.
  struct limits {
    /// Open (incomplete) messages at once; more are rejected.
    size_t max_sets = 64;
    /// Bytes of one logical message (whole or reassembled).
    size_t max_bytes = 4u << 20;
    /// An incomplete message idle for longer than this is evicted.
    int64_t ttl_ms = 10000;
    /// Largest accepted `sum` header.
    size_t max_parts = 1024;
  };

  /// Creates an empty reassembler with default limits.
  reassembler();

  /// Creates an empty reassembler with the given limits.
  explicit reassembler(limits l);

  /// What happened to a fed frame.
  enum class outcome { complete, pending, rejected };

  /// The result of feeding one frame.
  struct result {
    outcome what;
    /// The whole message when `what == complete`.
    std::string payload;
    /// Why the frame was rejected, or why a `complete` frame was taken
    /// alone although its headers named a set (for logs).
    std::string reason;
  };

  /// Feeds one data frame; `complete` carries the whole message payload.
  result feed(const frame& data_frame, int64_t now_ms);

  /// Evicts sets idle for longer than the ttl; returns how many.
  size_t sweep(int64_t now_ms);

  /// Returns the number of incomplete messages held.
  size_t open_sets() const;

private:
  /// The fragments received so far of one logical message.
  struct part_set {
    size_t sum = 0;
    std::vector<std::optional<std::string>> parts;
    size_t filled = 0;
    size_t bytes = 0;
    int64_t touched_ms = 0;
  };

  limits limits_;
  std::map<std::string, part_set> sets_;
};

/// Renders the discovery request body {"AppID":..,"AppSecret":..}.
std::string discovery_request_body(const std::string& app_id,
                                   const std::string& app_secret);

/// The parsed answer of `POST /callback/ws/endpoint`.
struct discovery_result {
  /// Platform code; only 0 carries a URL (classify others).
  int64_t code = 0;
  /// The platform's message, e.g. "system busy".
  std::string msg;
  /// The WebSocket URL; secret (contains a ticket), log it redacted.
  std::string url;
  /// ClientConfig of the answer, defaults for absent keys.
  client_config config;
};

/// Parses a discovery response body. A non-zero `code` is a result (see
/// classify_discovery); non-JSON or code 0 without `data.URL` is an error.
caf::expected<discovery_result> parse_discovery_response(std::string_view body);

/// What to do after a discovery answer (spec §6.1 code table).
enum class discovery_class { ok, retry, fatal };

/// Classifies a discovery `code`: 0 ok, 1 and 1000040343 retry, else fatal.
discovery_class classify_discovery(int64_t code);

/// The two query parameters we read from the WebSocket URL.
struct ws_url_info {
  /// Goes into the `service` field of every frame we send.
  int32_t service_id = 0;
  /// Connection id, for logs only; may be empty.
  std::string device_id;
};

/// Extracts `service_id` (required, positive int32) and `device_id`.
caf::expected<ws_url_info> parse_ws_url(std::string_view url);

/// Drops the query string and fragment of a URL for logs.
std::string redact_url(std::string_view url);

/// What to do after a failed WebSocket upgrade (spec §6.9).
enum class handshake_class { retry, fatal };

/// Classifies a failed upgrade by its Handshake-Status and
/// Handshake-Autherrcode headers (403, or 514 with 1000040350, are fatal).
handshake_class classify_handshake(std::string_view status,
                                   std::string_view autherrcode);

} // namespace loong::feishu

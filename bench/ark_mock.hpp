#pragma once

// mock_ark: a loopback stand-in for Volcengine Ark chat completions (spec
// ark-provider.md §10) with fault injection and a control API under /_mock/.
// Thread note: handlers run on I/O threads; state sits behind one mutex and
// exchanges are only called after it is released.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bench/mock_timer.hpp"
#include "bench/mock_util.hpp"
#include "bench/stream_server.hpp"

namespace loong::bench {

/// Start-up options (command line).
struct ark_options {
  uint16_t port = 0;
  /// Accepted bearer key.
  std::string key = "test-ark-key";
  /// Ids listed by GET /api/v3/models.
  std::vector<std::string> models{"doubao-seed-1-6-250615"};
  /// Delay before the response headers of every completion, ms.
  int64_t delay_ms = 0;
  /// Delay between SSE events of a stream, ms (0 = one write).
  int64_t token_delay_ms = 0;
  /// Delay before headers for the magic model "mock-slow", ms.
  int64_t slow_ms = 3000;
  /// Log every request line to stderr.
  bool log_requests = false;
};

/// One chat message as received.
struct ark_message {
  std::string role;
  std::string content;
};

/// How one completion is answered (built under the lock, run after it).
struct ark_plan {
  enum class mode { full, stream, hang } how = mode::full;
  int64_t delay_ms = 0;
  unsigned status = 200;
  header_pairs headers;
  std::string body;
  /// SSE events ("data: ...\n\n"), in order.
  std::vector<std::string> events;
  /// Write every byte as its own chunk (mock-split).
  bool byte_by_byte = false;
  /// Send the first two events, then nothing until the peer closes (mock-stall).
  bool stall = false;
  int64_t token_delay_ms = 0;
};

/// The content of one answer, rendered by the functions below (ark_responses.cpp).
struct ark_answer {
  /// Completion id (also the X-Request-Id).
  std::string id;
  std::string model;
  /// Unix seconds.
  int64_t created = 0;
  /// Content deltas; their concatenation is the answer text.
  std::vector<std::string> chunks;
  std::string finish_reason = "stop";
  int64_t prompt_tokens = 0;
};

/// Returns the deterministic answer for a conversation: `echo: <last user message>`.
std::string echo_answer(const std::vector<ark_message>& messages);
/// Splits an answer into content chunks (after spaces, at most 16 bytes, UTF-8 safe).
std::vector<std::string> split_chunks(const std::string& text);
/// Non-stream body (§4 shape).
std::string completion_body(const ark_answer& a);
/// Stream events (§5 transcript); the usage event only when `include_usage`.
std::vector<std::string> stream_events(const ark_answer& a, bool include_usage);
/// One SSE event line for a JSON value: "data: <json>\n\n".
std::string sse_event(const std::string& json);
/// The §7 error object {"error":{code,message,param,type}}.
std::string ark_error_body(const std::string& code, const std::string& message,
                           const std::string& type);
/// The §8 models list.
std::string models_body(const std::vector<std::string>& models);

/// The mock provider.
class ark_mock : public std::enable_shared_from_this<ark_mock> {
public:
  /// Creates the mock; nothing listens before start().
  ark_mock(boost::asio::io_context& io, ark_options opts);
  ~ark_mock();
  /// Binds the port; false + `err` on failure.
  bool start(std::string& err);
  /// "http://127.0.0.1:<port>".
  std::string url() const;
  /// Stops serving; idempotent.
  void stop();

private:
  /// One recorded completion request.
  struct record {
    size_t index = 0;
    std::string model;
    std::vector<ark_message> messages;
    bool stream = false, include_usage = false;
    int64_t max_tokens = 0;
    int64_t time_ms = 0;
    /// 0 = never answered (hang, stall).
    unsigned status = 0;
    /// The injected fault that answered it, "" if none.
    std::string fault;
  };
  /// "The next `remaining` requests get `kind`".
  struct fault {
    std::string kind;
    int64_t remaining = 0;
  };
  /// A pending GET /_mock/wait.
  struct waiter {
    uint64_t id = 0;
    std::string kind;
    uint64_t count = 0;
    std::shared_ptr<exchange> ex;
    std::shared_ptr<timer_handle> timer;
  };

  /// Routes one request.
  void on_request(raw_request req, std::shared_ptr<exchange> ex);
  /// Decides and records the answer to a completion.
  ark_plan plan_chat_locked(const raw_request& req, const std::string& request_id);
  /// Decides the answer to GET /models.
  ark_plan plan_models_locked(const raw_request& req, const std::string& request_id);
  /// Consumes the next injected fault: an error plan, or extra delay.
  std::optional<ark_plan> fault_plan_locked(const std::string& request_id, int64_t& delay_ms,
                                            std::string& fired);
  /// Carries out a plan (after its delay) on the exchange.
  void execute(ark_plan p, std::shared_ptr<exchange> ex);
  /// Writes event `i` and schedules the next one after token_delay_ms.
  void stream_from(std::shared_ptr<exchange> ex, std::shared_ptr<ark_plan> p, size_t i);
  /// Routes /_mock/...
  void handle_control(const raw_request& req, const target_parts& t,
                      std::shared_ptr<exchange> ex);
  /// GET stats body.
  std::string stats_json_locked() const;
  /// A counter by name, for wait.
  uint64_t count_locked(const std::string& kind) const;
  /// Collects the waiters whose count is reached, with their bodies.
  void wake_locked(std::vector<std::shared_ptr<exchange>>& ready,
                   std::vector<std::string>& bodies);

  boost::asio::io_context& io_;
  ark_options opts_;
  std::shared_ptr<stream_server> server_;

  mutable std::mutex mu_;
  std::vector<record> records_;
  std::vector<fault> faults_;
  std::vector<std::shared_ptr<exchange>> hung_;
  std::vector<waiter> waiters_;
  uint64_t requests_ = 0, models_requests_ = 0, streams_ = 0, completed_ = 0, aborted_ = 0;
  uint64_t errors_ = 0, auth_failures_ = 0, faults_fired_ = 0;
  int64_t in_flight_ = 0, max_in_flight_ = 0;
  uint64_t next_id_ = 1, next_waiter_ = 1;
  bool stopped_ = false;
};

} // namespace loong::bench

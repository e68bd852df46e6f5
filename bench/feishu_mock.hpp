#pragma once

// mock_feishu: a loopback stand-in for the Feishu/Lark Open Platform (REST,
// long connection, webhook driver) with a JSON control API under /_mock/.
// Thread note: every handler may run on any I/O thread; all state sits behind
// one mutex and net/ objects are only called after it is released.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/mock_timer.hpp"
#include "bench/mock_util.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/io_runtime.hpp"
#include "protocol/feishu_frame.hpp"

namespace loong::bench {

/// One app (bot) known to the mock.
struct feishu_app {
  std::string app_id;
  std::string app_secret;
  /// Webhook encryption + signature key; "" = plaintext webhooks.
  std::string encrypt_key;
  /// Verification token put into events (header.token).
  std::string verification_token;
  /// Bot open_id returned by /bot/v3/info; default "ou_bot_<app_id>".
  std::string bot_open_id;
  /// Bot display name used in mentions.
  std::string bot_name;
};

/// Start-up options (command line).
struct feishu_options {
  uint16_t port = 0;
  std::vector<feishu_app> apps;
  /// Lifetime of issued tenant tokens, seconds.
  int64_t token_ttl_s = 7200;
  /// ClientConfig sent by discovery and in every pong (seconds).
  feishu::client_config client;
  /// Re-push an un-ACKed event after this many ms; 0 = never (default).
  int64_t ack_timeout_ms = 0;
  /// Log every request line to stderr.
  bool log_requests = false;
  /// service_id put into discovery URLs (the spec's vector value).
  int32_t service_id = 33554678;
};

/// A mock answer: the response, optionally late or never.
struct mock_reply {
  net::server_response resp;
  int64_t delay_ms = 0;
  bool hang = false;
};

/// Returns a JSON response with the given status and body.
net::server_response json_response(unsigned status, std::string body,
                                   header_pairs extra = {});

/// Returns the Feishu error envelope {"code":code,"msg":msg}.
net::server_response feishu_error(unsigned status, int64_t code, const std::string& msg);

/// Returns the control API's error body {"ok":false,"error":msg}.
net::server_response control_error(unsigned status, const std::string& msg);

/// The "text" of a text message's content, "" for other types.
std::string message_text(const std::string& msg_type, const std::string& content);

/// The mock platform.
class feishu_mock : public std::enable_shared_from_this<feishu_mock> {
public:
  /// Creates the mock; nothing listens before start().
  feishu_mock(net::io_runtime& io, feishu_options opts);
  ~feishu_mock();

  /// Binds the port and starts serving; false + `err` on failure.
  bool start(std::string& err);
  /// "http://127.0.0.1:<port>".
  std::string url() const;
  /// Stops the server and drops every connection; idempotent.
  void stop();

private:
  /// Calls into net/ collected under the lock and run after it is released.
  using effects = std::vector<std::function<void()>>;

  /// An issued tenant token.
  struct token_entry {
    std::string app_id;
    int64_t issued_ms = 0;
    /// Monotonic deadline.
    int64_t expires_ms = 0;
    /// Set by the token_invalid fault.
    bool revoked = false;
  };
  /// A recorded send, reply, edit or reaction.
  struct message_record {
    size_t index = 0;
    std::string app_id, kind, receive_id, receive_id_type, reply_to, msg_type,
      content, uuid, message_id;
    bool reply_in_thread = false;
    int64_t time_ms = 0;
  };
  /// "The next `remaining` calls to `endpoint` (of `app_id`, "" = any app)
  /// fail with `kind`".
  struct fault_rule {
    std::string endpoint, kind, app_id;
    int64_t remaining = 0;
  };
  /// The original answer to a uuid, replayed within 1 h.
  struct dedup_entry {
    std::string body;
    int64_t time_ms = 0;
  };
  /// One pushed event (all its frames) and its ACK state.
  struct delivery {
    uint64_t id = 0;
    std::string app_id, event_id, message_id, frame_message_id, trace_id, payload;
    uint64_t seq_id = 0, log_id = 0;
    int parts = 1;
    bool reverse = false;
    /// 0 = waiting for a connection.
    uint64_t conn_id = 0;
    /// When the completing frame was sent (monotonic ms).
    int64_t sent_mono_ms = 0;
    /// The same in microseconds (load-run ACK latency).
    int64_t sent_mono_us = 0;
    bool acked = false;
    int sends = 0;
  };
  /// One ACK as received and checked.
  struct ack_record {
    size_t index = 0;
    std::string app_id, event_id, frame_message_id, biz_rt;
    uint64_t conn_id = 0, delivery_id = 0, seq_id = 0, log_id = 0;
    int code = -1;
    int64_t latency_ms = -1;
    bool valid = false, duplicate = false;
    std::vector<std::string> problems;
  };
  /// A live long connection.
  struct connection {
    uint64_t id = 0;
    std::string app_id, device_id;
    int32_t service_id = 0;
    std::shared_ptr<net::ws_session> session;
    int64_t opened_ms = 0;
    uint64_t pings = 0;
    /// POST connections/blackhole: open at TCP level, but nothing is sent on
    /// it and everything received is ignored.
    bool blackholed = false;
  };
  /// A discovery ticket, single use.
  struct ticket_entry {
    std::string app_id, device_id;
    int32_t service_id = 0;
    int64_t expires_mono_ms = 0;
  };
  /// "Refuse the next `remaining` handshakes (of one app, or any) like this".
  struct refusal {
    int64_t remaining = 0;
    unsigned http_status = 403;
    std::string handshake_status, handshake_msg, autherrcode;
  };
  /// A pending GET /_mock/wait.
  struct waiter {
    uint64_t id = 0;
    std::string kind, app_id;
    uint64_t count = 0;
    net::respond_fn respond;
    std::shared_ptr<timer_handle> timer;
  };
  /// Options of one push (control API).
  struct push_options {
    int parts = 1;
    bool duplicate = false;
    bool reverse = false;
    uint64_t conn_id = 0;
    std::optional<uint64_t> seq_id, log_id;
    std::string frame_message_id, trace_id;
  };

  /// A connection loss the mock caused (drop, close, blackhole) and when the
  /// app's next connection opened (GET /_mock/reconnects).
  struct reconnect_record {
    std::string app_id, kind;
    /// Monotonic ms of the fault and of the next open (-1 = not yet).
    int64_t fault_ms = 0, reopened_ms = -1;
    /// No discovery/handshake fault hit the app in between.
    bool clean = true;
  };

  /// One event of a load run, by inbound message_id.
  struct load_event {
    int64_t push_us = 0;
    /// Index into load_run::apps.
    uint32_t app_index = 0;
    int replies = 0;
    bool acked = false;
  };
  /// POST /_mock/load: events pushed at a fixed rate, spread over apps and
  /// chats; ACKs and replies timed against the push (monotonic µs).
  struct load_run {
    uint64_t id = 0;
    bool running = false;
    std::vector<std::string> apps;
    int64_t chats_per_app = 1;
    double rate = 0;
    int64_t total = 0, pushed = 0, acked = 0, answered = 0, duplicates = 0, apologies = 0;
    int64_t start_us = 0, last_push_us = 0, last_reply_us = 0;
    std::string text;
    /// Replies whose text starts with this count as apologies.
    std::string apology_prefix = "Sorry";
    std::unordered_map<std::string, load_event> events;
    std::vector<int64_t> e2e_us, ack_us;
    std::shared_ptr<timer_handle> timer;
  };

  // --- routing and plumbing (feishu_mock.cpp)
  /// Routes one HTTP request.
  void on_request(net::server_request req, net::respond_fn respond);
  /// Answers now, late (timer) or never (hang).
  void finish(net::respond_fn respond, mock_reply r);
  /// Runs and clears collected effects (lock released).
  void run(effects& fx);
  /// Adds `n` to counter `kind`, in total and for `app_id`.
  void bump_locked(const std::string& kind, const std::string& app_id, uint64_t n = 1);
  /// Reads a counter ("connections" = live connections).
  uint64_t count_locked(const std::string& kind, const std::string& app_id) const;
  /// Answers every waiter whose count is reached.
  void wake_locked(effects& fx);
  /// Consumes the first fault matching the endpoint and app: an early reply,
  /// or extra delay. A discovery fault also taints the app's reconnects.
  std::optional<mock_reply> take_fault_locked(const std::string& endpoint,
                                              const std::string& app_id,
                                              const std::string& token, int64_t& delay_ms);
  /// The app, or nullptr.
  const feishu_app* app_locked(const std::string& app_id) const;

  // --- OpenAPI (feishu_openapi.cpp)
  /// Routes /open-apis/... after the bearer check.
  mock_reply handle_openapi(const net::server_request& req, const target_parts& t);
  /// POST tenant_access_token/internal.
  mock_reply handle_token(const net::server_request& req);
  /// nullopt and the token's app when the bearer is valid, else the error.
  std::optional<mock_reply> check_bearer_locked(const net::server_request& req,
                                                std::string& app_id, std::string& token);
  /// Send (reply_to empty) or reply, with uuid de-duplication.
  mock_reply handle_send(const net::server_request& req, const target_parts& t,
                         const std::string& app_id, const std::string& reply_to);
  /// PUT messages/{id}.
  mock_reply handle_edit(const net::server_request& req, const std::string& app_id,
                         const std::string& message_id);
  /// POST messages/{id}/reactions.
  mock_reply handle_reaction(const net::server_request& req, const std::string& app_id,
                             const std::string& message_id);

  // --- long connection (feishu_longconn.cpp)
  /// POST /callback/ws/endpoint.
  mock_reply handle_discovery(const net::server_request& req);
  /// Accepts or refuses a WebSocket upgrade.
  net::ws_accept on_upgrade(const net::server_request& req);
  /// Registers the connection and flushes the app's pending events.
  void on_ws_open(const std::shared_ptr<net::ws_session>& s, const ticket_entry& t);
  /// Pings get pongs; data frames are ACKs.
  void on_ws_message(const std::shared_ptr<net::ws_session>& s, const std::string& data,
                     bool binary);
  /// Unregisters the connection and re-delivers its un-ACKed events.
  void on_ws_close(const std::shared_ptr<net::ws_session>& s);
  /// Matches, checks and records one ACK.
  void handle_ack_locked(connection& c, const feishu::frame& f);
  /// Creates the deliveries of one event and sends or queues them.
  std::vector<uint64_t> push_locked(const std::string& app_id, const std::string& payload,
                                    const std::string& event_id,
                                    const std::string& message_id,
                                    const push_options& po, effects& fx);
  /// Encodes and sends all frames of a delivery on `c`.
  void send_delivery_locked(delivery& d, connection& c, effects& fx);
  /// Forgets the outstanding entry of a delivery.
  void untrack_locked(const delivery& d);
  /// A connection of the app (cluster mode), or nullptr.
  connection* pick_connection_locked(const std::string& app_id, uint64_t preferred);
  /// Re-delivers the un-ACKed events of a closed connection.
  void requeue_locked(uint64_t conn_id, effects& fx);
  /// Arms the ACK-timeout sweep (when enabled).
  void schedule_ack_sweep();
  /// Re-pushes deliveries not ACKed within the timeout.
  void ack_sweep();
  /// Drops (or closes) matching connections; returns how many.
  size_t drop_connections(const std::string& app_id, uint64_t conn_id, bool graceful);
  /// Blackholes matching live connections; returns how many.
  size_t blackhole_connections_locked(const std::string& app_id, uint64_t conn_id);
  /// Starts a reconnect record for a loss of `app_id`'s connection.
  void note_loss_locked(const std::string& app_id, const std::string& kind);
  /// Marks the app's open reconnect records unclean (a bootstrap fault).
  void taint_reconnects_locked(const std::string& app_id);
  /// Completes the app's open reconnect records: a connection opened.
  void note_reopen_locked(const std::string& app_id);

  // --- control API (feishu_control.cpp, feishu_control_lists.cpp)
  /// Routes /_mock/...
  void handle_control(const net::server_request& req, const target_parts& t,
                      net::respond_fn respond);
  /// GET/POST apps.
  mock_reply control_apps(const net::server_request& req);
  /// POST push (convenience) and push_raw.
  mock_reply control_push(const net::server_request& req, bool raw);
  /// GET messages, edits, reactions, acks, deliveries.
  mock_reply control_list(const std::string& what, const target_parts& t);
  /// GET/POST/DELETE faults.
  mock_reply control_faults(const net::server_request& req);
  /// GET/POST config.
  mock_reply control_config(const net::server_request& req);
  /// GET stats.
  mock_reply control_stats();
  /// GET connections, POST connections/drop.
  mock_reply control_connections(const net::server_request& req, const target_parts& t);
  /// POST ws/refuse, ws/pings, tokens/expire.
  mock_reply control_ws(const std::string& what, const net::server_request& req);
  /// GET reconnects.
  mock_reply control_reconnects();
  /// POST reset.
  mock_reply control_reset(const net::server_request& req);
  /// GET wait: answers when a counter reaches a count, or 408.
  void control_wait(const target_parts& t, net::respond_fn respond);
  /// JSON of one recorded list, filtered by the query.
  std::string list_json_locked(const std::string& what, const target_parts& t) const;

  // --- load generator (feishu_load.cpp)
  /// POST (start or stop) and GET (report) /_mock/load.
  mock_reply control_load(const net::server_request& req);
  /// Pushes the events due by now and re-arms the tick timer.
  void load_tick(uint64_t run_id);
  /// Times the ACK of a settled delivery that belongs to the load run.
  void load_note_ack_locked(const delivery& d);
  /// Times a reply to an inbound message of the load run (and checks
  /// whether its text is an apology).
  void load_note_reply_locked(const message_record& m);
  /// The report JSON of the current (or last) load run; with `unanswered`
  /// it lists the events without a reply.
  std::string load_report_locked(bool unanswered = false) const;

  // --- webhook driver (feishu_webhook.cpp)
  /// POST webhook/deliver.
  void control_webhook(const net::server_request& req, net::respond_fn respond);

  net::io_runtime& io_;
  feishu_options opts_;
  std::shared_ptr<net::http_server> server_;
  std::shared_ptr<net::http_client> client_;  // guarded by mu_ (stop() releases it)

  mutable std::mutex mu_;
  std::map<std::string, feishu_app> apps_;
  std::unordered_map<std::string, token_entry> tokens_;
  std::map<std::string, std::string> current_token_;       // app -> token
  std::vector<message_record> messages_, edits_, reactions_;
  std::unordered_map<std::string, dedup_entry> dedup_;      // app \x1f uuid
  std::unordered_map<std::string, std::string> inbound_chats_; // om_ id -> chat_id
  std::vector<fault_rule> faults_;
  std::vector<delivery> deliveries_;                        // index = id - 1
  std::multimap<std::pair<uint64_t, uint64_t>, uint64_t> outstanding_; // (conn, seq) -> id
  std::map<std::string, std::deque<uint64_t>> pending_;     // app -> ids
  std::vector<ack_record> acks_;
  std::map<uint64_t, connection> conns_;
  std::map<std::string, std::vector<uint64_t>> app_conns_; // app -> live conn ids
  std::unordered_map<std::string, ticket_entry> tickets_;
  std::map<std::string, size_t> round_robin_;
  std::map<std::string, refusal> refusals_;                 // app ("" = any) -> rule
  std::vector<reconnect_record> reconnects_;
  std::map<std::string, std::vector<size_t>> awaiting_reopen_; // app -> reconnects_ indexes
  bool answer_pings_ = true;
  std::set<std::string> muted_apps_;
  std::map<std::string, std::map<std::string, uint64_t>> counters_;
  std::vector<waiter> waiters_;
  std::vector<net::respond_fn> hung_;
  std::shared_ptr<timer_handle> sweep_timer_;
  uint64_t next_id_ = 1;        // om_/event/frame ids
  uint64_t next_seq_ = 1;       // frame SeqID
  uint64_t next_log_ = 1700000000200000;
  uint64_t next_device_ = 7677469797122837000ull;
  uint64_t next_waiter_ = 1;
  load_run load_;
  bool stopped_ = false;
};

} // namespace loong::bench

#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace loong::config {

/// A secret after resolution. `value` is never printed; `source` is safe to
/// show ("literal", "env:ARK_API_KEY", "file:/run/secret").
struct secret {
  std::string value;
  /// Where the value came from, or where it was looked for when missing.
  std::string source;
  /// Why it is missing, e.g. "environment variable ARK_API_KEY is not set".
  std::string missing_reason;
  bool present() const { return !value.empty(); }
};

/// A validation finding: error findings stop the load, warnings do not.
struct issue {
  std::string code;
  /// Dotted key, e.g. "feishu.accounts.work.encrypt_key".
  std::string key;
  std::string message;
  /// 1-based line in the file, 0 when unknown.
  int64_t line = 0;
  bool error = true;
};

/// One configured provider profile (`[providers.<name>]`).
struct provider_config {
  std::string name;
  /// Canonical kind; the aliases of volcengine map to "volcengine".
  std::string kind = "volcengine";
  secret api_key;
  /// "auto" (discover through the models endpoint) or an explicit model id.
  std::string model = "auto";
  std::vector<std::string> preferred_models;
  std::string base_url = "https://ark.cn-beijing.volces.com";
  int64_t request_timeout_ms = 30000;
  int64_t connect_timeout_ms = 10000;
  /// Total attempts per call, first included.
  int64_t retry_max_attempts = 3;
  int64_t retry_initial_backoff_ms = 300;
  int64_t retry_max_backoff_ms = 3000;
  /// Calls in flight to this provider at most; the rest queue.
  int64_t max_concurrency = 16;
  /// Queued calls at most beyond max_concurrency; more are refused.
  int64_t max_queue = 10000;
  std::string system_prompt = "You are a helpful assistant.";
  /// History window per conversation: turns and characters.
  int64_t history_turns = 20;
  int64_t history_chars = 16000;
  /// 0 = let the provider decide.
  int64_t max_tokens = 1024;
  /// Negative = omit.
  double temperature = -1;
  /// "", "enabled", "disabled" or "auto".
  std::string thinking;
};

/// One Feishu/Lark account with every inheritable key already resolved.
struct feishu_account {
  /// Normalized configured id ("work"); for a config without accounts, the
  /// runtime identity or the `--account` value.
  std::string id;
  /// False when the top-level or the account's own `enabled` is false.
  bool enabled = false;
  /// Runtime identity (contract §2.6) and how it was derived.
  std::string runtime_id;
  std::string runtime_label;
  secret app_id;
  secret app_secret;
  secret verification_token;
  secret encrypt_key;
  /// "feishu" or "lark".
  std::string domain = "feishu";
  /// Effective open-platform base URL (override or the domain's default).
  std::string base_url;
  bool base_url_overridden = false;
  /// "websocket" or "webhook".
  std::string mode = "websocket";
  std::string receive_id_type = "chat_id";
  std::string webhook_bind = "127.0.0.1:8080";
  std::string webhook_path = "/feishu/events";
  std::vector<std::string> allowed_chat_ids;
  std::vector<std::string> allowed_sender_ids;
  bool ack_reactions = true;
  bool ignore_bot_messages = true;
  bool require_mention = false;
  /// Max age of an inbound message (create_time) before it is ignored as a
  /// stale replay; 0 disables the check.
  int64_t stale_message_ms = 30 * 60 * 1000;
  /// How long a stored answer keeps being retried before it is given up.
  int64_t delivery_deadline_ms = 24 * 3600 * 1000;
  /// Why `channels send feishu` cannot run (empty when ready).
  std::vector<issue> send_issues;
  /// Why `channels serve feishu` cannot run (empty when ready).
  std::vector<issue> serve_issues;
  /// Label used in logs and status: "<domain>=<id>", e.g. "lark=work".
  std::string selector() const { return domain + "=" + id; }
};

/// The `[feishu]` section.
struct feishu_config {
  /// Whether a `[feishu]` table exists at all.
  bool present = false;
  bool enabled = false;
  /// Whether `[feishu.accounts.*]` tables exist.
  bool named_accounts = false;
  /// Every effective account, sorted by id. Without named accounts this is
  /// the top-level block alone.
  std::vector<feishu_account> accounts;
  /// Id chosen when no `--account` is given, and why (contract §2.5):
  /// runtime_identity, explicit_default, mapped_default or fallback.
  std::string default_account;
  std::string default_source;
};

/// `[gateway]`, `[store]` and `[runtime]` settings of the host itself.
struct host_config {
  /// Control endpoint port; 0 = ephemeral.
  int64_t gateway_port = 26306;
  /// "default" or "config" (env and cli are decided by the command).
  std::string port_source = "default";
  /// SQLite file; default <home>/loong.db.
  std::string store_path;
  /// Inbound de-duplication window.
  int64_t dedupe_ttl_ms = 12 * 3600 * 1000;
  /// CAF scheduler workers and Asio I/O threads.
  int64_t actor_threads = 2;
  int64_t io_threads = 1;
};

/// The whole configuration: one immutable value built once at start-up.
struct gateway_config {
  /// File it was read from (as given, for messages) and LOONG_HOME.
  std::string path;
  std::string home;
  std::string active_provider;
  std::vector<provider_config> providers;
  feishu_config feishu;
  host_config host;
  std::vector<issue> warnings;

  /// The active provider profile, or nullptr when none is configured.
  const provider_config* provider() const;
  /// The account with this normalized id, or nullptr.
  const feishu_account* account(const std::string& id) const;
};

} // namespace loong::config

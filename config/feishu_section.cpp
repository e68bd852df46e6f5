#include "config/feishu_section.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <cpptoml.h>

#include "config/account_id.hpp"

namespace loong::config {

namespace {

const std::set<std::string> known_keys = {
  "enabled", "account_id", "default_account", "app_id", "app_secret",
  "app_id_env", "app_secret_env", "domain", "base_url", "mode",
  "receive_id_type", "webhook_bind", "webhook_path", "verification_token",
  "verification_token_env", "encrypt_key", "encrypt_key_env",
  "allowed_chat_ids", "allowed_sender_ids", "ack_reactions",
  "ignore_bot_messages", "require_mention", "acp", "accounts",
  "stale_message_ms", "delivery_deadline_ms"};

const char* secret_fields[] = {"app_id", "app_secret", "verification_token",
                               "encrypt_key"};

/// The keys one table sets; unset keys inherit from the top level.
struct layer {
  scope at;
  std::optional<bool> enabled;
  std::optional<std::string> account_id, domain, base_url, mode,
    receive_id_type, webhook_bind, webhook_path;
  std::map<std::string, secret_ref> secrets;
  std::map<std::string, std::string> pointers;
  std::optional<std::vector<std::string>> allowed_chat_ids, allowed_sender_ids;
  std::optional<bool> ack_reactions, ignore_bot_messages, require_mention;
  std::optional<int64_t> stale_message_ms, delivery_deadline_ms;
};

bool valid_bind(const std::string& bind) {
  auto colon = bind.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= bind.size())
    return false;
  auto port = bind.substr(colon + 1);
  if (!std::all_of(port.begin(), port.end(), ::isdigit) || port.size() > 5)
    return false;
  return std::stol(port) <= 65535;
}

layer read_layer(toml_reader& r, const toml_reader::table_ptr& t,
                 const scope& at) {
  layer l;
  l.at = at;
  for (auto& k : toml_reader::keys(t))
    if (!known_keys.count(k))
      r.warn("config.unknown_key", at, k, "is not a known key (ignored)");
  l.enabled = r.boolean(t, at, "enabled");
  l.account_id = r.string(t, at, "account_id");
  if ((l.domain = r.string(t, at, "domain"))) {
    if (*l.domain != "feishu" && *l.domain != "lark") {
      r.error("config.feishu.domain", at, "domain",
              "must be \"feishu\" or \"lark\"");
      l.domain.reset();
    }
  }
  if ((l.base_url = r.string(t, at, "base_url"))) {
    auto& u = *l.base_url;
    while (!u.empty() && u.back() == '/')
      u.pop_back();
    if (!u.empty() && u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0) {
      r.error("config.feishu.base_url", at, "base_url",
              "must start with https:// (or http:// for a local mock)");
      l.base_url.reset();
    }
  }
  if ((l.mode = r.string(t, at, "mode"))) {
    if (*l.mode != "websocket" && *l.mode != "webhook") {
      r.error("config.feishu.mode", at, "mode",
              "must be \"websocket\" or \"webhook\"");
      l.mode.reset();
    }
  }
  if ((l.receive_id_type = r.string(t, at, "receive_id_type"))) {
    static const std::set<std::string> types
      = {"open_id", "user_id", "union_id", "email", "chat_id"};
    if (!types.count(*l.receive_id_type)) {
      r.error("config.feishu.receive_id_type", at, "receive_id_type",
              "must be one of open_id, user_id, union_id, email, chat_id");
      l.receive_id_type.reset();
    }
  }
  if ((l.webhook_bind = r.string(t, at, "webhook_bind"))) {
    if (!valid_bind(*l.webhook_bind)) {
      r.error("config.feishu.webhook_bind", at, "webhook_bind",
              "must be HOST:PORT, e.g. 127.0.0.1:8080");
      l.webhook_bind.reset();
    }
  }
  l.webhook_path = r.string(t, at, "webhook_path");
  for (auto f : secret_fields) {
    l.secrets[f] = r.secret_field(t, at, f);
    l.pointers[f] = r.env_pointer(t, at, std::string{f} + "_env");
  }
  l.allowed_chat_ids = r.strings(t, at, "allowed_chat_ids");
  l.allowed_sender_ids = r.strings(t, at, "allowed_sender_ids");
  l.ack_reactions = r.boolean(t, at, "ack_reactions");
  l.ignore_bot_messages = r.boolean(t, at, "ignore_bot_messages");
  l.require_mention = r.boolean(t, at, "require_mention");
  l.stale_message_ms = r.integer(t, at, "stale_message_ms", 0,
                                 30LL * 24 * 3600 * 1000);
  l.delivery_deadline_ms = r.integer(t, at, "delivery_deadline_ms", 1000,
                                     30LL * 24 * 3600 * 1000);
  return l;
}

template <class T>
T pick(const std::optional<T>& own, const std::optional<T>& top, T fallback) {
  return own ? *own : top ? *top : fallback;
}

std::string default_base_url(const std::string& domain) {
  return domain == "lark" ? "https://open.larksuite.com"
                          : "https://open.feishu.cn";
}

// Adds a readiness finding at the key's line (or its pointer's, or the
// account table's) so the operator is sent to the right place.
void add_issue(toml_reader& r, std::vector<issue>& out, const layer& own,
               const layer* top, const std::string& key,
               const std::string& message) {
  issue x;
  x.code = "config.feishu." + key;
  x.key = own.at.sub(key).shown;
  x.message = x.key + ": " + message;
  for (auto l : {&own, top}) {
    for (auto k : {key, key + "_env"}) {
      if (l && x.line == 0 && r.line(l->at, k) > r.line(l->at))
        x.line = r.line(l->at, k);
    }
  }
  if (x.line == 0)
    x.line = r.line(own.at);
  out.push_back(x);
}

feishu_account merge(toml_reader& r, const layer& own, const layer* top,
                     bool top_enabled) {
  feishu_account a;
  // The account's own switch can only narrow the top-level one.
  a.enabled = top_enabled && (top == nullptr || own.enabled.value_or(true));
  auto t = top ? *top : layer{};
  a.domain = pick(own.domain, t.domain, std::string{"feishu"});
  auto base = pick(own.base_url, t.base_url, std::string{});
  a.base_url_overridden = !base.empty();
  a.base_url = base.empty() ? default_base_url(a.domain) : base;
  a.mode = pick(own.mode, t.mode, std::string{"websocket"});
  a.receive_id_type = pick(own.receive_id_type, t.receive_id_type,
                           std::string{"chat_id"});
  a.webhook_bind = pick(own.webhook_bind, t.webhook_bind,
                        std::string{"127.0.0.1:8080"});
  auto path = pick(own.webhook_path, t.webhook_path, std::string{});
  if (path.empty())
    path = "/feishu/events";
  if (path[0] != '/')
    path = "/" + path;
  a.webhook_path = path;
  a.allowed_chat_ids = pick(own.allowed_chat_ids, t.allowed_chat_ids, {});
  a.allowed_sender_ids = pick(own.allowed_sender_ids, t.allowed_sender_ids, {});
  a.ack_reactions = pick(own.ack_reactions, t.ack_reactions, true);
  a.ignore_bot_messages = pick(own.ignore_bot_messages, t.ignore_bot_messages,
                               true);
  a.require_mention = pick(own.require_mention, t.require_mention, false);
  a.stale_message_ms = pick(own.stale_message_ms, t.stale_message_ms,
                            int64_t{30 * 60 * 1000});
  a.delivery_deadline_ms = pick(own.delivery_deadline_ms, t.delivery_deadline_ms,
                                int64_t{24 * 3600 * 1000});
  auto resolve = [&](const char* f) {
    auto ref = own.secrets.at(f);
    auto ptr = own.pointers.at(f);
    if (ref.what == secret_ref::kind::absent && top)
      ref = top->secrets.at(f);
    if (ptr.empty() && top)
      ptr = top->pointers.at(f);
    return r.resolve(ref, ptr);
  };
  a.app_id = resolve("app_id");
  a.app_secret = resolve("app_secret");
  a.verification_token = resolve("verification_token");
  a.encrypt_key = resolve("encrypt_key");
  // Runtime identity (contract §2.6).
  auto account_id = pick(own.account_id, t.account_id, std::string{});
  if (has_alnum(account_id)) {
    a.runtime_id = normalize_account_id(account_id);
    a.runtime_label = a.runtime_id;
  } else if (a.app_id.present()) {
    a.runtime_id = a.domain + "_" + normalize_account_id(a.app_id.value);
    a.runtime_label = a.domain + ":" + a.app_id.value;
  } else {
    a.runtime_id = a.runtime_label = "default";
  }
  // Readiness: what `send` and `serve` would refuse (contract §1.4, §2.7).
  auto missing = [](const secret& s, const char* name) {
    std::string m = std::string{name} + " is missing";
    if (!s.missing_reason.empty() && s.missing_reason != "not configured")
      m += ": " + s.missing_reason;
    return m;
  };
  std::vector<issue> common;
  if (!a.enabled)
    add_issue(r, common, own, top, "enabled",
              "account is disabled by configuration");
  if (!a.app_id.present())
    add_issue(r, common, own, top, "app_id", missing(a.app_id, "app_id"));
  if (!a.app_secret.present())
    add_issue(r, common, own, top, "app_secret",
              missing(a.app_secret, "app_secret"));
  a.send_issues = common;
  a.serve_issues = common;
  if (a.allowed_chat_ids.empty())
    add_issue(r, a.serve_issues, own, top, "allowed_chat_ids",
              "allowed_chat_ids is empty: at least one trusted chat id (or "
              "\"*\") must be configured");
  if (a.mode == "webhook") {
    if (!a.verification_token.present())
      add_issue(r, a.serve_issues, own, top, "verification_token",
                missing(a.verification_token, "verification_token")
                  + " (webhook mode needs it; set verification_token or "
                    "verification_token_env)");
    if (!a.encrypt_key.present())
      add_issue(r, a.serve_issues, own, top, "encrypt_key",
                missing(a.encrypt_key, "encrypt_key")
                  + " (webhook mode needs it; set encrypt_key or "
                    "encrypt_key_env)");
  }
  return a;
}

} // namespace

void read_feishu(toml_reader& r, feishu_config& out) {
  auto t = r.table("feishu");
  if (!t)
    return;
  out.present = true;
  scope at{"feishu", "feishu"};
  auto top = read_layer(r, t, at);
  out.enabled = top.enabled.value_or(false);
  auto accounts = r.table(t, at, "accounts");
  auto default_raw = r.string(t, at, "default_account");
  std::map<std::string, std::string> seen; // normalized -> as written
  for (auto& raw : toml_reader::keys(accounts)) {
    auto id = normalize_account_id(raw);
    auto acc_scope = at.sub("accounts").sub(id, raw);
    if (auto prev = seen.find(id); prev != seen.end()) {
      r.error("config.channel_account.duplicate_id", at, "accounts",
              "accounts \"" + prev->second + "\" and \"" + raw
                + "\" both normalize to \"" + id + "\"");
      continue;
    }
    seen.emplace(id, raw);
    auto tbl = r.table(accounts, at.sub("accounts"), raw);
    if (!tbl)
      continue;
    auto own = read_layer(r, tbl, acc_scope);
    auto a = merge(r, own, &top, out.enabled);
    a.id = id;
    out.accounts.push_back(std::move(a));
  }
  out.named_accounts = !out.accounts.empty();
  if (!out.named_accounts) {
    auto a = merge(r, top, nullptr, out.enabled);
    a.id = a.runtime_id;
    out.accounts.push_back(std::move(a));
    out.default_account = out.accounts.front().id;
    out.default_source = "runtime_identity";
    return;
  }
  std::sort(out.accounts.begin(), out.accounts.end(),
            [](auto& x, auto& y) { return x.id < y.id; });
  std::string ids;
  for (auto& a : out.accounts)
    ids += (ids.empty() ? "" : ", ") + a.id;
  if (default_raw && !default_raw->empty()) {
    auto want = normalize_account_id(*default_raw);
    if (seen.count(want)) {
      out.default_account = want;
      out.default_source = "explicit_default";
      return;
    }
    r.error("config.channel_account.unknown_default", at, "default_account",
            "names account \"" + want + "\", which is not configured "
            "(configured: " + ids + ")");
  }
  if (seen.count("default")) {
    out.default_account = "default";
    out.default_source = "mapped_default";
    return;
  }
  out.default_account = out.accounts.front().id;
  out.default_source = "fallback";
}

} // namespace loong::config

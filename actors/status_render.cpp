#include "actors/status_render.hpp"

#include "actors/runtime.hpp"

#include <algorithm>
#include <functional>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace loong {

namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(writer& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

void num(writer& w, const char* key, int64_t v) {
  w.Key(key);
  w.Int64(v);
}

void opt_str(writer& w, const char* key, const std::string& v) {
  w.Key(key);
  if (v.empty())
    w.Null();
  else
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

void histogram(writer& w, const char* key, const latency_histogram& h) {
  w.Key(key);
  w.StartObject();
  num(w, "count", h.total);
  num(w, "sum_ms", h.sum_ms);
  w.Key("buckets");
  w.StartArray();
  auto& b = latency_bounds_ms();
  int64_t cum = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cum += h.counts[i];
    w.StartObject();
    w.Key("le_ms");
    if (i < b.size())
      w.Int64(b[i]);
    else
      w.String("+Inf");
    num(w, "count", cum);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void account(writer& w, const account_status& a) {
  w.StartObject();
  str(w, "account", a.account);
  str(w, "selector", a.selector);
  str(w, "channel", a.channel);
  str(w, "domain", a.domain);
  str(w, "mode", a.mode);
  str(w, "state", a.state);
  w.Key("transport");
  w.StartObject();
  str(w, "kind", a.transport.kind);
  str(w, "state", a.transport.state);
  w.Key("connected_since_ms");
  if (a.transport.connected_since_ms > 0)
    w.Int64(a.transport.connected_since_ms);
  else
    w.Null();
  num(w, "reconnects", a.transport.reconnects);
  num(w, "received", a.transport.received);
  num(w, "rejected", a.transport.rejected);
  opt_str(w, "last_error", a.transport.last_error);
  w.Key("disconnected_since_ms");
  if (a.transport.disconnected_since_ms > 0)
    w.Int64(a.transport.disconnected_since_ms);
  else
    w.Null();
  num(w, "disconnected_total_ms", disconnected_total_ms(a.transport));
  opt_str(w, "last_disconnect_reason", a.transport.last_disconnect_reason);
  w.EndObject();
  num(w, "restarts", a.restarts);
  num(w, "started_at_ms", a.started_at_ms);
  num(w, "events_in", a.events_in);
  num(w, "duplicates", a.duplicates);
  num(w, "ignored", a.ignored);
  num(w, "replies_out", a.replies_out);
  num(w, "reply_failures", a.reply_failures);
  num(w, "provider_errors", a.provider_errors);
  num(w, "active_chats", a.active_chats);
  num(w, "in_flight", a.in_flight);
  histogram(w, "reply_latency", a.reply_latency);
  num(w, "stale_skipped", a.stale_skipped);
  num(w, "poisoned", a.poisoned);
  w.Key("outbox");
  w.StartObject();
  num(w, "pending", a.outbox.pending);
  num(w, "oldest_age_ms", a.outbox.oldest_age_ms);
  num(w, "retrying", a.outbox.retrying);
  num(w, "retries", a.outbox.retries);
  num(w, "failed", a.outbox.failed);
  w.EndObject();
  opt_str(w, "last_error", a.last_error);
  w.EndObject();
}

std::string escape_label(const std::string& v) {
  std::string out;
  for (auto c : v) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void counter(std::string& out, const char* name, const char* help,
             const char* type) {
  out += std::string{"# HELP "} + name + " " + help + "\n# TYPE " + name + " "
         + type + "\n";
}

void histogram_text(std::string& out, const std::string& name,
                    const std::string& labels, const latency_histogram& h) {
  auto& b = latency_bounds_ms();
  int64_t cum = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cum += h.counts[i];
    auto le = i < b.size() ? std::to_string(static_cast<double>(b[i]) / 1000.0)
                           : std::string{"+Inf"};
    out += name + "_bucket{" + labels + (labels.empty() ? "" : ",") + "le=\"" + le
           + "\"} " + std::to_string(cum) + "\n";
  }
  out += name + "_sum{" + labels + "} " + std::to_string(static_cast<double>(h.sum_ms) / 1000.0) + "\n";
  out += name + "_count{" + labels + "} " + std::to_string(h.total) + "\n";
}

} // namespace

int64_t disconnected_total_ms(const transport_status& t) {
  auto total = t.disconnected_total_ms;
  if (t.disconnected_since_ms > 0)
    total += std::max<int64_t>(wall_clock_ms() - t.disconnected_since_ms, 0);
  return total;
}

std::string snapshot_json(const gateway_snapshot& x) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  str(w, "phase", x.phase);
  w.Key("accounts");
  w.StartArray();
  for (auto& a : x.accounts)
    account(w, a);
  w.EndArray();
  w.Key("provider");
  w.StartObject();
  str(w, "name", x.provider.name);
  str(w, "kind", x.provider.kind);
  str(w, "model", x.provider.model);
  num(w, "calls", x.provider.calls);
  num(w, "errors", x.provider.errors);
  num(w, "retries", x.provider.retries);
  num(w, "in_flight", x.provider.in_flight);
  num(w, "queued", x.provider.queued);
  num(w, "max_concurrency", x.provider.max_concurrency);
  histogram(w, "latency", x.provider.latency);
  w.Key("last_error");
  if (x.provider.last_error.empty())
    w.Null();
  else
    w.String(x.provider.last_error.c_str());
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

std::string metrics_text(const gateway_snapshot& x) {
  std::string out;
  struct metric {
    const char* name;
    const char* help;
    int64_t account_status::*field;
  };
  const metric metrics[] = {
    {"loong_events_total", "Inbound events accepted (journaled).", &account_status::events_in},
    {"loong_duplicates_total", "Inbound events recognised as duplicates.", &account_status::duplicates},
    {"loong_ignored_total", "Events dropped by the trust boundary.", &account_status::ignored},
    {"loong_replies_total", "Replies accepted by the platform.", &account_status::replies_out},
    {"loong_reply_failures_total", "Replies that failed after retries.", &account_status::reply_failures},
    {"loong_provider_errors_total", "Turns answered with an apology.", &account_status::provider_errors},
    {"loong_restarts_total", "Restarts of the account subtree.", &account_status::restarts},
    {"loong_in_flight", "Messages being processed.", &account_status::in_flight},
  };
  for (auto& m : metrics) {
    counter(out, m.name, m.help, std::string{m.name}.find("_total") != std::string::npos ? "counter" : "gauge");
    for (auto& a : x.accounts)
      out += std::string{m.name} + "{account=\"" + escape_label(a.selector) + "\"} "
             + std::to_string(a.*(m.field)) + "\n";
  }
  struct account_metric {
    const char* name;
    const char* help;
    const char* type;
    std::function<std::string(const account_status&)> value;
  };
  auto seconds = [](int64_t ms) { return std::to_string(static_cast<double>(ms) / 1000.0); };
  const account_metric more[] = {
    {"loong_reconnects_total", "Transport reconnects.", "counter",
     [](const account_status& a) { return std::to_string(a.transport.reconnects); }},
    {"loong_transport_disconnected_seconds_total",
     "Time the transport spent without a connection, the current outage included.",
     "counter",
     [&](const account_status& a) { return seconds(disconnected_total_ms(a.transport)); }},
    {"loong_outbox_pending", "Stored answers waiting for the platform to accept them.",
     "gauge", [](const account_status& a) { return std::to_string(a.outbox.pending); }},
    {"loong_outbox_retrying", "Pending answers past their first failed attempt.", "gauge",
     [](const account_status& a) { return std::to_string(a.outbox.retrying); }},
    {"loong_outbox_oldest_age_seconds", "Age of the oldest pending answer.", "gauge",
     [&](const account_status& a) { return seconds(a.outbox.oldest_age_ms); }},
    {"loong_outbox_retries_total", "Delivery attempts that failed and were rescheduled.",
     "counter", [](const account_status& a) { return std::to_string(a.outbox.retries); }},
    {"loong_outbox_failed_total", "Answers given up (deadline or rejected for good).",
     "counter", [](const account_status& a) { return std::to_string(a.outbox.failed); }},
    {"loong_stale_skipped_total", "Journaled messages too old to answer on replay.",
     "counter", [](const account_status& a) { return std::to_string(a.stale_skipped); }},
    {"loong_poisoned_total", "Messages given up after crashing their handler.", "counter",
     [](const account_status& a) { return std::to_string(a.poisoned); }},
  };
  for (auto& m : more) {
    counter(out, m.name, m.help, m.type);
    for (auto& a : x.accounts)
      out += std::string{m.name} + "{account=\"" + escape_label(a.selector) + "\"} "
             + m.value(a) + "\n";
  }
  counter(out, "loong_transport_up", "1 when the account's transport is connected or listening.", "gauge");
  for (auto& a : x.accounts) {
    auto up = a.transport.state == "connected" || a.transport.state == "listening";
    out += "loong_transport_up{account=\"" + escape_label(a.selector) + "\"} "
           + (up ? "1" : "0") + "\n";
  }
  counter(out, "loong_reply_latency_seconds", "Receipt of an event to reply accepted.", "histogram");
  for (auto& a : x.accounts)
    histogram_text(out, "loong_reply_latency_seconds",
                   "account=\"" + escape_label(a.selector) + "\"", a.reply_latency);
  auto p = "provider=\"" + escape_label(x.provider.name) + "\"";
  counter(out, "loong_provider_calls_total", "Provider calls.", "counter");
  out += "loong_provider_calls_total{" + p + "} " + std::to_string(x.provider.calls) + "\n";
  counter(out, "loong_provider_call_errors_total", "Provider calls that failed.", "counter");
  out += "loong_provider_call_errors_total{" + p + "} " + std::to_string(x.provider.errors) + "\n";
  counter(out, "loong_provider_retries_total", "Provider retries.", "counter");
  out += "loong_provider_retries_total{" + p + "} " + std::to_string(x.provider.retries) + "\n";
  counter(out, "loong_provider_in_flight", "Provider calls in flight.", "gauge");
  out += "loong_provider_in_flight{" + p + "} " + std::to_string(x.provider.in_flight) + "\n";
  counter(out, "loong_provider_latency_seconds", "Provider call latency.", "histogram");
  histogram_text(out, "loong_provider_latency_seconds", p, x.provider.latency);
  return out;
}

} // namespace loong

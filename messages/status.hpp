#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/delivery.hpp"

namespace loong {

/// Upper bounds (ms) of the latency histogram buckets; a last bucket counts
/// everything above the final bound.
inline const std::vector<int64_t>& latency_bounds_ms() {
  static const std::vector<int64_t> bounds
    = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};
  return bounds;
}

/// A cumulative-free histogram: counts per bucket of latency_bounds_ms().
struct latency_histogram {
  std::vector<int64_t> counts = std::vector<int64_t>(15, 0);
  int64_t sum_ms = 0;
  int64_t total = 0;
  void add(int64_t ms) {
    auto& b = latency_bounds_ms();
    size_t i = 0;
    while (i < b.size() && ms > b[i])
      ++i;
    ++counts[i];
    sum_ms += ms;
    ++total;
  }
  void merge(const latency_histogram& x) {
    for (size_t i = 0; i < counts.size() && i < x.counts.size(); ++i)
      counts[i] += x.counts[i];
    sum_ms += x.sum_ms;
    total += x.total;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, latency_histogram& x) {
  return f(caf::meta::type_name("loong::latency_histogram"), x.counts,
           x.sum_ms, x.total);
}

/// State of an account's inbound transport.
struct transport_status {
  /// "websocket" or "webhook".
  std::string kind;
  /// connecting, connected, backoff, failed (websocket); listening,
  /// stopped (webhook); draining.
  std::string state = "starting";
  /// Unix ms of the current connection (0 when not connected).
  int64_t connected_since_ms = 0;
  /// Reconnects since the account started.
  int64_t reconnects = 0;
  /// Inbound frames/requests accepted, and rejected (bad signature, ...).
  int64_t received = 0;
  int64_t rejected = 0;
  std::string last_error;
  /// Unix ms since the transport has been without a connection (0 while
  /// connected), and the total time it spent so since the account started.
  int64_t disconnected_since_ms = 0;
  int64_t disconnected_total_ms = 0;
  /// Why the last connection that was up ended ("" when none ended yet).
  std::string last_disconnect_reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transport_status& x) {
  return f(caf::meta::type_name("loong::transport_status"), x.kind, x.state,
           x.connected_since_ms, x.reconnects, x.received, x.rejected,
           x.last_error, x.disconnected_since_ms, x.disconnected_total_ms,
           x.last_disconnect_reason);
}

/// Everything status and metrics report about one account.
struct account_status {
  /// Configured id and "<domain>=<id>" label.
  std::string account;
  std::string selector;
  std::string channel = "feishu";
  std::string domain;
  std::string mode;
  /// starting, running, restarting, failed, stopped.
  std::string state = "starting";
  transport_status transport;
  /// Restarts of the account subtree, and when it last started (Unix ms).
  int64_t restarts = 0;
  int64_t started_at_ms = 0;
  int64_t events_in = 0;
  int64_t duplicates = 0;
  int64_t ignored = 0;
  int64_t replies_out = 0;
  int64_t reply_failures = 0;
  int64_t provider_errors = 0;
  /// Conversations (chats) with a live actor.
  int64_t active_chats = 0;
  /// Messages dispatched to conversations and not finished yet.
  int64_t in_flight = 0;
  /// Push (platform receipt) to reply accepted, per message.
  latency_histogram reply_latency;
  std::string last_error;
  /// Journaled messages not answered because they were too old on replay.
  int64_t stale_skipped = 0;
  /// Messages given up after crashing their handler (poison cap).
  int64_t poisoned = 0;
  /// Answers waiting for delivery.
  outbox_status outbox;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, account_status& x) {
  return f(caf::meta::type_name("loong::account_status"), x.account,
           x.selector, x.channel, x.domain, x.mode, x.state, x.transport,
           x.restarts, x.started_at_ms, x.events_in, x.duplicates, x.ignored,
           x.replies_out, x.reply_failures, x.provider_errors, x.active_chats,
           x.in_flight, x.reply_latency, x.last_error, x.stale_skipped,
           x.poisoned, x.outbox);
}

/// Provider pool counters.
struct provider_status {
  std::string name;
  std::string kind;
  /// Configured model ("auto" until resolved) and the one in use.
  std::string model;
  int64_t calls = 0;
  int64_t errors = 0;
  int64_t retries = 0;
  int64_t in_flight = 0;
  int64_t queued = 0;
  int64_t max_concurrency = 0;
  latency_histogram latency;
  std::string last_error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, provider_status& x) {
  return f(caf::meta::type_name("loong::provider_status"), x.name, x.kind,
           x.model, x.calls, x.errors, x.retries, x.in_flight, x.queued,
           x.max_concurrency, x.latency, x.last_error);
}

/// The owner's live view: accounts and provider.
struct gateway_snapshot {
  std::vector<account_status> accounts;
  provider_status provider;
  /// starting, running, stopping.
  std::string phase;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gateway_snapshot& x) {
  return f(caf::meta::type_name("loong::gateway_snapshot"), x.accounts,
           x.provider, x.phase);
}

} // namespace loong

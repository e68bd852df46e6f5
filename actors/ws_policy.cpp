#include "actors/ws_policy.hpp"

#include <algorithm>
#include <cctype>

namespace loong {

ws_reconnect_policy::ws_reconnect_policy(reconnect_options opts,
                                         std::function<double()> random_unit)
  : opts_(opts), random_unit_(std::move(random_unit)) {
  opts_.base_ms = std::max<int64_t>(opts_.base_ms, 1);
  opts_.cap_ms = std::max(opts_.cap_ms, opts_.base_ms);
  opts_.floor_ms = std::clamp<int64_t>(opts_.floor_ms, 0, opts_.base_ms);
  opts_.fatal_retry_ms = std::max<int64_t>(opts_.fatal_retry_ms, 1);
}

int64_t ws_reconnect_policy::jitter(int64_t lo, int64_t hi) {
  if (hi <= lo || !random_unit_)
    return lo;
  auto u = std::clamp(random_unit_(), 0.0, 1.0);
  return lo + std::min<int64_t>(static_cast<int64_t>(u * static_cast<double>(hi - lo)),
                                hi - lo - 1);
}

int64_t ws_reconnect_policy::connection_lost(int64_t up_ms) {
  slow_ = false;
  if (up_ms >= opts_.stable_ms)
    failures_ = 0;
  return jitter(0, std::max<int64_t>(opts_.first_window_ms, 0));
}

ws_retry ws_reconnect_policy::attempt_failed(bool fatal) {
  ++failures_;
  ws_retry r;
  if (fatal) {
    slow_ = true;
    r.slow = true;
    r.delay_ms = opts_.fatal_retry_ms;
    return r;
  }
  slow_ = false;
  // base * 2^(n-1), without overflow for long outages.
  int64_t ceiling = opts_.base_ms;
  for (int i = 1; i < failures_ && ceiling < opts_.cap_ms; ++i)
    ceiling *= 2;
  ceiling = std::min(ceiling, opts_.cap_ms);
  r.delay_ms = jitter(opts_.floor_ms, ceiling + 1);
  return r;
}

void ws_reconnect_policy::connected() {
  slow_ = false;
}

int64_t encode_tick(ws_timer kind, int64_t token) {
  return token * ws_timer_slots + static_cast<int64_t>(kind);
}

int64_t tick_kind(int64_t payload) {
  if (payload <= 0)
    return 0;
  return payload % ws_timer_slots;
}

int64_t tick_token(int64_t payload) {
  return payload <= 0 ? 0 : payload / ws_timer_slots;
}

std::string scrub_query(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool skipping = false;
  for (char c : text) {
    if (skipping) {
      if (std::isspace(static_cast<unsigned char>(c)) == 0)
        continue;
      skipping = false;
    } else if (c == '?') {
      out += "?<redacted>";
      skipping = true;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

} // namespace loong

#include "actors/ws_policy.hpp"

#include <algorithm>
#include <cctype>

namespace loong {

ws_reconnect_policy::ws_reconnect_policy(int64_t slow_retry_ms,
                                         int64_t min_interval_ms,
                                         std::function<double()> random_unit)
  : slow_retry_ms_(std::max<int64_t>(slow_retry_ms, 1)),
    min_interval_ms_(std::max<int64_t>(min_interval_ms, 0)),
    random_unit_(std::move(random_unit)) {
}

int64_t ws_reconnect_policy::connection_lost(const feishu::client_config& cfg) {
  attempts_ = 0;
  slow_ = false;
  auto nonce_ms = static_cast<int64_t>(std::max(cfg.reconnect_nonce_s, 0)) * 1000;
  if (nonce_ms == 0 || !random_unit_)
    return 0;
  auto u = std::clamp(random_unit_(), 0.0, 1.0);
  // Uniform in [0, nonce): a unit value of exactly 1 must not reach it.
  return std::min<int64_t>(static_cast<int64_t>(u * static_cast<double>(nonce_ms)),
                           nonce_ms - 1);
}

ws_retry ws_reconnect_policy::attempt_failed(const feishu::client_config& cfg,
                                             bool fatal) {
  ++attempts_;
  ws_retry r;
  if (!fatal && !slow_ && cfg.reconnect_count >= 0
      && attempts_ >= cfg.reconnect_count)
    r.exhausted = true;
  // Spec §6.8 step 3/4: stop the fast loop; the gateway keeps a slow one.
  if (fatal || slow_ || r.exhausted) {
    slow_ = true;
    r.slow = true;
    r.delay_ms = slow_retry_ms_;
    return r;
  }
  auto interval = static_cast<int64_t>(std::max(cfg.reconnect_interval_s, 0)) * 1000;
  r.delay_ms = std::max(interval, min_interval_ms_);
  return r;
}

void ws_reconnect_policy::connected() {
  attempts_ = 0;
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

#include "actors/outbox_schedule.hpp"

#include <algorithm>
#include <array>

#include <caf/atom.hpp>
#include <caf/error.hpp>

#include "messages/errors.hpp"

namespace loong {

int64_t delivery_backoff_ms(int32_t failed) {
  static constexpr std::array<int64_t, 6> steps{1000,   5000,   30000,
                                                120000, 600000, 1800000};
  auto i = static_cast<size_t>(std::clamp<int32_t>(failed, 1, steps.size()) - 1);
  return steps[i];
}

delivery_retry plan_delivery_retry(int32_t failed, int64_t answered_ms,
                                   int64_t now_ms, int64_t deadline_ms,
                                   double unit, double scale) {
  delivery_retry r;
  auto deadline = answered_ms + std::max<int64_t>(deadline_ms, 0);
  if (now_ms >= deadline) {
    r.give_up = true;
    return r;
  }
  auto base = static_cast<double>(delivery_backoff_ms(failed)) * std::max(scale, 0.0);
  auto jittered = static_cast<int64_t>(base * (0.9 + 0.2 * std::clamp(unit, 0.0, 1.0)));
  r.delay_ms = std::max<int64_t>(1, std::min(jittered, deadline - now_ms));
  return r;
}

bool delivery_failure_is_final(const caf::error& err) {
  if (!err || err.category() != caf::atom("loong"))
    return false;
  switch (static_cast<ec>(err.code())) {
    case ec::invalid_argument:
    case ec::not_found:
    case ec::permission_denied:
    case ec::platform_error:
      return true;
    default:
      return false;
  }
}

} // namespace loong

// The outbox's retry schedule, the final-failure rule and the apology
// kinds, without actors.

#include <catch2/catch.hpp>

#include "actors/conversation.hpp"
#include "actors/outbox_schedule.hpp"
#include "messages/errors.hpp"

using namespace loong;

TEST_CASE("delivery backoff: 1 s, 5 s, 30 s, 2 min, 10 min, then every 30 min",
          "[outbox]") {
  CHECK(delivery_backoff_ms(1) == 1000);
  CHECK(delivery_backoff_ms(2) == 5000);
  CHECK(delivery_backoff_ms(3) == 30000);
  CHECK(delivery_backoff_ms(4) == 120000);
  CHECK(delivery_backoff_ms(5) == 600000);
  for (int n = 6; n < 60; ++n)
    CHECK(delivery_backoff_ms(n) == 1800000);
}

TEST_CASE("a retry is jittered by 10 % and never passes the deadline", "[outbox]") {
  int64_t t0 = 1'000'000;
  auto day = default_delivery_deadline_ms;
  CHECK(plan_delivery_retry(1, t0, t0, day, 0.0).delay_ms == 900);
  CHECK(plan_delivery_retry(1, t0, t0, day, 0.5).delay_ms == 1000);
  CHECK(plan_delivery_retry(1, t0, t0, day, 0.999).delay_ms <= 1100);
  // Near the deadline the wait is cut: the last attempt falls on it.
  auto late = plan_delivery_retry(7, t0, t0 + day - 5000, day, 0.5);
  CHECK_FALSE(late.give_up);
  CHECK(late.delay_ms == 5000);
  CHECK(plan_delivery_retry(8, t0, t0 + day, day, 0.5).give_up);
  CHECK(plan_delivery_retry(8, t0, t0 + day + 1, day, 0.5).give_up);
  // The whole schedule over 24 h: 5 quick steps, then one try per 30 min.
  int64_t now = t0;
  int attempts = 1;
  for (int32_t failed = 1;; ++failed) {
    auto r = plan_delivery_retry(failed, t0, now, day, 0.5);
    if (r.give_up)
      break;
    now += r.delay_ms;
    ++attempts;
  }
  CHECK(now == t0 + day);
  CHECK(attempts >= 50);
  CHECK(attempts <= 55);
}

TEST_CASE("a scaled schedule keeps the deadline", "[outbox]") {
  auto r = plan_delivery_retry(1, 0, 0, 1000, 0.5, 0.01);
  CHECK(r.delay_ms == 10);
}

TEST_CASE("only rejections of the reply itself are final", "[outbox]") {
  CHECK(delivery_failure_is_final(caf::make_error(ec::permission_denied, "x")));
  CHECK(delivery_failure_is_final(caf::make_error(ec::not_found, "x")));
  CHECK(delivery_failure_is_final(caf::make_error(ec::platform_error, "x")));
  CHECK(delivery_failure_is_final(caf::make_error(ec::invalid_argument, "x")));
  for (auto c : {ec::rate_limited, ec::server_error, ec::timeout, ec::transport_failed,
                 ec::token_invalid, ec::overloaded, ec::shutting_down})
    CHECK_FALSE(delivery_failure_is_final(caf::make_error(c, "x")));
  CHECK_FALSE(delivery_failure_is_final(caf::make_error(caf::sec::request_timeout)));
}

TEST_CASE("apologies name the kind of failure and nothing internal", "[outbox]") {
  auto rate = apology_for(caf::make_error(ec::rate_limited, "HTTP 429 secret detail"));
  auto slow = apology_for(caf::make_error(caf::sec::request_timeout));
  auto timeout = apology_for(caf::make_error(ec::timeout, "provider call"));
  auto broken = apology_for(caf::make_error(ec::server_error, "HTTP 500 InternalServiceError"));
  CHECK(rate.find("rate limited") != std::string::npos);
  CHECK(slow.find("timeout") != std::string::npos);
  CHECK(timeout == slow);
  CHECK(broken.find("error") != std::string::npos);
  for (auto& a : {rate, slow, broken}) {
    CHECK(a.rfind("Sorry", 0) == 0);
    CHECK(a.find("429") == std::string::npos);
    CHECK(a.find("500") == std::string::npos);
    CHECK(a.find("secret") == std::string::npos);
  }
  CHECK(rate != broken);
}

// restart_policy: jittered exponential backoff, reset after a stable run,
// and the restart budget per window.

#include <catch2/catch.hpp>

#include "actors/restart_policy.hpp"

using namespace loong;

TEST_CASE("backoff doubles per quick failure within [base/2, ceiling]", "[restart]") {
  restart_options o;
  for (double unit : {0.0, 0.5, 0.999}) {
    restart_policy p{o};
    int64_t now = 1000000;
    int64_t ceiling = o.base_ms;
    for (int k = 0; k < 5; ++k) {
      auto d = p.on_failure(now, now - 10, unit);
      CHECK(d >= o.base_ms / 2);
      CHECK(d <= ceiling);
      ceiling *= 2;
      now += 100;
    }
    CHECK(p.restarts() == 5);
  }
}

TEST_CASE("a child that stayed up past stable_ms restarts at the base delay", "[restart]") {
  restart_options o;
  restart_policy p{o};
  int64_t now = 1000000;
  for (int k = 0; k < 3; ++k, now += 50)
    p.on_failure(now, now - 10, 0.999);
  // Up for longer than stable_ms since its last start: back to the base.
  now += o.stable_ms + 1;
  auto d = p.on_failure(now, now - o.stable_ms - 1, 0.999);
  CHECK(d <= o.base_ms);
}

TEST_CASE("past the budget within the window the child is given up", "[restart]") {
  restart_options o;
  o.budget = 3;
  o.window_ms = 60000;
  restart_policy p{o};
  int64_t now = 1000000;
  for (int k = 0; k < 3; ++k, now += 1000)
    CHECK(p.on_failure(now, now - 10, 0.5) >= 0);
  CHECK(p.on_failure(now, now - 10, 0.5) == -1);
  // Once the window has moved past the old failures, restarts resume.
  now += o.window_ms + 1;
  CHECK(p.on_failure(now, now - 10, 0.5) >= 0);
}

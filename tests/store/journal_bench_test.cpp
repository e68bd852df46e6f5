#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>

#include "store/database.hpp"
#include "store/journal.hpp"
#include "test_support.hpp"

using namespace loong::store;
using loong::store::test::make_message;
using loong::store::test::temp_dir;

// A micro-check, not a timed test: hidden ([.]), run it by hand with
// `store_tests "[bench]"`. Prints wall times; asserts only correctness.
TEST_CASE("journal admit throughput", "[.][store][bench]") {
  constexpr int n = 10000;
  using clock = std::chrono::steady_clock;
  auto ms = [](clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
  };
  temp_dir dir;
  auto db = database::open(dir / "bench.db");
  REQUIRE(db);
  journal j{**db};
  std::vector<loong::inbound_message> batch;
  for (int i = 0; i < n; ++i)
    batch.push_back(make_message("work", "evt_b" + std::to_string(i),
                                 "om_b" + std::to_string(i)));
  auto start = clock::now();
  for (int i = 0; i < n; ++i) {
    auto r = j.admit(make_message("work", "evt_s" + std::to_string(i),
                                  "om_s" + std::to_string(i)),
                     1000 + i);
    REQUIRE(r == admit_result::accepted);
  }
  auto singles = clock::now() - start;
  start = clock::now();
  auto r = j.admit_batch(batch, 50000);
  auto batched = clock::now() - start;
  REQUIRE(r);
  REQUIRE(r->size() == size_t{n});
  CHECK(j.pending_count("work") == int64_t{2 * n});
  std::cout << n << " single admits: " << ms(singles) << " ms ("
            << ms(singles) * 1000 / n << " us each)\n"
            << "one admit_batch of " << n << ": " << ms(batched) << " ms ("
            << ms(batched) * 1000 / n << " us each)\n";
}

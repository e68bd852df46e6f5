#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/deep_to_string.hpp>

#include "messages/errors.hpp"
#include "messages/type_ids.hpp"

namespace {

struct fixture_config : caf::actor_system_config {
  fixture_config() {
    loong::register_types(*this);
    set("scheduler.max-threads", 1);
  }
};

template <class T>
T round_trip(caf::actor_system& sys, const T& x) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  auto copy = x;
  REQUIRE(!sink(copy));
  T y;
  caf::binary_deserializer source{sys, buf};
  REQUIRE(!source(y));
  return y;
}

} // namespace

TEST_CASE("inbound_message survives CAF's binary serializer", "[messages]") {
  fixture_config cfg;
  caf::actor_system sys{cfg};
  loong::inbound_message x;
  x.account = "work";
  x.event_id = "evt_1";
  x.message_id = "om_1";
  x.chat_id = "oc_1";
  x.kind = loong::content_kind::unsupported;
  x.text = "hello \"quoted\"\n";
  x.mentions.push_back({"@_user_1", "ou_bot", "", "", "Bot", "bot"});
  auto y = round_trip(sys, x);
  CHECK(y.account == "work");
  CHECK(y.kind == loong::content_kind::unsupported);
  CHECK(y.text == x.text);
  REQUIRE(y.mentions.size() == 1);
  CHECK(y.mentions[0] == x.mentions[0]);
  CHECK(caf::deep_to_string(x).find("loong::inbound_message") != std::string::npos);
}

TEST_CASE("completion types survive the serializer", "[messages]") {
  fixture_config cfg;
  caf::actor_system sys{cfg};
  loong::completion_result r;
  r.text = "answer";
  r.usage = {3, 4, 7};
  r.has_usage = true;
  auto y = round_trip(sys, r);
  CHECK(y.text == "answer");
  CHECK(y.usage.total_tokens == 7);
  loong::outbound_message o;
  o.reply_to_message_id = "om_9";
  o.uuid = "u-1";
  auto z = round_trip(sys, o);
  CHECK(z.reply_to_message_id == "om_9");
  CHECK(z.uuid == "u-1");
}

TEST_CASE("loong errors render with their name and context", "[messages]") {
  fixture_config cfg;
  caf::actor_system sys{cfg};
  auto err = caf::make_error(loong::ec::rate_limited, "code 99991400");
  CHECK(sys.render(err) == "rate_limited: code 99991400");
  CHECK(loong::describe(err) == "rate_limited: code 99991400");
  CHECK(err == loong::ec::rate_limited);
}

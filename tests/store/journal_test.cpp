#include <catch2/catch.hpp>

#include <csignal>

#include <sys/wait.h>
#include <unistd.h>

#include "messages/errors.hpp"
#include "store/database.hpp"
#include "store/journal.hpp"
#include "test_support.hpp"

using namespace loong::store;
using loong::store::test::make_message;
using loong::store::test::temp_dir;

namespace {

constexpr int64_t t0 = 1767225600000;
constexpr int64_t ttl = 1000;

struct fixture {
  temp_dir dir;
  std::unique_ptr<database> db;
  std::unique_ptr<journal> j;

  fixture() {
    reopen();
  }

  void reopen() {
    j.reset();
    db.reset();
    auto opened = database::open(dir / "store.db");
    REQUIRE(opened);
    db = std::move(*opened);
    j = std::make_unique<journal>(*db);
  }

  admit_result admit(const loong::inbound_message& m, int64_t now,
                     int64_t t = ttl) {
    auto r = j->admit(m, now, t);
    REQUIRE(r);
    return *r;
  }

  std::vector<journal_entry> pending(const std::string& account) {
    auto r = j->pending(account);
    REQUIRE(r);
    return *r;
  }
};

} // namespace

TEST_CASE_METHOD(fixture, "a repeated event_id is a duplicate",
                 "[store][journal]") {
  CHECK(admit(make_message("work", "evt_1", "om_1"), t0)
        == admit_result::accepted);
  CHECK(admit(make_message("work", "evt_1", "om_2"), t0 + 1)
        == admit_result::duplicate);
  // Nothing was written for the duplicate.
  CHECK(j->pending_count("work") == int64_t{1});
}

TEST_CASE_METHOD(fixture, "a repeated message_id is a duplicate",
                 "[store][journal]") {
  CHECK(admit(make_message("work", "evt_1", "om_1"), t0)
        == admit_result::accepted);
  CHECK(admit(make_message("work", "evt_2", "om_1"), t0 + 1)
        == admit_result::duplicate_unfinished);
  // The same without any event id.
  CHECK(admit(make_message("work", "", "om_1"), t0 + 2)
        == admit_result::duplicate_unfinished);
  CHECK(j->pending_count("work") == int64_t{1});
}

TEST_CASE_METHOD(fixture, "dedupe keys are per account", "[store][journal]") {
  CHECK(admit(make_message("work", "evt_1", "om_1"), t0)
        == admit_result::accepted);
  CHECK(admit(make_message("backup", "evt_1", "om_1"), t0)
        == admit_result::accepted);
  CHECK(j->pending_count("work") == int64_t{1});
  CHECK(j->pending_count("backup") == int64_t{1});
}

TEST_CASE_METHOD(fixture, "an expired key is admissible again",
                 "[store][journal]") {
  auto m = make_message("work", "evt_1", "om_1");
  CHECK(admit(m, t0) == admit_result::accepted);
  CHECK(admit(m, t0 + ttl - 1) == admit_result::duplicate_unfinished);
  CHECK(admit(m, t0 + ttl) == admit_result::accepted);
  // Re-admission refreshed the key.
  CHECK(admit(m, t0 + ttl + 1) == admit_result::duplicate_unfinished);
  // The default TTL is 12 hours.
  auto r = j->admit(make_message("work", "evt_9", "om_9"), t0);
  REQUIRE(r == admit_result::accepted);
  CHECK(j->admit(make_message("work", "evt_9", "om_x"),
                 t0 + default_dedupe_ttl_ms - 1)
        == admit_result::duplicate);
  CHECK(default_dedupe_ttl_ms == 12 * 3600 * 1000);
}

TEST_CASE_METHOD(fixture, "keys and entries survive closing and reopening",
                 "[store][journal]") {
  auto m = make_message("work", "evt_1", "om_1");
  CHECK(admit(m, t0) == admit_result::accepted);
  reopen();
  CHECK(admit(m, t0 + 10) == admit_result::duplicate_unfinished);
  CHECK(j->pending_count("work") == int64_t{1});
}

TEST_CASE_METHOD(fixture, "pending lists unfinished entries in arrival order",
                 "[store][journal]") {
  auto a = make_message("work", "evt_a", "om_a");
  a.kind = loong::content_kind::post;
  a.mentions.push_back({"@_user_1", "ou_bot", "", "", "Bot", "bot"});
  CHECK(admit(a, t0 + 5) == admit_result::accepted);
  CHECK(admit(make_message("work", "evt_b", "om_b"), t0 + 1)
        == admit_result::accepted);
  CHECK(admit(make_message("other", "evt_c", "om_c"), t0 + 2)
        == admit_result::accepted);
  CHECK(admit(make_message("work", "evt_d", "om_d"), t0 + 3)
        == admit_result::accepted);
  auto entries = pending("work");
  REQUIRE(entries.size() == 3);
  // Arrival (seq) order, not the caller's timestamps.
  CHECK(entries[0].message.message_id == "om_a");
  CHECK(entries[1].message.message_id == "om_b");
  CHECK(entries[2].message.message_id == "om_d");
  CHECK(entries[0].seq < entries[1].seq);
  CHECK(entries[1].seq < entries[2].seq);
  CHECK(entries[0].account == "work");
  CHECK(entries[0].received_ms == t0 + 5);
  CHECK(entries[0].attempts == 0);
  // The whole message came back.
  CHECK(entries[0].message.kind == loong::content_kind::post);
  CHECK(entries[0].message.mentions == a.mentions);
  CHECK(entries[0].message.text == a.text);
  CHECK(entries[0].message.event_id == "evt_a");
  // The limit keeps the oldest.
  auto first = j->pending("work", 2);
  REQUIRE(first);
  REQUIRE(first->size() == 2);
  CHECK((*first)[1].message.message_id == "om_b");
}

TEST_CASE_METHOD(fixture, "mark_done and mark_attempt", "[store][journal]") {
  CHECK(admit(make_message("work", "evt_a", "om_a"), t0)
        == admit_result::accepted);
  CHECK(admit(make_message("work", "evt_b", "om_b"), t0)
        == admit_result::accepted);
  REQUIRE(!j->mark_attempt("work", "om_b"));
  REQUIRE(!j->mark_attempt("work", "om_b"));
  REQUIRE(!j->mark_done("work", "om_a", t0 + 1));
  auto entries = pending("work");
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].message.message_id == "om_b");
  CHECK(entries[0].attempts == 2);
  CHECK(j->pending_count("work") == int64_t{1});
  // Idempotent, and unknown ids are not errors.
  CHECK(!j->mark_done("work", "om_a", t0 + 2));
  CHECK(!j->mark_done("work", "om_unknown", t0 + 2));
  CHECK(!j->mark_done("other", "om_b", t0 + 2));
  CHECK(j->pending_count("work") == int64_t{1});
  // A done message is still a duplicate while its key lives.
  CHECK(admit(make_message("work", "evt_a2", "om_a"), t0 + 3)
        == admit_result::duplicate);
}

TEST_CASE_METHOD(fixture, "admit_batch detects duplicates inside the batch",
                 "[store][journal]") {
  CHECK(admit(make_message("work", "evt_old", "om_old"), t0)
        == admit_result::accepted);
  std::vector<loong::inbound_message> batch{
    make_message("work", "evt_1", "om_1"),
    make_message("work", "evt_2", "om_2"),
    make_message("work", "evt_1", "om_3"),   // event_id of #0
    make_message("work", "evt_4", "om_2"),   // message_id of #1
    make_message("work", "evt_5", "om_old"), // seen before the batch
    make_message("backup", "evt_1", "om_1"), // another account
  };
  auto r = j->admit_batch(batch, t0 + 1, ttl);
  REQUIRE(r);
  using ar = admit_result;
  CHECK(*r
        == std::vector<ar>{ar::accepted, ar::accepted, ar::duplicate,
                           ar::duplicate_unfinished, ar::duplicate_unfinished,
                           ar::accepted});
  auto entries = pending("work");
  REQUIRE(entries.size() == 3);
  CHECK(entries[1].message.message_id == "om_1");
  CHECK(entries[2].message.message_id == "om_2");
  auto empty = j->admit_batch({}, t0);
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE_METHOD(fixture, "a message without message_id is rejected",
                 "[store][journal]") {
  auto bad = make_message("work", "evt_1", "");
  auto r = j->admit(bad, t0);
  REQUIRE(!r);
  CHECK(r.error() == loong::ec::invalid_argument);
  std::vector<loong::inbound_message> batch{
    make_message("work", "evt_2", "om_2"), bad};
  auto rb = j->admit_batch(batch, t0);
  REQUIRE(!rb);
  CHECK_THAT(loong::describe(rb.error()), Catch::Contains("item 1"));
  // Nothing of the failed batch was written.
  CHECK(j->pending_count("work") == int64_t{0});
  CHECK(admit(make_message("work", "evt_2", "om_2"), t0)
        == admit_result::accepted);
}

TEST_CASE_METHOD(fixture, "purge drops expired keys and old done entries",
                 "[store][journal]") {
  CHECK(admit(make_message("work", "evt_a", "om_a"), t0)
        == admit_result::accepted);
  CHECK(admit(make_message("work", "evt_b", "om_b"), t0)
        == admit_result::accepted);
  CHECK(admit(make_message("work", "evt_c", "om_c"), t0 + 500)
        == admit_result::accepted);
  REQUIRE(!j->mark_done("work", "om_a", t0 + 10));
  REQUIRE(!j->mark_done("work", "om_c", t0 + 900));
  // At t0 + 1010: keys of a and b (4) are expired, a is done long enough.
  auto n = j->purge(t0 + 1010, ttl);
  REQUIRE(n);
  CHECK(*n == 5);
  // b is still pending even though its keys are gone.
  auto entries = pending("work");
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].message.message_id == "om_b");
  // c's keys live on; a's are gone.
  CHECK(admit(make_message("work", "evt_c", "om_c2"), t0 + 1010)
        == admit_result::duplicate);
  CHECK(admit(make_message("work", "evt_a", "om_a"), t0 + 1010)
        == admit_result::accepted);
  // Nothing left to purge at the same instant.
  CHECK(j->purge(t0 + 1010, ttl) == size_t{0});
}

TEST_CASE("an entry admitted before a kill -9 is pending after restart",
          "[store][journal]") {
  temp_dir dir;
  auto path = dir / "store.db";
  // The child admits and dies without closing anything, like kill -9.
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto db = database::open(path);
    if (!db)
      ::_exit(3);
    journal j{**db};
    auto r = j.admit(make_message("work", "evt_1", "om_1"), t0);
    if (!r || *r != admit_result::accepted)
      ::_exit(4);
    ::raise(SIGKILL);
    ::_exit(5);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  auto db = database::open(path);
  REQUIRE(db);
  journal j{**db};
  auto entries = j.pending("work");
  REQUIRE(entries);
  REQUIRE(entries->size() == 1);
  CHECK((*entries)[0].message.message_id == "om_1");
  CHECK(j.admit(make_message("work", "evt_1", "om_1"), t0 + 1)
        == admit_result::duplicate_unfinished);
}

TEST_CASE_METHOD(fixture, "an answered entry keeps its answer until delivered",
                 "[store][journal][outbox]") {
  auto m = make_message("work", "evt_1", "om_1");
  REQUIRE(admit(m, t0) == admit_result::accepted);
  loong::stored_answer a;
  a.text = "the answer";
  a.kind = "apologized";
  a.provider_failed = true;
  a.answered_ms = t0 + 5;
  REQUIRE(!j->store_answer("work", "om_1", a));
  REQUIRE(!j->record_progress("work", "om_1", 3, 1));
  reopen();
  auto entries = pending("work");
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].answered);
  CHECK(entries[0].answer.text == "the answer");
  CHECK(entries[0].answer.kind == "apologized");
  CHECK(entries[0].answer.provider_failed);
  CHECK(entries[0].answer.answered_ms == t0 + 5);
  CHECK(entries[0].delivery_attempts == 3);
  CHECK(entries[0].chunks_done == 1);
  // A redelivery while the answer waits is recognised as unfinished.
  CHECK(admit(m, t0 + 10) == admit_result::duplicate_unfinished);
  REQUIRE(!j->mark_done("work", "om_1", t0 + 20));
  CHECK(pending("work").empty());
  CHECK(admit(m, t0 + 30) == admit_result::duplicate);
  // A finished entry keeps the answer it had.
  loong::stored_answer other;
  other.text = "late";
  REQUIRE(!j->store_answer("work", "om_1", other));
  CHECK(pending("work").empty());
}

TEST_CASE_METHOD(fixture, "close ends an entry as failed or skipped",
                 "[store][journal][outbox]") {
  REQUIRE(admit(make_message("work", "evt_1", "om_1"), t0) == admit_result::accepted);
  REQUIRE(admit(make_message("work", "evt_2", "om_2"), t0) == admit_result::accepted);
  REQUIRE(!j->close("work", "om_1", "failed", "poison cap", t0 + 1));
  REQUIRE(!j->close("work", "om_2", "skipped", "stale on replay", t0 + 1));
  CHECK(pending("work").empty());
  CHECK(admit(make_message("work", "evt_3", "om_1"), t0 + 2) == admit_result::duplicate);
}

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include "messages/errors.hpp"
#include "store/fs_util.hpp"
#include "store/owner_files.hpp"
#include "test_support.hpp"

using namespace loong::store;
using loong::store::test::dead_pid;
using loong::store::test::held_lock;
using loong::store::test::temp_dir;

namespace {

constexpr int64_t t0 = 1767225600000;

// The contract §1.8 example, field for field.
owner_record contract_example() {
  owner_record r;
  r.phase = "running";
  r.running = true;
  r.pid = 41235;
  r.mode = "gateway_headless";
  r.version = "0.1.2-alpha.1";
  r.config_path = "~/.loong/config.toml";
  r.started_at_ms = 1767225600000;
  r.last_heartbeat_at = 1767225640000;
  r.configured_surface_count = 1;
  r.running_surface_count = 1;
  r.bind_address = "127.0.0.1";
  r.port = 26306;
  r.port_source = "default";
  r.token_path = "~/.loong/gateway-runtime/control-token";
  r.owner_token = "41235-1767225600000000000";
  return r;
}

void write_record(const std::string& dir, const char* name,
                  const owner_record& r) {
  REQUIRE(!write_atomic(runtime_path(dir, name), to_json(r, true)));
}

// A running record whose pid is this (live) process.
owner_record live_record(int64_t heartbeat) {
  owner_record r;
  r.phase = "running";
  r.running = true;
  r.pid = ::getpid();
  r.started_at_ms = heartbeat;
  r.last_heartbeat_at = heartbeat;
  r.owner_token = "tok-live";
  return r;
}

} // namespace

TEST_CASE("the status JSON matches the contract's example exactly",
          "[store][owner_files]") {
  auto json = to_json(contract_example(), false, "~/.loong/gateway-runtime",
                      false);
  CHECK(json == R"({
  "runtime_dir": "~/.loong/gateway-runtime",
  "phase": "running",
  "running": true,
  "stale": false,
  "pid": 41235,
  "mode": "gateway_headless",
  "version": "0.1.2-alpha.1",
  "config_path": "~/.loong/config.toml",
  "attached_cli_session": null,
  "started_at_ms": 1767225600000,
  "last_heartbeat_at": 1767225640000,
  "stopped_at_ms": null,
  "shutdown_reason": null,
  "last_error": null,
  "configured_surface_count": 1,
  "running_surface_count": 1,
  "bind_address": "127.0.0.1",
  "port": 26306,
  "port_source": "default",
  "token_path": "~/.loong/gateway-runtime/control-token"
})");
  CHECK(json.find("owner_token") == std::string::npos);
}

TEST_CASE("the default view has the contract's defaults",
          "[store][owner_files]") {
  temp_dir dir;
  auto view = read_owner(dir / "never-ran", t0);
  CHECK(!view.running);
  CHECK(!view.stale);
  CHECK(to_json(view, "/h/gateway-runtime") == R"({
  "runtime_dir": "/h/gateway-runtime",
  "phase": "stopped",
  "running": false,
  "stale": false,
  "pid": null,
  "mode": "gateway_headless",
  "version": "",
  "config_path": "-",
  "attached_cli_session": null,
  "started_at_ms": 0,
  "last_heartbeat_at": 0,
  "stopped_at_ms": null,
  "shutdown_reason": null,
  "last_error": null,
  "configured_surface_count": 0,
  "running_surface_count": 0,
  "bind_address": null,
  "port": null,
  "port_source": null,
  "token_path": null
})");
}

TEST_CASE("owner records round-trip, the token only when private",
          "[store][owner_files]") {
  auto r = contract_example();
  r.attached_cli_session = "main";
  r.stopped_at_ms = t0;
  r.shutdown_reason = "shutdown requested: gateway stop requested";
  r.last_error = "boom \"quoted\"";
  auto json = to_json(r, true);
  CHECK(json.find("runtime_dir") == std::string::npos);
  CHECK(json.find("stale") == std::string::npos);
  CHECK(json.find("\"owner_token\": \"41235-1767225600000000000\"")
        != std::string::npos);
  auto back = parse_owner_record(json);
  REQUIRE(back);
  CHECK(to_json(*back, true) == json);
  CHECK(back->owner_token == r.owner_token);
  CHECK(back->attached_cli_session == std::optional<std::string>{"main"});
  auto public_back = parse_owner_record(to_json(r, false));
  REQUIRE(public_back);
  CHECK(public_back->owner_token.empty());
  // nulls read as absent.
  auto nulls = parse_owner_record(to_json(owner_record{}, false));
  REQUIRE(nulls);
  CHECK(!nulls->pid);
  CHECK(!nulls->port);
  CHECK(!nulls->bind_address);
}

TEST_CASE("malformed owner records are errors naming the field",
          "[store][owner_files]") {
  auto r = parse_owner_record(R"({"phase": "running", "pid": "x"})");
  REQUIRE(!r);
  CHECK_THAT(loong::describe(r.error()), Catch::Contains("'pid'"));
  auto r2 = parse_owner_record(R"({"running": 1})");
  REQUIRE(!r2);
  CHECK_THAT(loong::describe(r2.error()), Catch::Contains("'running'"));
  CHECK(!parse_owner_record("{"));
  CHECK(!parse_owner_record("[]"));
  CHECK(!parse_owner_record(""));
}

TEST_CASE("read_owner: the newer heartbeat wins, ties go to owner-active",
          "[store][owner_files]") {
  temp_dir dir;
  held_lock lock{runtime_path(dir.path, owner_file::lock)};
  auto active = live_record(t0);
  active.version = "active";
  auto status = live_record(t0 + 1);
  status.version = "status";
  write_record(dir.path, owner_file::active, active);
  write_record(dir.path, owner_file::status, status);
  CHECK(read_owner(dir.path, t0 + 2).record.version == "status");
  status.last_heartbeat_at = t0;
  write_record(dir.path, owner_file::status, status);
  auto view = read_owner(dir.path, t0 + 2);
  CHECK(view.record.version == "active");
  CHECK(view.running);
  CHECK(!view.stale);
}

TEST_CASE("read_owner: corrupt files give the default view",
          "[store][owner_files]") {
  temp_dir dir;
  REQUIRE(!write_atomic(runtime_path(dir.path, owner_file::active), "{nope"));
  REQUIRE(!write_atomic(runtime_path(dir.path, owner_file::status), "[]"));
  auto view = read_owner(dir.path, t0);
  CHECK(view.record.phase == "stopped");
  CHECK(!view.running);
  CHECK(!view.stale);
  CHECK(!view.record.pid);
}

TEST_CASE("read_owner: stale by heartbeat age", "[store][owner_files]") {
  temp_dir dir;
  held_lock lock{runtime_path(dir.path, owner_file::lock)};
  write_record(dir.path, owner_file::active, live_record(t0));
  auto fresh = read_owner(dir.path, t0 + 15000);
  CHECK(fresh.running);
  CHECK(!fresh.stale);
  auto old = read_owner(dir.path, t0 + 15001);
  CHECK(!old.running);
  CHECK(old.stale);
  // A stale record keeps its persisted phase and running flag.
  CHECK(old.record.phase == "running");
  CHECK(old.record.running);
  CHECK(to_json(old, dir.path).find("\"running\": false") != std::string::npos);
  // A custom threshold.
  CHECK(read_owner(dir.path, t0 + 20, 10).stale);
}

TEST_CASE("read_owner: stale at once when the pid is dead",
          "[store][owner_files]") {
  temp_dir dir;
  held_lock lock{runtime_path(dir.path, owner_file::lock)};
  auto r = live_record(t0);
  r.pid = dead_pid();
  write_record(dir.path, owner_file::active, r);
  auto view = read_owner(dir.path, t0 + 1);
  CHECK(view.stale);
  CHECK(!view.running);
}

TEST_CASE("read_owner: stale at once when nobody holds the lock",
          "[store][owner_files]") {
  temp_dir dir;
  write_record(dir.path, owner_file::active, live_record(t0));
  SECTION("no lock file") {
    CHECK(read_owner(dir.path, t0 + 1).stale);
  }
  SECTION("lock file present but free") {
    { held_lock released{runtime_path(dir.path, owner_file::lock)}; }
    CHECK(read_owner(dir.path, t0 + 1).stale);
  }
  SECTION("held") {
    held_lock lock{runtime_path(dir.path, owner_file::lock)};
    CHECK(!read_owner(dir.path, t0 + 1).stale);
  }
}

TEST_CASE("a stopped record is never stale", "[store][owner_files]") {
  temp_dir dir;
  auto r = live_record(t0);
  r.running = false;
  r.phase = "stopped";
  write_record(dir.path, owner_file::status, r);
  auto view = read_owner(dir.path, t0 + 100000);
  CHECK(!view.stale);
  CHECK(!view.running);
  CHECK(view.record.phase == "stopped");
}

TEST_CASE("request_stop outcomes", "[store][owner_files]") {
  temp_dir dir;
  auto stop_path = runtime_path(dir.path, owner_file::stop_request);
  SECTION("no owner file") {
    CHECK(request_stop(dir.path, t0) == stop_outcome::not_running);
    CHECK(::access(stop_path.c_str(), F_OK) != 0);
  }
  SECTION("owner not running") {
    auto r = live_record(t0);
    r.running = false;
    write_record(dir.path, owner_file::active, r);
    CHECK(request_stop(dir.path, t0) == stop_outcome::not_running);
  }
  SECTION("stale owner") {
    held_lock lock{runtime_path(dir.path, owner_file::lock)};
    write_record(dir.path, owner_file::active, live_record(t0));
    CHECK(request_stop(dir.path, t0 + 15001) == stop_outcome::not_running);
    CHECK(::access(stop_path.c_str(), F_OK) != 0);
  }
  SECTION("live owner: requested, then already_requested") {
    held_lock lock{runtime_path(dir.path, owner_file::lock)};
    write_record(dir.path, owner_file::active, live_record(t0));
    CHECK(request_stop(dir.path, t0 + 5) == stop_outcome::requested);
    auto req = read_stop_request(dir.path);
    REQUIRE(req);
    CHECK(req->requested_at_ms == t0 + 5);
    CHECK(req->requested_by_pid == ::getpid());
    CHECK(req->target_owner_token == "tok-live");
    struct stat st;
    REQUIRE(::stat(stop_path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(request_stop(dir.path, t0 + 6) == stop_outcome::already_requested);
    // A request for an earlier owner does not count for a new one.
    auto next = live_record(t0 + 7);
    next.owner_token = "tok-next";
    write_record(dir.path, owner_file::active, next);
    CHECK(request_stop(dir.path, t0 + 8) == stop_outcome::requested);
    CHECK(read_stop_request(dir.path)->target_owner_token == "tok-next");
  }
}

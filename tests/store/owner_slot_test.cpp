#include <catch2/catch.hpp>

#include <csignal>
#include <thread>

#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "messages/errors.hpp"
#include "store/fs_util.hpp"
#include "store/owner_slot.hpp"
#include "test_support.hpp"

using namespace loong::store;
using loong::store::test::dead_pid;
using loong::store::test::temp_dir;

namespace {

constexpr int64_t t0 = 1767225600000;

owner_record initial(int64_t now = t0) {
  owner_record r;
  r.phase = "starting";
  r.mode = "gateway_headless";
  r.version = "0.1.0";
  r.config_path = "/h/config.toml";
  r.started_at_ms = now;
  r.last_heartbeat_at = now;
  r.configured_surface_count = 2;
  return r;
}

std::unique_ptr<owner_slot> acquire_ok(const std::string& dir,
                                       int64_t now = t0) {
  auto slot = owner_slot::acquire(dir, initial(now));
  if (!slot)
    FAIL(loong::describe(slot.error()));
  return std::move(*slot);
}

bool exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

unsigned mode_of(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

owner_record read_record(const std::string& dir, const char* name) {
  auto text = read_file(runtime_path(dir, name));
  REQUIRE(text);
  auto r = parse_owner_record(*text);
  REQUIRE(r);
  return *r;
}

// Reads everything a child writes to `fd` until EOF, for at most 10 s.
std::string read_child(int fd) {
  std::string out;
  char buf[512];
  for (int rounds = 0; rounds < 1000; ++rounds) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, 10000);
    REQUIRE(ready > 0);
    auto n = ::read(fd, buf, sizeof(buf));
    if (n <= 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

} // namespace

TEST_CASE("acquire writes the slot, status and a private directory",
          "[store][owner_slot]") {
  temp_dir home;
  auto dir = home / "gateway-runtime";
  auto slot = acquire_ok(dir);
  CHECK(mode_of(dir) == 0700);
  CHECK(mode_of(runtime_path(dir, owner_file::active)) == 0600);
  auto active = read_record(dir, owner_file::active);
  CHECK(active.running);
  CHECK(active.phase == "starting");
  CHECK(active.pid == std::optional<int64_t>{::getpid()});
  CHECK(active.config_path == "/h/config.toml");
  CHECK(active.configured_surface_count == 2);
  // "<pid>-<unix nanos>"
  auto prefix = std::to_string(::getpid()) + "-";
  CHECK(active.owner_token.rfind(prefix, 0) == 0);
  CHECK(active.owner_token == slot->record().owner_token);
  auto status = read_record(dir, owner_file::status);
  CHECK(status.running);
  CHECK(status.owner_token.empty());
  auto status_text = read_file(runtime_path(dir, owner_file::status));
  REQUIRE(status_text);
  CHECK(status_text->find("owner_token") == std::string::npos);
  auto view = read_owner(dir, t0 + 1);
  CHECK(view.running);
  CHECK(!view.stale);
}

TEST_CASE("a second acquire from another thread is an owner_conflict",
          "[store][owner_slot]") {
  temp_dir dir;
  auto slot = acquire_ok(dir.path);
  caf::error err;
  std::thread other{[&] {
    auto second = owner_slot::acquire(dir.path, initial(t0 + 1));
    if (second)
      err = caf::make_error(loong::ec::none);
    else
      err = second.error();
  }};
  other.join();
  CHECK(err == loong::ec::owner_conflict);
  auto text = loong::describe(err);
  CHECK_THAT(text, Catch::Contains("gateway owner already active (slot="
                                   + runtime_path(dir.path, owner_file::active)
                                   + ", pid=" + std::to_string(::getpid())
                                   + ")"));
  // The failed attempt did not disturb the live owner's files.
  CHECK(read_record(dir.path, owner_file::active).owner_token
        == slot->record().owner_token);
}

TEST_CASE("a second acquire from a forked child names the holder's pid",
          "[store][owner_slot]") {
  temp_dir dir;
  auto slot = acquire_ok(dir.path);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    auto second = owner_slot::acquire(dir.path, initial(t0 + 1));
    std::string msg = second ? std::string{"acquired"}
                             : loong::describe(second.error());
    if (::write(fds[1], msg.data(), msg.size()) < 0)
      ::_exit(2);
    // Skip destructors: the slot object is the parent's.
    ::_exit(second ? 1 : 0);
  }
  ::close(fds[1]);
  auto msg = read_child(fds[0]);
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_THAT(msg, Catch::StartsWith("owner_conflict: gateway owner already "
                                    "active"));
  CHECK_THAT(msg, Catch::Contains("pid=" + std::to_string(::getpid())));
}

TEST_CASE("acquire takes over a dead owner's slot", "[store][owner_slot]") {
  temp_dir dir;
  REQUIRE(!ensure_private_dir(dir.path));
  owner_record dead = initial(t0 - 60000);
  dead.phase = "running";
  dead.running = true;
  dead.pid = dead_pid();
  dead.owner_token = "dead-token";
  REQUIRE(!write_atomic(runtime_path(dir.path, owner_file::active),
                        to_json(dead, true)));
  REQUIRE(!write_atomic(runtime_path(dir.path, owner_file::stop_request),
                        R"({"target_owner_token": "dead-token"})"));
  auto slot = acquire_ok(dir.path);
  auto active = read_record(dir.path, owner_file::active);
  CHECK(active.pid == std::optional<int64_t>{::getpid()});
  CHECK(active.owner_token != "dead-token");
  // The dead owner's request is gone and cannot stop the new owner.
  CHECK(!exists(runtime_path(dir.path, owner_file::stop_request)));
  CHECK(!slot->stop_requested());
}

TEST_CASE("acquire takes over at once after the owner is killed",
          "[store][owner_slot]") {
  temp_dir dir;
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto slot = owner_slot::acquire(dir.path, initial());
    if (!slot)
      ::_exit(3);
    ::raise(SIGKILL);
    ::_exit(4);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  // Heartbeat fresh, but the lock is gone and the pid is dead.
  auto view = read_owner(dir.path, t0 + 1);
  CHECK(view.record.pid == std::optional<int64_t>{child});
  CHECK(view.stale);
  CHECK(!view.running);
  CHECK(request_stop(dir.path, t0 + 1) == stop_outcome::not_running);
  auto slot = acquire_ok(dir.path, t0 + 2);
  CHECK(read_record(dir.path, owner_file::active).pid
        == std::optional<int64_t>{::getpid()});
}

TEST_CASE("without the lock, a fresh live owner still wins (heartbeat rule)",
          "[store][owner_slot]") {
  temp_dir dir;
  REQUIRE(!ensure_private_dir(dir.path));
  // pid 1 always lives; its record is fresh, but nobody holds the lock (an
  // owner whose lock file was deleted under it).
  owner_record other = initial();
  other.running = true;
  other.pid = 1;
  other.owner_token = "other";
  REQUIRE(!write_atomic(runtime_path(dir.path, owner_file::active),
                        to_json(other, true)));
  auto slot = owner_slot::acquire(dir.path, initial(t0 + 1000));
  REQUIRE(!slot);
  CHECK(slot.error() == loong::ec::owner_conflict);
  CHECK_THAT(loong::describe(slot.error()), Catch::Contains("pid=1)"));
  // Once its heartbeat is old, it is taken over.
  auto later = owner_slot::acquire(dir.path, initial(t0 + 15001));
  REQUIRE(later);
}

TEST_CASE("update rewrites both files and keeps the token",
          "[store][owner_slot]") {
  temp_dir dir;
  auto slot = acquire_ok(dir.path);
  auto token = slot->record().owner_token;
  auto r = slot->record();
  r.phase = "running";
  r.last_heartbeat_at = t0 + 5000;
  r.running_surface_count = 2;
  r.bind_address = "127.0.0.1";
  r.port = 26306;
  r.port_source = "default";
  r.token_path = runtime_path(dir.path, owner_file::control_token);
  r.owner_token.clear();
  r.pid.reset();
  REQUIRE(!slot->update(r));
  auto active = read_record(dir.path, owner_file::active);
  CHECK(active.phase == "running");
  CHECK(active.last_heartbeat_at == t0 + 5000);
  CHECK(active.port == std::optional<int64_t>{26306});
  CHECK(active.owner_token == token);
  CHECK(active.pid == std::optional<int64_t>{::getpid()});
  auto status = read_record(dir.path, owner_file::status);
  CHECK(status.phase == "running");
  CHECK(status.running_surface_count == 2);
  CHECK(status.owner_token.empty());
  // A shorter record leaves no trailing bytes of the longer one.
  r.bind_address.reset();
  r.port.reset();
  r.port_source.reset();
  r.token_path.reset();
  REQUIRE(!slot->update(r));
  CHECK(read_record(dir.path, owner_file::active).owner_token == token);
  // A slot file removed under the owner is recreated.
  REQUIRE(!remove_file(runtime_path(dir.path, owner_file::active)));
  REQUIRE(!slot->update(r));
  CHECK(read_record(dir.path, owner_file::active).owner_token == token);
}

TEST_CASE("the control token is 32 random bytes in a 0600 file",
          "[store][owner_slot]") {
  temp_dir home;
  auto dir = home / "gateway-runtime";
  auto slot = acquire_ok(dir);
  REQUIRE(::chmod(dir.c_str(), 0755) == 0);
  auto token = slot->create_control_token();
  REQUIRE(token);
  CHECK(token->size() == 43); // ceil(32 * 4 / 3), no padding
  CHECK(token->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                                 "qrstuvwxyz0123456789-_")
        == std::string::npos);
  auto path = runtime_path(dir, owner_file::control_token);
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(dir) == 0700);
  CHECK(read_file(path) == *token);
  auto second = slot->create_control_token();
  REQUIRE(second);
  CHECK(*second != *token);
}

TEST_CASE("stop_requested only honours requests for this owner",
          "[store][owner_slot]") {
  temp_dir dir;
  auto slot = acquire_ok(dir.path);
  CHECK(!slot->stop_requested());
  REQUIRE(!write_atomic(runtime_path(dir.path, owner_file::stop_request),
                        R"({"target_owner_token": "someone-else"})"));
  CHECK(!slot->stop_requested());
  REQUIRE(!write_atomic(runtime_path(dir.path, owner_file::stop_request),
                        "{corrupt"));
  CHECK(!slot->stop_requested());
  CHECK(request_stop(dir.path, t0 + 1) == stop_outcome::requested);
  CHECK(slot->stop_requested());
  CHECK(request_stop(dir.path, t0 + 2) == stop_outcome::already_requested);
}

TEST_CASE("finalize writes the final status and removes the live files",
          "[store][owner_slot]") {
  temp_dir dir;
  auto slot = acquire_ok(dir.path);
  auto r = slot->record();
  r.phase = "running";
  r.bind_address = "127.0.0.1";
  r.port = 1234;
  r.port_source = "cli";
  r.token_path = runtime_path(dir.path, owner_file::control_token);
  r.last_heartbeat_at = t0 + 5000;
  REQUIRE(!slot->update(r));
  REQUIRE(slot->create_control_token());
  REQUIRE(request_stop(dir.path, t0 + 6000) == stop_outcome::requested);
  auto final_record = slot->record();
  final_record.stopped_at_ms = t0 + 6100;
  final_record.shutdown_reason = "shutdown requested: gateway stop requested";
  REQUIRE(!slot->finalize(final_record));
  CHECK(!exists(runtime_path(dir.path, owner_file::active)));
  CHECK(!exists(runtime_path(dir.path, owner_file::stop_request)));
  CHECK(!exists(runtime_path(dir.path, owner_file::control_token)));
  auto status = read_record(dir.path, owner_file::status);
  CHECK(status.phase == "stopped");
  CHECK(!status.running);
  CHECK(status.stopped_at_ms == std::optional<int64_t>{t0 + 6100});
  CHECK(status.shutdown_reason
        == std::optional<std::string>{"shutdown requested: gateway stop "
                                      "requested"});
  CHECK(!status.bind_address);
  CHECK(!status.port);
  CHECK(!status.port_source);
  CHECK(!status.token_path);
  auto view = read_owner(dir.path, t0 + 7000);
  CHECK(!view.running);
  CHECK(!view.stale);
  CHECK(view.record.phase == "stopped");
  CHECK(request_stop(dir.path, t0 + 7000) == stop_outcome::not_running);
  // The lock is free again.
  auto next = acquire_ok(dir.path, t0 + 8000);
  CHECK(next->record().owner_token != slot->record().owner_token);
}

TEST_CASE("finalize keeps a failed phase and a foreign slot file",
          "[store][owner_slot]") {
  temp_dir dir;
  auto slot = acquire_ok(dir.path);
  // Someone else's record now sits in the slot file: not ours to delete.
  auto foreign = slot->record();
  foreign.owner_token = "foreign";
  REQUIRE(!write_atomic(runtime_path(dir.path, owner_file::active),
                        to_json(foreign, true)));
  auto final_record = slot->record();
  final_record.phase = "failed";
  final_record.stopped_at_ms = t0 + 10;
  final_record.last_error = "control bind failed";
  final_record.shutdown_reason = final_record.last_error;
  REQUIRE(!slot->finalize(final_record));
  CHECK(exists(runtime_path(dir.path, owner_file::active)));
  auto status = read_record(dir.path, owner_file::status);
  CHECK(status.phase == "failed");
  CHECK(status.last_error == std::optional<std::string>{"control bind failed"});
  CHECK(slot->update(slot->record()) == loong::ec::store_failed);
}

TEST_CASE("destroying a slot without finalize releases the lock",
          "[store][owner_slot]") {
  temp_dir dir;
  auto slot = acquire_ok(dir.path);
  CHECK(!read_owner(dir.path, t0 + 1).stale);
  slot.reset();
  // The files remain, but the owner is seen as gone at once.
  CHECK(exists(runtime_path(dir.path, owner_file::active)));
  CHECK(read_owner(dir.path, t0 + 1).stale);
  auto again = acquire_ok(dir.path, t0 + 2);
  CHECK(again);
}

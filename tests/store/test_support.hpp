#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "messages/chat.hpp"

namespace loong::store::test {

/// A fresh directory under /tmp, removed with everything in it at scope exit.
struct temp_dir {
  std::string path;

  temp_dir() {
    char tmpl[] = "/tmp/loong-store-test-XXXXXX";
    char* made = ::mkdtemp(tmpl);
    REQUIRE(made != nullptr);
    path = made;
  }

  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }

  /// Returns `path/name`.
  std::string operator/(const std::string& name) const {
    return path + "/" + name;
  }
};

/// A plausible text message with every id filled in.
inline loong::inbound_message make_message(const std::string& account,
                                           const std::string& event_id,
                                           const std::string& message_id) {
  loong::inbound_message m;
  m.account = account;
  m.event_id = event_id;
  m.app_id = "cli_test";
  m.create_time_ms = 1767225600000;
  m.message_id = message_id;
  m.chat_id = "oc_chat";
  m.chat_type = "group";
  m.sender_open_id = "ou_sender";
  m.sender_type = "user";
  m.message_type = "text";
  m.text = "hello " + message_id;
  return m;
}

} // namespace loong::store::test

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

namespace loong::store::test {

/// Returns the pid of a child that has exited and been reaped: a pid that
/// names no process (until the kernel reuses it, which takes a full cycle).
inline int64_t dead_pid() {
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0)
    ::_exit(0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  return child;
}

/// Holds an exclusive flock on a file, as a live owner does.
struct held_lock {
  int fd = -1;

  explicit held_lock(const std::string& path) {
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  }

  held_lock(const held_lock&) = delete;
  held_lock& operator=(const held_lock&) = delete;

  ~held_lock() {
    ::close(fd);
  }
};

} // namespace loong::store::test

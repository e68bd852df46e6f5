#pragma once

#include <memory>
#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "store/owner_files.hpp"

namespace loong::store {

/// The live gateway owner's side of the contract §4 files. Holds an
/// exclusive flock on `owner.lock` for its lifetime, so a killed owner is
/// detected at once (the kernel drops the lock), and keeps the contract's
/// heartbeat rule on top. Synchronous; confined to one thread (the owner).
class owner_slot {
public:
  /// Takes the lock without blocking for long. A live holder gives
  /// `ec::owner_conflict`: "gateway owner already active (slot=<path>,
  /// pid=<pid|unknown>)". Otherwise takes over a stale owner-active.json,
  /// exclusive-creates it, and writes status.json. Fills `pid` (getpid),
  /// `running` and `owner_token` ("<pid>-<unix nanos>") when unset.
  static caf::expected<std::unique_ptr<owner_slot>>
  acquire(const std::string& runtime_dir, owner_record initial);

  owner_slot(const owner_slot&) = delete;
  owner_slot& operator=(const owner_slot&) = delete;

  /// Releases the lock if `finalize` was not called (the files stay, and
  /// readers see the owner as stale at once).
  ~owner_slot();

  /// Rewrites owner-active.json in place (truncate+write+fsync) and
  /// status.json atomically. The pid and owner token are kept.
  caf::error update(const owner_record& r);

  /// Creates the control token: 32 random bytes, base64url without padding,
  /// in `control-token` with mode 0600 (directory 0700). Returns it.
  caf::expected<std::string> create_control_token();

  /// Tells whether stop-request.json is present and targets this owner.
  bool stop_requested() const;

  /// Writes the final record (running=false, stopped_at_ms, phase stopped
  /// or failed, binding cleared) to status.json; deletes stop-request.json,
  /// control-token, and owner-active.json if it still holds our token; then
  /// unlocks. Every step runs; the first error is returned.
  caf::error finalize(owner_record final_record);

  /// Returns the record as last written.
  const owner_record& record() const {
    return record_;
  }

  /// Returns the runtime directory this slot lives in.
  const std::string& runtime_dir() const {
    return dir_;
  }

private:
  owner_slot(std::string dir, int lock_fd);

  caf::error write_active();

  std::string dir_;
  int lock_fd_ = -1;
  int active_fd_ = -1;
  owner_record record_;
  bool finalized_ = false;
};

} // namespace loong::store

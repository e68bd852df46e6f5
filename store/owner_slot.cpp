#include "store/owner_slot.hpp"

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "messages/errors.hpp"
#include "store/fs_util.hpp"

namespace loong::store {

namespace {

// A `gateway status` reader probes the lock with a momentary LOCK_SH, so a
// free lock can look taken for microseconds: retry a few times before
// calling it a conflict (at most 20 x 5 ms, only at start-up).
constexpr int lock_attempts = 20;
constexpr long lock_retry_ns = 5'000'000;

// Contract §4.2: at most 3 exclusive-create attempts.
constexpr int create_attempts = 3;

caf::error sys_fail(const std::string& op, const std::string& path) {
  return sys_error(op, path, errno);
}

caf::error conflict(const std::string& slot, std::optional<int64_t> pid) {
  return caf::make_error(ec::owner_conflict,
                         "gateway owner already active (slot=" + slot
                           + ", pid="
                           + (pid ? std::to_string(*pid) : "unknown") + ")");
}

void pause_briefly() {
  timespec ts{0, lock_retry_ns};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    // resume the remaining time
  }
}

std::string base64url(const unsigned char* data, size_t size) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "abcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  for (size_t i = 0; i < size; i += 3) {
    uint32_t n = uint32_t{data[i]} << 16;
    if (i + 1 < size)
      n |= uint32_t{data[i + 1]} << 8;
    if (i + 2 < size)
      n |= data[i + 2];
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    if (i + 1 < size)
      out += alphabet[(n >> 6) & 63];
    if (i + 2 < size)
      out += alphabet[n & 63];
  }
  return out;
}

// "<pid>-<unix nanos>" (contract §4.1). Time is the caller's start time;
// random low digits keep two owners started in the same ms apart.
caf::expected<std::string> make_owner_token(int64_t pid, int64_t now_ms) {
  uint32_t noise = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&noise), sizeof(noise)) != 1)
    return caf::make_error(ec::store_failed,
                           std::string{"owner token: RAND_bytes failed"});
  return std::to_string(pid) + "-"
         + std::to_string(now_ms * 1'000'000 + noise % 1'000'000);
}

// Takes LOCK_EX on `lock_fd`, or explains who holds it.
caf::error take_lock(int lock_fd, const std::string& dir) {
  auto slot = runtime_path(dir, owner_file::active);
  std::optional<int64_t> holder;
  for (int i = 0; i < lock_attempts; ++i) {
    if (::flock(lock_fd, LOCK_EX | LOCK_NB) == 0)
      return caf::none;
    if (errno == EINTR)
      continue;
    if (errno != EWOULDBLOCK)
      return sys_fail("lock", runtime_path(dir, owner_file::lock));
    // A slot naming a live running owner explains the lock: no retry.
    auto owner = load_owner_file(dir, owner_file::active);
    holder = owner ? owner->pid : std::nullopt;
    if (owner && owner->running && !pid_dead(owner->pid))
      return conflict(slot, holder);
    pause_briefly();
  }
  return conflict(slot, holder);
}

} // namespace

owner_slot::owner_slot(std::string dir, int lock_fd)
  : dir_(std::move(dir)), lock_fd_(lock_fd) {
  // nop
}

owner_slot::~owner_slot() {
  if (active_fd_ >= 0)
    ::close(active_fd_);
  // Closing the last descriptor drops the flock.
  if (lock_fd_ >= 0)
    ::close(lock_fd_);
}

caf::expected<std::unique_ptr<owner_slot>>
owner_slot::acquire(const std::string& runtime_dir, owner_record initial) {
  if (auto err = ensure_private_dir(runtime_dir))
    return err;
  auto lock_path = runtime_path(runtime_dir, owner_file::lock);
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0)
    return sys_fail("open", lock_path);
  // From here the slot owns lock_fd and closes it on every exit path.
  std::unique_ptr<owner_slot> self{new owner_slot(runtime_dir, lock_fd)};
  if (auto err = take_lock(lock_fd, runtime_dir))
    return err;
  // We hold the lock. The contract's heartbeat rule still guards against an
  // owner whose lock file was deleted and recreated under it: a running
  // record with a live foreign pid and a fresh heartbeat wins.
  auto slot = runtime_path(runtime_dir, owner_file::active);
  auto now = std::max(initial.started_at_ms, initial.last_heartbeat_at);
  if (auto old = load_owner_file(runtime_dir, owner_file::active);
      old && old->running && old->pid != int64_t{::getpid()}
      && !pid_dead(old->pid)
      && now - old->last_heartbeat_at <= default_stale_after_ms)
    return conflict(slot, old->pid);
  // Fill what the caller left unset.
  if (!initial.pid)
    initial.pid = ::getpid();
  initial.running = true;
  initial.last_heartbeat_at = now;
  if (initial.owner_token.empty()) {
    auto token = make_owner_token(*initial.pid, initial.started_at_ms);
    if (!token)
      return token.error();
    initial.owner_token = std::move(*token);
  }
  // A request left for a previous owner can never match our token.
  if (auto err = remove_file(runtime_path(runtime_dir,
                                          owner_file::stop_request)))
    return err;
  // Exclusive create; whatever is there is stale since we hold the lock.
  for (int i = 0; i < create_attempts && self->active_fd_ < 0; ++i) {
    self->active_fd_ = ::open(slot.c_str(),
                              O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (self->active_fd_ >= 0)
      break;
    if (errno != EEXIST)
      return sys_fail("create", slot);
    if (auto err = remove_file(slot))
      return err;
  }
  if (self->active_fd_ < 0)
    return conflict(slot, std::nullopt);
  self->record_ = std::move(initial);
  if (auto err = self->write_active())
    return err;
  if (auto err = fsync_dir(runtime_dir))
    return err;
  if (auto err = write_atomic(runtime_path(runtime_dir, owner_file::status),
                              to_json(self->record_, false)))
    return err;
  return self;
}

caf::error owner_slot::write_active() {
  auto slot = runtime_path(dir_, owner_file::active);
  // Someone removed the slot under us (an operator, or a peer ignoring the
  // lock): recreate it rather than write into an unlinked inode.
  struct stat st;
  if (::fstat(active_fd_, &st) == 0 && st.st_nlink == 0) {
    int fd = ::open(slot.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                    0600);
    if (fd < 0)
      return sys_fail("recreate", slot);
    ::close(active_fd_);
    active_fd_ = fd;
  }
  return rewrite_fd(active_fd_, to_json(record_, true), slot);
}

caf::error owner_slot::update(const owner_record& r) {
  if (finalized_)
    return caf::make_error(ec::store_failed,
                           "owner slot " + dir_ + ": update after finalize");
  auto pid = record_.pid;
  auto token = std::move(record_.owner_token);
  record_ = r;
  record_.owner_token = std::move(token);
  if (!record_.pid)
    record_.pid = pid;
  if (auto err = write_active())
    return err;
  return write_atomic(runtime_path(dir_, owner_file::status),
                      to_json(record_, false));
}

caf::expected<std::string> owner_slot::create_control_token() {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof(raw)) != 1)
    return caf::make_error(ec::store_failed,
                           std::string{"control token: RAND_bytes failed"});
  auto token = base64url(raw, sizeof(raw));
  // Harden the directory again: it may have been loosened since acquire.
  if (auto err = ensure_private_dir(dir_))
    return err;
  if (auto err = write_atomic(runtime_path(dir_, owner_file::control_token),
                              token, 0600))
    return err;
  return token;
}

bool owner_slot::stop_requested() const {
  auto req = read_stop_request(dir_);
  return req && !record_.owner_token.empty()
         && req->target_owner_token == record_.owner_token;
}

caf::error owner_slot::finalize(owner_record final_record) {
  if (finalized_)
    return caf::none;
  auto& r = final_record;
  r.running = false;
  r.owner_token = record_.owner_token;
  if (!r.pid)
    r.pid = record_.pid;
  if (r.phase != "failed")
    r.phase = "stopped";
  if (!r.stopped_at_ms)
    r.stopped_at_ms = std::max(r.last_heartbeat_at, record_.last_heartbeat_at);
  // status.json must win the newer-heartbeat rule against owner-active.json
  // even if deleting the latter fails below.
  r.last_heartbeat_at = std::max({r.last_heartbeat_at, *r.stopped_at_ms,
                                  record_.last_heartbeat_at});
  r.bind_address.reset();
  r.port.reset();
  r.port_source.reset();
  r.token_path.reset();
  caf::error first;
  auto keep = [&](caf::error err) {
    if (err && !first)
      first = std::move(err);
  };
  keep(write_atomic(runtime_path(dir_, owner_file::status), to_json(r, false)));
  keep(remove_file(runtime_path(dir_, owner_file::stop_request)));
  keep(remove_file(runtime_path(dir_, owner_file::control_token)));
  auto slot = load_owner_file(dir_, owner_file::active);
  if (slot && slot->owner_token == record_.owner_token)
    keep(remove_file(runtime_path(dir_, owner_file::active)));
  keep(fsync_dir(dir_));
  record_ = std::move(final_record);
  finalized_ = true;
  if (active_fd_ >= 0)
    ::close(std::exchange(active_fd_, -1));
  if (lock_fd_ >= 0)
    ::close(std::exchange(lock_fd_, -1));
  return first;
}

} // namespace loong::store

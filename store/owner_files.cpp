#include "store/owner_files.hpp"

#include <cerrno>
#include <cstdint>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "messages/errors.hpp"
#include "store/fs_util.hpp"
#include "store/json_util.hpp"

namespace loong::store {

namespace {

using writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

// -- writing ------------------------------------------------------------------

void put(writer& w, const char* key, const std::string& x) {
  w.Key(key);
  w.String(x.data(), static_cast<rapidjson::SizeType>(x.size()));
}

void put(writer& w, const char* key, int64_t x) {
  w.Key(key);
  w.Int64(x);
}

void put(writer& w, const char* key, bool x) {
  w.Key(key);
  w.Bool(x);
}

template <class T>
void put(writer& w, const char* key, const std::optional<T>& x) {
  if (x) {
    put(w, key, *x);
  } else {
    w.Key(key);
    w.Null();
  }
}

std::string render(const owner_record& r, bool include_private,
                   const std::string& runtime_dir, std::optional<bool> running,
                   std::optional<bool> stale) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.SetIndent(' ', 2);
  w.StartObject();
  if (!runtime_dir.empty())
    put(w, "runtime_dir", runtime_dir);
  put(w, "phase", r.phase);
  put(w, "running", running.value_or(r.running));
  if (stale)
    put(w, "stale", *stale);
  put(w, "pid", r.pid);
  put(w, "mode", r.mode);
  put(w, "version", r.version);
  put(w, "config_path", r.config_path);
  put(w, "attached_cli_session", r.attached_cli_session);
  put(w, "started_at_ms", r.started_at_ms);
  put(w, "last_heartbeat_at", r.last_heartbeat_at);
  put(w, "stopped_at_ms", r.stopped_at_ms);
  put(w, "shutdown_reason", r.shutdown_reason);
  put(w, "last_error", r.last_error);
  put(w, "configured_surface_count", r.configured_surface_count);
  put(w, "running_surface_count", r.running_surface_count);
  put(w, "bind_address", r.bind_address);
  put(w, "port", r.port);
  put(w, "port_source", r.port_source);
  put(w, "token_path", r.token_path);
  if (include_private)
    put(w, "owner_token", r.owner_token);
  w.EndObject();
  return std::string{buf.GetString(), buf.GetSize()};
}

// -- liveness -----------------------------------------------------------------

// The owner holds LOCK_EX; if a shared lock can be taken, nobody holds it.
// Errors other than EWOULDBLOCK cannot tell, so they count as held and the
// heartbeat rule decides.
bool lock_held(const std::string& runtime_dir) {
  auto path = runtime_path(runtime_dir, owner_file::lock);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno != ENOENT;
  bool held = true;
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
    ::flock(fd, LOCK_UN);
    held = false;
  }
  ::close(fd);
  return held;
}

} // namespace

// kill(pid, 0) fails with ESRCH only when no such process exists; EPERM
// means it lives under another user.
bool pid_dead(const std::optional<int64_t>& pid) {
  if (!pid || *pid <= 0 || *pid > INT32_MAX)
    return false;
  return ::kill(static_cast<pid_t>(*pid), 0) != 0 && errno == ESRCH;
}

std::optional<owner_record> load_owner_file(const std::string& runtime_dir,
                                            const char* name) {
  auto text = read_file(runtime_path(runtime_dir, name));
  if (!text)
    return std::nullopt;
  auto rec = parse_owner_record(*text);
  if (!rec)
    return std::nullopt;
  return std::move(*rec);
}

std::string runtime_path(const std::string& runtime_dir, const char* name) {
  if (runtime_dir.empty() || runtime_dir.back() == '/')
    return runtime_dir + name;
  return runtime_dir + "/" + name;
}

std::string to_json(const owner_record& r, bool include_private,
                    const std::string& runtime_dir, std::optional<bool> stale) {
  return render(r, include_private, runtime_dir, std::nullopt, stale);
}

std::string to_json(const owner_view& v, const std::string& runtime_dir) {
  return render(v.record, false, runtime_dir, v.running, v.stale);
}

caf::expected<owner_record> parse_owner_record(std::string_view json) {
  constexpr const char* what = "owner record";
  rapidjson::Document doc;
  if (auto err = json_parse_object(json, what, doc))
    return err;
  owner_record r;
  caf::error err;
  auto field = [&](const char* key, auto& out) {
    if (!err)
      err = json_get(doc, what, key, out);
  };
  field("phase", r.phase);
  field("running", r.running);
  field("pid", r.pid);
  field("mode", r.mode);
  field("version", r.version);
  field("config_path", r.config_path);
  field("attached_cli_session", r.attached_cli_session);
  field("started_at_ms", r.started_at_ms);
  field("last_heartbeat_at", r.last_heartbeat_at);
  field("stopped_at_ms", r.stopped_at_ms);
  field("shutdown_reason", r.shutdown_reason);
  field("last_error", r.last_error);
  field("configured_surface_count", r.configured_surface_count);
  field("running_surface_count", r.running_surface_count);
  field("bind_address", r.bind_address);
  field("port", r.port);
  field("port_source", r.port_source);
  field("token_path", r.token_path);
  field("owner_token", r.owner_token);
  if (err)
    return err;
  return r;
}

bool is_stale(const owner_record& r, const std::string& runtime_dir,
              int64_t now_ms, int64_t stale_after_ms) {
  if (!r.running)
    return false;
  return now_ms - r.last_heartbeat_at > stale_after_ms || pid_dead(r.pid)
         || !lock_held(runtime_dir);
}

owner_view read_owner(const std::string& runtime_dir, int64_t now_ms,
                      int64_t stale_after_ms) {
  auto status = load_owner_file(runtime_dir, owner_file::status);
  auto active = load_owner_file(runtime_dir, owner_file::active);
  owner_view view;
  if (active && (!status
                 || active->last_heartbeat_at >= status->last_heartbeat_at))
    view.record = std::move(*active);
  else if (status)
    view.record = std::move(*status);
  else
    return view;
  view.stale = is_stale(view.record, runtime_dir, now_ms, stale_after_ms);
  view.running = view.record.running && !view.stale;
  return view;
}

caf::expected<stop_request> read_stop_request(const std::string& runtime_dir) {
  constexpr const char* what = "stop request";
  auto text = read_file(runtime_path(runtime_dir, owner_file::stop_request));
  if (!text)
    return text.error();
  rapidjson::Document doc;
  if (auto err = json_parse_object(*text, what, doc))
    return err;
  stop_request req;
  caf::error err;
  auto field = [&](const char* key, auto& out) {
    if (!err)
      err = json_get(doc, what, key, out);
  };
  field("requested_at_ms", req.requested_at_ms);
  field("requested_by_pid", req.requested_by_pid);
  field("target_owner_token", req.target_owner_token);
  if (err)
    return err;
  return req;
}

caf::expected<stop_outcome> request_stop(const std::string& runtime_dir,
                                         int64_t now_ms,
                                         int64_t stale_after_ms) {
  // Contract §4.4 reads the slot file only: status.json may be newer, but a
  // stop targets the owner that holds the slot.
  auto owner = load_owner_file(runtime_dir, owner_file::active);
  if (!owner || !owner->running
      || is_stale(*owner, runtime_dir, now_ms, stale_after_ms))
    return stop_outcome::not_running;
  if (auto pending = read_stop_request(runtime_dir);
      pending && pending->target_owner_token == owner->owner_token)
    return stop_outcome::already_requested;
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.SetIndent(' ', 2);
  w.StartObject();
  put(w, "requested_at_ms", now_ms);
  put(w, "requested_by_pid", static_cast<int64_t>(::getpid()));
  put(w, "target_owner_token", owner->owner_token);
  w.EndObject();
  // The file carries the private owner token: owner-only mode.
  if (auto err = write_atomic(runtime_path(runtime_dir,
                                           owner_file::stop_request),
                              {buf.GetString(), buf.GetSize()}, 0600))
    return err;
  return stop_outcome::requested;
}

} // namespace loong::store

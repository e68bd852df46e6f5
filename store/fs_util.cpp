#include "store/fs_util.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "messages/errors.hpp"

namespace loong::store {

namespace {

caf::error sys_fail(const std::string& op, const std::string& path) {
  return sys_error(op, path, errno);
}

// Closes on scope exit; the fd stays valid for the caller's lifetime.
struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

caf::error write_all(int fd, std::string_view data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return sys_fail("write", path);
    }
    done += static_cast<size_t>(n);
  }
  return caf::none;
}

} // namespace

caf::error sys_error(const std::string& op, const std::string& path,
                     int err) {
  return caf::make_error(ec::store_failed,
                         op + " " + path + ": " + std::strerror(err));
}

std::string parent_dir(const std::string& path) {
  auto parent = std::filesystem::path{path}.parent_path().string();
  return parent.empty() ? std::string{"."} : parent;
}

caf::error fsync_dir(const std::string& dir) {
  fd_guard g{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (g.fd < 0)
    return sys_fail("open directory", dir);
  if (::fsync(g.fd) != 0)
    return sys_fail("fsync directory", dir);
  return caf::none;
}

caf::error write_atomic(const std::string& path, std::string_view data,
                        mode_t mode) {
  std::string tmp = path + ".tmp-XXXXXX";
  fd_guard g{::mkostemp(tmp.data(), O_CLOEXEC)};
  if (g.fd < 0)
    return sys_fail("create temp file for", path);
  auto fail = [&](caf::error err) {
    ::unlink(tmp.c_str());
    return err;
  };
  // mkostemp creates 0600; widen or keep as asked (umask does not apply).
  if (::fchmod(g.fd, mode) != 0)
    return fail(sys_fail("chmod", tmp));
  if (auto err = write_all(g.fd, data, tmp))
    return fail(std::move(err));
  if (::fsync(g.fd) != 0)
    return fail(sys_fail("fsync", tmp));
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return fail(sys_fail("rename to", path));
  return fsync_dir(parent_dir(path));
}

caf::error rewrite_fd(int fd, std::string_view data, const std::string& what) {
  if (::lseek(fd, 0, SEEK_SET) < 0)
    return sys_fail("seek", what);
  if (auto err = write_all(fd, data, what))
    return err;
  if (::ftruncate(fd, static_cast<off_t>(data.size())) != 0)
    return sys_fail("truncate", what);
  if (::fsync(fd) != 0)
    return sys_fail("fsync", what);
  return caf::none;
}

caf::expected<std::string> read_file(const std::string& path,
                                     size_t max_bytes) {
  fd_guard g{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (g.fd < 0) {
    if (errno == ENOENT)
      return caf::make_error(ec::not_found, "read " + path + ": no such file");
    return sys_fail("read", path);
  }
  std::string out;
  char buf[8192];
  for (;;) {
    auto n = ::read(g.fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return sys_fail("read", path);
    }
    if (n == 0)
      break;
    if (out.size() + static_cast<size_t>(n) > max_bytes)
      return caf::make_error(ec::store_failed,
                             "read " + path + ": larger than "
                               + std::to_string(max_bytes) + " bytes");
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

caf::error ensure_private_dir(const std::string& path) {
  std::error_code err;
  std::filesystem::create_directories(path, err);
  if (err)
    return caf::make_error(ec::store_failed,
                           "create directory " + path + ": " + err.message());
  if (::chmod(path.c_str(), 0700) != 0)
    return sys_fail("chmod 0700", path);
  return caf::none;
}

caf::error remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return sys_fail("remove", path);
  return caf::none;
}

} // namespace loong::store

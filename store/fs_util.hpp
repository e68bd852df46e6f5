#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <sys/types.h>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace loong::store {

/// Replaces `path` atomically with `data`: temp file in the same directory,
/// fsync, rename, then fsync of the directory. A reader sees the old or the
/// new content, never a mix, even after a crash.
caf::error write_atomic(const std::string& path, std::string_view data,
                        mode_t mode = 0644);

/// Writes all of `data` to `fd` at offset 0, truncates the rest and fsyncs
/// (an in-place rewrite; `what` names the file in errors).
caf::error rewrite_fd(int fd, std::string_view data, const std::string& what);

/// Reads a whole file; a missing file is `ec::not_found`, a file larger
/// than `max_bytes` an error.
caf::expected<std::string> read_file(const std::string& path,
                                     size_t max_bytes = 16 << 20);

/// Creates `path` with its parents (mkdir -p) and sets mode 0700.
caf::error ensure_private_dir(const std::string& path);

/// Deletes a file; a file that is already gone is not an error.
caf::error remove_file(const std::string& path);

/// Flushes a directory's entries (after create, rename or unlink).
caf::error fsync_dir(const std::string& dir);

/// Builds `ec::store_failed` as "<op> <path>: <strerror(err)>".
caf::error sys_error(const std::string& op, const std::string& path, int err);

/// Returns the parent directory of `path` ("." when it has none).
std::string parent_dir(const std::string& path);

} // namespace loong::store

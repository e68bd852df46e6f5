#pragma once

// Raw TCP peers for net tests: a server that answers with scripted bytes
// (malformed, truncated, chunked with gaps, or nothing), and a client that
// sends bytes and reads until the peer closes.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/io_runtime.hpp"

namespace loong::test {

/// One step of a scripted answer: wait `delay`, then write `bytes`.
struct raw_step {
  std::chrono::milliseconds delay{0};
  std::string bytes;
};

/// Loopback server on port 0: for every connection it reads one request
/// head, plays `script`, then closes (or keeps the socket open if
/// `close_at_end` is false). An empty script never answers.
class raw_server {
public:
  raw_server(net::io_runtime& io, std::vector<raw_step> script,
             bool close_at_end = true);
  ~raw_server();
  /// The bound port.
  uint16_t port() const;
  /// "http://127.0.0.1:<port>".
  std::string url() const;
  /// Connections accepted so far.
  size_t connections() const;
  /// Connections the server has closed so far.
  size_t closed_connections() const;

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

/// What a raw client saw.
struct raw_result {
  /// Bytes received before the peer closed or the limit passed.
  std::string data;
  /// True when the peer closed (EOF or reset) within the limit.
  bool closed = false;
  /// True when the connection could be made.
  bool connected = false;
};

/// Connects to 127.0.0.1:`port`, writes `bytes`, reads until the peer
/// closes or `limit` passes. Runs its own io_context on the calling thread.
raw_result raw_exchange(uint16_t port, const std::string& bytes,
                        std::chrono::milliseconds limit);

} // namespace loong::test

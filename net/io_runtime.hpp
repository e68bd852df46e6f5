#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
namespace ssl {
class context;
} // namespace ssl
} // namespace boost::asio

namespace loong::net {

/// Owns the shared io_context, its threads and the TLS client context.
/// Create it before anything that does I/O and destroy it after all
/// clients, servers and sessions are gone (toolchain.md §5).
class io_runtime {
public:
  /// Starts `threads` threads (at least one) running the context.
  explicit io_runtime(size_t threads = 1);
  /// Calls stop_and_join().
  ~io_runtime();
  io_runtime(const io_runtime&) = delete;
  io_runtime& operator=(const io_runtime&) = delete;
  /// The shared io_context.
  boost::asio::io_context& context();
  /// TLS client context: verify_peer plus the system trust store.
  boost::asio::ssl::context& tls_client_context();
  /// Adds an extra trusted CA (tests); call before the first TLS connection.
  /// A PEM that does not parse is ignored (TLS then fails with tls_failed).
  void trust_pem(const std::string& ca_pem);
  /// Stops the context and joins the threads; idempotent. Pending handlers
  /// are dropped, so no callback runs after this returns.
  void stop_and_join();
  /// The number of threads started.
  size_t thread_count() const;
  /// True when the calling thread is one of this runtime's threads.
  bool running_in_this_thread() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace loong::net

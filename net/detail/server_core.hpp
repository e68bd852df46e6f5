#pragma once

// Internal: included only by net/*.cpp. State shared by an http_server's
// listener and its sessions, and the seams to the per-stream session TUs.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "net/http_server.hpp"
#include "net/io_runtime.hpp"

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl

namespace loong::net::detail {

/// A server-side connection (HTTP or WebSocket) that stop() can end.
class server_conn {
public:
  virtual ~server_conn() = default;
  /// Closes the socket at once; posts to the connection's strand.
  virtual void stop() = 0;
};

/// Listener settings, handlers and the registry of open connections.
struct server_core {
  server_core(io_runtime& io, http_server_options opts,
              request_handler on_request, ws_upgrade_handler on_upgrade)
    : io(io),
      opts(std::move(opts)),
      on_request(std::move(on_request)),
      on_upgrade(std::move(on_upgrade)) {
  }

  /// Registers a connection; false once the server stopped.
  bool add(uint64_t id, std::weak_ptr<server_conn> conn) {
    std::lock_guard<std::mutex> guard{mtx};
    if (stopped)
      return false;
    conns[id] = std::move(conn);
    return true;
  }

  /// Points `id` at the connection that took over the socket (upgrade).
  void replace(uint64_t id, std::weak_ptr<server_conn> conn) {
    std::lock_guard<std::mutex> guard{mtx};
    auto i = conns.find(id);
    if (i != conns.end())
      i->second = std::move(conn);
  }

  /// Forgets `id`; called from the connection's destructor.
  void remove(uint64_t id) {
    std::lock_guard<std::mutex> guard{mtx};
    conns.erase(id);
  }

  /// The number of registered connections.
  size_t size() const {
    std::lock_guard<std::mutex> guard{mtx};
    return conns.size();
  }

  /// Marks the server stopped and stops every connection; idempotent.
  void stop_all() {
    std::vector<std::shared_ptr<server_conn>> xs;
    {
      std::lock_guard<std::mutex> guard{mtx};
      stopped = true;
      for (auto& [id, weak] : conns)
        if (auto c = weak.lock())
          xs.push_back(std::move(c));
    }
    for (auto& c : xs)
      c->stop();
  }

  /// True after stop_all().
  bool is_stopped() const {
    std::lock_guard<std::mutex> guard{mtx};
    return stopped;
  }

  io_runtime& io;
  http_server_options opts;
  request_handler on_request;
  ws_upgrade_handler on_upgrade;
  std::shared_ptr<boost::asio::ssl::context> tls;
  std::atomic<size_t> accepted{0};

private:
  mutable std::mutex mtx;
  bool stopped = false;
  std::unordered_map<uint64_t, std::weak_ptr<server_conn>> conns;
};

/// Runs HTTP on an accepted plain socket (http_server_plain.cpp).
void start_plain_session(std::shared_ptr<server_core> core,
                         boost::asio::ip::tcp::socket&& s);

/// Runs HTTPS on an accepted socket (http_server_tls.cpp).
void start_tls_session(std::shared_ptr<server_core> core,
                       boost::asio::ip::tcp::socket&& s);

/// A server TLS context from PEM strings; null and *err on failure
/// (http_server_tls.cpp).
std::shared_ptr<boost::asio::ssl::context>
make_server_tls_context(const std::string& cert_pem,
                        const std::string& key_pem, net_error* err);

/// A process-unique id for server connections and WebSocket sessions.
uint64_t next_connection_id();

} // namespace loong::net::detail

// The listener: binds, accepts, enforces max_connections and hands sockets
// to the plain or TLS session TU. No Beast here.

#include "net/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "net/detail/server_core.hpp"

namespace loong::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace detail {

uint64_t next_connection_id() {
  static std::atomic<uint64_t> next{0};
  return ++next;
}

} // namespace detail

namespace {

/// Accepts connections until stopped. Runs on its own strand; stop() posts.
class listener : public std::enable_shared_from_this<listener> {
public:
  explicit listener(std::shared_ptr<detail::server_core> core)
    : core_(std::move(core)),
      strand_(asio::make_strand(core_->io.context())),
      acceptor_(strand_),
      retry_timer_(strand_) {
  }

  net_error bind() {
    error_code ec;
    auto address = asio::ip::make_address(core_->opts.bind_host, ec);
    if (ec)
      return {net_errc::invalid_url,
              "bind address " + core_->opts.bind_host + ": " + ec.message()};
    tcp::endpoint ep{address, core_->opts.port};
    auto step = "bind " + core_->opts.bind_host + ":"
                + std::to_string(core_->opts.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec)
      acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
      acceptor_.bind(ep, ec);
    if (!ec)
      acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return {net_errc::io_error, step + ": " + ec.message()};
    port_ = acceptor_.local_endpoint(ec).port();
    return {};
  }

  void start() {
    asio::post(strand_, [self = shared_from_this()] { self->do_accept(); });
  }

  void stop() {
    core_->stop_all();
    asio::post(strand_, [self = shared_from_this()] {
      error_code ignored;
      self->retry_timer_.cancel();
      self->acceptor_.close(ignored);
    });
  }

  uint16_t port() const {
    return port_;
  }

  const std::shared_ptr<detail::server_core>& core() const {
    return core_;
  }

private:
  void do_accept() {
    if (core_->is_stopped())
      return;
    // Each connection gets its own strand, so sessions never contend.
    acceptor_.async_accept(
      asio::make_strand(core_->io.context()),
      [self = shared_from_this()](error_code ec, tcp::socket s) {
        self->on_accept(ec, std::move(s));
      });
  }

  void on_accept(error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || core_->is_stopped())
      return;
    if (ec) {
      // Out of descriptors and the like: pause instead of spinning.
      retry_timer_.expires_after(std::chrono::milliseconds(50));
      retry_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec)
          self->do_accept();
      });
      return;
    }
    ++core_->accepted;
    if (core_->size() >= core_->opts.max_connections) {
      error_code ignored;
      s.shutdown(tcp::socket::shutdown_both, ignored);
      s.close(ignored);
    } else if (core_->tls) {
      detail::start_tls_session(core_, std::move(s));
    } else {
      detail::start_plain_session(core_, std::move(s));
    }
    do_accept();
  }

  std::shared_ptr<detail::server_core> core_;
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  uint16_t port_ = 0;
};

/// The handle callers hold; dropping the last one stops the server.
class server_handle final : public http_server {
public:
  explicit server_handle(std::shared_ptr<listener> l) : listener_(std::move(l)) {
  }

  ~server_handle() override {
    listener_->stop();
  }

  uint16_t port() const override {
    return listener_->port();
  }

  std::string url() const override {
    const auto& core = *listener_->core();
    return std::string{core.tls ? "https://" : "http://"} + core.opts.bind_host
           + ":" + std::to_string(listener_->port());
  }

  void stop() override {
    listener_->stop();
  }

  size_t active_connections() const override {
    return listener_->core()->size();
  }

  size_t accepted_connections() const override {
    return listener_->core()->accepted.load();
  }

private:
  std::shared_ptr<listener> listener_;
};

} // namespace

std::shared_ptr<http_server> http_server::start(io_runtime& io,
                                                http_server_options opts,
                                                request_handler on_request,
                                                ws_upgrade_handler on_upgrade,
                                                net_error* err) {
  auto set_err = [err](net_error e) {
    if (err)
      *err = std::move(e);
  };
  if (!on_request) {
    set_err({net_errc::invalid_url, "http_server needs a request handler"});
    return nullptr;
  }
  bool with_cert = !opts.tls_cert_pem.empty();
  bool with_key = !opts.tls_key_pem.empty();
  if (with_cert != with_key) {
    set_err({net_errc::tls_failed, "TLS needs both a certificate and a key"});
    return nullptr;
  }
  auto core = std::make_shared<detail::server_core>(
    io, std::move(opts), std::move(on_request), std::move(on_upgrade));
  if (with_cert) {
    net_error tls_err;
    core->tls = detail::make_server_tls_context(core->opts.tls_cert_pem,
                                                core->opts.tls_key_pem,
                                                &tls_err);
    if (!core->tls) {
      set_err(std::move(tls_err));
      return nullptr;
    }
  }
  auto l = std::make_shared<listener>(std::move(core));
  if (auto e = l->bind()) {
    set_err(std::move(e));
    return nullptr;
  }
  l->start();
  set_err({});
  return std::make_shared<server_handle>(std::move(l));
}

} // namespace loong::net

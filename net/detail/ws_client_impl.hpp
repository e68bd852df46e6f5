#pragma once

// Internal: the Beast WebSocket client session. Instantiated once per
// stream policy, in ws_client_plain.cpp and ws_client_tls.cpp.

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "net/detail/beast_errors.hpp"
#include "net/io_runtime.hpp"
#include "net/url.hpp"
#include "net/ws_client.hpp"

namespace loong::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using strand_type = asio::strand<asio::io_context::executor_type>;

/// A client WebSocket over `Policy::next_layer`. Runs on its own strand:
/// every handler executes there, public methods only post. Pending reads
/// keep it alive until the session ends; on_close runs exactly once.
template <class Policy>
class ws_client_impl final
  : public ws_client,
    public std::enable_shared_from_this<ws_client_impl<Policy>> {
public:
  ws_client_impl(io_runtime& io, url_parts u, ws_client_options opts,
                 ws_client_events events)
    : url_(std::move(u)),
      opts_(std::move(opts)),
      events_(std::move(events)),
      strand_(asio::make_strand(io.context())),
      resolver_(strand_),
      resolve_timer_(strand_),
      ws_(Policy::make_stream(strand_, io)) {
  }

  void start() {
    asio::post(strand_, [self = this->shared_from_this()] {
      self->do_resolve();
    });
  }

  void send(std::string data, bool binary) override {
    asio::post(strand_, [self = this->shared_from_this(),
                         data = std::move(data), binary]() mutable {
      if (self->finished_ || self->close_pending_)
        return;
      self->queue_.emplace_back(std::move(data), binary);
      if (self->opened_ && !self->writing_)
        self->do_write();
    });
  }

  void close() override {
    asio::post(strand_, [self = this->shared_from_this()] {
      if (self->finished_)
        return;
      if (!self->opened_)
        return self->finish({net_errc::closed, "closed before the upgrade"});
      self->close_pending_ = true;
      if (!self->writing_)
        self->do_close();
    });
  }

  void abort() override {
    asio::post(strand_, [self = this->shared_from_this()] {
      self->finish({net_errc::cancelled, "aborted by the caller"});
    });
  }

private:
  void do_resolve() {
    deadline_ = clock_type::now() + opts_.handshake_timeout;
    resolve_timer_.expires_at(deadline_);
    resolve_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (!ec && self->resolving_) {
        self->resolve_timed_out_ = true;
        self->resolver_.cancel();
      }
    });
    resolving_ = true;
    resolver_.async_resolve(
      url_.host, std::to_string(url_.port),
      [self = this->shared_from_this()](error_code ec,
                                        tcp::resolver::results_type rs) {
        self->on_resolve(ec, std::move(rs));
      });
  }

  void on_resolve(error_code ec, tcp::resolver::results_type rs) {
    resolving_ = false;
    resolve_timer_.cancel();
    if (finished_)
      return;
    if (resolve_timed_out_)
      return finish({net_errc::timeout, "resolve " + url_.host + ": timed out"});
    if (ec)
      return finish(
        step_error(ec, net_errc::resolve_failed, "resolve " + url_.host));
    auto& lowest = beast::get_lowest_layer(ws_);
    lowest.expires_at(deadline_);
    lowest.async_connect(rs, [self = this->shared_from_this()](
                               error_code ec, const tcp::endpoint&) {
      self->on_connect(ec);
    });
  }

  void on_connect(error_code ec) {
    if (finished_)
      return;
    if (ec)
      return finish(step_error(ec, net_errc::connect_failed,
                               "connect " + url_.host + ":"
                                 + std::to_string(url_.port)));
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay{true},
                                                     ignored);
    Policy::handshake(ws_.next_layer(), url_.host,
                      [self = this->shared_from_this()](error_code ec) {
                        self->on_tls(ec);
                      });
  }

  void on_tls(error_code ec) {
    if (finished_)
      return;
    if (ec)
      return finish(step_error(ec, net_errc::tls_failed,
                               "TLS handshake with " + url_.host));
    // From here Beast's WebSocket timeouts replace the socket deadline.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout t;
    t.handshake_timeout = std::max(
      std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline_ - clock_type::now()),
      std::chrono::milliseconds(1));
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_.set_option(t);
    ws_.read_message_max(opts_.max_message_bytes);
    ws_.set_option(websocket::stream_base::decorator(
      [headers = opts_.extra_headers](websocket::request_type& req) {
        req.set(http::field::user_agent, "loong/0.1");
        for (const auto& [name, value] : headers)
          if (value.find_first_of("\r\n") == std::string::npos)
            req.set(name, value);
      }));
    ws_.async_handshake(res_, url_.host_field(), url_.target,
                        [self = this->shared_from_this()](error_code ec) {
                          self->on_handshake(ec);
                        });
  }

  void on_handshake(error_code ec) {
    if (finished_)
      return;
    if (ec == websocket::error::upgrade_declined)
      return finish({net_errc::handshake_rejected,
                     "upgrade answered with HTTP "
                       + std::to_string(res_.result_int())});
    if (ec)
      return finish(step_error(ec, classify_io(ec), "websocket upgrade"));
    opened_ = true;
    if (events_.on_open)
      events_.on_open();
    if (finished_)
      return;
    do_read();
    if (!queue_.empty())
      do_write();
    else if (close_pending_)
      do_close();
  }

  void do_read() {
    ws_.async_read(rbuf_, [self = this->shared_from_this()](error_code ec,
                                                            size_t) {
      self->on_read(ec);
    });
  }

  void on_read(error_code ec) {
    if (finished_)
      return;
    // Our own close handshake ends the pending read too (aborted).
    if (ec && closing_)
      return finish({net_errc::closed, "closed by us"});
    if (ec == websocket::error::closed) {
      auto reason = ws_.reason();
      return finish({net_errc::closed,
                     "websocket closed with code "
                       + std::to_string(reason.code)
                       + (reason.reason.empty()
                            ? std::string{}
                            : ": " + std::string{reason.reason.c_str()})});
    }
    if (ec)
      return finish(make_error(classify_io(ec), "websocket read", ec));
    auto data = beast::buffers_to_string(rbuf_.data());
    rbuf_.consume(rbuf_.size());
    if (events_.on_message)
      events_.on_message(std::move(data), ws_.got_binary());
    if (!finished_)
      do_read();
  }

  void do_write() {
    writing_ = true;
    ws_.binary(queue_.front().second);
    ws_.async_write(asio::buffer(queue_.front().first),
                    [self = this->shared_from_this()](error_code ec,
                                                      size_t) {
                      self->on_write(ec);
                    });
  }

  void on_write(error_code ec) {
    writing_ = false;
    if (finished_)
      return;
    if (ec)
      return finish(make_error(classify_io(ec), "websocket write", ec));
    queue_.pop_front();
    if (!queue_.empty())
      return do_write();
    if (close_pending_)
      do_close();
  }

  void do_close() {
    if (closing_)
      return;
    closing_ = true;
    // Ends the session once the peer answered; the pending read is aborted.
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](error_code ec) {
                      if (ec)
                        return self->finish(
                          make_error(classify_io(ec), "websocket close", ec));
                      self->finish({net_errc::closed, "closed by us"});
                    });
  }

  void finish(net_error err) {
    if (finished_)
      return;
    finished_ = true;
    resolver_.cancel();
    resolve_timer_.cancel();
    // A write in flight still references the front message.
    while (queue_.size() > (writing_ ? 1u : 0u))
      queue_.pop_back();
    error_code ignored;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    http_response resp;
    if (err.code == net_errc::handshake_rejected) {
      resp.status = res_.result_int();
      for (const auto& f : res_.base())
        resp.headers.emplace_back(std::string{f.name_string()},
                                  std::string{f.value()});
      resp.body = std::move(res_.body());
    }
    // Callbacks often capture the client; releasing them breaks the cycle.
    auto events = std::move(events_);
    events_ = ws_client_events{};
    if (events.on_close)
      events.on_close(std::move(err), std::move(resp));
  }

  using clock_type = std::chrono::steady_clock;

  url_parts url_;
  ws_client_options opts_;
  ws_client_events events_;
  strand_type strand_;
  tcp::resolver resolver_;
  asio::steady_timer resolve_timer_;
  websocket::stream<typename Policy::next_layer> ws_;
  websocket::response_type res_;
  beast::flat_buffer rbuf_;
  std::deque<std::pair<std::string, bool>> queue_;
  clock_type::time_point deadline_;
  bool resolving_ = false;
  bool resolve_timed_out_ = false;
  bool opened_ = false;
  bool writing_ = false;
  bool close_pending_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

/// Creates and starts a session; the seam behind ws_client::connect.
template <class Policy>
std::shared_ptr<ws_client> start_ws_client(io_runtime& io, url_parts u,
                                           ws_client_options opts,
                                           ws_client_events events) {
  auto c = std::make_shared<ws_client_impl<Policy>>(
    io, std::move(u), std::move(opts), std::move(events));
  c->start();
  return c;
}

} // namespace loong::net::detail

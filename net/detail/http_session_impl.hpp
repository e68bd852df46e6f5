#pragma once

// Internal: the Beast HTTP server session. Instantiated once per stream
// policy, in http_server_plain.cpp and http_server_tls.cpp.

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "net/detail/beast_errors.hpp"
#include "net/detail/server_core.hpp"
#include "net/detail/ws_server.hpp"

namespace loong::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

/// The side of a session a respond_fn talks to.
class response_sink {
public:
  virtual ~response_sink() = default;
  /// Writes `x` as the answer to the pending request; posts to the strand.
  virtual void post_response(server_response x) = 0;
};

/// Behind every copy of one respond_fn: answers once, or 500 when the last
/// copy dies uncalled.
class responder {
public:
  explicit responder(std::shared_ptr<response_sink> sink)
    : sink_(std::move(sink)) {
  }

  ~responder() {
    if (!used_.exchange(true))
      sink_->post_response({500, {}, R"({"error":"no response"})"});
  }

  void respond(server_response x) {
    if (!used_.exchange(true))
      sink_->post_response(std::move(x));
  }

private:
  std::shared_ptr<response_sink> sink_;
  std::atomic<bool> used_{false};
};

/// Reads requests and writes responses on one connection, one request at a
/// time. Runs on the strand the acceptor gave its socket; public methods
/// only post there.
template <class Policy>
class http_session final
  : public server_conn,
    public response_sink,
    public std::enable_shared_from_this<http_session<Policy>> {
public:
  http_session(std::shared_ptr<server_core> core, tcp::socket&& s)
    : core_(std::move(core)), id_(next_connection_id()),
      executor_(s.get_executor()) {
    error_code ec;
    auto ep = s.remote_endpoint(ec);
    if (!ec)
      remote_ = ep.address().to_string();
    stream_.emplace(Policy::make_stream(std::move(s), *core_));
  }

  ~http_session() override {
    if (registered_)
      core_->remove(id_);
  }

  /// Registers with the server and starts reading; false if it stopped.
  bool start() {
    registered_ = core_->add(id_, this->weak_from_this());
    if (!registered_)
      return false;
    asio::post(executor_,
               [self = this->shared_from_this()] { self->do_handshake(); });
    return true;
  }

  void stop() override {
    asio::post(executor_,
               [self = this->shared_from_this()] { self->close_socket(); });
  }

  void post_response(server_response x) override {
    asio::post(executor_,
               [self = this->shared_from_this(), x = std::move(x)]() mutable {
                 self->do_respond(std::move(x));
               });
  }

private:
  using parser_type = http::request_parser<http::string_body>;

  auto& lowest() {
    return beast::get_lowest_layer(*stream_);
  }

  void do_handshake() {
    lowest().expires_after(core_->opts.header_timeout);
    Policy::handshake(*stream_, [self = this->shared_from_this()](
                                  error_code ec) {
      if (ec)
        return self->close_socket();
      self->read_request(true);
    });
  }

  void read_request(bool first) {
    if (closed_)
      return;
    parser_.emplace();
    parser_->header_limit(64 * 1024);
    parser_->body_limit(core_->opts.body_limit);
    if (first || buffer_.size() > 0)
      return read_header();
    // An idle keep-alive connection waits for the next request's first
    // byte; only then does the slowloris clock for its headers start.
    lowest().expires_after(core_->opts.keep_alive_timeout);
    stream_->async_read_some(
      buffer_.prepare(4096),
      [self = this->shared_from_this()](error_code ec, size_t n) {
        if (ec)
          return self->close_socket();
        self->buffer_.commit(n);
        self->read_header();
      });
  }

  void read_header() {
    lowest().expires_after(core_->opts.header_timeout);
    http::async_read_header(*stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](error_code ec,
                                                              size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(error_code ec) {
    if (ec)
      return reject(ec);
    // curl and others wait (about a second) for this before sending a body.
    if (!parser_->is_done()
        && beast::iequals(parser_->get()[http::field::expect],
                          "100-continue")) {
      static const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(*stream_, asio::buffer(interim),
                        [self = this->shared_from_this()](error_code ec,
                                                          size_t) {
                          if (ec)
                            return self->close_socket();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    lowest().expires_after(core_->opts.body_timeout);
    http::async_read(*stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](error_code ec,
                                                       size_t) {
                       self->on_body(ec);
                     });
  }

  void on_body(error_code ec) {
    if (ec)
      return reject(ec);
    lowest().expires_never();
    dispatch();
  }

  /// Answers a request that could not be read, then closes; errors without
  /// a request to answer (timeouts, hang-ups) just close.
  void reject(error_code ec) {
    if (ec == http::error::body_limit)
      return write_response({413, {}, R"({"error":"body too large"})"}, true);
    if (ec == http::error::header_limit)
      return write_response({431, {}, R"({"error":"header too large"})"},
                            true);
    if (classify_io(ec) == net_errc::protocol_error)
      return write_response({400, {}, R"({"error":"bad request"})"}, true);
    close_socket();
  }

  void dispatch() {
    auto req = parser_->release();
    parser_.reset();
    keep_alive_ = req.keep_alive();
    server_request sr;
    sr.method = std::string{req.method_string()};
    sr.target = std::string{req.target()};
    for (const auto& f : req.base())
      sr.headers.emplace_back(std::string{f.name_string()},
                              std::string{f.value()});
    sr.remote_address = remote_;
    if (beast::websocket::is_upgrade(req))
      return upgrade(std::move(req), std::move(sr));
    sr.body = std::move(req.body());
    awaiting_ = true;
    auto r = std::make_shared<responder>(this->shared_from_this());
    core_->on_request(std::move(sr),
                      [r](server_response x) { r->respond(std::move(x)); });
  }

  void upgrade(upgrade_request req, server_request sr) {
    if (!core_->on_upgrade)
      return write_response({404, {}, R"({"error":"not found"})"}, true);
    auto decision = core_->on_upgrade(sr);
    if (!decision.accept)
      return write_response(std::move(decision.refusal), true);
    // The WebSocket session takes the socket and the registry slot.
    registered_ = false;
    Policy::start_ws(core_, id_, std::move(*stream_), std::move(req),
                     std::move(decision));
    stream_.reset();
    closed_ = true;
  }

  void do_respond(server_response x) {
    if (!awaiting_)
      return;
    awaiting_ = false;
    if (x.drop)
      return close_socket();
    bool close = x.close;
    write_response(std::move(x), close);
  }

  void write_response(server_response x, bool close) {
    if (closed_)
      return;
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(x.status >= 100 && x.status <= 999 ? x.status : 500);
    for (const auto& [name, value] : x.headers)
      if (!name.empty() && name.find_first_of("\r\n:") == std::string::npos
          && value.find_first_of("\r\n") == std::string::npos)
        res->insert(name, value);
    if (!x.content_type.empty() && !res->count(http::field::content_type))
      res->set(http::field::content_type, x.content_type);
    res->body() = std::move(x.body);
    bool keep = keep_alive_ && !close && !core_->is_stopped();
    res->keep_alive(keep);
    res->prepare_payload();
    lowest().expires_after(core_->opts.body_timeout);
    http::async_write(*stream_, *res,
                      [self = this->shared_from_this(), res,
                       keep](error_code ec, size_t) {
                        if (ec)
                          return self->close_socket();
                        if (!keep)
                          return self->shutdown();
                        self->read_request(false);
                      });
  }

  void shutdown() {
    lowest().expires_after(std::chrono::seconds(2));
    Policy::shutdown(*stream_, [self = this->shared_from_this()] {
      self->close_socket();
    });
  }

  void close_socket() {
    if (closed_ || !stream_)
      return;
    closed_ = true;
    awaiting_ = false;
    // A held respond_fn keeps this object alive; the connection is gone.
    if (registered_) {
      registered_ = false;
      core_->remove(id_);
    }
    error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  std::shared_ptr<server_core> core_;
  uint64_t id_;
  asio::any_io_executor executor_;
  std::string remote_;
  std::optional<typename Policy::stream_type> stream_;
  beast::flat_buffer buffer_;
  std::optional<parser_type> parser_;
  bool registered_ = false;
  bool keep_alive_ = false;
  bool awaiting_ = false;
  bool closed_ = false;
};

/// Starts a session on `s`, or closes `s` if the server already stopped.
template <class Policy>
void start_http_session(std::shared_ptr<server_core> core, tcp::socket&& s) {
  auto session = std::make_shared<http_session<Policy>>(std::move(core),
                                                        std::move(s));
  if (!session->start())
    session->stop();
}

} // namespace loong::net::detail

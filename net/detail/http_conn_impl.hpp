#pragma once

// Internal: the Beast HTTP client connection. Instantiated once per stream
// policy, in http_conn_plain.cpp and http_conn_tls.cpp, so that plain and TLS
// code compile in separate TUs.

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "net/detail/beast_errors.hpp"
#include "net/detail/http_conn.hpp"
#include "net/io_runtime.hpp"

namespace loong::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using strand_type = asio::strand<asio::io_context::executor_type>;

/// Copies Beast fields into a header_list, keeping wire order.
template <class Fields>
header_list to_header_list(const Fields& fields) {
  header_list out;
  for (const auto& f : fields)
    out.emplace_back(std::string{f.name_string()}, std::string{f.value()});
  return out;
}

/// Runs one exchange at a time over `Policy::stream_type`. Runs on its own
/// strand: every handler below executes there, public methods only post.
template <class Policy>
class http_conn_impl final
  : public http_conn,
    public std::enable_shared_from_this<http_conn_impl<Policy>> {
public:
  http_conn_impl(io_runtime& io, url_parts u)
    : url_(std::move(u)),
      strand_(asio::make_strand(io.context())),
      resolver_(strand_),
      resolve_timer_(strand_),
      stream_(Policy::make_stream(strand_, io)) {
  }

  void run(std::shared_ptr<http_exchange> ex) override {
    asio::post(strand_, [self = this->shared_from_this(), ex]() mutable {
      self->do_run(std::move(ex));
    });
  }

  void abort(const http_exchange* ex) override {
    asio::post(strand_, [self = this->shared_from_this(), ex] {
      if (ex != nullptr && ex != self->ex_.get())
        return;
      self->dead_ = true;
      self->resolver_.cancel();
      self->resolve_timer_.cancel();
      self->close_socket();
    });
  }

private:
  using parser_type = http::response_parser<http::buffer_body>;

  void do_run(std::shared_ptr<http_exchange> ex) {
    ex_ = std::move(ex);
    got_bytes_ = false;
    if (dead_ || ex_->aborted)
      return fail({net_errc::cancelled, "connection aborted"});
    if (connected_)
      return do_write();
    connect_deadline_ = std::min(ex_->deadline,
                                 clock::now() + ex_->connect_timeout);
    resolve_timer_.expires_at(connect_deadline_);
    resolve_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (!ec && self->resolving_) {
        self->resolve_timed_out_ = true;
        self->resolver_.cancel();
      }
    });
    resolving_ = true;
    resolve_timed_out_ = false;
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
    if (resolve_timed_out_)
      return fail({net_errc::timeout, "resolve " + url_.host + ": timed out"});
    // An abort that raced with a successful resolve: async_connect would
    // reopen the socket it closed.
    if (dead_)
      return fail({net_errc::cancelled, "connection aborted"});
    if (ec)
      return fail(step_error(ec, net_errc::resolve_failed,
                             "resolve " + url_.host));
    auto& lowest = beast::get_lowest_layer(stream_);
    lowest.expires_at(connect_deadline_);
    lowest.async_connect(rs, [self = this->shared_from_this()](
                               error_code ec, const tcp::endpoint&) {
      self->on_connect(ec);
    });
  }

  void on_connect(error_code ec) {
    if (ec)
      return fail(step_error(ec, net_errc::connect_failed,
                             "connect " + url_.host + ":"
                               + std::to_string(url_.port)));
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().set_option(
      tcp::no_delay{true}, ignored);
    beast::get_lowest_layer(stream_).expires_at(connect_deadline_);
    Policy::handshake(stream_, url_.host,
                      [self = this->shared_from_this()](error_code ec) {
                        self->on_handshake(ec);
                      });
  }

  void on_handshake(error_code ec) {
    if (ec)
      return fail(step_error(ec, net_errc::tls_failed,
                             "TLS handshake with " + url_.host));
    connected_ = true;
    do_write();
  }

  void do_write() {
    req_ = {};
    req_.version(11);
    auto verb = http::string_to_verb(ex_->method);
    if (verb == http::verb::unknown)
      req_.method_string(ex_->method);
    else
      req_.method(verb);
    req_.target(ex_->target);
    for (const auto& [name, value] : ex_->headers)
      req_.insert(name, value);
    req_.body() = ex_->body;
    beast::get_lowest_layer(stream_).expires_at(ex_->deadline);
    http::async_write(stream_, req_,
                      [self = this->shared_from_this()](error_code ec,
                                                        size_t) {
                        self->on_write(ec);
                      });
  }

  void on_write(error_code ec) {
    if (ec)
      return fail(make_error(classify_io(ec), "write request", ec),
                  reused_ && ec != beast::error::timeout);
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
      std::min<size_t>(ex_->max_response_bytes, 1u << 20)));
    parser_->body_limit(ex_->max_response_bytes);
    if (ex_->method == "HEAD")
      parser_->skip(true);
    beast::get_lowest_layer(stream_).expires_at(ex_->deadline);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](error_code ec,
                                                              size_t n) {
                              self->on_read_header(ec, n);
                            });
  }

  void on_read_header(error_code ec, size_t n) {
    got_bytes_ = n > 0 || buffer_.size() > 0;
    if (ec) {
      auto code = classify_io(ec);
      bool stale = reused_ && !got_bytes_ && code == net_errc::io_error;
      return fail(make_error(code, "read response header", ec), stale);
    }
    // The parser checked Content-Length against the whole budget; the
    // header's own size counts too.
    auto length = parser_->content_length();
    if (n >= ex_->max_response_bytes
        || (length && *length > ex_->max_response_bytes - n))
      return fail({net_errc::too_large, "response exceeds "
                                          + std::to_string(
                                            ex_->max_response_bytes)
                                          + " bytes"});
    parser_->body_limit(ex_->max_response_bytes - n);
    auto status = parser_->get().result_int();
    streaming_ = ex_->on_chunk && status >= 200 && status < 300;
    body_.clear();
    read_body();
  }

  void read_body() {
    if (parser_->is_done())
      return finish();
    parser_->get().body().data = chunk_.data();
    parser_->get().body().size = chunk_.size();
    auto& lowest = beast::get_lowest_layer(stream_);
    if (ex_->read_idle_timeout.count() > 0)
      lowest.expires_at(
        std::min(ex_->deadline, clock::now() + ex_->read_idle_timeout));
    else
      lowest.expires_at(ex_->deadline);
    // read_some, not read: SSE needs each chunk as soon as it arrives, and
    // a full read would wait until the buffer fills.
    http::async_read_some(stream_, buffer_, *parser_,
                          [self = this->shared_from_this()](error_code ec,
                                                            size_t) {
                            self->on_read_body(ec);
                          });
  }

  void on_read_body(error_code ec) {
    if (ec == http::error::need_buffer)
      ec = {};
    // Without close_notify a TLS peer that delimits the body by EOF looks
    // truncated; the parser decides whether the message is complete.
    if (ec && Policy::is_truncation(ec) && parser_->need_eof()) {
      ec = {};
      parser_->put_eof(ec);
    }
    auto produced = chunk_.size() - parser_->get().body().size;
    if (produced > 0) {
      if (streaming_)
        ex_->on_chunk(std::string_view{chunk_.data(), produced});
      else
        body_.append(chunk_.data(), produced);
    }
    if (ec)
      return fail(make_error(classify_io(ec), "read response body", ec));
    read_body();
  }

  void finish() {
    exchange_result res;
    auto& msg = parser_->get();
    res.resp.status = msg.result_int();
    res.resp.headers = to_header_list(msg.base());
    res.resp.body = std::move(body_);
    // Bytes beyond the response would be misread as the next one.
    res.reusable = parser_->keep_alive() && !dead_ && buffer_.size() == 0;
    complete(std::move(res));
  }

  void fail(net_error err, bool stale = false) {
    exchange_result res;
    res.err = std::move(err);
    res.stale = stale;
    if (parser_ && parser_->is_header_done())
      res.resp.status = parser_->get().result_int();
    complete(std::move(res));
  }

  void complete(exchange_result res) {
    parser_.reset();
    body_.clear();
    if (res.reusable) {
      reused_ = true;
      beast::get_lowest_layer(stream_).expires_never();
    } else {
      close_socket();
    }
    auto ex = std::move(ex_);
    if (ex && ex->on_done)
      ex->on_done(std::move(res));
  }

  void close_socket() {
    connected_ = false;
    dead_ = true;
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(
      tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close();
  }

  url_parts url_;
  strand_type strand_;
  tcp::resolver resolver_;
  asio::steady_timer resolve_timer_;
  typename Policy::stream_type stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::optional<parser_type> parser_;
  std::array<char, 16384> chunk_;
  std::string body_;
  std::shared_ptr<http_exchange> ex_;
  clock::time_point connect_deadline_;
  bool connected_ = false;
  bool dead_ = false;
  bool reused_ = false;
  bool got_bytes_ = false;
  bool streaming_ = false;
  bool resolving_ = false;
  bool resolve_timed_out_ = false;
};

} // namespace loong::net::detail

#include "bench/stream_server.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace loong::bench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

class session;

// Forwards every call to the session's strand; remembers completion.
class exchange_impl : public exchange, public std::enable_shared_from_this<exchange_impl> {
public:
  explicit exchange_impl(std::weak_ptr<session> s) : session_(std::move(s)) {
  }
  void respond(unsigned status, header_pairs headers, std::string body) override;
  void begin_stream(unsigned status, header_pairs headers) override;
  void write(std::string data) override;
  void end_stream() override;
  void abort() override;

  void on_done(std::function<void(bool)> fn) override {
    std::unique_lock<std::mutex> lk{mu_};
    if (!done_) {
      done_fn_ = std::move(fn);
      return;
    }
    bool completed = completed_;
    lk.unlock();
    fn(completed);
  }

  bool finished() const override {
    std::lock_guard<std::mutex> lk{mu_};
    return done_;
  }

  void mark_done(bool completed) {
    std::function<void(bool)> fn;
    {
      std::lock_guard<std::mutex> lk{mu_};
      if (done_)
        return;
      done_ = true;
      completed_ = completed;
      fn = std::move(done_fn_);
    }
    if (fn)
      fn(completed);
  }

private:
  template <class F>
  void post(F f);

  std::weak_ptr<session> session_;
  mutable std::mutex mu_;
  bool done_ = false;
  bool completed_ = false;
  std::function<void(bool)> done_fn_;
};

const char* reason(unsigned status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

std::string head(unsigned status, const header_pairs& headers, const std::string& framing,
                 bool keep_alive) {
  std::string h = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
  if (header_value(headers, "content-type").empty())
    h += "Content-Type: application/json\r\n";
  for (const auto& [k, v] : headers)
    h += k + ": " + v + "\r\n";
  h += framing + "\r\n";
  h += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  return h;
}

// One TCP connection. Runs on its own strand; all members below are only
// touched from that strand.
class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket sock, std::shared_ptr<exchange_handler> handler)
    : sock_(std::move(sock)), handler_(std::move(handler)) {
  }

  void start() {
    asio::post(sock_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  void post_close() {
    asio::post(sock_.get_executor(), [self = shared_from_this()] { self->close(false); });
  }

  asio::any_io_executor executor() {
    return sock_.get_executor();
  }

  // --- exchange operations (on the strand)
  void do_respond(exchange_impl* ex, unsigned status, header_pairs& headers, std::string& body) {
    if (!current(ex) || started_)
      return;
    started_ = true;
    auto bytes = head(status, headers, "Content-Length: " + std::to_string(body.size()),
                      keep_alive_);
    bytes += body;
    queue(std::move(bytes), true);
  }

  void do_begin(exchange_impl* ex, unsigned status, header_pairs& headers) {
    if (!current(ex) || started_)
      return;
    started_ = streaming_ = true;
    queue(head(status, headers, "Transfer-Encoding: chunked", keep_alive_), false);
  }

  void do_write(exchange_impl* ex, std::string& data) {
    if (!current(ex) || !streaming_ || final_queued_ || data.empty())
      return;
    static const char* digits = "0123456789abcdef";
    std::string size;
    for (auto n = data.size(); n > 0; n /= 16)
      size.insert(size.begin(), digits[n % 16]);
    queue(size + "\r\n" + data + "\r\n", false);
  }

  void do_end(exchange_impl* ex) {
    if (!current(ex) || !streaming_ || final_queued_)
      return;
    queue("0\r\n\r\n", true);
  }

  void do_abort(exchange_impl* ex) {
    if (current(ex))
      close(false);
  }

private:
  bool current(exchange_impl* ex) const {
    return !closed_ && current_ && current_.get() == ex;
  }

  void do_read() {
    if (closed_)
      return;
    parser_.emplace();
    parser_->body_limit(16u << 20);
    http::async_read(sock_, buf_, *parser_,
                     [self = shared_from_this()](error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec)
      return close(false);
    auto req = parser_->release();
    keep_alive_ = req.keep_alive();
    raw_request r;
    r.method = std::string{req.method_string()};
    r.target = std::string{req.target()};
    for (const auto& f : req)
      r.headers.emplace_back(std::string{f.name_string()}, std::string{f.value()});
    r.body = std::move(req.body());
    started_ = streaming_ = final_queued_ = false;
    current_ = std::make_shared<exchange_impl>(weak_from_this());
    start_watch();
    (*handler_)(std::move(r), current_);
  }

  // While an answer is pending, a read detects the peer closing (so hung or
  // stalled requests end and in-flight counts drop) and keeps pipelined bytes.
  void start_watch() {
    watching_ = true;
    sock_.async_read_some(buf_.prepare(4096), [self = shared_from_this()](error_code ec, size_t n) {
      self->on_watch(ec, n);
    });
  }

  void on_watch(error_code ec, size_t n) {
    watching_ = false;
    buf_.commit(n);
    if (want_next_) {
      want_next_ = false;
      if (ec && ec != asio::error::operation_aborted)
        return close(false);
      return do_read();
    }
    if (ec && ec != asio::error::operation_aborted)
      close(false);
  }

  void queue(std::string bytes, bool final) {
    outq_.push_back(std::move(bytes));
    final_queued_ = final_queued_ || final;
    if (!writing_)
      write_next();
  }

  void write_next() {
    writing_ = true;
    asio::async_write(sock_, asio::buffer(outq_.front()),
                      [self = shared_from_this()](error_code ec, size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    writing_ = false;
    outq_.pop_front();
    if (ec)
      return close(false);
    if (!outq_.empty())
      return write_next();
    if (!final_queued_ || closed_)
      return;
    // The answer is complete.
    auto ex = std::move(current_);
    ex->mark_done(true);
    if (!keep_alive_)
      return close(true);
    if (watching_) {
      want_next_ = true;
      error_code ignored;
      sock_.cancel(ignored);
    } else {
      do_read();
    }
  }

  void close(bool graceful) {
    if (closed_)
      return;
    closed_ = true;
    error_code ignored;
    if (graceful)
      sock_.shutdown(tcp::socket::shutdown_send, ignored);
    sock_.close(ignored);
    if (current_)
      std::move(current_)->mark_done(false);
  }

  tcp::socket sock_;
  std::shared_ptr<exchange_handler> handler_;
  boost::beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<exchange_impl> current_;
  std::deque<std::string> outq_;
  bool keep_alive_ = true, started_ = false, streaming_ = false, final_queued_ = false;
  bool writing_ = false, watching_ = false, want_next_ = false, closed_ = false;
};

template <class F>
void exchange_impl::post(F f) {
  if (auto s = session_.lock())
    asio::post(s->executor(), [s, self = shared_from_this(), f = std::move(f)]() mutable {
      f(*s, self.get());
    });
}

void exchange_impl::respond(unsigned status, header_pairs headers, std::string body) {
  post([status, headers = std::move(headers), body = std::move(body)](session& s,
                                                                      exchange_impl* ex) mutable {
    s.do_respond(ex, status, headers, body);
  });
}

void exchange_impl::begin_stream(unsigned status, header_pairs headers) {
  post([status, headers = std::move(headers)](session& s, exchange_impl* ex) mutable {
    s.do_begin(ex, status, headers);
  });
}

void exchange_impl::write(std::string data) {
  post([data = std::move(data)](session& s, exchange_impl* ex) mutable { s.do_write(ex, data); });
}

void exchange_impl::end_stream() {
  post([](session& s, exchange_impl* ex) { s.do_end(ex); });
}

void exchange_impl::abort() {
  post([](session& s, exchange_impl* ex) { s.do_abort(ex); });
}

class server_impl : public stream_server, public std::enable_shared_from_this<server_impl> {
public:
  server_impl(asio::io_context& io, exchange_handler h)
    : io_(io), acceptor_(asio::make_strand(io)),
      handler_(std::make_shared<exchange_handler>(std::move(h))) {
  }

  bool listen(uint16_t port, std::string& err) {
    error_code ec;
    tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), port};
    acceptor_.open(ep.protocol(), ec);
    if (!ec)
      acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
      acceptor_.bind(ep, ec);
    if (!ec)
      acceptor_.listen(1024, ec);
    if (ec) {
      err = "listen 127.0.0.1:" + std::to_string(port) + ": " + ec.message();
      return false;
    }
    port_ = acceptor_.local_endpoint().port();
    accept();
    return true;
  }

  uint16_t port() const override {
    return port_;
  }

  void stop() override {
    std::vector<std::weak_ptr<session>> sessions;
    {
      std::lock_guard<std::mutex> lk{mu_};
      if (stopped_)
        return;
      stopped_ = true;
      sessions.swap(sessions_);
    }
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      error_code ignored;
      self->acceptor_.close(ignored);
    });
    for (auto& w : sessions)
      if (auto s = w.lock())
        s->post_close();
  }

private:
  void accept() {
    acceptor_.async_accept(asio::make_strand(io_), [self = shared_from_this()](
                                                     error_code ec, tcp::socket sock) {
      if (ec == asio::error::operation_aborted)
        return;
      if (!ec) {
        error_code ignored;
        sock.set_option(tcp::no_delay(true), ignored);
        auto s = std::make_shared<session>(std::move(sock), self->handler_);
        {
          std::lock_guard<std::mutex> lk{self->mu_};
          if (self->stopped_)
            return;
          auto& v = self->sessions_;
          v.erase(std::remove_if(v.begin(), v.end(), [](auto& w) { return w.expired(); }),
                  v.end());
          v.push_back(s);
        }
        s->start();
      }
      self->accept();
    });
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<exchange_handler> handler_;
  uint16_t port_ = 0;
  std::mutex mu_;
  bool stopped_ = false;
  std::vector<std::weak_ptr<session>> sessions_;
};

} // namespace

std::shared_ptr<stream_server> stream_server::start(asio::io_context& io, uint16_t port,
                                                    exchange_handler handler, std::string& err) {
  auto s = std::make_shared<server_impl>(io, std::move(handler));
  if (!s->listen(port, err))
    return nullptr;
  return s;
}

} // namespace loong::bench

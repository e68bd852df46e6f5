#include "tests/net/raw_peer.hpp"

#include <array>
#include <atomic>
#include <future>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace loong::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

struct raw_conn {
  explicit raw_conn(tcp::socket s)
    : sock(std::move(s)), timer(sock.get_executor()) {
  }
  tcp::socket sock;
  asio::steady_timer timer;
  asio::streambuf buf;
  size_t step = 0;
  bool open = true;
};

} // namespace

/// Everything runs on one strand; the destructor posts the shutdown there.
struct raw_server::impl : std::enable_shared_from_this<impl> {
  impl(net::io_runtime& io, std::vector<raw_step> script, bool close_at_end)
    : strand(asio::make_strand(io.context())),
      acceptor(strand, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}),
      script(std::move(script)),
      close_at_end(close_at_end) {
    port = acceptor.local_endpoint().port();
  }

  void accept() {
    acceptor.async_accept(strand, [self = shared_from_this()](
                                    error_code ec, tcp::socket s) {
      if (ec || self->stopped)
        return;
      ++self->accepted;
      auto c = std::make_shared<raw_conn>(std::move(s));
      self->conns.push_back(c);
      self->read_head(c);
      self->accept();
    });
  }

  void read_head(const std::shared_ptr<raw_conn>& c) {
    asio::async_read_until(c->sock, c->buf, "\r\n\r\n",
                           [self = shared_from_this(), c](error_code ec,
                                                          size_t) {
                             if (ec)
                               return self->close(c);
                             self->play(c);
                           });
  }

  void play(const std::shared_ptr<raw_conn>& c) {
    if (stopped || !c->open)
      return;
    if (c->step == script.size()) {
      if (close_at_end && !script.empty())
        close(c);
      return;
    }
    c->timer.expires_after(script[c->step].delay);
    c->timer.async_wait([self = shared_from_this(), c](error_code ec) {
      if (ec || !c->open)
        return;
      const auto& bytes = self->script[c->step].bytes;
      asio::async_write(c->sock, asio::buffer(bytes),
                        [self, c](error_code ec, size_t) {
                          if (ec)
                            return self->close(c);
                          ++c->step;
                          self->play(c);
                        });
    });
  }

  void close(const std::shared_ptr<raw_conn>& c) {
    if (!c->open)
      return;
    c->open = false;
    error_code ignored;
    c->timer.cancel();
    c->sock.shutdown(tcp::socket::shutdown_both, ignored);
    c->sock.close(ignored);
    ++closed;
  }

  asio::strand<asio::io_context::executor_type> strand;
  tcp::acceptor acceptor;
  std::vector<raw_step> script;
  bool close_at_end;
  uint16_t port = 0;
  bool stopped = false;
  std::vector<std::shared_ptr<raw_conn>> conns;
  std::atomic<size_t> accepted{0};
  std::atomic<size_t> closed{0};
};

raw_server::raw_server(net::io_runtime& io, std::vector<raw_step> script,
                       bool close_at_end)
  : impl_(std::make_shared<impl>(io, std::move(script), close_at_end)) {
  asio::post(impl_->strand, [self = impl_] { self->accept(); });
}

raw_server::~raw_server() {
  std::promise<void> done;
  auto fut = done.get_future();
  asio::post(impl_->strand, [self = impl_, &done] {
    self->stopped = true;
    error_code ignored;
    self->acceptor.close(ignored);
    for (auto& c : self->conns)
      self->close(c);
    self->conns.clear();
    done.set_value();
  });
  fut.wait_for(std::chrono::seconds(5));
}

uint16_t raw_server::port() const {
  return impl_->port;
}

std::string raw_server::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

size_t raw_server::connections() const {
  return impl_->accepted.load();
}

size_t raw_server::closed_connections() const {
  return impl_->closed.load();
}

raw_result raw_exchange(uint16_t port, const std::string& bytes,
                        std::chrono::milliseconds limit) {
  raw_result out;
  asio::io_context ioc;
  tcp::socket sock{ioc};
  std::array<char, 4096> buf;
  std::function<void()> read_more = [&] {
    sock.async_read_some(asio::buffer(buf), [&](error_code ec, size_t n) {
      out.data.append(buf.data(), n);
      if (ec) {
        out.closed = true;
        return;
      }
      read_more();
    });
  };
  tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), port};
  sock.async_connect(ep, [&](error_code ec) {
    if (ec)
      return;
    out.connected = true;
    asio::async_write(sock, asio::buffer(bytes), [&](error_code, size_t) {});
    read_more();
  });
  ioc.run_for(limit);
  return out;
}

} // namespace loong::test

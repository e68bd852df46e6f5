#pragma once

// Internal: the server-side Beast WebSocket session. Instantiated once per
// stream type, in ws_server_session_plain.cpp and ws_server_session_tls.cpp.

#include <deque>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "net/detail/beast_errors.hpp"
#include "net/detail/ws_server.hpp"

namespace loong::net::detail {

/// One accepted WebSocket. Runs on the strand inherited from the HTTP
/// session; public methods only post there. Reads continuously; writes go
/// through a queue with one async_write in flight (Beast allows no more).
template <class Stream>
class ws_server_session final
  : public ws_session,
    public server_conn,
    public std::enable_shared_from_this<ws_server_session<Stream>> {
public:
  ws_server_session(std::shared_ptr<server_core> core, uint64_t id,
                    Stream&& stream, upgrade_request&& req, ws_accept&& cbs)
    : core_(std::move(core)),
      id_(id),
      executor_(boost::beast::get_lowest_layer(stream).get_executor()),
      ws_(std::move(stream)),
      req_(std::move(req)),
      cbs_(std::move(cbs)) {
  }

  ~ws_server_session() override {
    if (!finished_)
      core_->remove(id_);
  }

  void start() {
    namespace websocket = boost::beast::websocket;
    core_->replace(id_, this->weak_from_this());
    // The HTTP session's deadline must not cut the WebSocket; Beast's own
    // handshake and idle timeouts (with keep-alive pings) take over.
    boost::beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(
      boost::beast::role_type::server));
    ws_.async_accept(req_, [self = this->shared_from_this()](
                             boost::system::error_code ec) {
      self->on_accept(ec);
    });
  }

  void send(std::string data, bool binary) override {
    boost::asio::post(executor_, [self = this->shared_from_this(),
                                  data = std::move(data), binary]() mutable {
      self->do_send(std::move(data), binary);
    });
  }

  void close() override {
    boost::asio::post(executor_, [self = this->shared_from_this()] {
      self->close_pending_ = true;
      if (!self->writing_)
        self->do_close();
    });
  }

  void drop() override {
    boost::asio::post(executor_,
                      [self = this->shared_from_this()] { self->do_drop(); });
  }

  void stop() override {
    drop();
  }

  uint64_t id() const override {
    return id_;
  }

private:
  void on_accept(boost::system::error_code ec) {
    if (ec)
      return do_drop();
    opened_ = true;
    if (cbs_.on_open)
      cbs_.on_open(this->shared_from_this());
    if (finished_)
      return;
    do_read();
    if (!queue_.empty())
      do_write();
    else if (close_pending_)
      do_close();
  }

  void do_read() {
    ws_.async_read(rbuf_, [self = this->shared_from_this()](
                            boost::system::error_code ec, size_t) {
      self->on_read(ec);
    });
  }

  void on_read(boost::system::error_code ec) {
    // Our own close handshake ends the pending read too (aborted).
    if (ec && closing_)
      return finish({net_errc::closed, "closed by the server"});
    if (ec)
      return finish(make_error(classify_io(ec), "websocket read", ec));
    auto data = boost::beast::buffers_to_string(rbuf_.data());
    rbuf_.consume(rbuf_.size());
    if (cbs_.on_message)
      cbs_.on_message(this->shared_from_this(), std::move(data),
                      ws_.got_binary());
    if (!finished_)
      do_read();
  }

  void do_send(std::string data, bool binary) {
    if (finished_ || close_pending_)
      return;
    queue_.emplace_back(std::move(data), binary);
    if (!writing_ && opened_)
      do_write();
  }

  void do_write() {
    writing_ = true;
    ws_.binary(queue_.front().second);
    ws_.async_write(boost::asio::buffer(queue_.front().first),
                    [self = this->shared_from_this()](
                      boost::system::error_code ec, size_t) {
                      self->on_write(ec);
                    });
  }

  void on_write(boost::system::error_code ec) {
    writing_ = false;
    if (ec)
      return finish(make_error(classify_io(ec), "websocket write", ec));
    queue_.pop_front();
    if (finished_)
      return;
    if (!queue_.empty())
      return do_write();
    if (close_pending_)
      do_close();
  }

  void do_close() {
    namespace websocket = boost::beast::websocket;
    if (closing_ || finished_ || !opened_)
      return;
    closing_ = true;
    // Ends the session once the peer answered; the pending read is aborted.
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](
                      boost::system::error_code ec) {
                      if (ec)
                        return self->finish(
                          make_error(classify_io(ec), "websocket close", ec));
                      self->finish({net_errc::closed, "closed by the server"});
                    });
  }

  void do_drop() {
    boost::system::error_code ignored;
    auto& socket = boost::beast::get_lowest_layer(ws_).socket();
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  void finish(net_error err) {
    if (finished_)
      return;
    finished_ = true;
    core_->remove(id_);
    // A write in flight still references the front message.
    while (queue_.size() > (writing_ ? 1u : 0u))
      queue_.pop_back();
    do_drop();
    // Callbacks often capture the session; releasing them breaks the cycle.
    auto cbs = std::move(cbs_);
    cbs_ = ws_accept{};
    if (opened_ && cbs.on_close)
      cbs.on_close(this->shared_from_this(), std::move(err));
  }

  std::shared_ptr<server_core> core_;
  uint64_t id_;
  boost::asio::any_io_executor executor_;
  boost::beast::websocket::stream<Stream> ws_;
  upgrade_request req_;
  ws_accept cbs_;
  boost::beast::flat_buffer rbuf_;
  std::deque<std::pair<std::string, bool>> queue_;
  bool opened_ = false;
  bool writing_ = false;
  bool close_pending_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

/// Starts a session that takes over `stream` after an accepted upgrade.
template <class Stream>
void start_ws_server_session(std::shared_ptr<server_core> core, uint64_t id,
                             Stream&& stream, upgrade_request&& req,
                             ws_accept&& accept) {
  auto s = std::make_shared<ws_server_session<Stream>>(
    std::move(core), id, std::move(stream), std::move(req),
    std::move(accept));
  s->start();
}

} // namespace loong::net::detail

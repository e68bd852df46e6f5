// The keep-alive pool and call bookkeeping. No Beast here: connections are
// created through detail::make_*_http_conn, each in its own TU.

#include "net/http_client.hpp"

#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/detail/http_conn.hpp"
#include "net/io_runtime.hpp"
#include "net/url.hpp"

namespace loong::net {

namespace asio = boost::asio;
using detail::clock;
using conn_ptr = std::shared_ptr<detail::http_conn>;
using exchange_ptr = std::shared_ptr<detail::http_exchange>;

/// Shared by the client, its calls and their timers, so that late
/// completions find it even after the client is gone. One mutex guards the
/// pool and every call's state; no callback runs while it is held.
struct http_client::pool : std::enable_shared_from_this<pool> {
  struct call;
  using call_ptr = std::shared_ptr<call>;

  struct idle_entry {
    conn_ptr conn;
    uint64_t id = 0;
    std::unique_ptr<asio::steady_timer> timer;
  };

  struct host_state {
    size_t active = 0;
    std::deque<call_ptr> queue;
    std::vector<idle_entry> idle;
  };

  /// A connection and the exchange to start on it once the lock is gone.
  struct start_item {
    conn_ptr conn;
    exchange_ptr ex;
  };

  pool(io_runtime& io, http_client_options opts) : io(io), opts(opts) {
  }

  call_ptr submit(http_request req, http_callback done,
                  body_chunk_callback on_chunk);
  void fail(const call_ptr& c, net_error err);
  void on_exchange_done(const call_ptr& c, conn_ptr conn,
                        detail::exchange_result r);
  void on_idle_expired(const std::string& origin, uint64_t id);
  void shutdown();

  /// Under the lock: binds `c` to `conn` and returns what to start.
  start_item assign(const call_ptr& c, conn_ptr conn);
  /// Under the lock: a connection for `c` (idle, new, or null if none).
  conn_ptr acquire(host_state& h, const call_ptr& c);
  /// Under the lock: parks a reusable connection or closes it.
  void park(host_state& h, const std::string& origin, conn_ptr conn,
            std::vector<conn_ptr>& to_close);
  /// Under the lock: marks `c` finished and stops its timer.
  void finish_locked(const call_ptr& c);
  /// Runs `c`'s callback on an I/O thread, inline if already on one.
  void deliver(const call_ptr& c, net_error err, http_response resp,
               bool may_inline);
  conn_ptr make_conn(const url_parts& u) {
    return u.tls() ? detail::make_tls_http_conn(io, u)
                   : detail::make_plain_http_conn(io, u);
  }

  io_runtime& io;
  http_client_options opts;
  mutable std::mutex mtx;
  bool closed = false;
  uint64_t next_idle_id = 0;
  std::unordered_map<std::string, host_state> hosts;
  std::unordered_map<call*, std::weak_ptr<call>> calls;
};

/// One request from submit to callback.
struct http_client::pool::call final : http_call,
                                        std::enable_shared_from_this<call> {
  enum class phase { fresh, queued, running, finished };

  call(std::shared_ptr<pool> owner, url_parts url, http_request req,
       http_callback done, body_chunk_callback on_chunk)
    : owner(std::move(owner)),
      url(std::move(url)),
      origin(this->url.origin()),
      req(std::move(req)),
      done(std::move(done)),
      on_chunk(std::move(on_chunk)),
      deadline(clock::now() + this->req.timeout),
      timer(this->owner->io.context()) {
  }

  void cancel() override {
    owner->fail(shared_from_this(),
                {net_errc::cancelled, "request cancelled by the caller"});
  }

  std::shared_ptr<pool> owner;
  url_parts url;
  std::string origin;
  http_request req;
  http_callback done;
  body_chunk_callback on_chunk;
  clock::time_point deadline;
  asio::steady_timer timer;
  // Guarded by owner->mtx. Weak: the running machinery owns the connection
  // and exchange; the call only needs them to abort.
  phase state = phase::fresh;
  std::weak_ptr<detail::http_conn> conn;
  std::weak_ptr<detail::http_exchange> ex;
  net_error forced;
  bool retried = false;
};

namespace {

bool has_crlf(const std::string& x) {
  return x.find_first_of("\r\n") != std::string::npos;
}

/// The request fields as sent: the caller's plus Host, User-Agent and
/// Content-Length where absent. An error names the first unsafe field.
std::optional<net_error> finish_headers(http_request& req,
                                        const url_parts& u) {
  if (req.method.empty() || has_crlf(req.method)
      || req.method.find(' ') != std::string::npos)
    return net_error{net_errc::protocol_error, "invalid request method"};
  for (const auto& [name, value] : req.headers)
    if (name.empty() || has_crlf(name) || has_crlf(value))
      return net_error{net_errc::protocol_error,
                       "request header field contains CR or LF"};
  if (find_header(req.headers, "host").empty())
    req.headers.emplace_back("Host", u.host_field());
  if (find_header(req.headers, "user-agent").empty())
    req.headers.emplace_back("User-Agent", "loong/0.1");
  bool wants_length = !req.body.empty() || req.method == "POST"
                      || req.method == "PUT" || req.method == "PATCH";
  if (wants_length && find_header(req.headers, "content-length").empty()
      && find_header(req.headers, "transfer-encoding").empty())
    req.headers.emplace_back("Content-Length", std::to_string(req.body.size()));
  return std::nullopt;
}

} // namespace

http_client::pool::call_ptr
http_client::pool::submit(http_request req, http_callback done,
                          body_chunk_callback on_chunk) {
  auto u = parse_url(req.url);
  std::optional<net_error> early;
  if (!u || (u->scheme != "http" && u->scheme != "https")) {
    // The URL itself stays out of the message: queries may carry tokens.
    early = net_error{net_errc::invalid_url, "invalid or non-HTTP URL"};
    u = url_parts{};
  } else {
    early = finish_headers(req, *u);
  }
  auto c = std::make_shared<call>(shared_from_this(), std::move(*u),
                                  std::move(req), std::move(done),
                                  std::move(on_chunk));
  if (early) {
    c->state = call::phase::finished;
    deliver(c, std::move(*early), {}, false);
    return c;
  }
  start_item item;
  {
    std::lock_guard<std::mutex> guard{mtx};
    if (closed) {
      c->state = call::phase::finished;
      early = net_error{net_errc::cancelled, "http client destroyed"};
    } else {
      auto& h = hosts[c->origin];
      calls.emplace(c.get(), c);
      c->timer.expires_at(c->deadline);
      c->timer.async_wait([weak = std::weak_ptr<call>{c}](
                            const boost::system::error_code& ec) {
        if (ec)
          return;
        if (auto c = weak.lock())
          c->owner->fail(c, {net_errc::timeout,
                             "request exceeded its "
                               + std::to_string(c->req.timeout.count())
                               + " ms deadline"});
      });
      if (auto conn = acquire(h, c)) {
        item = assign(c, std::move(conn));
      } else if (h.queue.size() < opts.max_queued_per_host) {
        c->state = call::phase::queued;
        h.queue.push_back(c);
      } else {
        finish_locked(c);
        early = net_error{net_errc::overloaded,
                          "request queue for " + c->url.host_field()
                            + " is full"};
      }
    }
  }
  if (early)
    deliver(c, std::move(*early), {}, false);
  else if (item.conn)
    item.conn->run(std::move(item.ex));
  return c;
}

conn_ptr http_client::pool::acquire(host_state& h, const call_ptr& c) {
  if (!h.idle.empty()) {
    // Most recently used first: the least likely to have been closed.
    auto entry = std::move(h.idle.back());
    h.idle.pop_back();
    entry.timer->cancel();
    ++h.active;
    return std::move(entry.conn);
  }
  if (h.active < opts.max_active_per_host) {
    ++h.active;
    return make_conn(c->url);
  }
  return nullptr;
}

http_client::pool::start_item http_client::pool::assign(const call_ptr& c,
                                                        conn_ptr conn) {
  auto ex = std::make_shared<detail::http_exchange>();
  ex->method = c->req.method;
  ex->target = c->url.target;
  ex->headers = c->req.headers;
  ex->body = c->req.body;
  ex->deadline = c->deadline;
  ex->connect_timeout = c->req.connect_timeout;
  ex->read_idle_timeout = c->req.read_idle_timeout;
  ex->max_response_bytes = c->req.max_response_bytes;
  ex->on_chunk = c->on_chunk;
  ex->on_done = [c, weak_conn = std::weak_ptr<detail::http_conn>{conn}](
                  detail::exchange_result r) {
    c->owner->on_exchange_done(c, weak_conn.lock(), std::move(r));
  };
  c->state = call::phase::running;
  c->conn = conn;
  c->ex = ex;
  return {std::move(conn), std::move(ex)};
}

void http_client::pool::park(host_state& h, const std::string& origin,
                             conn_ptr conn, std::vector<conn_ptr>& to_close) {
  --h.active;
  if (closed || h.idle.size() >= opts.max_idle_per_host) {
    to_close.push_back(std::move(conn));
    return;
  }
  idle_entry entry;
  entry.conn = std::move(conn);
  entry.id = ++next_idle_id;
  entry.timer = std::make_unique<asio::steady_timer>(io.context());
  entry.timer->expires_after(opts.idle_timeout);
  entry.timer->async_wait(
    [weak = weak_from_this(), origin, id = entry.id](
      const boost::system::error_code& ec) {
      if (ec)
        return;
      if (auto self = weak.lock())
        self->on_idle_expired(origin, id);
    });
  h.idle.push_back(std::move(entry));
}

void http_client::pool::finish_locked(const call_ptr& c) {
  c->state = call::phase::finished;
  c->timer.cancel();
  calls.erase(c.get());
}

void http_client::pool::fail(const call_ptr& c, net_error err) {
  exchange_ptr ex;
  conn_ptr conn;
  bool running = false;
  {
    std::lock_guard<std::mutex> guard{mtx};
    switch (c->state) {
      case call::phase::fresh:
      case call::phase::finished:
        return;
      case call::phase::queued: {
        auto& q = hosts[c->origin].queue;
        for (auto i = q.begin(); i != q.end(); ++i)
          if (*i == c) {
            q.erase(i);
            break;
          }
        finish_locked(c);
        break;
      }
      case call::phase::running:
        // The connection reports back through on_exchange_done, which
        // then returns or closes it and delivers `forced`.
        if (!c->forced)
          c->forced = err;
        ex = c->ex.lock();
        conn = c->conn.lock();
        running = true;
        break;
    }
  }
  if (running) {
    if (ex)
      ex->aborted = true;
    if (conn)
      conn->abort(ex.get());
    return;
  }
  deliver(c, std::move(err), {}, false);
}

void http_client::pool::on_exchange_done(const call_ptr& c, conn_ptr conn,
                                         detail::exchange_result r) {
  std::vector<start_item> starts;
  std::vector<conn_ptr> to_close;
  net_error err;
  bool finished = false;
  {
    std::lock_guard<std::mutex> guard{mtx};
    auto& h = hosts[c->origin];
    bool retry = r.stale && !c->retried && !c->forced && !closed
                 && clock::now() < c->deadline;
    if (retry) {
      // The slot passes from the stale connection to a fresh one.
      c->retried = true;
      starts.push_back(assign(c, make_conn(c->url)));
    } else {
      finish_locked(c);
      finished = true;
      err = c->forced ? c->forced : std::move(r.err);
      if (r.reusable && conn && !closed) {
        if (!h.queue.empty()) {
          auto next = std::move(h.queue.front());
          h.queue.pop_front();
          starts.push_back(assign(next, std::move(conn)));
        } else {
          park(h, c->origin, std::move(conn), to_close);
        }
      } else {
        --h.active;
        if (conn)
          to_close.push_back(std::move(conn));
        if (!h.queue.empty() && !closed) {
          auto next = std::move(h.queue.front());
          h.queue.pop_front();
          ++h.active;
          starts.push_back(assign(next, make_conn(next->url)));
        }
      }
      if (h.active == 0 && h.idle.empty() && h.queue.empty())
        hosts.erase(c->origin);
    }
  }
  for (auto& conn : to_close)
    conn->abort(nullptr);
  for (auto& s : starts)
    s.conn->run(std::move(s.ex));
  if (finished) {
    if (err)
      r.resp.body.clear();
    deliver(c, std::move(err), std::move(r.resp), true);
  }
}

void http_client::pool::on_idle_expired(const std::string& origin,
                                        uint64_t id) {
  conn_ptr conn;
  {
    std::lock_guard<std::mutex> guard{mtx};
    auto i = hosts.find(origin);
    if (i == hosts.end())
      return;
    auto& idle = i->second.idle;
    for (auto j = idle.begin(); j != idle.end(); ++j)
      if (j->id == id) {
        conn = std::move(j->conn);
        idle.erase(j);
        break;
      }
    if (i->second.active == 0 && idle.empty() && i->second.queue.empty())
      hosts.erase(i);
  }
  if (conn)
    conn->abort(nullptr);
}

void http_client::pool::shutdown() {
  std::vector<call_ptr> pending;
  std::vector<conn_ptr> idle;
  {
    std::lock_guard<std::mutex> guard{mtx};
    closed = true;
    for (auto& [ptr, weak] : calls)
      if (auto c = weak.lock())
        pending.push_back(std::move(c));
    for (auto& [origin, h] : hosts) {
      for (auto& entry : h.idle)
        idle.push_back(std::move(entry.conn));
      h.idle.clear();
    }
  }
  for (auto& conn : idle)
    conn->abort(nullptr);
  for (auto& c : pending)
    fail(c, {net_errc::cancelled, "http client destroyed"});
}

void http_client::pool::deliver(const call_ptr& c, net_error err,
                                http_response resp, bool may_inline) {
  if (!c->done)
    return;
  if (may_inline && io.running_in_this_thread()) {
    auto done = std::move(c->done);
    done(std::move(err), std::move(resp));
    return;
  }
  asio::post(io.context(), [c, err = std::move(err),
                            resp = std::move(resp)]() mutable {
    auto done = std::move(c->done);
    done(std::move(err), std::move(resp));
  });
}

http_client::http_client(io_runtime& io, http_client_options opts)
  : pool_(std::make_shared<pool>(io, opts)) {
}

http_client::~http_client() {
  pool_->shutdown();
}

std::shared_ptr<http_call> http_client::request(http_request req,
                                                http_callback done,
                                                body_chunk_callback on_chunk) {
  return pool_->submit(std::move(req), std::move(done), std::move(on_chunk));
}

size_t http_client::idle_connections() const {
  std::lock_guard<std::mutex> guard{pool_->mtx};
  size_t n = 0;
  for (const auto& [origin, h] : pool_->hosts)
    n += h.idle.size();
  return n;
}

size_t http_client::active_connections() const {
  std::lock_guard<std::mutex> guard{pool_->mtx};
  size_t n = 0;
  for (const auto& [origin, h] : pool_->hosts)
    n += h.active;
  return n;
}

} // namespace loong::net

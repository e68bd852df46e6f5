#include "actors/http_bridge.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "net/http_client.hpp"

namespace loong {

namespace {

net::http_request to_request(const http_exchange& x) {
  net::http_request req;
  req.method = x.method;
  req.url = x.url;
  for (auto& h : x.headers)
    req.headers.emplace_back(h.name, h.value);
  req.body = x.body;
  req.timeout = std::chrono::milliseconds{x.timeout_ms};
  req.connect_timeout = std::chrono::milliseconds{x.connect_timeout_ms};
  req.read_idle_timeout = std::chrono::milliseconds{x.idle_timeout_ms};
  req.max_response_bytes = static_cast<size_t>(x.max_response_bytes);
  return req;
}

} // namespace

http_bridge_actor::behavior_type
http_bridge(http_bridge_actor::stateful_pointer<http_bridge_state> self,
            std::shared_ptr<net::http_client> client) {
  self->state.client = std::move(client);
  // Calls still running when the bridge goes away are cancelled; their
  // callbacks find no actor and drop the result.
  self->attach_functor([calls = &self->state.calls] {
    for (auto& kv : *calls)
      if (kv.second.call)
        kv.second.call->cancel();
  });
  return {
    [self](http_exchange& x) -> caf::typed_response_promise<http_reply> {
      auto rp = self->make_response_promise<http_reply>();
      auto id = self->state.next_id++;
      auto started = std::chrono::steady_clock::now();
      // Weak: a strong handle in the callback would keep the bridge alive.
      auto weak = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
      net::body_chunk_callback on_chunk;
      if (x.chunk_sink) {
        on_chunk = [sink = x.chunk_sink, tag = x.tag](std::string_view chunk) {
          caf::anon_send(sink, http_chunk{tag, std::string{chunk}});
        };
      }
      auto done = [weak, id, started](net::net_error err, net::http_response resp) {
        auto strong = weak.lock();
        if (!strong)
          return;
        http_done msg;
        msg.call_id = id;
        msg.reply.status = static_cast<int32_t>(resp.status);
        for (auto& h : resp.headers)
          msg.reply.headers.push_back({h.first, h.second});
        msg.reply.body = std::move(resp.body);
        if (err) {
          msg.reply.error_code = net::to_string(err.code);
          msg.reply.error_detail = err.detail;
        }
        msg.reply.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - started)
                                 .count();
        caf::anon_send(caf::actor_cast<http_bridge_actor>(strong), std::move(msg));
      };
      auto& slot = self->state.calls[id];
      slot.promise = rp;
      slot.call = self->state.client->request(to_request(x), std::move(done),
                                              std::move(on_chunk));
      return rp;
    },
    [self](http_done& d) {
      auto i = self->state.calls.find(d.call_id);
      if (i == self->state.calls.end())
        return;
      auto rp = i->second.promise;
      self->state.calls.erase(i);
      rp.deliver(std::move(d.reply));
    },
  };
}

} // namespace loong

#include "bench/load/echo_peer.hpp"

#include <mutex>

#include <rapidjson/document.h>

#include "net/http_client.hpp"
#include "net/io_runtime.hpp"
#include "net/ws_client.hpp"
#include "protocol/feishu_frame.hpp"

namespace loong::bench {

struct echo_peer::state {
  net::io_runtime io{1};
  net::http_client http{io, net::http_client_options{8, 256, 100000, std::chrono::seconds{30}}};
  std::mutex mu;
  std::vector<std::shared_ptr<net::ws_client>> sockets;
  std::string base;
  std::atomic<uint64_t>* failures = nullptr;
};

namespace {

using state_ptr = std::shared_ptr<echo_peer::state>;

std::string json_field(const std::string& body, const char* a, const char* b = nullptr,
                       const char* c = nullptr) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  const rapidjson::Value* v = &d;
  for (const char* k : {a, b, c}) {
    if (!k)
      break;
    if (!v->IsObject() || !v->HasMember(k))
      return {};
    v = &(*v)[k];
  }
  return v->IsString() ? std::string{v->GetString(), v->GetStringLength()} : std::string{};
}

void post(const state_ptr& st, const std::string& path, std::string body,
          const std::string& token, std::function<void(std::string)> on_ok) {
  net::http_request req;
  req.method = "POST";
  req.url = st->base + path;
  req.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  if (!token.empty())
    req.headers.emplace_back("Authorization", "Bearer " + token);
  req.body = std::move(body);
  st->http.request(std::move(req), [st, on_ok](net::net_error err, net::http_response r) {
    if (err || r.status != 200) {
      ++*st->failures;
      return;
    }
    if (on_ok)
      on_ok(std::move(r.body));
  });
}

void on_frame(const state_ptr& st, const std::shared_ptr<net::ws_client>& ws,
              const std::string& token, const std::string& data) {
  auto f = feishu::decode_frame(data);
  if (!f || f->method != 1 || !f->payload)
    return;  // pongs and pings need nothing here
  ws->send(feishu::encode_frame(feishu::make_ack(*f, 0)));
  auto message_id = json_field(*f->payload, "event", "message", "message_id");
  if (message_id.empty())
    return;
  post(st, "/open-apis/im/v1/messages/" + message_id + "/reply",
       R"({"msg_type":"text","content":"{\"text\":\"echo\"}","uuid":"echo-)" + message_id
         + "\"}",
       token, {});
}

void connect(const state_ptr& st, const app_credentials& app, const std::string& token) {
  post(st, "/callback/ws/endpoint", feishu::discovery_request_body(app.app_id, app.app_secret),
       {}, [st, token](std::string body) {
         auto url = json_field(body, "data", "URL");
         if (url.empty()) {
           ++*st->failures;
           return;
         }
         auto holder = std::make_shared<std::weak_ptr<net::ws_client>>();
         net::ws_client_events ev;
         ev.on_open = [] {};
         ev.on_message = [st, holder, token](std::string data, bool) {
           if (auto ws = holder->lock())
             on_frame(st, ws, token, data);
         };
         ev.on_close = [](net::net_error, net::http_response) {};
         auto ws = net::ws_client::connect(st->io, url, {}, std::move(ev));
         *holder = ws;
         std::lock_guard<std::mutex> lk{st->mu};
         st->sockets.push_back(ws);
       });
}

} // namespace

echo_peer::echo_peer() : st_{std::make_shared<state>()} {
  st_->failures = &failures_;
}

echo_peer::~echo_peer() {
  stop();
}

void echo_peer::start(const std::string& feishu_url, const std::vector<app_credentials>& apps) {
  st_->base = feishu_url;
  for (const auto& app : apps) {
    auto st = st_;
    post(st, "/open-apis/auth/v3/tenant_access_token/internal",
         R"({"app_id":")" + app.app_id + R"(","app_secret":")" + app.app_secret + "\"}", {},
         [st, app](std::string body) {
           connect(st, app, json_field(body, "tenant_access_token"));
         });
  }
}

void echo_peer::stop() {
  if (!st_)
    return;
  {
    std::lock_guard<std::mutex> lk{st_->mu};
    for (auto& ws : st_->sockets)
      ws->abort();
    st_->sockets.clear();
  }
  st_->io.stop_and_join();
  st_.reset();
}

} // namespace loong::bench

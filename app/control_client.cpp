#include "app/control_client.hpp"

#include <chrono>
#include <fstream>
#include <future>
#include <sstream>

#include "net/http_client.hpp"
#include "net/io_runtime.hpp"

namespace loong::app {

std::optional<std::string> control_get(const store::owner_record& owner,
                                       const std::string& path, int timeout_ms) {
  if (!owner.running || !owner.bind_address || !owner.port || !owner.token_path)
    return std::nullopt;
  std::ifstream in{*owner.token_path};
  if (!in)
    return std::nullopt;
  std::string token;
  std::getline(in, token);
  // Shared with the callback, which may outlive this call on a timeout.
  auto result = std::make_shared<std::promise<std::optional<std::string>>>();
  auto f = result->get_future();
  net::io_runtime io{1};
  auto client = std::make_unique<net::http_client>(io);
  net::http_request req;
  req.url = "http://" + *owner.bind_address + ":" + std::to_string(*owner.port) + path;
  req.headers.emplace_back("Authorization", "Bearer " + token);
  req.timeout = std::chrono::milliseconds{timeout_ms};
  req.connect_timeout = std::chrono::milliseconds{timeout_ms};
  client->request(req, [result](net::net_error err, net::http_response resp) {
    if (err || resp.status != 200)
      result->set_value(std::nullopt);
    else
      result->set_value(std::move(resp.body));
  });
  std::optional<std::string> out;
  if (f.wait_for(std::chrono::milliseconds{timeout_ms + 1000}) == std::future_status::ready)
    out = f.get();
  client.reset();
  io.stop_and_join();
  return out;
}

} // namespace loong::app

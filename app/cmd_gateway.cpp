#include "app/commands.hpp"

#include <chrono>
#include <iostream>
#include <thread>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <unistd.h>

#include "actors/runtime.hpp"
#include "app/control_client.hpp"
#include "app/gateway_plan.hpp"
#include "app/json_writer.hpp"
#include "app/owner_run.hpp"
#include "app/version.hpp"
#include "config/paths.hpp"
#include "messages/errors.hpp"
#include "store/owner_files.hpp"

namespace loong::app {

namespace {

struct port_choice {
  int64_t port = 26306;
  std::string source = "default";
};

caf::expected<port_choice> choose_port(const context& ctx,
                                       const config::gateway_config& cfg) {
  if (ctx.inv.port)
    return port_choice{*ctx.inv.port, *ctx.inv.port == 0 ? "ephemeral_cli" : "cli"};
  for (auto name : {"LOONG_GATEWAY_PORT", "LOONGCLAW_GATEWAY_PORT"}) {
    auto v = ctx.env(name);
    if (!v || v->empty())
      continue;
    char* end = nullptr;
    auto n = std::strtol(v->c_str(), &end, 10);
    if (*end != '\0' || n < 0 || n > 65535)
      return caf::make_error(ec::invalid_argument,
                             std::string{name} + " must be a port number (0-65535)");
    return port_choice{n, "env"};
  }
  return port_choice{cfg.host.gateway_port, cfg.host.port_source};
}

std::string or_dash(const std::optional<std::string>& v) {
  return v && !v->empty() ? *v : "-";
}

std::string or_dash(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : "-";
}

void print_accounts_text(const std::string& detail) {
  rapidjson::Document d;
  d.Parse(detail.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("accounts"))
    return;
  for (auto& a : d["accounts"].GetArray()) {
    auto& t = a["transport"];
    auto s = [](const rapidjson::Value& v) -> std::string {
      return v.IsString() ? v.GetString() : v.IsNull() ? "-" : std::to_string(v.GetInt64());
    };
    std::cout << "account " << s(a["selector"]) << " state=" << s(a["state"])
              << " transport=" << s(t["state"]) << " connected_since_ms="
              << s(t["connected_since_ms"]) << " reconnects=" << s(t["reconnects"])
              << " restarts=" << s(a["restarts"]) << " events_in=" << s(a["events_in"])
              << " replies_out=" << s(a["replies_out"]);
    if (a.HasMember("outbox") && a["outbox"].IsObject())
      std::cout << " outbox_pending=" << s(a["outbox"]["pending"])
                << " outbox_oldest_age_ms=" << s(a["outbox"]["oldest_age_ms"]);
    if (t.HasMember("last_disconnect_reason"))
      std::cout << " last_disconnect=\"" << s(t["last_disconnect_reason"]) << "\"";
    std::cout << " last_error=" << s(a["last_error"]) << "\n";
  }
}

} // namespace

int run_gateway_run(const context& ctx) {
  auto plan = plan_gateway(ctx);
  if (!plan)
    return fail(plan.error());
  auto port = choose_port(ctx, plan->cfg);
  if (!port)
    return fail(port.error());
  owner_run run;
  run.cfg = std::make_shared<const config::gateway_config>(plan->cfg);
  run.accounts = plan->accounts;
  run.runtime_dir = config::runtime_dir(ctx.home);
  auto now = wall_clock_ms();
  auto& r = run.record;
  r.phase = "starting";
  r.running = true;
  r.pid = getpid();
  r.mode = ctx.inv.session.empty() ? "gateway_headless" : "gateway_attached_cli";
  r.version = version();
  r.config_path = plan->cfg.path;
  if (!ctx.inv.session.empty())
    r.attached_cli_session = ctx.inv.session;
  r.started_at_ms = now;
  r.last_heartbeat_at = now;
  r.configured_surface_count = static_cast<int64_t>(plan->accounts.size());
  run.lease.port = port->port;
  run.lease.port_source = port->source;
  run.on_started = [&] {
    for (auto& a : run.accounts)
      std::cout << "feishu channel started (config=" << plan->cfg.path
                << ", configured_account=" << a.id << ", account=" << a.runtime_label
                << ", selector=" << a.selector() << ", mode=" << a.mode
                << (a.mode == "webhook" ? ", bind=" + a.webhook_bind + ", path=" + a.webhook_path
                                        : std::string{})
                << ")" << std::endl;
  };
  return run_owner(ctx, std::move(run));
}

int run_gateway_status(const context& ctx) {
  auto dir = config::runtime_dir(ctx.home);
  auto view = store::read_owner(dir, wall_clock_ms());
  std::optional<std::string> detail;
  if (view.running)
    detail = control_get(view.record, "/api/gateway/channels");
  if (ctx.inv.json) {
    rapidjson::Document d;
    d.Parse(store::to_json(view, dir).c_str());
    auto& alloc = d.GetAllocator();
    d.AddMember("owner_reachable", detail.has_value(), alloc);
    rapidjson::Document extra;
    if (detail) {
      extra.Parse(detail->c_str());
      if (!extra.HasParseError() && extra.IsObject()) {
        rapidjson::Value accounts{extra["accounts"], alloc};
        rapidjson::Value provider{extra["provider"], alloc};
        d.AddMember("accounts", accounts, alloc);
        d.AddMember("provider", provider, alloc);
      }
    }
    if (!d.HasMember("accounts"))
      d.AddMember("accounts", rapidjson::Value{rapidjson::kArrayType}, alloc);
    rapidjson::StringBuffer buf;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w{buf};
    w.SetIndent(' ', 2);
    d.Accept(w);
    std::cout << buf.GetString() << "\n";
    return 0;
  }
  auto& r = view.record;
  std::cout << "runtime_dir=" << dir << "\n"
            << "phase=" << r.phase << " running=" << (view.running ? "true" : "false")
            << " stale=" << (view.stale ? "true" : "false") << " pid=" << or_dash(r.pid)
            << " mode=" << r.mode << " config=" << r.config_path
            << " session=" << or_dash(r.attached_cli_session)
            << " version=" << (r.version.empty() ? version() : r.version) << "\n"
            << "started_at_ms=" << r.started_at_ms
            << " last_heartbeat_at_ms=" << r.last_heartbeat_at
            << " stopped_at_ms=" << or_dash(r.stopped_at_ms) << "\n"
            << "surfaces configured=" << r.configured_surface_count
            << " running=" << r.running_surface_count << "\n"
            << "shutdown_reason=" << or_dash(r.shutdown_reason) << "\n"
            << "last_error=" << or_dash(r.last_error) << "\n"
            << "bind_address=" << or_dash(r.bind_address) << " port=" << or_dash(r.port)
            << " token_path=" << or_dash(r.token_path) << "\n";
  if (detail)
    print_accounts_text(*detail);
  return 0;
}

int run_gateway_stop(const context& ctx) {
  auto dir = config::runtime_dir(ctx.home);
  auto outcome = store::request_stop(dir, wall_clock_ms());
  if (!outcome)
    return fail(outcome.error());
  if (*outcome == store::stop_outcome::not_running) {
    std::cout << "gateway is not running" << std::endl;
    return 0;
  }
  std::cout << (*outcome == store::stop_outcome::requested ? "gateway stop requested"
                                                           : "gateway stop already requested")
            << std::endl;
  // Wait until the owner has drained and released ownership.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto view = store::read_owner(dir, wall_clock_ms());
    if (!view.running) {
      std::cout << "gateway stopped" << std::endl;
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto view = store::read_owner(dir, wall_clock_ms());
  return fail("the gateway owner (pid " + or_dash(view.record.pid)
              + ") did not release ownership within 30 s; it may still be draining. "
                "Check `loong gateway status`, or send it SIGTERM");
}

} // namespace loong::app

// Doctor's channel probe: a tenant token per enabled, send-ready account,
// through the same token keeper the gateway uses (bounded to ~10 s).

#include "app/probes.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "actors/token_keeper.hpp"
#include "app/actor_host.hpp"
#include "app/error_text.hpp"
#include "messages/errors.hpp"

namespace loong::app {

namespace {

bool is_code(const caf::error& err, ec x) {
  return err && err.category() == caf::atom("loong")
         && err.code() == static_cast<uint8_t>(x);
}

std::string plain_http_note(const config::feishu_account& a) {
  return a.base_url.rfind("http://", 0) == 0 ? " (plain http://, a loopback mock?)"
                                             : std::string{};
}

doctor_check judge(const config::feishu_account& a, const caf::expected<std::string>& res) {
  doctor_check c;
  c.name = "feishu token (" + a.id + ")";
  if (res) {
    c.level = "ok";
    c.detail = "tenant token obtained from " + a.base_url + plain_http_note(a);
    return c;
  }
  auto text = error_text(res.error());
  // Drop the keeper's "tenant token for <selector>: " prefix.
  auto cut = text.find(": ");
  if (text.rfind("tenant token for ", 0) == 0 && cut != std::string::npos)
    text = text.substr(cut + 2);
  if (is_code(res.error(), ec::transport_failed) || is_code(res.error(), ec::timeout)) {
    // Unreachable is not proof of bad credentials (offline CI, proxies).
    c.level = "warn";
    c.detail = "could not reach " + a.base_url + ": " + text;
    c.hint = "check network access, proxy and DNS, and feishu domain/base_url";
    return c;
  }
  c.level = "fail";
  c.detail = "rejected by " + a.base_url + plain_http_note(a) + ": " + text;
  if (text.rfind("code 10014", 0) == 0)
    c.hint = "app secret invalid: check app_secret (" + a.app_secret.source
             + ") for this app_id";
  else if (text.rfind("code 10003", 0) == 0)
    c.hint = "app id unknown to " + a.domain + ": check app_id (" + a.app_id.source
             + ") and domain/base_url";
  else
    c.hint = "unexpected answer from the token endpoint: check feishu domain/base_url";
  return c;
}

} // namespace

// Fetches a tenant token per account through the gateway's own token keeper,
// all in flight at once, each bounded to ~12 s.
std::vector<doctor_check> token_checks(const config::host_config& host_cfg,
                                       const std::vector<const config::feishu_account*>& accounts) {
  std::vector<doctor_check> out;
  actor_host host{host_cfg};
  token_keeper_options opts;
  opts.fetch_identity = false;
  opts.request_timeout_ms = 10000;
  opts.connect_timeout_ms = 5000;
  std::vector<token_keeper_actor> keepers;
  for (auto* a : accounts)
    keepers.push_back(host.sys().spawn(token_keeper_with, host.runtime(), *a, opts));
  {
    caf::scoped_actor self{host.sys()};
    using handle_t = decltype(self->request(keepers.front(), std::chrono::seconds(12),
                                            token_atom_v));
    std::vector<handle_t> pending;
    for (auto& k : keepers)
      pending.push_back(self->request(k, std::chrono::seconds(12), token_atom_v));
    for (size_t i = 0; i < pending.size(); ++i) {
      caf::expected<std::string> res = std::string{};
      pending[i].receive([&](std::string& token) { res = std::move(token); },
                         [&](caf::error& err) {
                           res = actor_request_error(err, "token keeper");
                         });
      out.push_back(judge(*accounts[i], res));
    }
    for (auto& k : keepers)
      self->send_exit(k, caf::exit_reason::user_shutdown);
  }
  host.shutdown();
  return out;
}

void feishu_probes(const config::gateway_config& cfg, std::vector<doctor_check>& checks) {
  auto& f = cfg.feishu;
  if (!f.present || !f.enabled)
    return;
  std::vector<const config::feishu_account*> ready;
  for (auto& a : f.accounts)
    if (a.enabled && a.send_issues.empty())
      ready.push_back(&a);
  if (ready.empty())
    return;
  for (auto& c : token_checks(cfg.host, ready))
    checks.push_back(std::move(c));
}

} // namespace loong::app

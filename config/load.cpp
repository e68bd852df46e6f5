#include "config/load.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <cpptoml.h>

#include "config/account_id.hpp"
#include "config/feishu_section.hpp"
#include "config/provider_section.hpp"
#include "config/toml_reader.hpp"
#include "messages/errors.hpp"

namespace loong::config {

const provider_config* gateway_config::provider() const {
  for (auto& p : providers)
    if (p.name == active_provider)
      return &p;
  return nullptr;
}

const feishu_account* gateway_config::account(const std::string& id) const {
  for (auto& a : feishu.accounts)
    if (a.id == id)
      return &a;
  return nullptr;
}

std::string render_issue(const issue& x, const std::string& path) {
  std::string out = path;
  if (x.line > 0)
    out += ":" + std::to_string(x.line);
  return out + ": " + x.message;
}

namespace {

void read_host(toml_reader& r, const std::string& home, host_config& host) {
  scope gw_at{"gateway", "gateway"}, st_at{"store", "store"}, rt_at{"runtime", "runtime"};
  auto gw = r.table("gateway");
  if (gw) {
    if (auto port = r.integer(gw, gw_at, "port", 0, 65535)) {
      host.gateway_port = *port;
      host.port_source = *port == 26306 ? "default" : "config";
    }
  }
  host.store_path = home + "/loong.db";
  if (auto st = r.table("store")) {
    if (auto p = r.string(st, st_at, "path"))
      host.store_path = (!p->empty() && (*p)[0] != '/') ? home + "/" + *p : *p;
    if (auto ttl = r.integer(st, st_at, "dedupe_ttl_ms", 60000, 30LL * 24 * 3600 * 1000))
      host.dedupe_ttl_ms = *ttl;
  }
  if (auto rt = r.table("runtime")) {
    if (auto n = r.integer(rt, rt_at, "actor_threads", 1, 64))
      host.actor_threads = *n;
    if (auto n = r.integer(rt, rt_at, "io_threads", 1, 64))
      host.io_threads = *n;
  }
}

} // namespace

caf::expected<gateway_config> load_string(std::string_view text,
                                          const std::string& path,
                                          const load_options& opts) {
  std::shared_ptr<cpptoml::table> root;
  try {
    std::istringstream in{std::string{text}};
    cpptoml::parser parser{in};
    root = parser.parse();
  } catch (const cpptoml::parse_exception& e) {
    std::string what = e.what();
    // cpptoml ends its message with " at line N"; lead with the location.
    auto at = what.rfind(" at line ");
    std::string where = path;
    if (at != std::string::npos) {
      where += ":" + what.substr(at + 9);
      what.resize(at);
    }
    return caf::make_error(ec::invalid_config,
                           "TOML parse failure: " + where + ": " + what);
  }
  gateway_config cfg;
  cfg.path = path;
  cfg.home = opts.home;
  auto slash = path.rfind('/');
  auto base_dir = slash == std::string::npos ? std::string{"."}
                                             : path.substr(0, slash);
  toml_reader r{root, toml_locator{text}, opts.env, base_dir};
  read_providers(r, cfg);
  read_feishu(r, cfg.feishu);
  read_host(r, opts.home, cfg.host);
  std::vector<issue> errors;
  for (auto& x : r.issues()) {
    if (x.error)
      errors.push_back(x);
    else
      cfg.warnings.push_back(x);
  }
  if (!errors.empty()) {
    std::string msg = "invalid configuration: ";
    for (size_t i = 0; i < errors.size(); ++i) {
      if (i > 0)
        msg += "; ";
      msg += render_issue(errors[i], path);
    }
    return caf::make_error(ec::invalid_config, msg);
  }
  return cfg;
}

caf::expected<gateway_config> load_file(const std::string& path,
                                        const load_options& opts) {
  std::ifstream in{path};
  if (!in)
    return caf::make_error(ec::invalid_config,
                           "could not read config " + path
                             + " (create it, or point --config / LOONG_CONFIG "
                               "at one; see examples/)");
  std::stringstream ss;
  ss << in.rdbuf();
  return load_string(ss.str(), path, opts);
}

} // namespace loong::config

#include "app/commands.hpp"

#include <iostream>

#include "app/doctor_checks.hpp"
#include "app/json_writer.hpp"
#include "app/probes.hpp"

namespace loong::app {

namespace {

void print_text(const context& ctx, const std::vector<doctor_check>& checks) {
  size_t ok = 0, warn = 0, failed = 0;
  size_t width = 0;
  for (auto& c : checks)
    width = std::max(width, c.name.size());
  std::cout << "loong doctor  config=" << ctx.config_path << "\n\n";
  for (auto& c : checks) {
    const char* glyph = c.level == "ok" ? "ok  " : c.level == "warn" ? "WARN" : "FAIL";
    (c.level == "ok" ? ok : c.level == "warn" ? warn : failed)++;
    std::cout << "  " << glyph << "  " << c.name
              << std::string(width - c.name.size() + 2, ' ') << c.detail << "\n";
    if (!c.hint.empty())
      std::cout << "        " << std::string(width + 2, ' ') << "hint: " << c.hint << "\n";
  }
  std::cout << "\n" << ok << " ok · " << warn << " warn · " << failed << " fail\n";
  if (failed > 0)
    std::cout << "next: fix the FAIL lines above, then run `loong doctor --config "
              << ctx.config_path << "` again (or --json for scripts)\n";
}

void print_json(const context& ctx, const std::vector<doctor_check>& checks) {
  size_t ok = 0, warn = 0, failed = 0;
  for (auto& c : checks)
    (c.level == "ok" ? ok : c.level == "warn" ? warn : failed)++;
  json_writer w;
  w.begin_object();
  w.key("schema").begin_object().key("version").num(1).key("surface").str("doctor")
    .key("purpose").str("runtime_health_diagnostics").end_object();
  w.key("ok").boolean(failed == 0);
  w.key("config").str(ctx.config_path);
  w.key("summary").begin_object().key("ok").num(static_cast<int64_t>(ok))
    .key("warn").num(static_cast<int64_t>(warn))
    .key("fail").num(static_cast<int64_t>(failed)).end_object();
  w.key("checks").begin_array();
  for (auto& c : checks) {
    w.begin_object().key("name").str(c.name).key("level").str(c.level)
      .key("detail").str(c.detail);
    if (!c.hint.empty())
      w.key("hint").str(c.hint);
    w.end_object();
  }
  w.end_array();
  w.key("fix_requested").boolean(ctx.inv.fix);
  w.key("applied_fixes").begin_array().end_array();
  w.key("next_steps").begin_array();
  if (failed > 0)
    w.str("Run diagnostics: loong doctor --config " + ctx.config_path);
  w.end_array();
  w.end_object();
  std::cout << w.text();
}

} // namespace

int run_doctor(const context& ctx) {
  auto cfg = load_config(ctx);
  if (!cfg)
    return fail(cfg.error());
  auto checks = config_checks(*cfg);
  run_network_probes(*cfg, ctx.inv.skip_model_probe, checks);
  if (ctx.inv.json) {
    print_json(ctx, checks);
    return 0;
  }
  print_text(ctx, checks);
  size_t failed = 0;
  for (auto& c : checks)
    failed += c.level == "fail";
  if (failed > 0)
    return fail("doctor found " + std::to_string(failed) + " failing check(s)");
  return 0;
}

} // namespace loong::app

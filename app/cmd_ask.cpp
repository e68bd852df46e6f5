#include "app/commands.hpp"

#include <unistd.h>

#include <iostream>
#include <memory>

#include <caf/all.hpp>

#include "actors/provider_pool.hpp"
#include "actors/provider_session.hpp"
#include "app/actor_host.hpp"
#include "app/error_text.hpp"
#include "app/json_writer.hpp"
#include "messages/errors.hpp"
#include "protocol/ark_chat.hpp"

// `loong ask --message TEXT` (contract §1.3): one turn, the answer on stdout.

namespace loong::app {

namespace {

/// Writes stream deltas to stdout as they arrive; `done_atom` answers the
/// number of bytes written (all deltas sent before it are out by then).
caf::behavior delta_printer(caf::event_based_actor*) {
  auto written = std::make_shared<int64_t>(0);
  return {
    [written](const completion_delta& d) {
      std::cout << d.text << std::flush;
      *written += static_cast<int64_t>(d.text.size());
    },
    [written](done_atom) { return *written; },
  };
}

void print_json(const completion_result& r) {
  json_writer w;
  w.begin_object();
  w.key("answer").str(r.text);
  w.key("model").str(r.model);
  w.key("usage").begin_object();
  w.key("prompt_tokens").num(r.usage.prompt_tokens);
  w.key("completion_tokens").num(r.usage.completion_tokens);
  w.key("total_tokens").num(r.usage.total_tokens);
  w.end_object();
  w.key("latency_ms").num(r.latency_ms);
  w.key("attempts").num(r.attempts);
  w.end_object();
  std::cout << w.text();
}

} // namespace

int run_ask(const context& ctx) {
  if (ctx.inv.message.find_first_not_of(" \t\r\n") == std::string::npos)
    return fail("--message must not be empty");
  auto cfg = load_config(ctx);
  if (!cfg)
    return fail(cfg.error());
  auto p = cfg->provider();
  if (int code = require_provider(p))
    return code;
  // Tokens go to the terminal as they arrive; pipes and --json get the
  // whole answer at once.
  bool stream = !ctx.inv.no_stream && !ctx.inv.json && isatty(STDOUT_FILENO);
  completion_request req;
  req.session_key = "cli:" + (ctx.inv.session.empty() ? std::string{"ask"}
                                                      : ctx.inv.session);
  req.messages = build_messages(p->system_prompt, {}, ctx.inv.message);
  req.stream = stream;
  caf::expected<completion_result> res{completion_result{}};
  int64_t streamed = 0;
  {
    actor_host host{cfg->host};
    auto pool = host.sys().spawn(provider_pool, host.runtime(), *p,
                                 store_actor{});
    caf::actor printer;
    if (stream) {
      // Detached: a slow terminal must not stall a scheduler thread.
      printer = host.sys().spawn<caf::detached>(delta_printer);
      req.delta_sink = printer;
    }
    {
      caf::scoped_actor self{host.sys()};
      self->request(pool, provider_request_timeout(*p, stream), complete_atom_v,
                    std::move(req))
        .receive([&](completion_result& r) { res = std::move(r); },
                 [&](caf::error& e) { res = std::move(e); });
      if (printer) {
        self->request(printer, std::chrono::seconds(10), done_atom_v)
          .receive([&](int64_t n) { streamed = n; }, [](caf::error&) {});
        self->send_exit(printer, caf::exit_reason::user_shutdown);
      }
      self->send_exit(pool, caf::exit_reason::user_shutdown);
    }
    host.shutdown();
  }
  if (!res) {
    if (streamed > 0)
      std::cout << std::endl;
    auto& err = res.error();
    if (err == caf::sec::request_timeout)
      return fail_with_hint("provider " + p->name + " did not answer in time",
                            provider_hint(caf::make_error(ec::timeout), p->name));
    return fail_with_hint(error_text(err), provider_hint(err, p->name));
  }
  if (ctx.inv.json) {
    print_json(*res);
    return 0;
  }
  if (streamed == 0)
    std::cout << res->text;
  std::cout << std::endl;
  return 0;
}

} // namespace loong::app

#include <iostream>

#include "app/cli.hpp"
#include "app/commands.hpp"
#include "app/logging.hpp"

int main(int argc, char** argv) {
  using namespace loong::app;
  auto parsed = parse_command_line(argc, argv);
  if (!parsed.inv) {
    std::cout << parsed.out;
    std::cerr << parsed.err;
    return parsed.exit_code;
  }
  setup_logging(parsed.inv->log_level);
  auto ctx = make_context(*parsed.inv);
  switch (ctx.inv.what) {
    case command::doctor: return run_doctor(ctx);
    case command::models_list: return run_models_list(ctx);
    case command::ask: return run_ask(ctx);
    case command::channels: return run_channels(ctx);
    case command::channels_send: return run_channels_send(ctx);
    case command::channels_serve: return run_channels_serve(ctx);
    case command::gateway_run: return run_gateway_run(ctx);
    case command::gateway_status: return run_gateway_status(ctx);
    case command::gateway_stop: return run_gateway_stop(ctx);
    case command::status: return run_status(ctx);
    case command::none: break;
  }
  return fail("no command given; run loong --help");
}

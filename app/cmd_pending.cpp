#include "app/commands.hpp"
#include "app/gateway_plan.hpp"

// Commands whose lane has not landed in this build say so plainly.

namespace loong::app {

namespace {

int not_yet(const char* cmd, const char* lane) {
  return fail(std::string{"`loong "} + cmd + "` is not available in this build yet ("
              + lane + " has not landed)");
}

} // namespace

int run_models_list(const context&) { return not_yet("runtime models list", "the Ark provider client"); }
int run_ask(const context&) { return not_yet("ask", "the Ark provider client"); }
int run_channels_send(const context&) { return not_yet("channels send feishu", "the Feishu OpenAPI client"); }
int run_channels_serve(const context&) { return not_yet("channels serve feishu", "the serve loop"); }
int run_gateway_run(const context& ctx) {
  auto plan = plan_gateway(ctx);
  if (!plan)
    return fail(plan.error());
  return not_yet("gateway run", "the gateway owner");
}
int run_gateway_status(const context&) { return not_yet("gateway status", "the gateway owner"); }
int run_gateway_stop(const context&) { return not_yet("gateway stop", "the gateway owner"); }
int run_status(const context&) { return not_yet("status", "the gateway owner"); }

} // namespace loong::app

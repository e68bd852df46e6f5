#pragma once

#include "app/context.hpp"

namespace loong::app {

// One function per command; each returns the process exit code.

int run_doctor(const context& ctx);
int run_models_list(const context& ctx);
int run_ask(const context& ctx);
int run_channels(const context& ctx);
int run_channels_send(const context& ctx);
int run_channels_serve(const context& ctx);
int run_gateway_run(const context& ctx);
int run_gateway_status(const context& ctx);
int run_gateway_stop(const context& ctx);
int run_status(const context& ctx);

} // namespace loong::app

#include "app/logging.hpp"

#include <cstdlib>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace loong::app {

void setup_logging(const std::string& level) {
  auto wanted = level;
  if (wanted.empty())
    if (auto env = std::getenv("LOONG_LOG"))
      wanted = env;
  if (wanted.empty())
    wanted = "warn";
  auto logger = spdlog::stderr_logger_mt("loong");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(wanted));
  // Errors must reach the operator even when the process dies right after.
  spdlog::flush_on(spdlog::level::warn);
}

} // namespace loong::app

#include "messages/errors.hpp"

#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace loong {

const char* to_string(ec x) {
  switch (x) {
    case ec::none: return "none";
    case ec::invalid_config: return "invalid_config";
    case ec::invalid_argument: return "invalid_argument";
    case ec::missing_secret: return "missing_secret";
    case ec::transport_failed: return "transport_failed";
    case ec::timeout: return "timeout";
    case ec::malformed_response: return "malformed_response";
    case ec::auth_failed: return "auth_failed";
    case ec::token_invalid: return "token_invalid";
    case ec::rate_limited: return "rate_limited";
    case ec::permission_denied: return "permission_denied";
    case ec::not_found: return "not_found";
    case ec::server_error: return "server_error";
    case ec::platform_error: return "platform_error";
    case ec::overloaded: return "overloaded";
    case ec::restart_budget_exhausted: return "restart_budget_exhausted";
    case ec::owner_conflict: return "owner_conflict";
    case ec::store_failed: return "store_failed";
    case ec::unsupported: return "unsupported";
    case ec::shutting_down: return "shutting_down";
  }
  return "unknown";
}

namespace {

std::string context_text(const caf::message& context) {
  std::string out;
  for (size_t i = 0; i < context.size(); ++i) {
    if (!out.empty())
      out += ": ";
    if (context.match_element<std::string>(i))
      out += context.get_as<std::string>(i);
    else
      out += context.stringify(i);
  }
  return out;
}

} // namespace

std::string render_loong_error(uint8_t code, caf::atom_value,
                               const caf::message& context) {
  std::string out = to_string(static_cast<ec>(code));
  auto ctx = context_text(context);
  if (!ctx.empty())
    out += ": " + ctx;
  return out;
}

std::string describe(const caf::error& err) {
  if (!err)
    return "none";
  if (err.category() == caf::atom("loong"))
    return render_loong_error(err.code(), err.category(), err.context());
  if (err.category() == caf::atom("system"))
    return std::string{"system_error: "}
           + to_string(static_cast<caf::sec>(err.code()))
           + (err.context().empty() ? "" : ": " + context_text(err.context()));
  return caf::to_string(err);
}

} // namespace loong

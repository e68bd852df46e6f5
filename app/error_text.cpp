#include "app/error_text.hpp"

#include <caf/all.hpp>

#include "app/context.hpp"
#include "messages/errors.hpp"
#include "protocol/ark_chat.hpp"

namespace loong::app {

std::string error_text(const caf::error& err) {
  auto& ctx = err.context();
  if (err.category() == caf::atom("loong") && ctx.size() == 1
      && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return describe(err);
}

std::string provider_hint(const caf::error& err, const std::string& profile) {
  auto hint = ark::doctor_hint(err);
  for (auto at = hint.find("<name>"); at != std::string::npos;
       at = hint.find("<name>", at + profile.size()))
    hint.replace(at, 6, profile);
  return hint;
}

int fail_with_hint(const std::string& message, const std::string& hint) {
  return fail(hint.empty() ? message : message + "\nhint: " + hint);
}

int require_provider(const config::provider_config* p) {
  if (!p)
    return fail_with_hint("no provider profile is configured",
                          "add active_provider = \"volcengine\" and a "
                          "[providers.volcengine] table");
  if (!p->api_key.present())
    return fail_with_hint("provider " + p->name + ": credential missing ("
                            + p->api_key.missing_reason + ")",
                          provider_hint(caf::make_error(ec::missing_secret), p->name));
  return 0;
}

} // namespace loong::app

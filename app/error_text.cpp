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

} // namespace loong::app

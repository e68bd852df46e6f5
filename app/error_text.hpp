#pragma once

// How the commands word an error for the operator.

#include <string>

#include <caf/error.hpp>

#include "config/gateway_config.hpp"

namespace loong::app {

/// The readable part of an error (a loong error's context), else its
/// rendering with the code name.
std::string error_text(const caf::error& err);

/// The playbook hint for a provider error, naming the profile.
std::string provider_hint(const caf::error& err, const std::string& profile);

/// `fail()` with "hint: ..." on a second line when there is a hint.
int fail_with_hint(const std::string& message, const std::string& hint);

/// 0 when the active provider `p` is configured with a key; otherwise the
/// exit code after saying which is missing and how to fix it.
int require_provider(const config::provider_config* p);

} // namespace loong::app

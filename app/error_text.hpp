#pragma once

// How the commands word an error for the operator.

#include <string>

#include <caf/error.hpp>

namespace loong::app {

/// The readable part of an error (a loong error's context), else its
/// rendering with the code name.
std::string error_text(const caf::error& err);

/// The playbook hint for a provider error, naming the profile.
std::string provider_hint(const caf::error& err, const std::string& profile);

/// `fail()` with "hint: ..." on a second line when there is a hint.
int fail_with_hint(const std::string& message, const std::string& hint);

} // namespace loong::app

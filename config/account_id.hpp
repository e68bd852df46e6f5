#pragma once

#include <string>
#include <string_view>

namespace loong::config {

/// Normalizes an account id (contract §2.5): "Lark Prod" -> "lark-prod";
/// empty -> "default".
std::string normalize_account_id(std::string_view raw);

/// True when the text contains an ASCII letter or digit.
bool has_alnum(std::string_view text);

} // namespace loong::config

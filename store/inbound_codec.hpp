#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "messages/chat.hpp"

namespace loong::store {

/// Encodes every field of `m` (mentions and kind included) as compact JSON,
/// the journal's storage format.
std::string to_json(const loong::inbound_message& m);

/// Decodes what `to_json` wrote. Missing fields keep their defaults; a
/// field of the wrong type is an error naming it.
caf::expected<loong::inbound_message> inbound_from_json(std::string_view json);

} // namespace loong::store

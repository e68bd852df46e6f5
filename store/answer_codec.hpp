#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "messages/delivery.hpp"

namespace loong::store {

/// Encodes a stored answer as compact JSON (the journal's `answer` column).
std::string to_json(const loong::stored_answer& a);

/// Decodes what `to_json` wrote; a field of the wrong type is an error.
caf::expected<loong::stored_answer> answer_from_json(std::string_view json);

} // namespace loong::store

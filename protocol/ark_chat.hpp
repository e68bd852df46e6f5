#pragma once

// Volcengine Ark (OpenAI-compatible) chat wire formats, spec ark-provider.md.
// This header is the entry point: it also brings in the error helpers
// (ark_error.hpp) and the SSE decoder (ark_sse.hpp).

#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "messages/provider.hpp"
#include "protocol/ark_error.hpp"
#include "protocol/ark_sse.hpp"

namespace loong::ark {

/// `<base>/api/v3/chat/completions`; a base already ending in `/api/v3` (or
/// the coding plan's `/api/coding/v3`) gets no second prefix, trailing '/'
/// and surrounding whitespace are stripped.
std::string chat_url(std::string_view base_url);

/// `<base>/api/v3/models`, derived like `chat_url`.
std::string models_url(std::string_view base_url);

/// True when the base URL points at the coding plan (`/api/coding`), which
/// uses other keys, quota and model names: a config hint, not an error.
bool is_coding_plan_url(std::string_view base_url);

/// Optional request fields; the defaults omit them.
struct chat_options {
  /// Answer token limit; 0 omits the field.
  int max_tokens = 0;
  /// Sampling temperature; negative (or NaN) omits the field.
  double temperature = -1;
  /// Ark `thinking.type`: "" omits it, else "enabled", "disabled" or "auto".
  std::string thinking;
  /// With `stream`, ask for the final usage chunk.
  bool include_usage = true;
};

/// Serializes a chat request with the exact bytes of spec §3 (key order
/// model, messages, stream, stream_options, max_tokens, temperature,
/// thinking). Role "developer" becomes "system" (Ark rejects it); invalid
/// UTF-8 in content is replaced by U+FFFD so the body is always valid JSON.
std::string chat_request_body(const std::string& model,
                              const std::vector<chat_turn>& messages,
                              bool stream, const chat_options& opts = {});

/// Parses a non-streaming response (spec §4); reasoning_content is ignored.
/// A 200 body carrying an `error` object is returned as that error.
caf::expected<completion_result> parse_chat_response(std::string_view body);

/// Reads `data[].id` of a model list (spec §8), leniently: other fields,
/// non-object entries and a bare array are tolerated; bad JSON gives {}.
std::vector<std::string> parse_models(std::string_view body);

/// Resolves model "auto" (contract §1.3): the first preferred model present
/// in `available` (exact, then case-insensitive match; the catalogue's
/// spelling is returned), else the first catalogue entry that looks like a
/// chat model (embedding/image/video ids only when nothing else is listed).
/// An empty catalogue is an error asking to set providers.<name>.model; when
/// the list could not be fetched at all, the caller falls back to
/// `preferred` itself (as Loong does).
caf::expected<std::string> choose_model(
  const std::vector<std::string>& available,
  const std::vector<std::string>& preferred);

} // namespace loong::ark

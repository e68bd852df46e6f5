#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "messages/provider.hpp"
#include "protocol/ark_error.hpp"

namespace loong::ark {

/// Incremental decoder for a streamed chat completion (spec §5).
///
/// Bytes may be cut anywhere, also inside a UTF-8 character: only complete
/// lines are interpreted. CRLF is accepted, comment lines are ignored,
/// several `data:` lines of one event are joined with '\n'. A line (or an
/// event's joined data) longer than `max_line_bytes` fails the decoder, so a
/// hostile peer cannot grow the buffer without bound.
class sse_decoder {
public:
  /// Creates a decoder that accepts lines up to `max_line_bytes`.
  explicit sse_decoder(size_t max_line_bytes = 1u << 20);

  /// Consumes a chunk; returns the `delta.content` text it completed (may be
  /// empty). After `done()` or `failed()` further bytes are ignored.
  std::string feed(std::string_view bytes);

  /// True once `data: [DONE]` was seen: stop reading.
  bool done() const {
    return done_;
  }

  /// True after a mid-stream error object, an oversized line or bad JSON.
  bool failed() const {
    return static_cast<bool>(err_);
  }

  /// The failure; http_status 200 and an empty code for local decode errors.
  const provider_error& error() const {
    return perr_;
  }

  /// Call at EOF (or after `done()`): the assembled result, or an error for
  /// a failure or a stream cut before any finish_reason and without [DONE].
  caf::expected<completion_result> finish();

private:
  /// Interprets one complete line (without its '\n').
  void on_line(std::string_view line, std::string& out);

  /// Ends the current event (blank line or EOF).
  void dispatch(std::string& out);

  /// Handles the joined data of one event of type `type`.
  void on_data(std::string_view type, std::string_view data, std::string& out);

  /// Records a decode failure of our own (malformed stream).
  void fail_local(std::string why);

  /// Records an error object sent by the provider.
  void fail_remote(provider_error x);

  /// Longest accepted line or joined event data, in bytes.
  size_t max_line_;
  /// Bytes after the last complete line.
  std::string buf_;
  /// Prefix of `buf_` already searched for '\n' (keeps feeding linear).
  size_t scanned_ = 0;
  /// Joined `data:` values of the event being read.
  std::string data_;
  /// Whether the event being read has a `data:` line (which may be empty).
  bool has_data_ = false;
  /// `event:` type of the event being read.
  std::string event_;
  /// Whether the next line is the first one (which may carry a BOM).
  bool first_line_ = true;
  /// Whether a choice reported a finish_reason (EOF is then acceptable).
  bool seen_finish_ = false;
  /// Whether `[DONE]` arrived.
  bool done_ = false;
  /// Set by `finish()` while it flushes the unterminated tail.
  bool at_eof_ = false;
  /// Whether `finish()` ran; later calls return the same outcome.
  bool finished_ = false;
  /// Text, finish reason, model and usage assembled so far.
  completion_result result_;
  /// The failure as the provider (or our decoder) described it.
  provider_error perr_;
  /// The failure as a loong error; empty while decoding is fine.
  caf::error err_;
};

} // namespace loong::ark

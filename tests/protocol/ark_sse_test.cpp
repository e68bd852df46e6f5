#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "messages/errors.hpp"
#include "protocol/ark_chat.hpp"

using loong::ark::sse_decoder;

namespace {

// Spec §5 transcript, one string per event (without the blank line).
const std::string chunk_head
  = R"(data: {"id":"021700000000000abc","object":"chat.completion.chunk",)"
    R"("created":1700000000,"model":"doubao-seed-1-6-250615",)"
    R"("service_tier":"default",)";

std::string content_event(const std::string& text) {
  return chunk_head + R"("choices":[{"index":0,"delta":{"role":"assistant",)"
         + R"("content":")" + text + R"("}}],"usage":null})";
}

const std::string finish_event
  = chunk_head + R"("choices":[{"index":0,"delta":{"role":"assistant",)"
    R"("content":""},"finish_reason":"stop"}],"usage":null})";

const std::string usage_event
  = chunk_head + R"("choices":[],"usage":{"prompt_tokens":20,)"
    R"("completion_tokens":3,"total_tokens":23,)"
    R"("prompt_tokens_details":{"cached_tokens":0},)"
    R"("completion_tokens_details":{"reasoning_tokens":0}}})";

const std::string done_event = "data: [DONE]";

std::vector<std::string> v3_events(bool with_usage = true) {
  std::vector<std::string> xs{content_event(""), content_event("Hel"),
                              content_event("lo!"), finish_event};
  if (with_usage)
    xs.push_back(usage_event);
  xs.push_back(done_event);
  return xs;
}

std::string join(const std::vector<std::string>& events,
                 const std::string& eol = "\n") {
  std::string out;
  for (auto& e : events)
    out += e + eol + eol;
  return out;
}

/// Decodes `bytes` cut at `split` (npos = one feed).
caf::expected<loong::completion_result> decode(const std::string& bytes,
                                               size_t split,
                                               std::string* deltas = nullptr) {
  sse_decoder dec;
  std::string text;
  if (split == std::string::npos) {
    text += dec.feed(bytes);
  } else {
    text += dec.feed(std::string_view{bytes}.substr(0, split));
    text += dec.feed(std::string_view{bytes}.substr(split));
  }
  if (deltas != nullptr)
    *deltas = text;
  return dec.finish();
}

void check_v3(const caf::expected<loong::completion_result>& r,
              const std::string& text = "Hello!") {
  REQUIRE(r);
  CHECK(r->text == text);
  CHECK(r->finish_reason == "stop");
  CHECK(r->model == "doubao-seed-1-6-250615");
  REQUIRE(r->has_usage);
  CHECK(r->usage.prompt_tokens == 20);
  CHECK(r->usage.completion_tokens == 3);
  CHECK(r->usage.total_tokens == 23);
}

} // namespace

TEST_CASE("ark V3: spec transcript decodes to Hello! with usage", "[ark]") {
  std::string deltas;
  auto r = decode(join(v3_events()), std::string::npos, &deltas);
  check_v3(r);
  CHECK(deltas == "Hello!");
}

TEST_CASE("ark V3: every split point gives the same result", "[ark]") {
  auto bytes = join(v3_events());
  for (size_t i = 0; i <= bytes.size(); ++i) {
    INFO("split at " << i);
    std::string deltas;
    auto r = decode(bytes, i, &deltas);
    REQUIRE(r);
    CHECK(r->text == "Hello!");
    CHECK(deltas == "Hello!");
    CHECK(r->usage.total_tokens == 23);
  }
}

TEST_CASE("ark SSE: byte-by-byte feed, also inside a UTF-8 character", "[ark]") {
  // "你好" is 6 bytes; "é" 2; the emoji 4: every one gets cut somewhere.
  const std::string hello = "Hel\xE4\xBD\xA0\xE5\xA5\xBD \xC3\xA9";
  const std::string emoji = "lo\xF0\x9F\x98\x80!";
  std::vector<std::string> events{content_event(hello), content_event(emoji),
                                  finish_event, usage_event, done_event};
  auto bytes = join(events);
  auto expected = hello + emoji;
  for (size_t i = 0; i <= bytes.size(); ++i) {
    INFO("split at " << i);
    check_v3(decode(bytes, i), expected);
  }
  sse_decoder dec;
  std::string deltas;
  for (char c : bytes) {
    auto piece = dec.feed(std::string_view{&c, 1});
    // A delta is only ever produced from a complete line, so whole characters.
    CHECK((piece.empty() || piece == hello || piece == emoji));
    deltas += piece;
  }
  CHECK(dec.done());
  CHECK(deltas == expected);
  check_v3(dec.finish(), expected);
}

TEST_CASE("ark V4: transcript without the usage chunk has no usage", "[ark]") {
  auto bytes = join(v3_events(false));
  for (size_t i = 0; i <= bytes.size(); i += 7) {
    auto r = decode(bytes, i);
    REQUIRE(r);
    CHECK(r->text == "Hello!");
    CHECK(r->finish_reason == "stop");
    CHECK_FALSE(r->has_usage);
    CHECK(r->usage.total_tokens == 0);
  }
}

TEST_CASE("ark V5: CRLF line endings and keep-alive comments", "[ark]") {
  auto events = v3_events();
  events.insert(events.begin() + 2, ": keep-alive");
  auto bytes = join(events, "\r\n");
  // Comment and blank lines with CRLF, and a CR split from its LF.
  for (size_t i = 0; i <= bytes.size(); ++i) {
    INFO("split at " << i);
    check_v3(decode(bytes, i));
  }
  // Comment lines inside an event do not end it.
  std::string mixed = ": hello\r\n" + content_event("Hel") + "\r\n: x\r\n\r\n"
                      + content_event("lo!") + "\n\n" + finish_event
                      + "\r\n\r\n" + usage_event + "\n\n" + done_event
                      + "\r\n\r\n";
  check_v3(decode(mixed, std::string::npos));
}

TEST_CASE("ark SSE: several data lines of one event are joined by newlines", "[ark]") {
  // One JSON object spread over three data lines (the newline is whitespace).
  std::string event = "data: {\"choices\":[{\"index\":0,\n"
                      "data: \"delta\":{\"content\":\"Hi\"},\n"
                      "data:\"finish_reason\":\"length\"}]}\n\n";
  sse_decoder dec;
  CHECK(dec.feed(event) == "Hi");
  CHECK(dec.feed("data: [DONE]\n\n").empty());
  auto r = dec.finish();
  REQUIRE(r);
  CHECK(r->text == "Hi");
  CHECK(r->finish_reason == "length");
  CHECK_FALSE(r->has_usage);
}

TEST_CASE("ark SSE: id, retry and unknown fields are ignored", "[ark]") {
  std::string bytes = "id: 7\nretry: 1000\nfoo\nevent: message\n"
                      + content_event("Hello!") + "\n\n" + finish_event
                      + "\n\n";
  auto r = decode(bytes, std::string::npos);
  REQUIRE(r);
  CHECK(r->text == "Hello!");
}

TEST_CASE("ark SSE: a leading UTF-8 BOM is skipped", "[ark]") {
  auto bytes = "\xEF\xBB\xBF" + join(v3_events());
  for (size_t i = 0; i <= 6; ++i)
    check_v3(decode(bytes, i));
}

TEST_CASE("ark V6: a mid-stream error aborts and is not retryable", "[ark]") {
  std::string err_event
    = R"(data: {"error":{"code":"InternalServiceError","message":"x",)"
      R"("param":"","type":"InternalServerError"}})";
  auto bytes = join({content_event("Hel"), err_event, content_event("lo!"),
                     finish_event, done_event});
  for (size_t i = 0; i <= bytes.size(); i += 5) {
    sse_decoder dec;
    auto text = dec.feed(std::string_view{bytes}.substr(0, i));
    text += dec.feed(std::string_view{bytes}.substr(i));
    CHECK(text == "Hel");
    REQUIRE(dec.failed());
    CHECK_FALSE(dec.done());
    CHECK(dec.error().code == "InternalServiceError");
    CHECK(dec.error().message == "x");
    CHECK(dec.error().http_status == 200);
    CHECK_FALSE(dec.error().retryable);
    // Sticky: later bytes change nothing.
    CHECK(dec.feed(content_event("more") + "\n\n").empty());
    auto r = dec.finish();
    REQUIRE_FALSE(r);
    CHECK(r.error() == loong::ec::server_error);
    CHECK(loong::describe(r.error()).find("InternalServiceError: x")
          != std::string::npos);
  }
}

TEST_CASE("ark SSE: event: error with and without an error key", "[ark]") {
  SECTION("object with code") {
    sse_decoder dec;
    dec.feed(content_event("Hel") + "\n\n");
    dec.feed("event: error\ndata: {\"code\":\"RateLimitExceeded."
             "EndpointTPMExceeded\",\"message\":\"slow down\"}\n\n");
    REQUIRE(dec.failed());
    CHECK(dec.error().code == "RateLimitExceeded.EndpointTPMExceeded");
    CHECK_FALSE(dec.error().retryable);
    auto r = dec.finish();
    REQUIRE_FALSE(r);
    CHECK(r.error() == loong::ec::rate_limited);
  }
  SECTION("wrapped error object over CRLF") {
    sse_decoder dec;
    dec.feed("event: error\r\ndata: {\"error\":{\"code\":\"AuthenticationError"
             "\",\"message\":\"bad key\"}}\r\n\r\n");
    REQUIRE(dec.failed());
    CHECK(dec.error().code == "AuthenticationError");
    CHECK(dec.finish().error() == loong::ec::auth_failed);
  }
  SECTION("plain-text data") {
    sse_decoder dec;
    dec.feed("event: error\ndata: upstream exploded\n\n");
    REQUIRE(dec.failed());
    CHECK(dec.error().code.empty());
    CHECK(dec.error().message == "upstream exploded");
  }
  SECTION("an error: null member is not an error") {
    sse_decoder dec;
    dec.feed("data: {\"error\":null,\"choices\":[{\"index\":0,\"delta\":"
             "{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\n");
    CHECK_FALSE(dec.failed());
    auto r = dec.finish();
    REQUIRE(r);
    CHECK(r->text == "ok");
  }
}

TEST_CASE("ark SSE: an oversized line fails the decoder", "[ark]") {
  SECTION("partial line grows past the bound") {
    sse_decoder dec{64};
    dec.feed("data: " + std::string(40, 'a'));
    CHECK_FALSE(dec.failed());
    dec.feed(std::string(40, 'a'));
    REQUIRE(dec.failed());
    CHECK(dec.error().message.find("longer than 64") != std::string::npos);
    CHECK(dec.finish().error() == loong::ec::malformed_response);
  }
  SECTION("complete line in one chunk, at every split") {
    auto bytes = "data: " + std::string(100, 'a') + "\n\n";
    for (size_t i = 0; i <= bytes.size(); ++i) {
      sse_decoder dec{64};
      dec.feed(std::string_view{bytes}.substr(0, i));
      dec.feed(std::string_view{bytes}.substr(i));
      CHECK(dec.failed());
    }
  }
  SECTION("many short data lines cannot grow one event without bound") {
    sse_decoder dec{64};
    for (int i = 0; i < 20 && !dec.failed(); ++i)
      dec.feed("data: 0123456789\n");
    CHECK(dec.failed());
  }
  SECTION("a line exactly at the bound is fine, also with CRLF") {
    std::string json = R"({"choices":[{"delta":{"content":")";
    json += std::string(64 - json.size() - 5, 'z') + R"("}}]})";
    REQUIRE(json.size() == 64);
    sse_decoder dec{70};
    dec.feed("data: " + json.substr(0, 30));
    dec.feed(json.substr(30) + "\r");
    dec.feed("\n\r\n");
    CHECK_FALSE(dec.failed());
  }
}

TEST_CASE("ark SSE: invalid JSON in an event fails with its offset", "[ark]") {
  sse_decoder dec;
  dec.feed(content_event("Hel") + "\n\ndata: {\"choices\":[1,}\n\n");
  REQUIRE(dec.failed());
  CHECK(dec.error().message.find("invalid JSON at offset") != std::string::npos);
  CHECK(dec.finish().error() == loong::ec::malformed_response);
  sse_decoder arr;
  arr.feed("data: [1,2]\n\n");
  CHECK(arr.failed());
}

TEST_CASE("ark SSE: EOF before any finish_reason is a truncated stream", "[ark]") {
  auto events = v3_events();
  auto full = join(events);
  // Cut anywhere before the finish chunk is complete: always an error.
  auto finish_end = full.find(finish_event) + finish_event.size();
  for (size_t cut = 0; cut < finish_end; cut += 3) {
    INFO("cut at " << cut);
    sse_decoder dec;
    dec.feed(std::string_view{full}.substr(0, cut));
    auto r = dec.finish();
    REQUIRE_FALSE(r);
    CHECK(r.error() == loong::ec::malformed_response);
    CHECK(loong::describe(r.error()).find("truncated") != std::string::npos);
    CHECK(dec.failed());
  }
}

TEST_CASE("ark SSE: EOF after finish_reason without [DONE] is accepted", "[ark]") {
  SECTION("usage chunk complete") {
    auto bytes = join({content_event("Hello!"), finish_event, usage_event});
    check_v3(decode(bytes, 11), "Hello!");
  }
  SECTION("last event without its blank line") {
    auto bytes = content_event("Hello!") + "\n\n" + finish_event + "\n\n"
                 + usage_event + "\n";
    check_v3(decode(bytes, std::string::npos), "Hello!");
    // ... or even without its newline.
    bytes.pop_back();
    check_v3(decode(bytes, std::string::npos), "Hello!");
  }
  SECTION("usage chunk cut in the middle") {
    auto bytes = join({content_event("Hello!"), finish_event})
                 + usage_event.substr(0, 50);
    auto r = decode(bytes, std::string::npos);
    REQUIRE(r);
    CHECK(r->text == "Hello!");
    CHECK(r->finish_reason == "stop");
    CHECK_FALSE(r->has_usage);
  }
  SECTION("[DONE] without a final newline") {
    auto bytes = join({content_event("Hi")}) + "data: [DONE]";
    auto r = decode(bytes, std::string::npos);
    REQUIRE(r);
    CHECK(r->text == "Hi");
  }
}

TEST_CASE("ark SSE: bytes after [DONE] are ignored", "[ark]") {
  sse_decoder dec;
  auto text = dec.feed(join(v3_events()) + content_event("junk") + "\n\n");
  CHECK(text == "Hello!");
  CHECK(dec.done());
  CHECK(dec.feed("data: {not json}\n\n").empty());
  CHECK_FALSE(dec.failed());
  check_v3(dec.finish());
  // finish() is idempotent.
  check_v3(dec.finish());
}

TEST_CASE("ark SSE: reasoning_content and other choices stay out of the text",
          "[ark]") {
  sse_decoder dec;
  dec.feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":"
           "\"thinking...\"}}]}\n\n"
           "data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"B\"}},"
           "{\"index\":0,\"delta\":{\"content\":\"A\",\"unknown\":1}}]}\n\n"
           "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":"
           "\"length\"}],\"usage\":null}\n\n");
  auto r = dec.finish();
  REQUIRE(r);
  CHECK(r->text == "A");
  CHECK(r->finish_reason == "length");
  CHECK_FALSE(r->has_usage);
}

TEST_CASE("ark SSE: invalid UTF-8 in the final text is replaced", "[ark]") {
  sse_decoder dec;
  dec.feed(content_event("a\xFF" "b") + "\n\n" + finish_event + "\n\n");
  auto r = dec.finish();
  REQUIRE(r);
  CHECK(r->text == "a\xEF\xBF\xBD" "b");
}

TEST_CASE("ark SSE: deeply nested JSON is an error, not a stack overflow", "[ark]") {
  sse_decoder dec;
  dec.feed("data: " + std::string(300000, '[') + "\n\n");
  REQUIRE(dec.failed());
  CHECK(dec.finish().error() == loong::ec::malformed_response);
}

TEST_CASE("ark SSE: random token soup never crashes the decoder", "[ark]") {
  // Deterministic pseudo-random mix of SSE fragments, cut at random points.
  const std::vector<std::string> tokens{
    "data: ", "data:", "event: error\n", ": c\n", "\n", "\r\n", "\r", "[DONE]",
    "{", "}", "\"choices\":[{\"delta\":{\"content\":\"x\"}}]", ",",
    "\"finish_reason\":\"stop\"", "\"usage\":{\"total_tokens\":1}",
    "\"error\":{\"code\":\"E\"}", "\xE4\xBD", "\xA0", "\xFF", "id: 1\n"};
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7FFF;
  };
  for (int round = 0; round < 300; ++round) {
    std::string bytes;
    auto n = 5 + next() % 60;
    for (uint32_t i = 0; i < n; ++i)
      bytes += tokens[next() % tokens.size()];
    sse_decoder dec{256};
    std::string text;
    size_t pos = 0;
    while (pos < bytes.size()) {
      auto len = 1 + next() % 17;
      text += dec.feed(std::string_view{bytes}.substr(pos, len));
      pos += len;
    }
    auto r = dec.finish();
    if (r) {
      CHECK(r->text.size() >= text.size());
    } else {
      CHECK(dec.failed());
      CHECK_FALSE(loong::describe(r.error()).empty());
    }
  }
}

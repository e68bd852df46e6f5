#include "protocol/ark_sse.hpp"

#include <utility>

#include <rapidjson/document.h>

#include "messages/errors.hpp"
#include "protocol/ark_json.hpp"

namespace loong::ark {

namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

} // namespace

sse_decoder::sse_decoder(size_t max_line_bytes)
  : max_line_(max_line_bytes > 0 ? max_line_bytes : 1) {
  // nop
}

std::string sse_decoder::feed(std::string_view bytes) {
  std::string out;
  if (done_ || err_ || finished_)
    return out;
  buf_.append(bytes.data(), bytes.size());
  size_t start = 0;
  while (!done_ && !err_) {
    auto nl = buf_.find('\n', scanned_);
    if (nl == std::string::npos) {
      scanned_ = buf_.size();
      break;
    }
    on_line(std::string_view{buf_.data() + start, nl - start}, out);
    start = nl + 1;
    scanned_ = start;
  }
  if (done_ || err_) {
    buf_.clear();
    scanned_ = 0;
    return out;
  }
  buf_.erase(0, start);
  scanned_ -= start;
  // One byte of slack for the '\r' of a CRLF line that is not complete yet.
  if (buf_.size() > max_line_ + 1)
    fail_local("SSE line longer than " + std::to_string(max_line_) + " bytes");
  return out;
}

void sse_decoder::on_line(std::string_view line, std::string& out) {
  if (first_line_) {
    first_line_ = false;
    if (line.substr(0, utf8_bom.size()) == utf8_bom)
      line.remove_prefix(utf8_bom.size());
  }
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  if (line.size() > max_line_) {
    fail_local("SSE line longer than " + std::to_string(max_line_) + " bytes");
    return;
  }
  if (line.empty()) {
    dispatch(out);
    return;
  }
  if (line.front() == ':')
    return; // comment, e.g. a keep-alive
  auto colon = line.find(':');
  auto field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_)
      data_ += '\n';
    data_.append(value.data(), value.size());
    has_data_ = true;
    if (data_.size() > max_line_)
      fail_local("SSE event data longer than " + std::to_string(max_line_)
                 + " bytes");
  } else if (field == "event") {
    event_.assign(value.data(), value.size());
  }
  // id:, retry: and unknown fields carry nothing we use.
}

void sse_decoder::dispatch(std::string& out) {
  if (!has_data_) {
    event_.clear();
    return;
  }
  auto data = std::move(data_);
  auto type = std::move(event_);
  data_.clear();
  event_.clear();
  has_data_ = false;
  on_data(type, data, out);
}

void sse_decoder::on_data(std::string_view type, std::string_view data,
                          std::string& out) {
  auto text = detail::trim(data);
  // The official SDK compares by prefix; so do we.
  if (text.substr(0, 6) == "[DONE]") {
    done_ = true;
    return;
  }
  bool error_event = type == "error";
  if (text.empty() && !error_event)
    return;
  rapidjson::Document doc;
  detail::parse(doc, text);
  if (doc.HasParseError() || !doc.IsObject()) {
    if (error_event) {
      provider_error e;
      e.http_status = 200;
      e.message = text.empty() ? "error event without data"
                               : detail::clip(text, 200);
      fail_remote(std::move(e));
    } else if (at_eof_) {
      // A cut final line: harmless once the answer is complete.
      if (!seen_finish_)
        fail_local("truncated stream: EOF inside an SSE event");
    } else if (doc.HasParseError()) {
      fail_local("SSE event: " + detail::parse_failure(doc));
    } else {
      fail_local("SSE event data is not a JSON object");
    }
    return;
  }
  auto err = doc.FindMember("error");
  if (error_event || (err != doc.MemberEnd() && !err->value.IsNull())) {
    provider_error e;
    e.http_status = 200;
    detail::read_error_object(doc, e);
    if (e.code.empty() && e.message.empty())
      e.message = detail::clip(text, 200);
    fail_remote(std::move(e));
    return;
  }
  auto model = detail::get_string(doc, "model");
  if (!model.empty())
    result_.model = std::move(model);
  auto choices = doc.FindMember("choices");
  if (choices != doc.MemberEnd() && choices->value.IsArray()) {
    for (auto& c : choices->value.GetArray()) {
      if (!c.IsObject())
        continue;
      // The gateway asks for one choice; ignore any other index.
      auto idx = c.FindMember("index");
      if (idx != c.MemberEnd() && idx->value.IsInt() && idx->value.GetInt() != 0)
        continue;
      auto delta = c.FindMember("delta");
      if (delta != c.MemberEnd() && delta->value.IsObject()) {
        // reasoning_content is chain of thought: never part of the reply.
        auto piece = detail::get_string(delta->value, "content");
        result_.text += piece;
        out += piece;
      }
      auto reason = detail::get_string(c, "finish_reason");
      if (!reason.empty()) {
        result_.finish_reason = std::move(reason);
        seen_finish_ = true;
      }
    }
  }
  auto usage = doc.FindMember("usage");
  if (usage != doc.MemberEnd() && detail::read_usage(usage->value, result_.usage))
    result_.has_usage = true;
}

void sse_decoder::fail_local(std::string why) {
  perr_ = provider_error{};
  perr_.http_status = 200;
  perr_.message = why;
  err_ = caf::make_error(ec::malformed_response, std::move(why));
}

void sse_decoder::fail_remote(provider_error x) {
  // Output may already be billed and shown: never retry mid-stream.
  x.retryable = false;
  perr_ = std::move(x);
  err_ = to_error(perr_);
}

caf::expected<completion_result> sse_decoder::finish() {
  if (!finished_) {
    finished_ = true;
    if (!done_ && !err_) {
      at_eof_ = true;
      std::string ignored;
      if (!buf_.empty()) {
        auto tail = std::move(buf_);
        buf_.clear();
        on_line(tail, ignored);
      }
      if (!done_ && !err_)
        dispatch(ignored);
    }
    buf_.clear();
    if (!err_ && !done_ && !seen_finish_)
      fail_local("truncated stream: EOF before any finish_reason and "
                 "without [DONE]");
    result_.text = detail::sanitize_utf8(result_.text);
  }
  if (err_)
    return err_;
  return result_;
}

} // namespace loong::ark

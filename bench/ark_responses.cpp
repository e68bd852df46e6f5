// Response bodies of mock_ark (ark-provider.md §4, §5, §7, §8).

#include "bench/ark_mock.hpp"

namespace loong::bench {

namespace {

void write_usage(json_writer& w, int64_t prompt, int64_t completion) {
  w.StartObject();
  w.Key("prompt_tokens"), w.Int64(prompt);
  w.Key("completion_tokens"), w.Int64(completion);
  w.Key("total_tokens"), w.Int64(prompt + completion);
  w.Key("prompt_tokens_details");
  w.StartObject();
  w.Key("cached_tokens"), w.Int(0);
  w.EndObject();
  w.Key("completion_tokens_details");
  w.StartObject();
  w.Key("reasoning_tokens"), w.Int(0);
  w.EndObject();
  w.EndObject();
}

void write_chunk_head(json_writer& w, const ark_answer& a) {
  w.Key("id"), w.String(a.id);
  w.Key("object"), w.String("chat.completion.chunk");
  w.Key("created"), w.Int64(a.created);
  w.Key("model"), w.String(a.model);
  w.Key("service_tier"), w.String("default");
}

// One content event: choices[0].delta = {role, content} (+ finish_reason).
std::string delta_event(const ark_answer& a, const std::string& content, const char* finish) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  write_chunk_head(w, a);
  w.Key("choices");
  w.StartArray();
  w.StartObject();
  w.Key("index"), w.Int(0);
  w.Key("delta");
  w.StartObject();
  w.Key("role"), w.String("assistant");
  w.Key("content"), w.String(content);
  w.EndObject();
  if (finish)
    w.Key("finish_reason"), w.String(finish);
  w.EndObject();
  w.EndArray();
  w.Key("usage"), w.Null();
  w.EndObject();
  return sse_event({buf.GetString(), buf.GetSize()});
}

// Length of the UTF-8 sequence starting with byte `c` (1 for stray bytes).
size_t utf8_len(unsigned char c) {
  if (c >= 0xF0)
    return 4;
  if (c >= 0xE0)
    return 3;
  if (c >= 0xC0)
    return 2;
  return 1;
}

} // namespace

std::string echo_answer(const std::vector<ark_message>& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it)
    if (it->role == "user")
      return "echo: " + it->content;
  return "echo: ";
}

std::vector<std::string> split_chunks(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < text.size();) {
    auto n = std::min(utf8_len(static_cast<unsigned char>(text[i])), text.size() - i);
    if (cur.size() + n > 16) {
      out.push_back(std::move(cur));
      cur.clear();
    }
    cur.append(text, i, n);
    bool space = text[i] == ' ';
    i += n;
    if (space) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty() || out.empty())
    out.push_back(std::move(cur));
  return out;
}

std::string completion_body(const ark_answer& a) {
  std::string text;
  for (const auto& c : a.chunks)
    text += c;
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("id"), w.String(a.id);
  w.Key("object"), w.String("chat.completion");
  w.Key("created"), w.Int64(a.created);
  w.Key("model"), w.String(a.model);
  w.Key("service_tier"), w.String("default");
  w.Key("choices");
  w.StartArray();
  w.StartObject();
  w.Key("index"), w.Int(0);
  w.Key("finish_reason"), w.String(a.finish_reason);
  w.Key("logprobs"), w.Null();
  w.Key("message");
  w.StartObject();
  w.Key("role"), w.String("assistant");
  w.Key("content"), w.String(text);
  w.EndObject();
  w.EndObject();
  w.EndArray();
  w.Key("usage");
  write_usage(w, a.prompt_tokens, static_cast<int64_t>(a.chunks.size()));
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::vector<std::string> stream_events(const ark_answer& a, bool include_usage) {
  std::vector<std::string> out;
  out.push_back(delta_event(a, "", nullptr));  // the role-only opening chunk
  for (const auto& c : a.chunks)
    out.push_back(delta_event(a, c, nullptr));
  out.push_back(delta_event(a, "", a.finish_reason.c_str()));
  if (include_usage) {
    rapidjson::StringBuffer buf;
    json_writer w{buf};
    w.StartObject();
    write_chunk_head(w, a);
    w.Key("choices"), w.StartArray(), w.EndArray();
    w.Key("usage");
    write_usage(w, a.prompt_tokens, static_cast<int64_t>(a.chunks.size()));
    w.EndObject();
    out.push_back(sse_event({buf.GetString(), buf.GetSize()}));
  }
  out.push_back("data: [DONE]\n\n");
  return out;
}

std::string sse_event(const std::string& json) {
  return "data: " + json + "\n\n";
}

std::string ark_error_body(const std::string& code, const std::string& message,
                           const std::string& type) {
  return "{\"error\":{\"code\":" + json_quote(code) + ",\"message\":" + json_quote(message)
         + ",\"param\":\"\",\"type\":" + json_quote(type) + "}}";
}

std::string models_body(const std::vector<std::string>& models) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("object"), w.String("list");
  w.Key("data");
  w.StartArray();
  for (const auto& m : models) {
    w.StartObject();
    w.Key("id"), w.String(m);
    w.Key("object"), w.String("model");
    w.Key("created"), w.Int64(1750000000);
    w.Key("owned_by"), w.String("volcengine");
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

} // namespace loong::bench

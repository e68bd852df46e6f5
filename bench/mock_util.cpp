#include "bench/mock_util.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <random>

#include <pthread.h>

namespace loong::bench {

std::string target_parts::param(const std::string& key, std::string def) const {
  auto i = query.find(key);
  return i == query.end() ? def : i->second;
}

int64_t target_parts::int_param(const std::string& key, int64_t def) const {
  auto i = query.find(key);
  if (i == query.end())
    return def;
  auto v = to_int(i->second);
  return v ? *v : def;
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0
               && hex_digit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

target_parts split_target(std::string_view target) {
  target_parts out;
  auto q = target.find('?');
  out.path = std::string{target.substr(0, q)};
  if (q == std::string_view::npos)
    return out;
  auto rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto item = rest.substr(0, amp);
    if (!item.empty()) {
      auto eq = item.find('=');
      auto key = url_decode(item.substr(0, eq));
      auto val = eq == std::string_view::npos ? std::string{}
                                              : url_decode(item.substr(eq + 1));
      out.query[key] = val;
    }
    if (amp == std::string_view::npos)
      break;
    rest = rest.substr(amp + 1);
  }
  return out;
}

std::optional<rapidjson::Document> parse_object(std::string_view text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject())
    return std::nullopt;
  return d;
}

bool parse_json_ok(std::string_view text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  return !d.HasParseError();
}

std::string json_str(const rapidjson::Value& obj, const char* key, std::string def) {
  if (!obj.IsObject())
    return def;
  auto i = obj.FindMember(key);
  if (i == obj.MemberEnd() || !i->value.IsString())
    return def;
  return {i->value.GetString(), i->value.GetStringLength()};
}

int64_t json_int(const rapidjson::Value& obj, const char* key, int64_t def) {
  if (!obj.IsObject())
    return def;
  auto i = obj.FindMember(key);
  if (i == obj.MemberEnd())
    return def;
  if (i->value.IsInt64())
    return i->value.GetInt64();
  if (i->value.IsUint64())
    return static_cast<int64_t>(i->value.GetUint64());
  if (i->value.IsDouble())
    return static_cast<int64_t>(i->value.GetDouble());
  if (i->value.IsString()) {
    auto v = to_int({i->value.GetString(), i->value.GetStringLength()});
    return v ? *v : def;
  }
  return def;
}

bool json_bool(const rapidjson::Value& obj, const char* key, bool def) {
  if (!obj.IsObject())
    return def;
  auto i = obj.FindMember(key);
  if (i == obj.MemberEnd() || !i->value.IsBool())
    return def;
  return i->value.GetBool();
}

bool json_has(const rapidjson::Value& obj, const char* key) {
  return obj.IsObject() && obj.FindMember(key) != obj.MemberEnd();
}

std::string json_dump(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

std::string json_quote(std::string_view s) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return {buf.GetString(), buf.GetSize()};
}

std::string header_value(const header_pairs& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size())
      continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; ++i)
      same = lower(k[i]) == lower(name[i]);
    if (same)
      return v;
  }
  return {};
}

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t mono_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

int64_t mono_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string random_hex(size_t n_bytes) {
  // Ids and tickets only need to be unique, not secret: a seeded PRNG is enough.
  thread_local std::mt19937_64 gen{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n_bytes * 2);
  for (size_t i = 0; i < n_bytes; ++i) {
    auto b = static_cast<unsigned>(gen() & 0xff);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xf]);
  }
  return out;
}

std::optional<int64_t> to_int(std::string_view s) {
  if (s.empty() || s.size() > 19)
    return std::nullopt;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (s.size() == 1)
      return std::nullopt;
  }
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9')
      return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return neg ? -v : v;
}

arg_reader::arg_reader(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    args_.emplace_back(argv[i]);
}

bool arg_reader::more() const {
  return pos_ < args_.size();
}

std::string arg_reader::next_flag() {
  inline_value_.reset();
  if (pos_ >= args_.size())
    return {};
  auto a = args_[pos_++];
  auto eq = a.find('=');
  if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
    inline_value_ = a.substr(eq + 1);
    return a.substr(0, eq);
  }
  return a;
}

std::optional<std::string> arg_reader::value() {
  if (inline_value_) {
    auto v = std::move(*inline_value_);
    inline_value_.reset();
    return v;
  }
  if (pos_ >= args_.size())
    return std::nullopt;
  return args_[pos_++];
}

void block_termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A test that closes our stdout pipe must not kill us on the next log line.
  std::signal(SIGPIPE, SIG_IGN);
}

int wait_for_termination() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

void announce(const std::string& name, const std::string& url) {
  std::printf("%s listening on %s\n", name.c_str(), url.c_str());
  std::fflush(stdout);
}

} // namespace loong::bench

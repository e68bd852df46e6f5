#include "protocol/feishu_frame.hpp"

#include <limits>

#include "pbbp2.pb.h"
#include "protocol/feishu_json.hpp"

namespace loong::feishu {

std::string frame::header(std::string_view key) const {
  // Duplicate keys: take the first, as the Go SDK does (spec §9.8).
  for (auto& h : headers)
    if (h.key == key)
      return h.value;
  return {};
}

std::string encode_frame(const frame& f) {
  pbbp2::Frame pb;
  // proto2 "required": set explicitly so zeros are written (spec §6.3).
  pb.set_seqid(f.seq_id);
  pb.set_logid(f.log_id);
  pb.set_service(f.service);
  pb.set_method(f.method);
  for (auto& h : f.headers) {
    auto* ph = pb.add_headers();
    ph->set_key(h.key);
    ph->set_value(h.value);
  }
  if (f.payload_encoding)
    pb.set_payload_encoding(*f.payload_encoding);
  if (f.payload_type)
    pb.set_payload_type(*f.payload_type);
  if (f.payload)
    pb.set_payload(*f.payload);
  if (f.log_id_new)
    pb.set_logidnew(*f.log_id_new);
  std::string out;
  pb.SerializePartialToString(&out);
  return out;
}

std::optional<frame> decode_frame(std::string_view bytes) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return std::nullopt;
  pbbp2::Frame pb;
  // Partial: a missing "required" field defaults to 0 (spec §6.3).
  if (!pb.ParsePartialFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return std::nullopt;
  frame f;
  f.seq_id = pb.seqid();
  f.log_id = pb.logid();
  f.service = pb.service();
  f.method = pb.method();
  f.headers.reserve(pb.headers_size());
  for (auto& h : pb.headers())
    f.headers.push_back(frame_header{h.key(), h.value()});
  if (pb.has_payload_encoding())
    f.payload_encoding = pb.payload_encoding();
  if (pb.has_payload_type())
    f.payload_type = pb.payload_type();
  if (pb.has_payload())
    f.payload = pb.payload();
  if (pb.has_logidnew())
    f.log_id_new = pb.logidnew();
  return f;
}

frame make_ping(int32_t service) {
  frame f;
  f.service = service;
  f.method = 0;
  f.headers.push_back({"type", "ping"});
  return f;
}

frame make_pong(int32_t service, std::string client_config_json) {
  frame f;
  f.service = service;
  f.method = 0;
  f.headers.push_back({"type", "pong"});
  if (!client_config_json.empty())
    f.payload = std::move(client_config_json);
  return f;
}

frame make_ack(const frame& completing_frame, int64_t biz_rt_ms, int code) {
  frame f = completing_frame;
  // Elapsed time is never negative (the Node SDK's start-end bug, §9.1).
  f.headers.push_back({"biz_rt", std::to_string(biz_rt_ms < 0 ? 0
                                                              : biz_rt_ms)});
  f.payload = "{\"code\":" + std::to_string(code) + "}";
  return f;
}

int ack_code(std::string_view ack_payload) {
  rapidjson::Document doc;
  if (!json::parse(doc, ack_payload) || !doc.IsObject())
    return -1;
  auto* code = json::member(doc, "code");
  if (code == nullptr || !code->IsInt() || code->GetInt() < 0)
    return -1;
  return code->GetInt();
}

} // namespace loong::feishu

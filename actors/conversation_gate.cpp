#include "actors/conversation.hpp"

#include <algorithm>

#include "protocol/feishu_event.hpp"

namespace loong {

namespace {

bool listed(const std::vector<std::string>& xs, const std::string& id) {
  return std::find(xs.begin(), xs.end(), id) != xs.end();
}

bool wildcard(const std::vector<std::string>& xs) {
  return listed(xs, "*");
}

} // namespace

std::string session_key(const config::feishu_account& a,
                        const std::string& chat_id) {
  std::string key = "feishu:";
  if (a.id != a.runtime_id)
    key += "cfg=" + a.id + ":";
  return key + a.runtime_id + ":" + chat_id;
}

std::string trust_gate(const config::feishu_account& a, const inbound_message& m) {
  if (a.ignore_bot_messages
      && (m.sender_type == "app" || m.sender_type == "bot"))
    return "bot_sender";
  if (!wildcard(a.allowed_chat_ids) && !listed(a.allowed_chat_ids, m.chat_id))
    return "chat_not_allowed";
  if (!a.allowed_sender_ids.empty()) {
    if (m.sender_open_id.empty())
      return "sender_unknown";
    if (!wildcard(a.allowed_sender_ids)
        && !listed(a.allowed_sender_ids, m.sender_open_id))
      return "sender_not_allowed";
  }
  return {};
}

std::string gate(const config::feishu_account& a, const inbound_message& m,
                 const std::string& bot_open_id) {
  if (auto why = trust_gate(a, m); !why.empty())
    return why;
  if (a.require_mention && !feishu::mentions_bot(m, bot_open_id))
    return "not_mentioned";
  // The platform re-delivers old events after reconnects; answering them
  // would answer yesterday's question.
  if (a.stale_message_ms > 0 && m.create_time_ms > 0 && m.received_ms > 0
      && m.received_ms - m.create_time_ms > a.stale_message_ms)
    return "stale";
  return {};
}

} // namespace loong

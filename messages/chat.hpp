#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace loong {

/// One @-mention inside an inbound message (`event.message.mentions[]`).
struct mention {
  /// Placeholder in the text, e.g. "@_user_1".
  std::string key;
  std::string open_id;
  std::string user_id;
  std::string union_id;
  std::string name;
  /// "bot" or "user" when the platform says so; often empty.
  std::string mentioned_type;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mention& x) {
  return f(caf::meta::type_name("loong::mention"), x.key, x.open_id,
           x.user_id, x.union_id, x.name, x.mentioned_type);
}

inline bool operator==(const mention& x, const mention& y) {
  return x.key == y.key && x.open_id == y.open_id && x.user_id == y.user_id
         && x.union_id == y.union_id && x.name == y.name
         && x.mentioned_type == y.mentioned_type;
}

/// What kind of content an inbound message carried.
enum class content_kind : uint8_t {
  /// `message_type == "text"`: `text` holds the text with placeholders kept.
  text,
  /// `message_type == "post"`: `text` holds the concatenated plain text.
  post,
  /// Any other type (image, file, sticker, ...): `text` holds a short
  /// summary such as "[image img_xxx]"; the gateway answers it politely.
  unsupported,
};

inline const char* to_string(content_kind x) {
  switch (x) {
    case content_kind::text: return "text";
    case content_kind::post: return "post";
    case content_kind::unsupported: return "unsupported";
  }
  return "unknown";
}

/// An `im.message.receive_v1` event, parsed, from either transport.
struct inbound_message {
  /// Configured account id that received it (filled in by the transport).
  std::string account;
  /// `header.event_id`, or "message:<message_id>" when absent.
  std::string event_id;
  /// `header.app_id` (routes to the account in a multi-account host).
  std::string app_id;
  /// `header.create_time`, Unix ms.
  int64_t create_time_ms = 0;
  std::string message_id;
  std::string root_id;
  std::string parent_id;
  std::string thread_id;
  std::string chat_id;
  /// "p2p" or "group" (unknown values are treated like "group").
  std::string chat_type;
  std::string sender_open_id;
  std::string sender_user_id;
  std::string sender_union_id;
  /// "user", "app" or "bot".
  std::string sender_type;
  /// The platform's `message_type`, e.g. "text".
  std::string message_type;
  content_kind kind = content_kind::text;
  /// Text content; for text messages the placeholders (@_user_1) are kept.
  std::string text;
  std::vector<mention> mentions;
  /// When the gateway received it (Unix ms), stamped by the transport.
  int64_t received_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, inbound_message& x) {
  return f(caf::meta::type_name("loong::inbound_message"), x.account,
           x.event_id, x.app_id, x.create_time_ms, x.message_id, x.root_id,
           x.parent_id, x.thread_id, x.chat_id, x.chat_type, x.sender_open_id,
           x.sender_user_id, x.sender_union_id, x.sender_type, x.message_type,
           x.kind, x.text, x.mentions, x.received_ms);
}

} // namespace loong

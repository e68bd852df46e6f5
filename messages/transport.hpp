#pragma once

// Messages an inbound transport's I/O callbacks send to its own actor.
// Every one carries the connection generation so that late callbacks of a
// closed connection are recognised and dropped.

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

#include "messages/chat.hpp"

namespace loong {

/// Endpoint discovery finished (ws_connection).
struct ws_discovered {
  int64_t generation = 0;
  bool ok = false;
  /// Retrying will not help (credential/config error): back off slowly.
  bool fatal = false;
  std::string url;
  int32_t ping_interval_s = 120;
  int32_t reconnect_count = -1;
  int32_t reconnect_interval_s = 120;
  int32_t reconnect_nonce_s = 30;
  std::string error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ws_discovered& x) {
  return f(caf::meta::type_name("loong::ws_discovered"), x.generation, x.ok,
           x.fatal, x.url, x.ping_interval_s, x.reconnect_count,
           x.reconnect_interval_s, x.reconnect_nonce_s, x.error);
}

/// The WebSocket is open (ws_connection).
struct ws_opened {
  int64_t generation = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ws_opened& x) {
  return f(caf::meta::type_name("loong::ws_opened"), x.generation);
}

/// One binary message from the server (ws_connection).
struct ws_frame_in {
  int64_t generation = 0;
  std::string data;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ws_frame_in& x) {
  return f(caf::meta::type_name("loong::ws_frame_in"), x.generation, x.data);
}

/// The connection ended or the upgrade was refused (ws_connection).
struct ws_closed {
  int64_t generation = 0;
  /// net_errc name, e.g. "closed", "handshake_rejected".
  std::string code;
  std::string detail;
  /// For a refused upgrade: HTTP status and the platform's headers.
  int32_t http_status = 0;
  std::string handshake_status;
  std::string handshake_msg;
  std::string handshake_autherrcode;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ws_closed& x) {
  return f(caf::meta::type_name("loong::ws_closed"), x.generation, x.code,
           x.detail, x.http_status, x.handshake_status, x.handshake_msg,
           x.handshake_autherrcode);
}

/// A verified, decrypted webhook event waiting for its HTTP answer
/// (webhook_listener); `request_id` finds the pending response.
struct webhook_event {
  int64_t request_id = 0;
  inbound_message message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, webhook_event& x) {
  return f(caf::meta::type_name("loong::webhook_event"), x.request_id,
           x.message);
}

} // namespace loong

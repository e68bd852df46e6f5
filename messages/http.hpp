#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

namespace loong {

/// One HTTP header.
struct http_header {
  std::string name;
  std::string value;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_header& x) {
  return f(caf::meta::type_name("loong::http_header"), x.name, x.value);
}

/// An HTTP request for the http_bridge actor (which runs it on the shared
/// keep-alive client and answers with an http_reply).
struct http_exchange {
  std::string method = "GET";
  std::string url;
  std::vector<http_header> headers;
  std::string body;
  /// Total deadline, connect deadline, and max gap between streamed chunks.
  int64_t timeout_ms = 30000;
  int64_t connect_timeout_ms = 10000;
  int64_t idle_timeout_ms = 0;
  int64_t max_response_bytes = 8 << 20;
  /// When set, the bytes of a 2xx body are sent there as http_chunk
  /// messages as they arrive instead of being collected in the reply.
  caf::actor chunk_sink;
  /// Echoed in http_chunk so a sink can tell calls apart.
  int64_t tag = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_exchange& x) {
  return f(caf::meta::type_name("loong::http_exchange"), x.method, x.url,
           x.headers, x.body, x.timeout_ms, x.connect_timeout_ms,
           x.idle_timeout_ms, x.max_response_bytes, x.chunk_sink, x.tag);
}

/// The outcome of an http_exchange. Transport failures are data here
/// (error_code non-empty), not CAF errors, so callers classify them.
struct http_reply {
  int32_t status = 0;
  std::vector<http_header> headers;
  std::string body;
  /// net_errc name ("timeout", "connect_failed", ...); empty on success.
  std::string error_code;
  std::string error_detail;
  int64_t elapsed_ms = 0;

  bool ok() const { return error_code.empty(); }
  /// Case-insensitive header lookup; "" when absent.
  std::string header(const std::string& name) const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_reply& x) {
  return f(caf::meta::type_name("loong::http_reply"), x.status, x.headers,
           x.body, x.error_code, x.error_detail, x.elapsed_ms);
}

/// Streamed body bytes of an http_exchange with a chunk_sink.
struct http_chunk {
  int64_t tag = 0;
  std::string data;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_chunk& x) {
  return f(caf::meta::type_name("loong::http_chunk"), x.tag, x.data);
}

/// INTERNAL to http_bridge: a finished call coming back from an I/O thread.
struct http_done {
  int64_t call_id = 0;
  http_reply reply;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_done& x) {
  return f(caf::meta::type_name("loong::http_done"), x.call_id, x.reply);
}

} // namespace loong

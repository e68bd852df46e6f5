#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

namespace loong {

/// Error codes of the gateway, category "loong". The context message names
/// what failed (account selector, HTTP status, platform or provider code).
enum class ec : uint8_t {
  /// Not an error.
  none = 0,
  /// The configuration is invalid or incomplete.
  invalid_config,
  /// A command-line argument is invalid.
  invalid_argument,
  /// A secret named by an env/file pointer could not be resolved.
  missing_secret,
  /// A network operation failed (resolve, connect, TLS, I/O).
  transport_failed,
  /// A network operation or a request between actors took too long.
  timeout,
  /// The remote peer answered with something we cannot parse.
  malformed_response,
  /// Credentials were rejected (Feishu token endpoint, Ark 401).
  auth_failed,
  /// The tenant access token is invalid or expired (99991661/3/8).
  token_invalid,
  /// Rate limited by the remote platform or provider (HTTP 429, 99991400, 230020).
  rate_limited,
  /// The app lacks a permission (99991672, 230027, Ark 403).
  permission_denied,
  /// The remote object or model does not exist (Ark 404, 230034).
  not_found,
  /// The remote server failed (HTTP 5xx).
  server_error,
  /// The remote platform rejected the request with a business code.
  platform_error,
  /// Too many outstanding operations; the caller should back off.
  overloaded,
  /// A supervised subtree restarted too often and was given up.
  restart_budget_exhausted,
  /// Another owner holds the gateway lock.
  owner_conflict,
  /// The local store failed (SQLite).
  store_failed,
  /// The feature belongs to an issue that has not landed yet.
  unsupported,
  /// The operation was cancelled by a shutdown.
  shutting_down,
};

/// Returns the enumerator's name, e.g. "rate_limited".
const char* to_string(ec x);

/// Renders a loong error category for caf::actor_system::render.
std::string render_loong_error(uint8_t code, caf::atom_value category,
                               const caf::message& context);

/// Renders any error as "<code name>: <context>" without an actor system.
std::string describe(const caf::error& err);

} // namespace loong

CAF_ERROR_CODE_ENUM(loong::ec, "loong")

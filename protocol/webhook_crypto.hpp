#pragma once

// Webhook body encryption and request signatures (spec §7.2, §7.5).

#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace loong::feishu {

/// Decrypts the `encrypt` field of a webhook body: base64(IV || AES-256-CBC
/// ciphertext) with key SHA-256(encrypt_key) and PKCS#7 padding. Errors
/// (ec::malformed_response) name the failed step, never the key.
caf::expected<std::string> decrypt_event(std::string_view encrypt_b64,
                                         std::string_view encrypt_key);

/// Encrypts `plaintext` the way the platform does (for mocks and tests).
/// `iv16` must be 16 bytes; any other value, including empty, picks a
/// random IV.
std::string encrypt_event(std::string_view plaintext,
                          std::string_view encrypt_key,
                          std::string_view iv16 = {});

/// Returns lowercase hex SHA-256(timestamp || nonce || encrypt_key ||
/// raw_body), the expected X-Lark-Signature.
std::string webhook_signature(std::string_view timestamp,
                              std::string_view nonce,
                              std::string_view encrypt_key,
                              std::string_view raw_body);

} // namespace loong::feishu

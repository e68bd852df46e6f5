#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

/// Small OpenSSL-backed helpers shared by the wire formats.
namespace loong::crypto {

/// Returns the lowercase hex SHA-256 digest of `data` (64 characters).
std::string sha256_hex(std::string_view data);

/// Returns the raw 32-byte SHA-256 digest of `data`.
std::string sha256_raw(std::string_view data);

/// Decodes standard-alphabet base64 with mandatory padding; nullopt on any
/// other character, a length that is not a multiple of 4, or bad padding.
std::optional<std::string> base64_decode(std::string_view in);

/// Encodes `in` as standard-alphabet base64 with padding.
std::string base64_encode(std::string_view in);

/// Encodes `in` as URL-safe base64 without padding (RFC 4648 §5).
std::string base64url_encode_nopad(std::string_view in);

/// Compares two strings without data-dependent early exit (the length is not
/// secret).
bool constant_time_equal(std::string_view a, std::string_view b);

/// Returns `n` cryptographically random bytes.
std::string random_bytes(size_t n);

/// Returns lowercase hex of `bytes`.
std::string to_hex(std::string_view bytes);

} // namespace loong::crypto

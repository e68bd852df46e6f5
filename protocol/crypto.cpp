#include "protocol/crypto.hpp"

#include <array>
#include <random>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace loong::crypto {

std::string sha256_raw(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(),
                 nullptr)
      != 1)
    return {};
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0x0f]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  return to_hex(sha256_raw(data));
}

namespace {

constexpr char b64_std[]
  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char b64_url[]
  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

std::string encode(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<unsigned char>(in[k]); };
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  auto rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = at(i) << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad)
      out += "==";
  } else if (rest == 2) {
    uint32_t v = (at(i) << 16) | (at(i + 1) << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad)
      out.push_back('=');
  }
  return out;
}

} // namespace

std::optional<std::string> base64_decode(std::string_view in) {
  if (in.size() % 4 != 0)
    return std::nullopt;
  size_t pad = 0;
  if (!in.empty() && in.back() == '=')
    pad = (in.size() >= 2 && in[in.size() - 2] == '=') ? 2 : 1;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    bool last = i + 4 == in.size();
    int v[4];
    for (size_t k = 0; k < 4; ++k) {
      auto c = static_cast<unsigned char>(in[i + k]);
      if (c == '=' && last && k >= 4 - pad) {
        v[k] = 0;
        continue;
      }
      v[k] = b64_value(c);
      if (v[k] < 0)
        return std::nullopt; // also catches '=' in the middle
    }
    uint32_t x = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>((x >> 16) & 0xff));
    if (!last || pad < 2)
      out.push_back(static_cast<char>((x >> 8) & 0xff));
    if (!last || pad < 1)
      out.push_back(static_cast<char>(x & 0xff));
  }
  return out;
}

std::string base64_encode(std::string_view in) {
  return encode(in, b64_std, true);
}

std::string base64url_encode_nopad(std::string_view in) {
  return encode(in, b64_url, false);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  if (a.empty())
    return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n == 0)
    return out;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(n))
      == 1)
    return out;
  // RAND_bytes only fails when the OS entropy source is broken; the values
  // are IVs and nonces, so fall back rather than fail the caller.
  std::random_device rd;
  for (auto& c : out)
    c = static_cast<char>(rd() & 0xff);
  return out;
}

} // namespace loong::crypto

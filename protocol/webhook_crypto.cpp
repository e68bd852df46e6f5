#include "protocol/webhook_crypto.hpp"

#include <limits>
#include <memory>

#include <caf/error.hpp>
#include <openssl/evp.h>

#include "messages/errors.hpp"
#include "protocol/crypto.hpp"

namespace loong::feishu {

namespace {

struct ctx_deleter {
  void operator()(EVP_CIPHER_CTX* p) const {
    EVP_CIPHER_CTX_free(p);
  }
};

using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, ctx_deleter>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Runs AES-256-CBC with PKCS#7 in one direction; nullopt on any failure
// (for decryption that includes bad padding, i.e. a wrong key).
std::optional<std::string> aes_cbc(bool encrypt, std::string_view key32,
                                   std::string_view iv16,
                                   std::string_view in) {
  if (in.size() > static_cast<size_t>(std::numeric_limits<int>::max() - 32))
    return std::nullopt;
  cipher_ctx ctx{EVP_CIPHER_CTX_new()};
  if (!ctx
      || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, bytes(key32),
                           bytes(iv16), encrypt ? 1 : 0)
           != 1)
    return std::nullopt;
  std::string out(in.size() + 16, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int n = 0;
  int tail = 0;
  if (EVP_CipherUpdate(ctx.get(), dst, &n, bytes(in),
                       static_cast<int>(in.size()))
        != 1
      || EVP_CipherFinal_ex(ctx.get(), dst + n, &tail) != 1)
    return std::nullopt;
  out.resize(static_cast<size_t>(n + tail));
  return out;
}

} // namespace

caf::expected<std::string> decrypt_event(std::string_view encrypt_b64,
                                         std::string_view encrypt_key) {
  if (encrypt_key.empty())
    return caf::make_error(ec::malformed_response,
                           "encrypted event but no encrypt key configured");
  auto raw = crypto::base64_decode(encrypt_b64);
  if (!raw)
    return caf::make_error(ec::malformed_response,
                           "encrypt field is not valid base64");
  // IV plus at least one whole block (spec §7.2).
  if (raw->size() < 32 || (raw->size() - 16) % 16 != 0)
    return caf::make_error(ec::malformed_response,
                           "encrypt field has a truncated ciphertext");
  auto key = crypto::sha256_raw(encrypt_key);
  std::string_view view = *raw;
  auto plain = aes_cbc(false, key, view.substr(0, 16), view.substr(16));
  if (!plain)
    return caf::make_error(ec::malformed_response,
                           "encrypt field does not decrypt (wrong key?)");
  return std::move(*plain);
}

std::string encrypt_event(std::string_view plaintext,
                          std::string_view encrypt_key,
                          std::string_view iv16) {
  std::string iv = iv16.size() == 16 ? std::string{iv16}
                                     : crypto::random_bytes(16);
  auto key = crypto::sha256_raw(encrypt_key);
  auto ct = aes_cbc(true, key, iv, plaintext);
  if (!ct)
    return {};
  return crypto::base64_encode(iv + *ct);
}

std::string webhook_signature(std::string_view timestamp,
                              std::string_view nonce,
                              std::string_view encrypt_key,
                              std::string_view raw_body) {
  std::string material;
  material.reserve(timestamp.size() + nonce.size() + encrypt_key.size()
                   + raw_body.size());
  material.append(timestamp.data(), timestamp.size());
  material.append(nonce.data(), nonce.size());
  material.append(encrypt_key.data(), encrypt_key.size());
  material.append(raw_body.data(), raw_body.size());
  return crypto::sha256_hex(material);
}

} // namespace loong::feishu

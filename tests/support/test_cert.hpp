#pragma once

#include <string>

namespace loong::test {

/// A self-signed certificate (its own CA) and its private key, as PEM.
struct test_cert {
  /// The certificate; trust it with io_runtime::trust_pem.
  std::string cert_pem;
  /// The P-256 private key.
  std::string key_pem;
};

/// Generates a fresh P-256 key and a certificate for CN=localhost with
/// SAN DNS:localhost,IP:127.0.0.1, valid for one day. In memory, no files.
/// Throws std::runtime_error if OpenSSL fails.
test_cert make_test_cert();

} // namespace loong::test

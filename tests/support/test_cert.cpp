#include "tests/support/test_cert.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace loong::test {

namespace {

template <class T, void (*Free)(T*)>
struct deleter {
  void operator()(T* x) const {
    Free(x);
  }
};

using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using ext_ptr
  = std::unique_ptr<X509_EXTENSION,
                    deleter<X509_EXTENSION, X509_EXTENSION_free>>;

void bio_free(BIO* b) {
  BIO_free(b);
}
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, bio_free>>;

void check(bool ok, const char* step) {
  if (!ok)
    throw std::runtime_error(std::string{"make_test_cert: "} + step);
}

std::string drain(BIO* b) {
  char* data = nullptr;
  auto n = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<size_t>(n));
}

void add_ext(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ext_ptr ext{X509V3_EXT_conf_nid(nullptr, &ctx, nid, value)};
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

} // namespace

test_cert make_test_cert() {
  pkey_ptr key{EVP_EC_gen("P-256")};
  check(key != nullptr, "EVP_EC_gen");
  x509_ptr cert{X509_new()};
  check(cert != nullptr, "X509_new");
  check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
  // Random serials: two certificates from one run must never look alike.
  unsigned char serial[8];
  check(RAND_bytes(serial, sizeof(serial)) == 1, "RAND_bytes");
  serial[0] &= 0x7f;
  auto* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  check(bn != nullptr, "BN_bin2bn");
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  check(X509_set_pubkey(cert.get(), key.get()) == 1, "X509_set_pubkey");
  auto* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"),
                             -1, -1, 0);
  check(X509_set_issuer_name(cert.get(), name) == 1, "X509_set_issuer_name");
  add_ext(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert.get(), NID_subject_key_identifier, "hash");
  add_ext(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");
  test_cert out;
  bio_ptr cert_bio{BIO_new(BIO_s_mem())};
  check(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1,
        "PEM_write_bio_X509");
  out.cert_pem = drain(cert_bio.get());
  bio_ptr key_bio{BIO_new(BIO_s_mem())};
  check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr,
                                 0, nullptr, nullptr)
          == 1,
        "PEM_write_bio_PrivateKey");
  out.key_pem = drain(key_bio.get());
  return out;
}

} // namespace loong::test

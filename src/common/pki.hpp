#pragma once
// The tower's certificate authority and the agents' host certificates (OpenSSL 3). Keys are EC
// P-256: signing is cheap, so enrolling thousands of hosts is not dominated by crypto.
#include <openssl/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace outpost {

Result<std::string> generate_private_key_pem();

// A new key both parsed and as PEM: under OpenSSL 3.0 reading a PEM key back costs more than
// generating it (its decoders are set up anew for every read), so whoever made the key keeps it.
struct PrivateKey {
  std::shared_ptr<EVP_PKEY> handle;
  std::string pem;
};
Result<PrivateKey> generate_private_key();

// A CSR signed by `key_pem` (or `key`) with subject CN = common_name.
Result<std::string> make_csr(const std::string& key_pem, const std::string& common_name);
Result<std::string> make_csr(EVP_PKEY* key, const std::string& common_name);

struct CertificateInfo {
  std::string common_name;
  std::string serial_hex;
  std::int64_t not_before = 0;  // unix seconds
  std::int64_t not_after = 0;
  std::string fingerprint;      // sha256 of the DER, lowercase hex
};

Result<CertificateInfo> inspect_certificate(const std::string& cert_pem);
// The fingerprint alone (as inspect_certificate gives it), from the PEM's bytes without parsing
// the certificate: what pinning a CA by its fingerprint needs, at a hash's cost.
Result<std::string> certificate_fingerprint(const std::string& cert_pem);

// SHA-256 of arbitrary bytes, lowercase hex.
std::string sha256_hex(std::string_view data);

class CertificateAuthority {
 public:
  // A new self-signed CA (10 years).
  static Result<CertificateAuthority> create(const std::string& common_name, const Clock& clock);
  static Result<CertificateAuthority> load(std::string cert_pem, std::string key_pem);

  // A server certificate for the given DNS names and IP addresses (SAN), signed by this CA.
  Result<std::string> issue_server_certificate(const std::string& key_pem,
                                               const std::vector<std::string>& names,
                                               std::chrono::hours validity, const Clock& clock) const;
  // Signs a client CSR after checking its self-signature. The subject is replaced by
  // CN = common_name (the tower decides the identity, not the requester).
  struct Issued {
    std::string pem;
    std::string serial_hex;  // as inspect_certificate gives it, without parsing the PEM again
  };
  Result<Issued> issue_client_certificate(const std::string& csr_pem, const std::string& common_name,
                                          std::chrono::hours validity, const Clock& clock) const;
  Result<std::string> sign_client_csr(const std::string& csr_pem, const std::string& common_name,
                                      std::chrono::hours validity, const Clock& clock) const;

  const std::string& certificate_pem() const { return cert_pem_; }
  const std::string& key_pem() const { return key_pem_; }
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  std::string cert_pem_, key_pem_, fingerprint_;
  // Parsed once by load(): decoding the PEMs costs more than signing (OpenSSL 3 decoders).
  // OpenSSL allows concurrent signing with one key and certificate.
  std::shared_ptr<X509> cert_;
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace outpost

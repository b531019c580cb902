#pragma once
// The tower's own credentials, created on first start in the data directory: the CA that signs
// host certificates, a server certificate for the listen address, and the admin API token.
#include <filesystem>
#include <string>

#include "common/clock.hpp"
#include "common/pki.hpp"
#include "common/random.hpp"

namespace outpost::tower {

struct TowerIdentity {
  CertificateAuthority ca;
  std::string server_cert_pem;
  std::string server_key_pem;
  std::string admin_token_sha256;
};

// The CA and admin token persist; the server certificate is issued anew on every start for the
// listen host plus `advertise` (comma separated) plus localhost/127.0.0.1, so a changed address
// needs no manual step.
Result<TowerIdentity> load_or_create_identity(const std::filesystem::path& data_dir, const std::string& listen,
                                              const std::string& advertise, const Clock& clock, Random& random);

}  // namespace outpost::tower

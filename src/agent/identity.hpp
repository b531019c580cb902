#pragma once
// The host's identity in its data directory: which tower, which site and host, and the key and
// certificate it proves itself with. Created once by enrollment with a join token.
#include <boost/asio/ssl/context.hpp>
#include <openssl/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "common/files.hpp"
#include "common/result.hpp"

namespace outpost::agent {

struct AgentIdentity {
  std::string tower_url;
  std::string site;
  std::string host;
  std::string key_pem;
  std::string cert_pem;
  std::string ca_pem;
  // key_pem already parsed, when this process generated it at enrollment: sessions use it
  // instead of decoding the PEM (a simulator enrolls thousands of hosts).
  std::shared_ptr<EVP_PKEY> parsed_key;
};

// 404 "not_found" when the directory holds no identity yet.
Result<AgentIdentity> load_identity(const std::filesystem::path& data_dir);

struct EnrollOptions {
  // The tower's CA when the caller already holds it (the simulator, which has the CLI's pinned
  // CA): checked against the token's fingerprint like a fetched one, and saves a connection.
  std::optional<std::string> known_ca_pem;
  // A TLS context trusting known_ca_pem, built once by a caller enrolling many hosts (used only
  // with known_ca_pem): creating a context costs OpenSSL 3.0 more than the handshake.
  std::shared_ptr<boost::asio::ssl::context> prepared_tls;
  // How the identity files are written; the simulator's hosts keep theirs cached.
  FileSync sync = FileSync::durable;
};

// Pins the tower by the CA fingerprint inside the token, proves the token, and stores the
// certificate the tower signs. Errors say what to do (a refused token names the reason).
Result<AgentIdentity> enroll(const std::string& tower_url, const std::string& token, const std::string& host,
                             const std::filesystem::path& data_dir, const EnrollOptions& options = {});

}  // namespace outpost::agent

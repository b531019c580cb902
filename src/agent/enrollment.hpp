#pragma once
// Enrollment: a host proves a join token once and receives the certificate the tower signs. The
// request goes on the connection the host's first session then opens on (protocol.md), so a new
// host costs each side one TLS handshake, not two.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "agent/identity.hpp"
#include "common/files.hpp"
#include "common/https_client.hpp"
#include "common/pki.hpp"
#include "common/result.hpp"
#include "common/tls_socket.hpp"

namespace outpost::agent {

struct EnrollOptions {
  // The tower's CA when the caller already holds it (the simulator, which has the CLI's pinned
  // CA): checked against the token's fingerprint like a fetched one, and saves a connection.
  std::optional<std::string> known_ca_pem;
  // A TLS context trusting the tower's CA, built once by a caller enrolling many hosts (used
  // only with known_ca_pem): creating a context costs OpenSSL 3.0 more than the handshake.
  std::shared_ptr<boost::asio::ssl::context> prepared_tls;
};

// What an enrollment sends, made before it connects: the token's shape checked, the tower's CA
// pinned by the token's fingerprint (fetched unless known), a new key and its CSR.
struct EnrollmentRequest {
  std::string tower_url;
  Endpoint endpoint;
  std::string ca_pem;
  std::shared_ptr<boost::asio::ssl::context> trust;  // trusts ca_pem
  PrivateKey key;
  std::string body;  // of POST /v1/enroll
};
Result<EnrollmentRequest> prepare_enrollment(const std::string& tower_url, const std::string& token, const std::string& host,
                                             const EnrollOptions& options = {});

// An enrolled host and, when the tower kept it open, the connection it enrolled on, on which
// its first session opens.
struct Enrolled {
  AgentIdentity identity;
  std::optional<TlsSocket> connection;
  std::shared_ptr<boost::asio::ssl::context> trust;  // the connection's context, for later sessions too
};

// Sends the request and stores the identity in data_dir, written as `sync` says (the simulator's
// hosts keep theirs cached). Errors say what to do (a refused token
// names the reason; an unreachable tower is "unreachable").
boost::asio::awaitable<Result<Enrolled>> enroll(EnrollmentRequest request, std::filesystem::path data_dir, FileSync sync);

}  // namespace outpost::agent

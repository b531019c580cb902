#pragma once
// TLS contexts for the tower (server) and the agent/CLI (client).
#include <boost/asio/ssl/context.hpp>
#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace outpost {

// Server: presents cert/key; requests (but does not require) a client certificate verified
// against `client_ca_pem`, so REST clients with a bearer token and agents with host
// certificates share one port. Handlers check whether a verified peer certificate is present.
Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls(const std::string& cert_pem,
                                                                   const std::string& key_pem,
                                                                   const std::string& client_ca_pem);

// Client: verifies the server against `ca_pem` (TLS 1.2+), optionally presenting a certificate.
Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls(
    const std::string& ca_pem, const std::optional<std::string>& cert_pem = std::nullopt,
    const std::optional<std::string>& key_pem = std::nullopt);

// A private key as PEM, or already parsed by whoever generated it (then `pem` is not read):
// under OpenSSL 3.0 reading a PEM key costs more than a handshake.
struct ClientKey {
  std::string pem;
  std::shared_ptr<EVP_PKEY> parsed;
};
struct ClientCertificate {
  std::string cert_pem;
  ClientKey key;
};
Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls(const std::string& ca_pem,
                                                                   const std::optional<ClientCertificate>& identity);

// A client certificate (and the chain after it) with its key, parsed once and checked to match,
// for connections made from a context that holds only trust: each connection presents it
// itself, so one context serves every host a simulator runs, and a reconnecting agent parses
// nothing again.
struct PresentedCertificate {
  std::vector<std::shared_ptr<X509>> chain;  // the host's certificate first
  std::shared_ptr<EVP_PKEY> key;
};
Result<PresentedCertificate> parse_client_certificate(const ClientCertificate& identity);
Status present_certificate(SSL* ssl, const PresentedCertificate& certificate);

// Sends `host` as SNI when it is a DNS name (RFC 6066 forbids an address there).
Status send_server_name(SSL* ssl, const std::string& host);
// The server's certificate must name `host` (a DNS name or an IP address) for the handshake to
// succeed; a DNS name is also sent as SNI.
Status expect_server_name(SSL* ssl, const std::string& host);

// "certificate verify failed" alone does not say which check failed; OpenSSL's verify result does.
std::string describe_handshake_failure(const boost::system::error_code& ec, SSL* ssl);

}  // namespace outpost

#pragma once
// TLS contexts for the tower (server) and the agent/CLI (client).
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string>

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

}  // namespace outpost

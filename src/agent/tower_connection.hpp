#pragma once
// The agent's TLS connection to the tower, on which an enrollment and sessions run.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "common/https_client.hpp"
#include "common/result.hpp"
#include "common/tls.hpp"
#include "common/tls_socket.hpp"

namespace outpost::agent {

// Connects and handshakes, verifying the tower against `trust` and the URL's host name, within
// ten seconds for each step. It presents the host's certificate when given one (a session), and
// none when enrolling. Errors are "unreachable", naming the step and its cause.
boost::asio::awaitable<Result<TlsSocket>> connect_to_tower(const Endpoint& endpoint, boost::asio::ssl::context& trust,
                                                           const PresentedCertificate* certificate);

}  // namespace outpost::agent

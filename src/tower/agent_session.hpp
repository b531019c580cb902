#pragma once
// The tower's end of one agent's WebSocket session (protocol.md). The host is identified by the
// client certificate the tower's CA signed at enrollment (CN = SITE/HOST), or, for the session a
// host opens right after enrolling, by the enrollment on the same connection; either way it must
// still be enrolled with that certificate's serial.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "common/tls_socket.hpp"
#include "tower/context.hpp"

namespace outpost::tower {

// The verified client certificate's CN and serial, if the peer presented one that our CA signed.
struct PeerIdentity {
  std::string site, host, serial_hex;
};
std::optional<PeerIdentity> verified_peer(SSL* ssl);

// The host a successful POST /v1/enroll answer names, with the serial of its new certificate.
std::optional<PeerIdentity> enrolled_peer(const Json& enrollment_answer);

// `enrolled_here` is the host that enrolled on this connection, if one did: its token proved it
// on this very TLS connection, so its first session needs no second handshake with a certificate.
boost::asio::awaitable<void> run_agent_session(TlsSocket stream,
                                               boost::beast::http::request<boost::beast::http::string_body> upgrade,
                                               TowerContext& context, std::optional<PeerIdentity> enrolled_here);

}  // namespace outpost::tower

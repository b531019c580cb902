#pragma once
// The tower's end of one agent's WebSocket session (protocol.md). The host is identified by the
// client certificate the tower's CA signed at enrollment (CN = SITE/HOST) and must still be
// enrolled with that certificate's serial.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "common/tls_socket.hpp"
#include "tower/context.hpp"

namespace outpost::tower {

boost::asio::awaitable<void> run_agent_session(TlsSocket stream,
                                               boost::beast::http::request<boost::beast::http::string_body> upgrade,
                                               TowerContext& context);

// The verified client certificate's CN and serial, if the peer presented one that our CA signed.
struct PeerIdentity {
  std::string site, host, serial_hex;
};
std::optional<PeerIdentity> verified_peer(SSL* ssl);

}  // namespace outpost::tower

// connect_to_tower: a verified TLS connection to the tower that presents no certificate unless
// given one, with Nagle's algorithm off like the tower's end; an unreachable tower is named so.
#include "agent/tower_connection.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>

#include "common/pki.hpp"

namespace outpost::agent {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

TEST(TowerConnection, ConnectsVerifiedWithoutACertificateAndWithNagleOff) {
  SystemClock clock;
  auto ca = CertificateAuthority::create("test CA", clock).value();
  const auto server_key = generate_private_key_pem().value();
  const auto server_cert = ca.issue_server_certificate(server_key, {"127.0.0.1"}, 24h, clock).value();
  auto server_tls = make_server_tls(server_cert, server_key, ca.certificate_pem()).value();
  auto trust = make_client_tls(ca.certificate_pem()).value();

  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const Endpoint endpoint{"127.0.0.1", std::to_string(acceptor.local_endpoint().port())};
  bool server_handshook = false;
  bool client_presented_a_certificate = true;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto [accept_ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (accept_ec) co_return;
    TlsSocket tls(std::move(socket), *server_tls, TlsRole::server);
    auto [ec] = co_await tls.async_handshake(asio::as_tuple(asio::use_awaitable));
    server_handshook = !ec;
    client_presented_a_certificate = SSL_get0_peer_certificate(tls.native_handle()) != nullptr;
  }, asio::detached);
  std::optional<Result<TlsSocket>> connected;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { connected = co_await connect_to_tower(endpoint, *trust, nullptr); },
                 asio::detached);
  io.run_for(10s);

  ASSERT_TRUE(connected.has_value());
  ASSERT_TRUE(connected->has_value()) << connected->error().message;
  EXPECT_TRUE(server_handshook);
  EXPECT_FALSE(client_presented_a_certificate);
  tcp::no_delay no_delay;
  (*connected)->socket().get_option(no_delay);
  EXPECT_TRUE(no_delay.value()) << "small messages would wait for the peer's delayed acknowledgement";
}

TEST(TowerConnection, ATowerNobodyListensForIsUnreachable) {
  SystemClock clock;
  auto ca = CertificateAuthority::create("test CA", clock).value();
  auto trust = make_client_tls(ca.certificate_pem()).value();
  asio::io_context io;
  tcp::acceptor closed(io, {asio::ip::make_address("127.0.0.1"), 0});
  const Endpoint endpoint{"127.0.0.1", std::to_string(closed.local_endpoint().port())};
  closed.close();
  std::optional<Result<TlsSocket>> connected;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { connected = co_await connect_to_tower(endpoint, *trust, nullptr); },
                 asio::detached);
  io.run_for(10s);
  ASSERT_TRUE(connected.has_value());
  ASSERT_FALSE(connected->has_value());
  EXPECT_EQ(connected->error().code, "unreachable");
  EXPECT_NE(connected->error().message.find(endpoint.port), std::string::npos) << connected->error().message;
}

}  // namespace
}  // namespace outpost::agent

#include "agent/tower_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace outpost::agent {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto step_timeout = std::chrono::seconds(10);

}  // namespace

asio::awaitable<Result<TlsSocket>> connect_to_tower(const Endpoint& endpoint, asio::ssl::context& trust,
                                                    const PresentedCertificate* certificate) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  auto [resolve_ec, results] = co_await resolver.async_resolve(endpoint.host, endpoint.port, use_tuple);
  if (resolve_ec) co_return unreachable(endpoint, "cannot resolve " + endpoint.host + ": " + resolve_ec.message());

  // Connected with Beast's stream for its deadline, then handed to a TlsSocket: OpenSSL reads
  // and writes the socket itself and frees its record buffers between messages (the tower's
  // sessions do the same), where Asio's SSL stream copies every record through a buffer pair.
  beast::tcp_stream stream(executor);
  stream.expires_after(step_timeout);
  if (auto [ec, connected] = co_await stream.async_connect(results, use_tuple); ec)
    co_return unreachable(endpoint, "cannot connect: " + ec.message());
  stream.expires_never();
  // Like the tower's end: a message goes when it is written, not when the last one is acknowledged.
  boost::system::error_code no_delay_failed;
  stream.socket().set_option(tcp::no_delay(true), no_delay_failed);
  TlsSocket tls(stream.release_socket(), trust, TlsRole::client);
  if (certificate)
    if (auto presented = present_certificate(tls.native_handle(), *certificate); !presented) co_return std::unexpected(presented.error());
  if (auto named = expect_server_name(tls.native_handle(), endpoint.host); !named) co_return std::unexpected(named.error());
  {
    SocketDeadline deadline(tls);
    deadline.expires_after(step_timeout);
    if (auto [ec] = co_await tls.async_handshake(use_tuple); ec)
      co_return unreachable(endpoint, describe_handshake_failure(ec, tls.native_handle()));
  }
  co_return tls;
}

}  // namespace outpost::agent

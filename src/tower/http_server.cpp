#include "tower/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include "common/tls_socket.hpp"
#include "tower/agent_session.hpp"
#include "tower/router.hpp"

namespace outpost::tower {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t max_body = 4 * 1024 * 1024;
constexpr auto handshake_timeout = std::chrono::seconds(15);
constexpr auto idle_timeout = std::chrono::seconds(60);
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

ApiRequest to_api_request(const http::request<http::string_body>& message, Error* parse_error) {
  auto parsed = parse_target(std::string(message.method_string()), std::string(message.target()));
  if (!parsed) {
    *parse_error = parsed.error();
    return {};
  }
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    parsed->headers[name] = std::string(field.value());
  }
  parsed->body = message.body();
  return std::move(*parsed);
}

http::response<http::string_body> to_http_response(const ApiResponse& api, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(api.status), version};
  res.set(http::field::server, "outpost");
  res.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : api.headers) res.set(name, value);
  // Replace, not throw, on invalid UTF-8: an error message may quote the client's bad bytes.
  res.body() = api.body.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

// The connection's coroutine runs this on a strand of the handshake pool, when there is one, and
// waits meanwhile, so nothing else touches the stream.
asio::awaitable<boost::system::error_code> handshake(TlsSocket& stream) {
  SocketDeadline deadline(stream, co_await asio::this_coro::executor);
  deadline.expires_after(handshake_timeout);
  auto [ec] = co_await stream.async_handshake(use_tuple);
  co_return ec;
}

// Errors after which there is no one left to tell what went wrong.
bool connection_gone(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
         ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

asio::awaitable<void> serve(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls, TowerContext& context,
                            asio::thread_pool* handshakes) {
  TlsSocket stream(std::move(socket), *tls, TlsRole::server);
  const boost::system::error_code handshook =
      handshakes ? co_await asio::co_spawn(asio::make_strand(*handshakes), handshake(stream), asio::use_awaitable)
                 : co_await handshake(stream);
  if (handshook) co_return;

  SocketDeadline deadline(stream);
  beast::flat_buffer buffer;
  std::optional<PeerIdentity> enrolled_here;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(max_body);
    deadline.expires_after(idle_timeout);
    auto [read_ec, bytes] = co_await http::async_read(stream, buffer, parser, use_tuple);
    (void)bytes;
    if (read_ec == http::error::body_limit) {
      auto res = to_http_response(error_response(Error{413, "too_large", "the request body is over 4 MiB", {}}), 11, false);
      co_await http::async_write(stream, res, use_tuple);
      break;
    }
    if (read_ec) {
      if (!connection_gone(read_ec)) {
        auto res = to_http_response(error_response(Error{400, "bad_request", "malformed HTTP request: " + read_ec.message(), {}}), 11, false);
        co_await http::async_write(stream, res, use_tuple);
      }
      break;
    }
    auto message = parser.release();
    if (beast::websocket::is_upgrade(message) && message.target() == "/v1/session") {
      deadline.cancel();  // the session has its own timeouts
      co_await run_agent_session(std::move(stream), std::move(message), context, std::move(enrolled_here));
      co_return;
    }
    Error target_error;
    ApiRequest request = to_api_request(message, &target_error);
    ApiResponse api = target_error.code.empty() ? handle_request(context, request) : error_response(target_error);
    // Only the request right after a successful enrollment may claim it: the upgrade.
    enrolled_here = request.path == "/v1/enroll" && api.status == 200 ? enrolled_peer(api.body) : std::nullopt;
    auto res = to_http_response(api, message.version(), message.keep_alive());
    auto [write_ec, written] = co_await http::async_write(stream, res, use_tuple);
    (void)written;
    if (write_ec || !res.keep_alive()) break;
  }
  deadline.expires_after(std::chrono::seconds(5));
  co_await stream.async_shutdown(use_tuple);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::shared_ptr<asio::ssl::context> tls, TowerContext& context,
                                  asio::thread_pool* handshakes) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), tls, context, handshakes), asio::detached);
  }
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, std::shared_ptr<asio::ssl::context> tls, TowerContext& context,
                       unsigned handshake_threads)
    : io_(io), tls_(std::move(tls)), context_(context), acceptor_(io) {
  if (handshake_threads > 0) handshakes_.emplace(handshake_threads);
}

Status HttpServer::listen(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return invalid("listen", "--listen must be HOST:PORT, got '" + address + "'");
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  tcp::resolver resolver(io_);
  auto results = resolver.resolve(host, address.substr(colon + 1), ec);
  if (ec || results.empty()) return invalid("listen", "cannot resolve '" + address + "': " + ec.message());
  tcp::endpoint endpoint = *results.begin();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(1, "listen", "cannot listen on " + address + ": " + ec.message());
  return {};
}

void HttpServer::start() {
  asio::co_spawn(io_, accept_loop(acceptor_, tls_, context_, handshakes_ ? &*handshakes_ : nullptr), asio::detached);
}

unsigned short HttpServer::port() const { return acceptor_.local_endpoint().port(); }

}  // namespace outpost::tower

#include "common/tls_socket.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/pki.hpp"
#include "common/session_compression.hpp"
#include "common/tls.hpp"

namespace outpost {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using ClientTls = beast::ssl_stream<beast::tcp_stream>;  // what agents and the CLI use
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Bytes that differ along the message, so a record lost, repeated or reordered shows.
std::string pattern(std::size_t size, char seed) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>(seed + static_cast<char>(i % 251));
  return out;
}

class TlsSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca.emplace(CertificateAuthority::create("TlsSocket Test CA", clock).value());
    const auto key = generate_private_key_pem().value();
    const auto cert = ca->issue_server_certificate(key, {"127.0.0.1"}, 24h, clock).value();
    server_tls = make_server_tls(cert, key, ca->certificate_pem()).value();
    client_tls = make_client_tls(ca->certificate_pem()).value();
  }

  // A connected loopback pair: the server end and the client end.
  std::pair<tcp::socket, tcp::socket> connected_pair() {
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket client(io);
    client.connect(acceptor.local_endpoint());
    return {acceptor.accept(), std::move(client)};
  }

  // Runs the two sides to completion, bounded in time.
  void run(asio::awaitable<void> server, asio::awaitable<void> client) {
    asio::co_spawn(io, std::move(server), [this](std::exception_ptr e) { done(e, server_done); });
    asio::co_spawn(io, std::move(client), [this](std::exception_ptr e) { done(e, client_done); });
    io.run_for(20s);
    EXPECT_TRUE(server_done) << "the server side did not finish";
    EXPECT_TRUE(client_done) << "the client side did not finish";
  }
  static void done(std::exception_ptr e, bool& flag) {
    flag = true;
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& what) {
        ADD_FAILURE() << what.what();
      }
    }
  }

  SystemClock clock;
  std::optional<CertificateAuthority> ca;
  std::shared_ptr<asio::ssl::context> server_tls, client_tls;
  asio::io_context io;
  bool server_done = false, client_done = false;
};

TEST_F(TlsSocketTest, HttpCarriesBodiesOfManyRecordsBothWays) {
  auto [server_end, client_end] = connected_pair();
  const std::string request_body = pattern(300'000, 'a'), response_body = pattern(200'000, 'q');
  std::string seen_request, seen_response;
  auto server = [&](TlsSocket tls) -> asio::awaitable<void> {
    auto [handshook] = co_await tls.async_handshake(use_tuple);
    EXPECT_FALSE(handshook) << handshook.message();
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    auto [read, bytes] = co_await http::async_read(tls, buffer, request, use_tuple);
    EXPECT_FALSE(read) << read.message();
    seen_request = request.body();
    http::response<http::string_body> response{http::status::ok, 11};
    response.body() = response_body;
    response.prepare_payload();  // header and body go out as one sequence: the gathered write
    auto [written, sent] = co_await http::async_write(tls, response, use_tuple);
    EXPECT_FALSE(written) << written.message();
    co_await tls.async_shutdown(use_tuple);
  };
  auto client = [&](ClientTls tls) -> asio::awaitable<void> {
    co_await tls.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    http::request<http::string_body> request{http::verb::post, "/", 11};
    request.body() = request_body;
    request.prepare_payload();
    co_await http::async_write(tls, request, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    co_await http::async_read(tls, buffer, response, asio::use_awaitable);
    seen_response = response.body();
    char byte;
    auto [closed, none] = co_await tls.async_read_some(asio::buffer(&byte, 1), use_tuple);
    EXPECT_EQ(closed, asio::error::eof) << "the server's close_notify: " << closed.message();
  };
  run(server(TlsSocket(std::move(server_end), *server_tls, TlsRole::server)), client(ClientTls(std::move(client_end), *client_tls)));
  EXPECT_TRUE(seen_request == request_body) << "request of " << seen_request.size() << " bytes";
  EXPECT_TRUE(seen_response == response_body) << "response of " << seen_response.size() << " bytes";
}

TEST_F(TlsSocketTest, AWebSocketReadsAndWritesAtOnceAndClosesTheSocketWhenDone) {
  auto [server_end, client_end] = connected_pair();
  constexpr int messages = 40;
  int server_received = 0, client_received = 0;
  bool server_saw_close = false, server_socket_closed = false, server_wrote_all = false, client_wrote_all = false;
  // A writer coroutine uses its side's stream: that side waits for it before the stream goes.
  auto until = [](auto executor, const bool& flag) -> asio::awaitable<void> {
    for (int i = 0; i < 2000 && !flag; ++i) {
      asio::steady_timer pause(executor, 5ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
  };
  auto server = [&](TlsSocket tls) -> asio::awaitable<void> {
    co_await tls.async_handshake(asio::use_awaitable);
    websocket::stream<TlsSocket> ws(std::move(tls));
    ws.set_option(session_compression());
    ws.binary(true);
    co_await ws.async_accept(asio::use_awaitable);
    // Writes on their own coroutine while this one reads: one read and one write pending.
    asio::co_spawn(
        ws.get_executor(),
        [&]() -> asio::awaitable<void> {
          for (int i = 0; i < messages; ++i)
            co_await ws.async_write(asio::buffer(pattern(1000 * i + 1, 's')), asio::use_awaitable);
          server_wrote_all = true;
        },
        asio::detached);
    for (;;) {
      beast::flat_buffer buffer;
      auto [ec, bytes] = co_await ws.async_read(buffer, use_tuple);
      if (ec == websocket::error::closed) {
        server_saw_close = true;
        break;
      }
      EXPECT_FALSE(ec) << ec.message();
      if (ec) break;
      EXPECT_EQ(beast::buffers_to_string(buffer.data()), pattern(997 * server_received + 3, 'c'));
      ++server_received;
    }
    server_socket_closed = !ws.next_layer().socket().is_open();
    co_await until(ws.get_executor(), server_wrote_all);
  };
  auto client = [&](ClientTls tls) -> asio::awaitable<void> {
    co_await tls.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    websocket::stream<ClientTls> ws(std::move(tls));
    ws.set_option(session_compression());
    ws.binary(true);
    co_await ws.async_handshake("127.0.0.1", "/", asio::use_awaitable);
    asio::co_spawn(
        ws.get_executor(),
        [&]() -> asio::awaitable<void> {
          for (int i = 0; i < messages; ++i)
            co_await ws.async_write(asio::buffer(pattern(997 * i + 3, 'c')), asio::use_awaitable);
          client_wrote_all = true;
        },
        asio::detached);
    while (client_received < messages) {
      beast::flat_buffer buffer;
      co_await ws.async_read(buffer, asio::use_awaitable);
      EXPECT_EQ(beast::buffers_to_string(buffer.data()), pattern(1000 * client_received + 1, 's'));
      ++client_received;
    }
    co_await until(ws.get_executor(), client_wrote_all);
    co_await ws.async_close(websocket::close_code::normal, asio::use_awaitable);
  };
  run(server(TlsSocket(std::move(server_end), *server_tls, TlsRole::server)), client(ClientTls(std::move(client_end), *client_tls)));
  EXPECT_EQ(server_received, messages);
  EXPECT_EQ(client_received, messages);
  EXPECT_TRUE(server_saw_close);
  EXPECT_TRUE(server_socket_closed) << "the WebSocket's teardown closes the TLS socket";
}

TEST_F(TlsSocketTest, AWebSocketsIdleTimeoutClosesTheSocket) {
  auto [server_end, client_end] = connected_pair();
  boost::system::error_code read_result;
  bool socket_closed = false;
  auto server = [&](TlsSocket tls) -> asio::awaitable<void> {
    co_await tls.async_handshake(asio::use_awaitable);
    websocket::stream<TlsSocket> ws(std::move(tls));
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = 5s;
    timeouts.idle_timeout = 200ms;
    timeouts.keep_alive_pings = false;
    ws.set_option(timeouts);
    co_await ws.async_accept(asio::use_awaitable);
    beast::flat_buffer buffer;
    std::size_t bytes = 0;
    std::tie(read_result, bytes) = co_await ws.async_read(buffer, use_tuple);
    socket_closed = !ws.next_layer().socket().is_open();
  };
  auto client = [&](ClientTls tls) -> asio::awaitable<void> {
    co_await tls.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    websocket::stream<ClientTls> ws(std::move(tls));
    co_await ws.async_handshake("127.0.0.1", "/", asio::use_awaitable);
    beast::flat_buffer buffer;
    co_await ws.async_read(buffer, use_tuple);  // silent until the server gives up
  };
  run(server(TlsSocket(std::move(server_end), *server_tls, TlsRole::server)), client(ClientTls(std::move(client_end), *client_tls)));
  EXPECT_EQ(read_result, beast::error::timeout) << read_result.message();
  EXPECT_TRUE(socket_closed);
}

TEST_F(TlsSocketTest, BothEndsCanBeOursAndClosingIsEofWithCloseNotifyAndTruncationWithout) {
  for (bool notify : {true, false}) {
    auto [server_end, client_end] = connected_pair();
    boost::system::error_code seen;
    auto server = [&](TlsSocket tls) -> asio::awaitable<void> {
      co_await tls.async_handshake(asio::use_awaitable);
      std::string hello(5, '\0');
      auto [ec, bytes] = co_await asio::async_read(tls, asio::buffer(hello), use_tuple);
      EXPECT_EQ(hello, "hello");
      char byte;
      std::tie(seen, bytes) = co_await tls.async_read_some(asio::buffer(&byte, 1), use_tuple);
    };
    auto client = [&](TlsSocket tls) -> asio::awaitable<void> {
      co_await tls.async_handshake(asio::use_awaitable);
      co_await asio::async_write(tls, asio::buffer(std::string("hello")), asio::use_awaitable);
      if (notify) co_await tls.async_shutdown(use_tuple);  // the server closes without answering
      tls.close();
    };
    server_done = client_done = false;
    run(server(TlsSocket(std::move(server_end), *server_tls, TlsRole::server)),
        client(TlsSocket(std::move(client_end), *client_tls, TlsRole::client)));
    io.restart();
    EXPECT_EQ(seen, notify ? boost::system::error_code(asio::error::eof)
                           : boost::system::error_code(asio::ssl::error::stream_truncated))
        << (notify ? "with" : "without") << " close_notify: " << seen.message();
  }
}

TEST_F(TlsSocketTest, CloseEndsAPendingReadAndLaterCallsNeverTouchTheOldDescriptor) {
  auto [server_end, client_end] = connected_pair();
  boost::system::error_code pending, after;
  auto server = [&](TlsSocket tls) -> asio::awaitable<void> {
    co_await tls.async_handshake(asio::use_awaitable);
    asio::steady_timer deadline(tls.get_executor(), 50ms);
    deadline.async_wait([&](boost::system::error_code) { tls.close(); });
    char byte;
    std::size_t bytes = 0;
    std::tie(pending, bytes) = co_await tls.async_read_some(asio::buffer(&byte, 1), use_tuple);
    std::tie(after, bytes) = co_await tls.async_write_some(asio::buffer(std::string("x")), use_tuple);
  };
  auto client = [&](ClientTls tls) -> asio::awaitable<void> {
    co_await tls.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    char byte;
    co_await tls.async_read_some(asio::buffer(&byte, 1), use_tuple);  // ends when the server closes
  };
  run(server(TlsSocket(std::move(server_end), *server_tls, TlsRole::server)), client(ClientTls(std::move(client_end), *client_tls)));
  EXPECT_EQ(pending, asio::error::operation_aborted) << pending.message();
  EXPECT_EQ(after, asio::error::bad_descriptor) << after.message();
}

// A write to a reset connection raises SIGPIPE with a plain write(); this test process would
// die of it.
TEST_F(TlsSocketTest, WritingToAPeerThatResetTheConnectionFailsWithoutASignal) {
  auto [server_end, client_end] = connected_pair();
  std::vector<boost::system::error_code> writes;
  boost::system::error_code shutdown_result;
  auto server = [&](TlsSocket tls) -> asio::awaitable<void> {
    co_await tls.async_handshake(asio::use_awaitable);
    asio::steady_timer reset_arrives(tls.get_executor(), 200ms);
    co_await reset_arrives.async_wait(asio::use_awaitable);
    const std::string chunk(4000, 'x');
    for (int i = 0; i < 3; ++i) {
      auto [ec, bytes] = co_await tls.async_write_some(asio::buffer(chunk), use_tuple);
      writes.push_back(ec);
    }
    std::tie(shutdown_result) = co_await tls.async_shutdown(use_tuple);
  };
  auto client = [&](ClientTls tls) -> asio::awaitable<void> {
    co_await tls.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    auto& socket = beast::get_lowest_layer(tls).socket();
    socket.set_option(asio::socket_base::linger(true, 0));  // closing sends a reset
    socket.close();
  };
  run(server(TlsSocket(std::move(server_end), *server_tls, TlsRole::server)), client(ClientTls(std::move(client_end), *client_tls)));
  ASSERT_EQ(writes.size(), 3u);
  EXPECT_TRUE(writes.back()) << "writes to a reset connection fail";
  EXPECT_FALSE(shutdown_result) << "no close_notify is attempted after the failure: " << shutdown_result.message();
}

TEST_F(TlsSocketTest, AHandshakeWithAPeerThatDoesNotTrustUsFails) {
  auto [server_end, client_end] = connected_pair();
  auto other = CertificateAuthority::create("Other CA", clock).value();
  auto untrusting = make_client_tls(other.certificate_pem()).value();
  boost::system::error_code server_result, client_result;
  auto server = [&](TlsSocket tls) -> asio::awaitable<void> {
    std::tie(server_result) = co_await tls.async_handshake(use_tuple);
  };
  auto client = [&](ClientTls tls) -> asio::awaitable<void> {
    std::tie(client_result) = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
    beast::get_lowest_layer(tls).close();
  };
  run(server(TlsSocket(std::move(server_end), *server_tls, TlsRole::server)), client(ClientTls(std::move(client_end), *untrusting)));
  EXPECT_TRUE(client_result) << "the client refuses a tower its CA did not sign";
  EXPECT_TRUE(server_result) << "and the server's handshake ends with an error, not a hang";
}

// How agents connect: a context holding only trust, the host's certificate presented on the
// connection itself, and the tower's name checked against its certificate.
TEST_F(TlsSocketTest, AClientPresentsItsOwnCertificateOnAConnectionOfATrustOnlyContext) {
  auto [server_end, client_end] = connected_pair();
  const auto key = generate_private_key().value();
  const auto cert = ca->sign_client_csr(make_csr(key.handle.get(), "h").value(), "site-1/h1", 24h, clock).value();
  const auto presented = parse_client_certificate(ClientCertificate{cert, {key.pem, key.handle}}).value();
  std::string peer_name;
  long peer_verified = -1;
  auto server = [&](TlsSocket tls) -> asio::awaitable<void> {
    auto [ec] = co_await tls.async_handshake(use_tuple);
    EXPECT_FALSE(ec) << ec.message();
    peer_verified = SSL_get_verify_result(tls.native_handle());
    if (X509* peer = SSL_get0_peer_certificate(tls.native_handle())) {
      char cn[64] = {};
      X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
      peer_name = cn;
    }
    co_await tls.async_shutdown(use_tuple);
  };
  auto client = [&](TlsSocket tls) -> asio::awaitable<void> {
    EXPECT_TRUE(present_certificate(tls.native_handle(), presented));
    EXPECT_TRUE(expect_server_name(tls.native_handle(), "127.0.0.1"));
    auto [ec] = co_await tls.async_handshake(use_tuple);
    EXPECT_FALSE(ec) << ec.message();
    char byte;
    co_await tls.async_read_some(asio::buffer(&byte, 1), use_tuple);  // the server's close_notify
  };
  run(server(TlsSocket(std::move(server_end), *server_tls, TlsRole::server)),
      client(TlsSocket(std::move(client_end), *client_tls, TlsRole::client)));
  EXPECT_EQ(peer_verified, X509_V_OK);
  EXPECT_EQ(peer_name, "site-1/h1");
  EXPECT_EQ(SSL_CTX_get0_certificate(client_tls->native_handle()), nullptr) << "the shared context presents nothing";
}

TEST_F(TlsSocketTest, AClientRefusesAServerWhoseCertificateNamesAnotherHost) {
  for (const std::string expected : {"10.9.8.7", "tower.example"}) {  // the certificate names 127.0.0.1
    auto [server_end, client_end] = connected_pair();
    boost::system::error_code client_result;
    auto server = [&](TlsSocket tls) -> asio::awaitable<void> { co_await tls.async_handshake(use_tuple); };
    auto client = [&](TlsSocket tls) -> asio::awaitable<void> {
      EXPECT_TRUE(expect_server_name(tls.native_handle(), expected));
      std::tie(client_result) = co_await tls.async_handshake(use_tuple);
      tls.close();
    };
    server_done = client_done = false;
    run(server(TlsSocket(std::move(server_end), *server_tls, TlsRole::server)),
        client(TlsSocket(std::move(client_end), *client_tls, TlsRole::client)));
    io.restart();
    EXPECT_TRUE(client_result) << "a tower certificate for 127.0.0.1 accepted as " << expected;
  }
}

}  // namespace
}  // namespace outpost

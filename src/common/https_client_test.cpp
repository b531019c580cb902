#include "common/https_client.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <thread>

#include "common/pki.hpp"
#include "common/tls.hpp"

namespace outpost {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using nlohmann::json;

std::string peer_common_name(SSL* session) {
  X509* peer = SSL_get0_peer_certificate(session);
  if (!peer) return {};
  std::array<char, 256> name{};
  X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, name.data(), name.size());
  return name.data();
}

// A loopback HTTPS server on an ephemeral port that echoes what it saw (method, target, Host,
// Content-Type, body, the client certificate's CN) and serves GET /v1/ca. It accepts a bounded
// number of connections and stops with the test.
class EchoServer {
 public:
  EchoServer(std::shared_ptr<ssl::context> tls, std::string ca_pem)
      : tls_(std::move(tls)), ca_pem_(std::move(ca_pem)), acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    net::co_spawn(io_, accept_loop(), net::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~EchoServer() {
    io_.stop();
    thread_.join();
  }

  Endpoint endpoint() const { return {"127.0.0.1", std::to_string(acceptor_.local_endpoint().port())}; }
  void stop_serving_ca() { serve_ca_ = false; }
  // stalls: keeps the connection after the first response but reads nothing more for 2 s, as a
  // tower whose thread is stuck would.
  enum class KeepAlive { yes, never, says_yes_but_closes, stalls };
  void keep_alive(KeepAlive mode) { keep_alive_ = mode; }
  int connections() const { return connections_; }

 private:
  static constexpr int kMaxConnections = 8;

  net::awaitable<void> accept_loop() {
    for (int accepted = 0; accepted < kMaxConnections; ++accepted) {
      boost::system::error_code ec;
      auto socket = co_await acceptor_.async_accept(net::redirect_error(net::use_awaitable, ec));
      if (ec) co_return;
      net::co_spawn(io_, serve(std::move(socket)), net::detached);
    }
  }

  net::awaitable<void> serve(tcp::socket socket) {
    boost::system::error_code ec;
    auto on_error = net::redirect_error(net::use_awaitable, ec);
    ssl::stream<beast::tcp_stream> stream(std::move(socket), *tls_);
    beast::get_lowest_layer(stream).expires_after(5s);
    co_await stream.async_handshake(ssl::stream_base::server, on_error);
    if (ec) co_return;  // a client that rejected us, or that we rejected
    const int connection = ++connections_;
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      co_await http::async_read(stream, buffer, request, on_error);
      if (ec) co_return;

      http::response<http::string_body> response{http::status::ok, 11};
      response.set(http::field::content_type, "application/json");
      response.set("X-Echo", "yes");
      if (request.target() == "/v1/ca" && serve_ca_) {
        response.body() = json{{"certificate", ca_pem_}, {"fingerprint", "ignored"}}.dump();
      } else if (request.target() == "/v1/ca") {
        response.result(http::status::not_found);
        response.body() = R"({"error":{"code":"not_found","message":"no CA here"}})";
      } else {
        response.body() = json{{"method", std::string(request.method_string())},
                               {"target", std::string(request.target())},
                               {"host", std::string(request[http::field::host])},
                               {"content_type", std::string(request[http::field::content_type])},
                               {"body", request.body()},
                               {"peer_cn", peer_common_name(stream.native_handle())},
                               {"connection", connection}}
                              .dump();
      }
      response.keep_alive(request.keep_alive() && keep_alive_ != KeepAlive::never);
      response.prepare_payload();
      co_await http::async_write(stream, response, on_error);
      if (ec || !response.keep_alive()) break;
      if (keep_alive_ == KeepAlive::says_yes_but_closes) {
        beast::get_lowest_layer(stream).close();  // as a tower closing an idle connection would
        co_return;
      }
      if (keep_alive_ == KeepAlive::stalls) {
        net::steady_timer stalled(io_, 2s);
        co_await stalled.async_wait(on_error);
        co_return;
      }
    }
    co_await stream.async_shutdown(on_error);
  }

  std::shared_ptr<ssl::context> tls_;
  std::string ca_pem_;
  std::atomic<bool> serve_ca_ = true;
  std::atomic<KeepAlive> keep_alive_ = KeepAlive::yes;
  std::atomic<int> connections_ = 0;
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca.emplace(CertificateAuthority::create("Client Test CA", clock).value());
    const auto server_key = generate_private_key_pem().value();
    server_cert = ca->issue_server_certificate(server_key, {"127.0.0.1"}, 24h, clock).value();
    server = std::make_unique<EchoServer>(make_server_tls(server_cert, server_key, ca->certificate_pem()).value(),
                                          ca->certificate_pem());
  }

  HttpsClientOptions trusting_our_ca() const {
    HttpsClientOptions options;
    options.ca_pem = ca->certificate_pem();
    options.timeout = 5s;
    return options;
  }

  SystemClock clock;
  std::optional<CertificateAuthority> ca;
  std::string server_cert;
  std::unique_ptr<EchoServer> server;
};

TEST(ParseTowerUrl, AcceptsHostPortAndIgnoresThePath) {
  auto endpoint = parse_tower_url("https://tower.example:7443/v1/sites?x=1");
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  EXPECT_EQ(endpoint->host, "tower.example");
  EXPECT_EQ(endpoint->port, "7443");
}

TEST(ParseTowerUrl, DefaultsToPort443AndUnderstandsBracketedIpv6) {
  EXPECT_EQ(parse_tower_url("https://127.0.0.1").value().port, "443");
  auto v6 = parse_tower_url("HTTPS://[::1]:8443/");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, "8443");
}

TEST(ParseTowerUrl, RefusesPlainHttpAndMalformedUrls) {
  auto plain = parse_tower_url("http://127.0.0.1:7443");
  ASSERT_FALSE(plain);
  EXPECT_NE(plain.error().message.find("https://"), std::string::npos);
  for (const char* url : {"127.0.0.1:7443", "https://", "https://:7443", "https://host:0", "https://host:70000",
                          "https://host:7x", "https://user@host:1", "https://::1:7443", "https://[::1"})
    EXPECT_FALSE(parse_tower_url(url)) << url;
}

TEST_F(HttpsClientTest, RequestSucceedsAgainstTheRightCa) {
  auto response = https_request(server->endpoint(), trusting_our_ca(), "POST", "/v1/things", R"({"a":1})");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers.at("x-echo"), "yes");
  EXPECT_EQ(response->headers.at("content-type"), "application/json");
  const auto seen = json::parse(response->body);
  EXPECT_EQ(seen["method"], "POST");
  EXPECT_EQ(seen["target"], "/v1/things");
  EXPECT_EQ(seen["host"], "127.0.0.1:" + server->endpoint().port);
  EXPECT_EQ(seen["content_type"], "application/json");
  EXPECT_EQ(seen["body"], R"({"a":1})");
  EXPECT_EQ(seen["peer_cn"], "") << "no client certificate was configured";
}

TEST_F(HttpsClientTest, APreparedContextServesManyRequestsAndStillVerifiesTheTower) {
  auto prepared = with_prepared_tls(trusting_our_ca());
  ASSERT_TRUE(prepared) << prepared.error().message;
  ASSERT_TRUE(prepared->prepared_tls);
  for (int i = 0; i < 3; ++i) {
    auto response = https_request(server->endpoint(), *prepared, "GET", "/v1/sites");
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
  }
  auto other = CertificateAuthority::create("Other CA", clock).value();
  auto options = trusting_our_ca();
  options.ca_pem = other.certificate_pem();
  auto elsewhere = with_prepared_tls(options);
  ASSERT_TRUE(elsewhere);
  EXPECT_FALSE(https_request(server->endpoint(), *elsewhere, "GET", "/v1/sites")) << "a CA that did not sign the tower";
  options.ca_pem = "not a certificate";
  EXPECT_FALSE(with_prepared_tls(options)) << "a bad CA fails when preparing, not on the first request";
}

TEST_F(HttpsClientTest, APoolSendsManyRequestsOverOneConnection) {
  auto pool = HttpsConnectionPool::create(server->endpoint(), trusting_our_ca());
  ASSERT_TRUE(pool) << pool.error().message;
  for (int i = 0; i < 5; ++i) {
    auto response = (*pool)->request("POST", "/v1/things/" + std::to_string(i), "{}");
    ASSERT_TRUE(response) << response.error().message;
    auto echoed = json::parse(response->body);
    EXPECT_EQ(echoed["target"], "/v1/things/" + std::to_string(i));
    EXPECT_EQ(echoed["connection"], 1);
  }
  EXPECT_EQ(server->connections(), 1);
  EXPECT_EQ((*pool)->idle(), 1u);
}

TEST_F(HttpsClientTest, APoolOpensAnotherConnectionWhenTheServerWillNotKeepOne) {
  server->keep_alive(EchoServer::KeepAlive::never);
  auto pool = HttpsConnectionPool::create(server->endpoint(), trusting_our_ca());
  ASSERT_TRUE(pool) << pool.error().message;
  for (int i = 1; i <= 3; ++i) {
    auto response = (*pool)->request("GET", "/v1/sites");
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(json::parse(response->body)["connection"], i);
  }
  EXPECT_EQ((*pool)->idle(), 0u);
}

TEST_F(HttpsClientTest, APoolSendsARequestAgainWhenTheServerHadClosedTheKeptConnection) {
  server->keep_alive(EchoServer::KeepAlive::says_yes_but_closes);
  auto pool = HttpsConnectionPool::create(server->endpoint(), trusting_our_ca());
  ASSERT_TRUE(pool) << pool.error().message;
  ASSERT_TRUE((*pool)->request("GET", "/v1/sites"));
  std::this_thread::sleep_for(50ms);  // the server's close reaches the client
  auto second = (*pool)->request("POST", "/v1/sites", R"({"name":"a"})");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(json::parse(second->body)["connection"], 2);
  EXPECT_EQ(server->connections(), 2) << "the request went once more, on a new connection, and only once";
}

TEST_F(HttpsClientTest, APoolDoesNotSendAgainARequestWhoseWriteTimedOut) {
  server->keep_alive(EchoServer::KeepAlive::stalls);
  HttpsClientOptions options = trusting_our_ca();
  options.timeout = 300ms;
  auto pool = HttpsConnectionPool::create(server->endpoint(), options);
  ASSERT_TRUE(pool) << pool.error().message;
  ASSERT_TRUE((*pool)->request("GET", "/v1/sites"));
  // More than loopback's socket buffers hold: the write cannot finish while the server stalls.
  auto second = (*pool)->request("POST", "/v1/sites", std::string(48 * 1024 * 1024, 'x'));
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("timed out sending"), std::string::npos) << second.error().message;
  EXPECT_EQ(server->connections(), 1) << "a stalled tower may have the request: it is not sent again";
}

TEST_F(HttpsClientTest, APoolStillVerifiesTheTowerAndReportsItUnreachable) {
  auto other = CertificateAuthority::create("Other CA", clock).value();
  HttpsClientOptions options = trusting_our_ca();
  options.ca_pem = other.certificate_pem();
  auto pool = HttpsConnectionPool::create(server->endpoint(), options);
  ASSERT_TRUE(pool) << pool.error().message;
  auto response = (*pool)->request("GET", "/v1/sites");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "unreachable");
  EXPECT_NE(response.error().message.find("certificate"), std::string::npos) << response.error().message;
  EXPECT_EQ((*pool)->idle(), 0u);
  EXPECT_FALSE(HttpsConnectionPool::create(server->endpoint(), HttpsClientOptions{})) << "no CA to trust";
}

TEST_F(HttpsClientTest, CallerContentTypeWinsAndEmptyBodyGetsNone) {
  auto yaml = https_request(server->endpoint(), trusting_our_ca(), "PUT", "/v1/apply", "kind: application",
                            {{"Content-Type", "application/yaml"}});
  ASSERT_TRUE(yaml) << yaml.error().message;
  EXPECT_EQ(json::parse(yaml->body)["content_type"], "application/yaml");
  auto get = https_request(server->endpoint(), trusting_our_ca(), "GET", "/v1/sites");
  ASSERT_TRUE(get) << get.error().message;
  EXPECT_EQ(json::parse(get->body)["content_type"], "");
}

TEST_F(HttpsClientTest, HttpErrorStatusIsAResponseNotAnError) {
  server->stop_serving_ca();
  auto response = https_request(server->endpoint(), trusting_our_ca(), "GET", "/v1/ca");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 404);
}

TEST_F(HttpsClientTest, ServerFromAnotherCaIsUnreachableWithACertificateReason) {
  auto other = CertificateAuthority::create("Other CA", clock).value();
  auto options = trusting_our_ca();
  options.ca_pem = other.certificate_pem();
  auto response = https_request(server->endpoint(), options, "GET", "/v1/sites");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().status, 0);
  EXPECT_EQ(response.error().code, "unreachable");
  EXPECT_NE(response.error().message.find("https://127.0.0.1:" + server->endpoint().port), std::string::npos)
      << response.error().message;
  EXPECT_NE(response.error().message.find("certificate"), std::string::npos) << response.error().message;
}

TEST_F(HttpsClientTest, CertificateThatDoesNotNameTheHostIsRefused) {
  const auto key = generate_private_key_pem().value();
  const auto elsewhere = ca->issue_server_certificate(key, {"tower.example", "192.0.2.1"}, 24h, clock).value();
  EchoServer impostor(make_server_tls(elsewhere, key, ca->certificate_pem()).value(), ca->certificate_pem());
  auto response = https_request(impostor.endpoint(), trusting_our_ca(), "GET", "/v1/sites");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "unreachable");
  EXPECT_NE(response.error().message.find("certificate"), std::string::npos) << response.error().message;
}

TEST_F(HttpsClientTest, MutualTlsServerSeesTheClientCertificateCommonName) {
  const auto client_key = generate_private_key_pem().value();
  auto options = trusting_our_ca();
  options.client_key_pem = client_key;
  options.client_cert_pem = ca->sign_client_csr(make_csr(client_key, "anything").value(), "site-a/host-1", 24h,
                                                clock).value();
  auto response = https_request(server->endpoint(), options, "GET", "/v1/session");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(json::parse(response->body)["peer_cn"], "site-a/host-1");
}

TEST_F(HttpsClientTest, ServerRefusesAClientCertificateFromAnotherCa) {
  auto other = CertificateAuthority::create("Other CA", clock).value();
  const auto client_key = generate_private_key_pem().value();
  auto options = trusting_our_ca();
  options.client_key_pem = client_key;
  options.client_cert_pem = other.sign_client_csr(make_csr(client_key, "x").value(), "site-a/host-1", 24h,
                                                  clock).value();
  auto response = https_request(server->endpoint(), options, "GET", "/v1/session");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "unreachable");
}

TEST_F(HttpsClientTest, ClosedPortIsUnreachable) {
  net::io_context io;
  tcp::acceptor probe(io, {net::ip::make_address("127.0.0.1"), 0});
  const Endpoint closed{"127.0.0.1", std::to_string(probe.local_endpoint().port())};
  probe.close();
  auto response = https_request(closed, trusting_our_ca(), "GET", "/v1/sites");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().status, 0);
  EXPECT_EQ(response.error().code, "unreachable");
  EXPECT_NE(response.error().message.find("https://127.0.0.1:" + closed.port), std::string::npos)
      << response.error().message;
  EXPECT_NE(response.error().message.find("refused"), std::string::npos) << response.error().message;
}

TEST_F(HttpsClientTest, SilentServerTimesOutAsUnreachable) {
  // A listening socket that never accepts: TCP connects (the kernel queues it), TLS never starts.
  net::io_context io;
  tcp::acceptor silent(io, {net::ip::make_address("127.0.0.1"), 0});
  auto options = trusting_our_ca();
  options.timeout = 200ms;
  auto response = https_request({"127.0.0.1", std::to_string(silent.local_endpoint().port())}, options, "GET", "/");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "unreachable");
  EXPECT_NE(response.error().message.find("timed out"), std::string::npos) << response.error().message;
}

TEST_F(HttpsClientTest, FetchCaInsecureReturnsThePemWithoutTrustingAnything) {
  auto pem = fetch_ca_insecure(server->endpoint(), 5s);
  ASSERT_TRUE(pem) << pem.error().message;
  EXPECT_EQ(*pem, ca->certificate_pem());
  EXPECT_EQ(inspect_certificate(*pem).value().fingerprint, ca->fingerprint());
}

TEST_F(HttpsClientTest, FetchCaInsecureReportsANon200Answer) {
  server->stop_serving_ca();
  auto pem = fetch_ca_insecure(server->endpoint(), 5s);
  ASSERT_FALSE(pem);
  EXPECT_NE(pem.error().message.find("404"), std::string::npos) << pem.error().message;
}

}  // namespace
}  // namespace outpost

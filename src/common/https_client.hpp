#pragma once
// A small synchronous HTTPS client (Boost.Beast) for the CLI and for the agent's one-off
// enrollment call. The tower is always verified against a pinned CA; there is no "insecure" mode
// except fetch_ca_insecure(), whose result the caller must check against a known fingerprint.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "common/result.hpp"

namespace outpost {

struct Endpoint {
  std::string host;  // name or address, e.g. "127.0.0.1"
  std::string port;  // e.g. "7443"
};

// The error for a tower that cannot be reached: status 0, code "unreachable", the message naming
// https://HOST:PORT and the cause. Every client of the tower reports it the same way.
std::unexpected<Error> unreachable(const Endpoint& endpoint, const std::string& cause);

// Parses "https://HOST:PORT" (path ignored, port defaults to 443). http:// is refused: the tower
// only speaks TLS.
Result<Endpoint> parse_tower_url(const std::string& url);

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct HttpsClientOptions {
  std::string ca_pem;                           // trust anchor (required)
  std::optional<std::string> client_cert_pem;   // mutual TLS
  std::optional<std::string> client_key_pem;
  std::chrono::milliseconds timeout{15000};
  // Built once from the fields above by with_prepared_tls(), for a caller that sends many
  // requests: OpenSSL 3 decoding the PEMs costs more than a request on loopback.
  std::shared_ptr<boost::asio::ssl::context> prepared_tls;
};

// The options with their TLS context built now; fails on a bad CA, certificate or key.
Result<HttpsClientOptions> with_prepared_tls(HttpsClientOptions options);

// Sends one request. A failure to connect, a TLS failure or a timeout is Error{status=0,
// code="unreachable", message naming the endpoint and the cause}; an HTTP error status is NOT an
// error here (the response is returned for the caller to interpret).
Result<HttpResponse> https_request(const Endpoint& endpoint, const HttpsClientOptions& options,
                                   const std::string& method, const std::string& target,
                                   const std::string& body = {},
                                   const std::map<std::string, std::string>& headers = {});

// Kept-alive connections to one tower for a caller sending many requests (the CLI, the
// simulator's site provider): a request takes an idle connection or opens one, and gives it back
// when the response allows, so a burst of requests costs one TLS handshake instead of one each.
// Thread-safe; each request holds its connection alone. Errors are https_request's.
class HttpsConnectionPool {
 public:
  static Result<std::unique_ptr<HttpsConnectionPool>> create(Endpoint endpoint, HttpsClientOptions options);
  ~HttpsConnectionPool();
  HttpsConnectionPool(const HttpsConnectionPool&) = delete;
  HttpsConnectionPool& operator=(const HttpsConnectionPool&) = delete;

  Result<HttpResponse> request(const std::string& method, const std::string& target, const std::string& body = {},
                               const std::map<std::string, std::string>& headers = {});
  std::size_t idle() const;  // connections waiting for the next request

  // The tower closes a connection idle for 60 s; one idle for half that is not used again.
  static constexpr std::chrono::seconds kIdleFor{30};
  static constexpr std::size_t kMaxIdle = 8;

  struct Connection;

 private:
  HttpsConnectionPool(Endpoint endpoint, HttpsClientOptions options);
  std::unique_ptr<Connection> take();
  void give_back(std::unique_ptr<Connection> connection);
  void close(Connection& connection);

  Endpoint endpoint_;
  HttpsClientOptions options_;
  mutable std::mutex lock_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

// GET /v1/ca without verifying the server, returning the CA certificate PEM. Only for
// bootstrapping trust: the caller checks the fingerprint before using it.
Result<std::string> fetch_ca_insecure(const Endpoint& endpoint,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace outpost

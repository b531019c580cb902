#include "common/https_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>
#include <optional>

#include "common/tls.hpp"

namespace outpost {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Request = http::request<http::string_body>;

// The resolver has no deadline of its own; this bounds it beyond the socket deadline.
constexpr auto kResolveGrace = std::chrono::seconds(2);
constexpr auto kShutdownGrace = std::chrono::milliseconds(500);

bool is_ipv6_address(const std::string& host) {
  boost::system::error_code ec;
  return net::ip::make_address(host, ec).is_v6() && !ec;
}

std::string authority(const Endpoint& endpoint) {
  const auto host = is_ipv6_address(endpoint.host) ? "[" + endpoint.host + "]" : endpoint.host;
  return host + ":" + endpoint.port;
}

}  // namespace

std::unexpected<Error> unreachable(const Endpoint& endpoint, const std::string& cause) {
  return fail(0, "unreachable", "cannot reach https://" + authority(endpoint) + ": " + cause);
}

namespace {

std::string lower_case(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

HttpResponse to_response(http::response<http::string_body>&& message) {
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    auto [slot, inserted] = response.headers.try_emplace(lower_case(field.name_string()), field.value());
    if (!inserted) slot->second += ", " + std::string(field.value());
  }
  response.body = std::move(message.body());
  return response;
}

struct Exchange {
  Endpoint endpoint;
  Request request;
  bool verify_host_name = true;
  std::chrono::steady_clock::time_point deadline;
};

using TlsStream = ssl::stream<beast::tcp_stream>;

// Resolves, connects and shakes hands; the stream's deadline is the exchange's.
net::awaitable<Result<std::unique_ptr<TlsStream>>> open_stream(const Exchange& exchange, ssl::context& tls) {
  const auto& endpoint = exchange.endpoint;
  const auto executor = co_await net::this_coro::executor;
  boost::system::error_code ec;
  auto on_error = net::redirect_error(net::use_awaitable, ec);

  tcp::resolver resolver(executor);
  const auto addresses = co_await resolver.async_resolve(endpoint.host, endpoint.port, on_error);
  if (ec) co_return unreachable(endpoint, "cannot resolve host: " + ec.message());

  auto stream = std::make_unique<TlsStream>(executor, tls);
  auto& socket = beast::get_lowest_layer(*stream);
  socket.expires_at(exchange.deadline);
  auto named = exchange.verify_host_name ? expect_server_name(stream->native_handle(), endpoint.host)
                                          : send_server_name(stream->native_handle(), endpoint.host);
  if (!named) co_return unreachable(endpoint, named.error().message);

  co_await socket.async_connect(addresses, on_error);
  if (ec == beast::error::timeout) co_return unreachable(endpoint, "timed out connecting");
  if (ec) co_return unreachable(endpoint, "cannot connect: " + ec.message());
  // A request goes out as several TLS records; without this, Nagle holds the last one back
  // until the tower's delayed ACK, 40 ms later.
  socket.socket().set_option(tcp::no_delay(true), ec);

  co_await stream->async_handshake(ssl::stream_base::client, on_error);
  if (ec == beast::error::timeout) co_return unreachable(endpoint, "timed out in the TLS handshake");
  if (ec) co_return unreachable(endpoint, describe_handshake_failure(ec, stream->native_handle()));
  co_return stream;
}

// What became of a request on an open stream: the response, or the failure and whether the peer
// had already closed the connection before answering anything (a kept-alive connection the
// tower let go; the request may then go again on a new one).
struct Sent {
  Result<HttpResponse> response;
  bool closed_before_answering = false;
  bool keep_alive = false;
};

net::awaitable<Sent> send_on(TlsStream& stream, Exchange& exchange) {
  const auto& endpoint = exchange.endpoint;
  boost::system::error_code ec;
  auto on_error = net::redirect_error(net::use_awaitable, ec);
  beast::get_lowest_layer(stream).expires_at(exchange.deadline);
  co_await http::async_write(stream, exchange.request, on_error);
  // A write the peer refused means it had closed the connection; one that timed out may have
  // reached a stalled tower and must not cost the caller a second timeout.
  if (ec == beast::error::timeout) co_return Sent{unreachable(endpoint, "timed out sending the request")};
  if (ec) co_return Sent{unreachable(endpoint, "cannot send the request: " + ec.message()), true};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  co_await http::async_read(stream, buffer, parser, on_error);
  if (ec == beast::error::timeout) co_return Sent{unreachable(endpoint, "timed out waiting for the response")};
  if (ec) {
    const bool nothing_read = !parser.got_some() && (ec == http::error::end_of_stream || ec == net::error::eof ||
                                                      ec == net::error::connection_reset || ec == ssl::error::stream_truncated);
    co_return Sent{unreachable(endpoint, "cannot read the response: " + ec.message()), nothing_read};
  }
  auto message = parser.release();
  const bool keep_alive = message.keep_alive();
  co_return Sent{to_response(std::move(message)), false, keep_alive};
}

// The response is complete, so a peer slow to answer close_notify must not delay the caller.
net::awaitable<void> close_stream(TlsStream& stream, std::chrono::steady_clock::time_point deadline) {
  boost::system::error_code ec;
  beast::get_lowest_layer(stream).expires_after(std::min<std::chrono::steady_clock::duration>(
      kShutdownGrace, std::max<std::chrono::steady_clock::duration>(deadline - std::chrono::steady_clock::now(), {})));
  co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
}

net::awaitable<Result<HttpResponse>> perform(Exchange exchange, ssl::context& tls) {
  auto stream = co_await open_stream(exchange, tls);
  if (!stream) co_return std::unexpected(stream.error());
  Sent sent = co_await send_on(**stream, exchange);
  if (sent.response) co_await close_stream(**stream, exchange.deadline);
  co_return std::move(sent.response);
}

// Runs `work` on `io` to its end, or until the timeout (plus the resolver's grace) has passed.
template <class T>
Result<T> run_to_completion(net::io_context& io, net::awaitable<Result<T>> work, const Endpoint& endpoint,
                            std::chrono::milliseconds timeout) {
  std::optional<Result<T>> outcome;
  io.restart();
  net::co_spawn(io, std::move(work), [&outcome, &endpoint](std::exception_ptr failure, Result<T> result) {
    // Asio and Beast throw only for resource exhaustion once errors are redirected.
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        outcome = unreachable(endpoint, e.what());
      } catch (...) {
        outcome = unreachable(endpoint, "unexpected failure");
      }
      return;
    }
    outcome = std::move(result);
  });
  io.run_for(timeout + kResolveGrace);
  if (!outcome) return unreachable(endpoint, "timed out resolving the host");
  return std::move(*outcome);
}

Result<HttpResponse> run(Exchange exchange, ssl::context& tls, std::chrono::milliseconds timeout) {
  const Endpoint endpoint = exchange.endpoint;
  net::io_context io;  // the coroutine's frame, which refers to `endpoint`, goes with it
  return run_to_completion(io, perform(std::move(exchange), tls), endpoint, timeout);
}

Result<Request> build_request(const Endpoint& endpoint, const std::string& method, const std::string& target,
                              const std::string& body, const std::map<std::string, std::string>& headers) {
  const auto verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) return bad_request("unknown HTTP method '" + method + "'");
  if (target.empty() || target.front() != '/') return bad_request("request target must start with '/'");
  Request request{verb, target, 11};
  request.set(http::field::host, authority(endpoint));
  request.set(http::field::user_agent, "outpost");
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() && request.find(http::field::content_type) == request.end())
    request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  return request;
}

Result<std::shared_ptr<ssl::context>> unverified_client_tls() {
  try {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1)
      return internal_error("cannot require TLS 1.2 or later");
    context->set_verify_mode(ssl::verify_none);
    return context;
  } catch (const boost::system::system_error& e) {
    return internal_error(std::string("cannot create a TLS context: ") + e.what());
  }
}

Result<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535)
    return bad_request("invalid port '" + std::string(text) + "' in tower URL", "url");
  return static_cast<std::uint16_t>(value);
}

}  // namespace

Result<Endpoint> parse_tower_url(const std::string& url) {
  const auto lowered = lower_case(url);
  if (lowered.starts_with("http://"))
    return bad_request("the tower speaks only HTTPS: use https:// in '" + url + "'", "url");
  constexpr std::string_view scheme = "https://";
  if (!lowered.starts_with(scheme)) return bad_request("tower URL must start with https://: '" + url + "'", "url");
  const std::string_view rest = std::string_view(url).substr(scheme.size());
  const std::string_view hostport = rest.substr(0, rest.find_first_of("/?#"));
  if (hostport.find('@') != std::string_view::npos)
    return bad_request("tower URL must not contain credentials", "url");

  std::string_view host = hostport;
  std::string_view port = "443";
  if (hostport.starts_with('[')) {  // IPv6 literal, RFC 3986 §3.2.2
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return bad_request("unclosed '[' in tower URL '" + url + "'", "url");
    host = hostport.substr(1, close - 1);
    const auto after = hostport.substr(close + 1);
    if (!after.empty() && !after.starts_with(':'))
      return bad_request("unexpected text after ']' in tower URL '" + url + "'", "url");
    if (!after.empty()) port = after.substr(1);
  } else if (const auto colon = hostport.find(':'); colon != std::string_view::npos) {
    if (hostport.find(':', colon + 1) != std::string_view::npos)
      return bad_request("an IPv6 address in a URL needs brackets: '" + url + "'", "url");
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  if (host.empty()) return bad_request("tower URL has no host: '" + url + "'", "url");
  auto number = parse_port(port);
  if (!number) return std::unexpected(number.error());
  return Endpoint{std::string(host), std::to_string(*number)};
}

Result<HttpResponse> https_request(const Endpoint& endpoint, const HttpsClientOptions& options,
                                   const std::string& method, const std::string& target,
                                   const std::string& body, const std::map<std::string, std::string>& headers) {
  auto request = build_request(endpoint, method, target, body, headers);
  if (!request) return std::unexpected(request.error());
  auto tls = options.prepared_tls ? Result<std::shared_ptr<ssl::context>>(options.prepared_tls)
                                  : make_client_tls(options.ca_pem, options.client_cert_pem, options.client_key_pem);
  if (!tls) return std::unexpected(tls.error());
  Exchange exchange{endpoint, std::move(*request), true, std::chrono::steady_clock::now() + options.timeout};
  return run(std::move(exchange), **tls, options.timeout);
}

Result<HttpsClientOptions> with_prepared_tls(HttpsClientOptions options) {
  auto tls = make_client_tls(options.ca_pem, options.client_cert_pem, options.client_key_pem);
  if (!tls) return std::unexpected(tls.error());
  options.prepared_tls = std::move(*tls);
  return options;
}

Result<std::string> fetch_ca_insecure(const Endpoint& endpoint, std::chrono::milliseconds timeout) {
  auto request = build_request(endpoint, "GET", "/v1/ca", {}, {{"Accept", "application/json"}});
  if (!request) return std::unexpected(request.error());
  auto tls = unverified_client_tls();
  if (!tls) return std::unexpected(tls.error());
  Exchange exchange{endpoint, std::move(*request), false, std::chrono::steady_clock::now() + timeout};
  auto response = run(std::move(exchange), **tls, timeout);
  if (!response) return std::unexpected(response.error());

  const auto source = "https://" + authority(endpoint) + "/v1/ca";
  if (response->status != 200)
    return fail(502, "bad_response", source + " answered HTTP " + std::to_string(response->status));
  const auto document = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object())
    return fail(502, "bad_response", source + " did not answer a JSON object");
  const auto certificate = document.find("certificate");
  if (certificate == document.end() || !certificate->is_string() || certificate->get_ref<const std::string&>().empty())
    return fail(502, "bad_response", source + " answered no \"certificate\" string");
  return certificate->get<std::string>();
}

// One kept-alive connection of a pool, with the io_context its stream belongs to.
struct HttpsConnectionPool::Connection {
  net::io_context io;
  std::unique_ptr<TlsStream> stream;
  std::chrono::steady_clock::time_point last_used;
};

namespace {

net::awaitable<Result<Sent>> send_pooled(HttpsConnectionPool::Connection& connection, Exchange& exchange,
                                         ssl::context& tls) {
  if (!connection.stream) {
    auto stream = co_await open_stream(exchange, tls);
    if (!stream) co_return std::unexpected(stream.error());
    connection.stream = std::move(*stream);
  }
  co_return co_await send_on(*connection.stream, exchange);
}

net::awaitable<Result<bool>> close_pooled(HttpsConnectionPool::Connection& connection) {
  co_await close_stream(*connection.stream, std::chrono::steady_clock::now() + kShutdownGrace);
  co_return true;
}

}  // namespace

HttpsConnectionPool::HttpsConnectionPool(Endpoint endpoint, HttpsClientOptions options)
    : endpoint_(std::move(endpoint)), options_(std::move(options)) {}

HttpsConnectionPool::~HttpsConnectionPool() {
  for (auto& connection : idle_) close(*connection);
}

Result<std::unique_ptr<HttpsConnectionPool>> HttpsConnectionPool::create(Endpoint endpoint, HttpsClientOptions options) {
  if (!options.prepared_tls) {
    auto prepared = with_prepared_tls(std::move(options));
    if (!prepared) return std::unexpected(prepared.error());
    options = std::move(*prepared);
  }
  return std::unique_ptr<HttpsConnectionPool>(new HttpsConnectionPool(std::move(endpoint), std::move(options)));
}

std::unique_ptr<HttpsConnectionPool::Connection> HttpsConnectionPool::take() {
  std::lock_guard guard(lock_);
  const auto stale_before = std::chrono::steady_clock::now() - kIdleFor;
  while (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    if (connection->last_used >= stale_before) return connection;
    // Dropped without close_notify: the tower may already have closed its end.
  }
  return nullptr;
}

void HttpsConnectionPool::give_back(std::unique_ptr<Connection> connection) {
  connection->last_used = std::chrono::steady_clock::now();
  std::unique_lock guard(lock_);
  if (idle_.size() < kMaxIdle) {
    idle_.push_back(std::move(connection));
    return;
  }
  guard.unlock();
  close(*connection);
}

void HttpsConnectionPool::close(Connection& connection) {
  if (connection.stream) (void)run_to_completion(connection.io, close_pooled(connection), endpoint_, options_.timeout);
}

std::size_t HttpsConnectionPool::idle() const {
  std::lock_guard guard(lock_);
  return idle_.size();
}

Result<HttpResponse> HttpsConnectionPool::request(const std::string& method, const std::string& target,
                                                  const std::string& body,
                                                  const std::map<std::string, std::string>& headers) {
  auto request = build_request(endpoint_, method, target, body, headers);
  if (!request) return std::unexpected(request.error());
  for (int attempt = 1;; ++attempt) {
    auto connection = take();
    const bool reused = connection != nullptr;
    if (!connection) connection = std::make_unique<Connection>();
    Exchange exchange{endpoint_, *request, true, std::chrono::steady_clock::now() + options_.timeout};
    auto sent = run_to_completion(connection->io, send_pooled(*connection, exchange, *options_.prepared_tls), endpoint_,
                                  options_.timeout);
    if (!sent) return std::unexpected(sent.error());  // could not connect: nothing was sent
    // The tower closes a connection idle too long; a request that found it closed goes once more.
    if (!sent->response && reused && sent->closed_before_answering && attempt == 1) continue;
    if (sent->response && sent->keep_alive) give_back(std::move(connection));
    else if (sent->response) close(*connection);
    return std::move(sent->response);
  }
}

}  // namespace outpost

#include "agent/enrollment.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <cctype>

#include "agent/tower_connection.hpp"
#include "common/json.hpp"

namespace outpost::agent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto exchange_timeout = std::chrono::seconds(15);

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Reads the tower's answer and writes the identity files, the identity file last: its presence
// means the enrollment is complete.
Result<AgentIdentity> store_identity(const EnrollmentRequest& request, unsigned status, const std::string& answer,
                                     const std::filesystem::path& data_dir, FileSync sync) {
  auto body = parse_document(answer);
  if (status != 200) {
    std::string message;
    if (body && body->is_object())
      if (auto error = body->find("error"); error != body->end()) message = string_or(*error, "message");
    if (message.empty()) message = "enrollment refused with HTTP " + std::to_string(status);
    return fail(static_cast<int>(status), "enroll", message);
  }
  if (!body || !body->is_object()) return fail(502, "enroll", "the tower's enrollment answer is not JSON");
  AgentIdentity identity{request.tower_url,       string_or(*body, "site"), string_or(*body, "host"), request.key.pem,
                         string_or(*body, "certificate"), string_or(*body, "ca"), request.key.handle};
  if (identity.site.empty() || identity.host.empty() || identity.cert_pem.empty() || identity.ca_pem.empty())
    return fail(502, "enroll", "the tower's enrollment answer lacks site, host, certificate or ca");
  if (auto made = ensure_directory(data_dir); !made) return std::unexpected(made.error());
  if (auto w = write_file_atomic(data_dir / "key.pem", identity.key_pem, 0600, sync); !w) return std::unexpected(w.error());
  if (auto w = write_file_atomic(data_dir / "cert.pem", identity.cert_pem, 0644, sync); !w) return std::unexpected(w.error());
  if (auto w = write_file_atomic(data_dir / "ca.pem", identity.ca_pem, 0644, sync); !w) return std::unexpected(w.error());
  Json meta = {{"tower", request.tower_url}, {"site", identity.site}, {"host", identity.host}};
  if (auto w = write_file_atomic(data_dir / "identity.json", meta.dump(2), 0644, sync); !w) return std::unexpected(w.error());
  spdlog::info("enrolled as host {} of site {}", identity.host, identity.site);
  return identity;
}

}  // namespace

Result<EnrollmentRequest> prepare_enrollment(const std::string& tower_url, const std::string& token, const std::string& host,
                                             const EnrollOptions& options) {
  auto endpoint = parse_tower_url(tower_url);
  if (!endpoint) return std::unexpected(endpoint.error());
  auto last_dot = token.rfind('.');
  if (last_dot == std::string::npos || token.find('.') == last_dot)
    return fail(401, "unauthorized", "the join token is malformed (expected ID.SECRET.FINGERPRINT)");
  const std::string fingerprint = lower(token.substr(last_dot + 1));

  auto ca = options.known_ca_pem ? Result<std::string>(*options.known_ca_pem) : fetch_ca_insecure(*endpoint);
  if (!ca) return std::unexpected(ca.error());
  auto ca_fingerprint = certificate_fingerprint(*ca);
  if (!ca_fingerprint) return std::unexpected(ca_fingerprint.error());
  if (lower(*ca_fingerprint) != fingerprint)
    return fail(401, "unauthorized", "the tower at " + tower_url + (options.known_ca_pem ? " is known by a CA" : " presents a CA") +
                                         " whose fingerprint does not match the join token; refusing to enroll");
  auto trust = options.known_ca_pem && options.prepared_tls ? Result<std::shared_ptr<asio::ssl::context>>(options.prepared_tls)
                                                            : make_client_tls(*ca);
  if (!trust) return std::unexpected(trust.error());

  auto key = generate_private_key();
  if (!key) return std::unexpected(key.error());
  auto csr = make_csr(key->handle.get(), host);
  if (!csr) return std::unexpected(csr.error());
  return EnrollmentRequest{tower_url, std::move(*endpoint), std::move(*ca), std::move(*trust), std::move(*key),
                           Json{{"token", token}, {"host", host}, {"csr", *csr}}.dump()};
}

asio::awaitable<Result<Enrolled>> enroll(EnrollmentRequest request, std::filesystem::path data_dir, FileSync sync) {
  auto connection = co_await connect_to_tower(request.endpoint, *request.trust, nullptr);
  if (!connection) co_return std::unexpected(connection.error());
  TlsSocket& tls = *connection;

  http::request<http::string_body> post{http::verb::post, "/v1/enroll", 11};
  post.set(http::field::host, request.endpoint.host + ":" + request.endpoint.port);
  post.set(http::field::content_type, "application/json");
  post.keep_alive(true);  // the first session opens on this connection
  post.body() = request.body;
  post.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> answer;
  {
    SocketDeadline deadline(tls);
    deadline.expires_after(exchange_timeout);
    if (auto [ec, sent] = co_await http::async_write(tls, post, use_tuple); ec)
      co_return unreachable(request.endpoint, "cannot send the enrollment: " + ec.message());
    if (auto [ec, read] = co_await http::async_read(tls, buffer, answer, use_tuple); ec)
      co_return unreachable(request.endpoint, "no answer to the enrollment: " + ec.message());
  }
  auto identity = store_identity(request, answer.result_int(), answer.body(), data_dir, sync);
  if (!identity) co_return std::unexpected(identity.error());
  // The tower sends nothing after its answer until the session's upgrade, so nothing read is left
  // over that the session would miss.
  const bool reusable = answer.keep_alive() && buffer.size() == 0;
  Enrolled enrolled{std::move(*identity), std::nullopt, request.trust};
  if (reusable) enrolled.connection.emplace(std::move(tls));
  co_return enrolled;
}

}  // namespace outpost::agent

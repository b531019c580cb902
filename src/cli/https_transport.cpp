#include "cli/https_transport.hpp"

namespace outpost::cli {

Result<Transport> make_https_transport(const std::string& tower_url, const std::string& ca_pem) {
  auto endpoint = parse_tower_url(tower_url);
  if (!endpoint) return std::unexpected(std::move(endpoint.error()));
  HttpsClientOptions plain;
  plain.ca_pem = ca_pem;
  auto pool = HttpsConnectionPool::create(*endpoint, std::move(plain));
  if (!pool) return std::unexpected(std::move(pool.error()));
  // Shared by every copy of the transport: one command's requests reuse its connections.
  return Transport{[pool = std::shared_ptr<HttpsConnectionPool>(std::move(*pool))](
                       const std::string& method, const std::string& target, const std::string& body,
                       const std::map<std::string, std::string>& headers) {
    return pool->request(method, target, body, headers);
  }};
}

}  // namespace outpost::cli

#include "cli/https_transport.hpp"

namespace outpost::cli {

Result<Transport> make_https_transport(const std::string& tower_url, const std::string& ca_pem) {
  auto endpoint = parse_tower_url(tower_url);
  if (!endpoint) return std::unexpected(std::move(endpoint.error()));
  HttpsClientOptions plain;
  plain.ca_pem = ca_pem;
  auto options = with_prepared_tls(std::move(plain));
  if (!options) return std::unexpected(std::move(options.error()));
  return Transport{[endpoint = *endpoint, options = std::move(*options)](const std::string& method, const std::string& target,
                                                   const std::string& body,
                                                   const std::map<std::string, std::string>& headers) {
    return https_request(endpoint, options, method, target, body, headers);
  }};
}

}  // namespace outpost::cli

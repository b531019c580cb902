#include "agent/identity.hpp"

#include <spdlog/spdlog.h>

#include "common/files.hpp"
#include "common/https_client.hpp"
#include "common/json.hpp"
#include "common/pki.hpp"

namespace outpost::agent {

namespace {

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

Result<AgentIdentity> load_identity(const std::filesystem::path& data_dir) {
  auto meta_text = read_file(data_dir / "identity.json");
  if (!meta_text) return not_found("no identity in " + data_dir.string());
  auto meta = parse_document(*meta_text);
  if (!meta || !meta->is_object()) return fail(500, "corrupt", (data_dir / "identity.json").string() + " is damaged");
  AgentIdentity identity;
  identity.tower_url = string_or(*meta, "tower");
  identity.site = string_or(*meta, "site");
  identity.host = string_or(*meta, "host");
  for (auto [file, target] : {std::pair{"key.pem", &identity.key_pem}, {"cert.pem", &identity.cert_pem}, {"ca.pem", &identity.ca_pem}}) {
    auto content = read_file(data_dir / file);
    if (!content) return fail(500, "corrupt", "the identity in " + data_dir.string() + " lacks " + file + "; enroll again with a new join token");
    *target = std::move(*content);
  }
  return identity;
}

Result<AgentIdentity> enroll(const std::string& tower_url, const std::string& token, const std::string& host,
                             const std::filesystem::path& data_dir, const EnrollOptions& options) {
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

  auto key = generate_private_key();
  if (!key) return std::unexpected(key.error());
  auto csr = make_csr(key->handle.get(), host);
  if (!csr) return std::unexpected(csr.error());
  Json request = {{"token", token}, {"host", host}, {"csr", *csr}};
  HttpsClientOptions trusting_the_ca;
  trusting_the_ca.ca_pem = *ca;
  if (options.known_ca_pem) trusting_the_ca.prepared_tls = options.prepared_tls;
  auto response = https_request(*endpoint, trusting_the_ca, "POST", "/v1/enroll", request.dump());
  if (!response) return std::unexpected(response.error());
  auto body = parse_document(response->body);
  if (response->status != 200) {
    std::string message;
    if (body && body->is_object())
      if (auto error = body->find("error"); error != body->end()) message = string_or(*error, "message");
    if (message.empty()) message = "enrollment refused with HTTP " + std::to_string(response->status);
    return fail(response->status, "enroll", message);
  }
  if (!body || !body->is_object()) return fail(502, "enroll", "the tower's enrollment answer is not JSON");

  AgentIdentity identity{tower_url, string_or(*body, "site"), string_or(*body, "host"), key->pem,
                         string_or(*body, "certificate"), string_or(*body, "ca"), key->handle};
  if (identity.site.empty() || identity.host.empty() || identity.cert_pem.empty() || identity.ca_pem.empty())
    return fail(502, "enroll", "the tower's enrollment answer lacks site, host, certificate or ca");
  if (auto made = ensure_directory(data_dir); !made) return std::unexpected(made.error());
  // The identity file is written last: its presence means the enrollment is complete.
  if (auto w = write_file_atomic(data_dir / "key.pem", identity.key_pem, 0600, options.sync); !w) return std::unexpected(w.error());
  if (auto w = write_file_atomic(data_dir / "cert.pem", identity.cert_pem, 0644, options.sync); !w) return std::unexpected(w.error());
  if (auto w = write_file_atomic(data_dir / "ca.pem", identity.ca_pem, 0644, options.sync); !w) return std::unexpected(w.error());
  Json meta = {{"tower", tower_url}, {"site", identity.site}, {"host", identity.host}};
  if (auto w = write_file_atomic(data_dir / "identity.json", meta.dump(2), 0644, options.sync); !w) return std::unexpected(w.error());
  spdlog::info("enrolled as host {} of site {}", identity.host, identity.site);
  return identity;
}

}  // namespace outpost::agent

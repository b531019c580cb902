// /v1/ca (public) and /v1/enroll (authenticated by a join token).
#include <spdlog/spdlog.h>

#include "common/names.hpp"
#include "tower/keys.hpp"
#include "tower/router.hpp"
#include "tower/session_hub.hpp"
#include "tower/tokens.hpp"

namespace outpost::tower {

namespace {

constexpr auto host_certificate_validity = std::chrono::hours(24 * 365);

Result<std::string> string_field(const Json& doc, const std::string& key) {
  auto it = doc.find(key);
  if (it == doc.end()) return invalid(key, "missing required field '" + key + "'");
  if (!it->is_string()) return invalid(key, key + " must be a string, got " + json_type_name(*it));
  return it->get<std::string>();
}

}  // namespace

ApiResponse handle_ca(TowerContext& context, const ApiRequest& request) {
  if (request.segments.size() != 2) return error_response(Error{404, "not_found", "no such route: " + request.path, {}});
  if (request.method != "GET") return method_not_allowed(request);
  return json_response(200, Json{{"certificate", context.ca.certificate_pem()}, {"fingerprint", context.ca.fingerprint()}});
}

ApiResponse handle_enroll(TowerContext& context, const ApiRequest& request) {
  if (request.segments.size() != 2) return error_response(Error{404, "not_found", "no such route: " + request.path, {}});
  if (request.method != "POST") return method_not_allowed(request);
  auto doc = body_document(request);
  if (!doc) return error_response(doc.error());
  for (const auto& [key, value] : doc->items())
    if (key != "token" && key != "host" && key != "csr" && key != "labels")
      return error_response(Error{422, "invalid", "unknown field '" + key + "'", key});
  auto token_text = string_field(*doc, "token");
  auto host = string_field(*doc, "host");
  auto csr = string_field(*doc, "csr");
  for (const auto* field : {&token_text, &host, &csr})
    if (!*field) return error_response(field->error());
  if (auto valid = validate_name(*host, "host"); !valid) return error_response(valid.error());

  auto token = check_join_token(context, *token_text);
  if (!token) {
    spdlog::warn("enrollment of host {} refused: {}", *host, token.error().message);
    return error_response(token.error());
  }
  auto site = context.repo.site(token->site);
  if (!site) return error_response(site.error());
  if (!*site) return error_response(Error{401, "unauthorized", "join token refused: its site no longer exists", {}});

  auto certificate = context.ca.issue_client_certificate(*csr, token->site + "/" + *host, host_certificate_validity, context.clock);
  if (!certificate) return error_response(Error{422, "invalid", "csr: " + certificate.error().message, "csr"});

  Host record;
  record.site = token->site;
  record.name = *host;
  record.certificate_serial = certificate->serial_hex;
  record.enrolled_at = unix_seconds(context.clock.now());
  if (auto labels = doc->find("labels"); labels != doc->end() && labels->is_object())
    for (const auto& [k, v] : labels->items())
      if (v.is_string()) record.labels[k] = v.get<std::string>();

  std::vector<TxnOp> ops = token->consume;
  ops.push_back({TxnOp::Kind::put, keys::host(record.site, record.name), record.to_json().dump(), std::nullopt});
  // The token's revision condition makes a concurrent second use of a one-use token fail here.
  if (auto done = context.store.commit(ops); !done) {
    if (done.error().status == 412 || done.error().status == 404)
      return error_response(Error{401, "unauthorized", "join token refused: it has already been used", {}});
    return error_response(done.error());
  }
  // A re-enrolled host must not keep a session authenticated by its previous certificate.
  context.hub.disconnect(record.site, record.name, "host re-enrolled");
  spdlog::info("host {} enrolled in site {} (certificate {})", record.name, record.site, record.certificate_serial);
  return json_response(200, Json{{"site", record.site},
                                 {"host", record.name},
                                 {"serial", record.certificate_serial},
                                 {"certificate", std::move(certificate->pem)},
                                 {"ca", context.ca.certificate_pem()}});
}

}  // namespace outpost::tower

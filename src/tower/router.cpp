#include "tower/router.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

#include "common/pki.hpp"

namespace outpost::tower {

namespace {

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool authorized(const TowerContext& context, const ApiRequest& request) {
  auto header = request.header("authorization");
  constexpr std::string_view scheme = "Bearer ";
  if (!header || header->size() <= scheme.size() || header->compare(0, scheme.size(), scheme) != 0) return false;
  return constant_time_equal(sha256_hex(std::string_view(*header).substr(scheme.size())), context.admin_token_sha256);
}

ApiResponse dispatch(TowerContext& context, const ApiRequest& request) {
  const auto& s = request.segments;
  if (s.size() < 2 || s[0] != "v1") return error_response(Error{404, "not_found", "no such route: " + request.path, {}});
  const std::string& resource = s[1];
  if (resource == "ca") return handle_ca(context, request);
  if (resource == "enroll") return handle_enroll(context, request);
  if (!authorized(context, request))
    return error_response(Error{401, "unauthorized", "a valid bearer token is required (Authorization: Bearer TOKEN)", {}});
  if (resource == "sites") return handle_sites(context, request);
  if (resource == "applications") return handle_applications(context, request);
  if (resource == "deployments") return handle_deployments(context, request);
  if (resource == "apply") return handle_apply(context, request);
  if (resource == "instances") return handle_instances(context, request);
  return error_response(Error{404, "not_found", "no such route: " + request.path, {}});
}

}  // namespace

ApiResponse handle_request(TowerContext& context, const ApiRequest& request) {
  try {
    return dispatch(context, request);
  } catch (const std::exception& e) {
    spdlog::error("request {} {} failed unexpectedly: {}", request.method, request.path, e.what());
    return error_response(Error{500, "internal", "internal error; the tower log has details", {}});
  }
}

ApiResponse method_not_allowed(const ApiRequest& request) {
  return error_response(Error{405, "method_not_allowed", request.method + " is not allowed on " + request.path, {}});
}

Result<Json> body_document(const ApiRequest& request) {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) return bad_request("the request body is empty");
  auto doc = parse_document(request.body);
  if (!doc) return doc;
  if (!doc->is_object()) return bad_request("the request body must be an object, got " + json_type_name(*doc));
  return doc;
}

Result<PageRequest> page_request(const ApiRequest& request) {
  PageRequest page;
  if (auto limit = request.param("limit")) {
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc{} || end != limit->data() + limit->size() || value < 1 || value > 1000)
      return bad_request("limit must be a number from 1 to 1000, got '" + *limit + "'", "limit");
    page.limit = value;
  }
  if (auto after = request.param("continue")) page.after = *after;
  return page;
}

std::string name_key(const Json& item) { return item.value("name", std::string{}); }

Json page_of(std::vector<Json> items, const PageRequest& page, ItemKey key) {
  Json out = {{"items", Json::array()}};
  std::size_t taken = 0;
  for (auto& item : items) {
    if (!page.after.empty() && key(item) <= page.after) continue;
    if (taken == page.limit) {
      out["next"] = key(out["items"].back());
      break;
    }
    out["items"].push_back(std::move(item));
    ++taken;
  }
  return out;
}

}  // namespace outpost::tower

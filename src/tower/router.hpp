#pragma once
// Maps an authenticated REST request to its handler. Pure with respect to transport: the HTTP
// server turns Beast messages into ApiRequest and back.
#include "tower/context.hpp"
#include "tower/http_types.hpp"

namespace outpost::tower {

// Checks the bearer token (except on the few public routes), then dispatches. Never throws:
// an unexpected exception becomes a 500 with a generic message (and is logged).
ApiResponse handle_request(TowerContext& context, const ApiRequest& request);

// Handler groups (one file each).
ApiResponse handle_sites(TowerContext& context, const ApiRequest& request);
ApiResponse handle_applications(TowerContext& context, const ApiRequest& request);
ApiResponse handle_deployments(TowerContext& context, const ApiRequest& request);
ApiResponse handle_apply(TowerContext& context, const ApiRequest& request);
ApiResponse handle_instances(TowerContext& context, const ApiRequest& request);
ApiResponse handle_enroll(TowerContext& context, const ApiRequest& request);
ApiResponse handle_ca(TowerContext& context, const ApiRequest& request);

// Helpers shared by handlers.
ApiResponse method_not_allowed(const ApiRequest& request);
// Parses the body as one JSON or YAML object document (400 on malformed input).
Result<Json> body_document(const ApiRequest& request);
// Filters by `selector`/`sites` (a label expression applied by `labels_of`) and pages by name.
struct PageRequest {
  std::size_t limit = 500;
  std::string after;
};
Result<PageRequest> page_request(const ApiRequest& request);
// Builds {"items": [...], "next": cursor?} from items sorted by `key` (default: "name").
using ItemKey = std::string (*)(const Json&);
std::string name_key(const Json& item);
Json page_of(std::vector<Json> items, const PageRequest& page, ItemKey key = name_key);

}  // namespace outpost::tower

// GET /v1/instances: what the agents of every selected site last reported.
#include <algorithm>

#include "tower/router.hpp"
#include "tower/session_hub.hpp"
#include "tower/site_view.hpp"

namespace outpost::tower {

ApiResponse handle_instances(TowerContext& context, const ApiRequest& request) {
  if (request.segments.size() != 2) return error_response(Error{404, "not_found", "no such route: " + request.path, {}});
  if (request.method != "GET") return method_not_allowed(request);
  auto expr = selector_param(request);
  if (!expr) return error_response(expr.error());
  auto page = page_request(request);
  if (!page) return error_response(page.error());
  auto sites = context.repo.sites();
  if (!sites) return error_response(sites.error());
  std::vector<Json> items;
  for (const auto& site : *sites) {
    if (!expr->matches(site.value.effective_labels())) continue;
    for (auto& instance : context.hub.instances(site.value.name)) {
      instance["key"] = site.value.name + "/" + instance.value("host", std::string{}) + "/" + instance.value("instance", std::string{}) +
                        "/" + instance.value("container", std::string{});
      items.push_back(std::move(instance));
    }
  }
  auto key = [](const Json& item) { return item.value("key", std::string{}); };
  std::sort(items.begin(), items.end(), [&](const Json& a, const Json& b) { return key(a) < key(b); });
  return json_response(200, page_of(std::move(items), *page, key));
}

}  // namespace outpost::tower

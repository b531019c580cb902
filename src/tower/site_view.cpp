#include "tower/site_view.hpp"

#include "tower/session_hub.hpp"

namespace outpost::tower {

Json host_json(TowerContext& context, const Stored<Host>& host) {
  Json out = with_revision(host.value.to_json(), host.revision);
  auto connection = context.hub.connection(host.value.site, host.value.name);
  out["connected"] = connection.connected;
  out["since"] = connection.since;
  out["acknowledged"] = connection.acknowledged;
  return out;
}

Json site_json(TowerContext& context, const Stored<Site>& site) {
  Json out = with_revision(site.value.to_json(), site.revision);
  out["hosts"] = Json::array();
  if (auto hosts = context.repo.hosts(site.value.name)) {
    for (const auto& host : *hosts) {
      auto connection = context.hub.connection(site.value.name, host.value.name);
      out["hosts"].push_back({{"name", host.value.name},
                              {"connected", connection.connected},
                              {"since", connection.since},
                              {"revision", connection.acknowledged}});
    }
  }
  return out;
}

Result<LabelExpr> selector_param(const ApiRequest& request) {
  auto text = request.param("selector");
  if (!text) text = request.param("sites");
  if (!text) return LabelExpr::match_all();
  auto expr = LabelExpr::parse(*text, "selector");
  if (!expr) {
    Error e = expr.error();
    e.status = 400;
    e.code = "bad_request";
    return std::unexpected(e);
  }
  return expr;
}

}  // namespace outpost::tower

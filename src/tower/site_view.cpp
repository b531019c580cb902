#include "tower/site_view.hpp"

#include <algorithm>
#include <optional>

#include "tower/fleet_index.hpp"
#include "tower/session_hub.hpp"

namespace outpost::tower {

Json host_json(TowerContext& context, const Stored<Host>& host) {
  Json out = with_revision(host.value.to_json(), host.revision);
  auto connection = context.hub.connection(host.value.site, host.value.name);
  out["connected"] = connection.connected;
  out["since"] = connection.since;
  out["acknowledged"] = connection.acknowledged;
  out["problems"] = context.hub.problems(host.value.site, host.value.name);
  return out;
}

Json site_connection(const Site& site, const std::vector<HostConnection>& hosts) {
  std::size_t connected = 0;
  std::int64_t since = 0;
  std::optional<std::uint64_t> acknowledged;
  for (const auto& host : hosts) {
    connected += host.connected ? 1 : 0;
    since = std::max(since, host.since);
    acknowledged = std::min(acknowledged.value_or(host.acknowledged), host.acknowledged);
  }
  std::string state = "connected";
  if (hosts.empty()) state = "not-enrolled";
  else if (connected == 0) state = since == 0 ? "never-connected" : "disconnected";
  else if (connected < hosts.size()) state = "partly-connected";
  // A site that never enrolled a host is not disconnected yet; the others raise what the site says.
  std::string alert = "none";
  if (state == "disconnected" || state == "partly-connected" || state == "never-connected") {
    if (site.when_disconnected == "error") alert = "error";
    else if (site.when_disconnected == "normal") alert = "warning";
  }
  Json out = {{"state", state}, {"alert", alert}, {"acknowledged", acknowledged.value_or(0)}};
  if (since != 0) out["since"] = since;
  return out;
}

Json site_json(TowerContext& context, const Stored<Site>& site) {
  Json out = with_revision(site.value.to_json(), site.revision);
  out["hosts"] = Json::array();
  std::vector<HostConnection> connections;
  for (const auto& host : context.fleet.hosts(site.value.name)) {
    auto connection = context.hub.connection(site.value.name, host);
    connections.push_back(connection);
    out["hosts"].push_back({{"name", host},
                            {"connected", connection.connected},
                            {"since", connection.since},
                            {"revision", connection.acknowledged},
                            {"problems", context.hub.problems(site.value.name, host)}});
  }
  out["connection"] = site_connection(site.value, connections);
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

#pragma once
// API views of sites and hosts: the stored object plus live connection state and the problems
// each host last reported.
#include "model/label_expr.hpp"
#include "tower/context.hpp"
#include "tower/http_types.hpp"

#include "tower/session_hub.hpp"

namespace outpost::tower {

Json site_json(TowerContext& context, const Stored<Site>& site);

// A site's connection as one summary of its hosts': {"state": connected | partly-connected |
// disconnected | never-connected | not-enrolled, "since"?: the last change (unix seconds),
// "acknowledged": the lowest desired-state revision its hosts acknowledged, "alert": none |
// warning | error as the site's when-disconnected says}.
Json site_connection(const Site& site, const std::vector<HostConnection>& hosts);
Json host_json(TowerContext& context, const Stored<Host>& host);
// `selector` (or its alias `sites`) as a label expression; absent = match all.
Result<LabelExpr> selector_param(const ApiRequest& request);

}  // namespace outpost::tower

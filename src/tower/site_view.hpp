#pragma once
// API views of sites and hosts: the stored object plus live connection state.
#include "model/label_expr.hpp"
#include "tower/context.hpp"
#include "tower/http_types.hpp"

namespace outpost::tower {

Json site_json(TowerContext& context, const Stored<Site>& site);
Json host_json(TowerContext& context, const Stored<Host>& host);
// `selector` (or its alias `sites`) as a label expression; absent = match all.
Result<LabelExpr> selector_param(const ApiRequest& request);

}  // namespace outpost::tower

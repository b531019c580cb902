// /v1/sites, /v1/sites/{site}, /v1/sites/{site}/tokens, /hosts, /instances, /events
#include <spdlog/spdlog.h>

#include <charconv>

#include "common/duration.hpp"
#include "common/names.hpp"
#include "store/key_range.hpp"
#include "tower/fleet_index.hpp"
#include "tower/keys.hpp"
#include "tower/router.hpp"
#include "tower/session_hub.hpp"
#include "tower/site_events.hpp"
#include "tower/site_view.hpp"
#include "tower/tokens.hpp"

namespace outpost::tower {

namespace {

// From the fleet index, in name order from the cursor on: only the page's sites are rendered,
// so a page costs the same at 10 sites as at 10,000.
ApiResponse list_sites(TowerContext& context, const ApiRequest& request) {
  auto page = page_request(request);
  if (!page) return error_response(page.error());
  auto selector = selector_param(request);
  if (!selector) return error_response(selector.error());
  const auto& sites = context.fleet.sites();
  std::vector<Json> items;
  for (auto it = sites.upper_bound(page->after); it != sites.end() && items.size() <= page->limit; ++it)
    if (selector->matches(it->second.labels)) items.push_back(site_json(context, Stored<Site>{it->second.site, it->second.revision}));
  return json_response(200, page_of(std::move(items), *page));
}

ApiResponse create_site(TowerContext& context, const ApiRequest& request) {
  auto doc = body_document(request);
  if (!doc) return error_response(doc.error());
  auto site = Site::from_json(*doc);
  if (!site) return error_response(site.error());
  auto revision = context.store.put(keys::site(site->name), site->to_json().dump(), 0);
  if (!revision) {
    if (revision.error().code == "already_exists")
      return error_response(Error{409, "already_exists", "site " + site->name + " already exists", "name"});
    return error_response(revision.error());
  }
  spdlog::info("site {} created", site->name);
  return json_response(201, site_json(context, Stored<Site>{*site, *revision}));
}

// Merges {"labels": {k: v|null}, "vars": {k: v|null}} into the site; null deletes a key. An
// "upgrade-window" replaces the site's window whole (a window is read as one thing: merging
// half of one into another would make a window nobody wrote) and null clears it;
// "when-disconnected" is set, or reset to "normal" by null. The merged
// result is validated as a whole site, so field names in errors match a create.
ApiResponse patch_site(TowerContext& context, const ApiRequest& request, const Stored<Site>& current) {
  auto doc = body_document(request);
  if (!doc) return error_response(doc.error());
  auto expected = if_match(request);
  if (!expected) return error_response(expected.error());
  Json merged = current.value.to_json();
  for (const auto& [key, value] : doc->items()) {
    if (key == "upgrade-window" || key == "when-disconnected") {
      if (value.is_null()) merged.erase(key);
      else merged[key] = value;
      continue;
    }
    if (key != "labels" && key != "vars")
      return error_response(Error{422, "invalid", "unknown field '" + key + "' (a site patch takes labels, vars, upgrade-window and when-disconnected)", key});
    if (!value.is_object())
      return error_response(Error{422, "invalid", key + " must be an object, got " + json_type_name(value), key});
    for (const auto& [k, v] : value.items()) {
      if (v.is_null()) merged[key].erase(k);
      else merged[key][k] = v;
    }
  }
  auto site = Site::from_json(merged);
  if (!site) return error_response(site.error());
  // Without If-Match the write is still conditional on the revision read above, so two
  // concurrent patches cannot silently undo each other.
  auto revision = context.store.put(keys::site(site->name), site->to_json().dump(), expected->value_or(current.revision));
  if (!revision) return error_response(revision.error());
  return json_response(200, site_json(context, Stored<Site>{*site, *revision}));
}

ApiResponse delete_site(TowerContext& context, const ApiRequest& request, const Stored<Site>& current) {
  auto expected = if_match(request);
  if (!expected) return error_response(expected.error());
  const std::string& name = current.value.name;
  std::vector<TxnOp> ops{{TxnOp::Kind::remove, keys::site(name), {}, expected->value_or(current.revision)}};
  for (const auto& prefix : {keys::hosts_of(name), keys::status_of(name)}) {
    auto page = context.store.list(prefix);
    if (!page) return error_response(page.error());
    for (const auto& kv : page->items) ops.push_back({TxnOp::Kind::remove, kv.key, {}, std::nullopt});
  }
  // Up to 500 keys per host: one range, not one operation each, keeps the transaction within
  // etcd's limit on operations.
  ops.push_back(TxnOp::range_removal(keys::events_of(name), prefix_successor(keys::events_of(name)).value_or(std::string())));
  auto tokens = site_token_keys(context, name);
  if (!tokens) return error_response(tokens.error());
  for (const auto& key : *tokens) ops.push_back({TxnOp::Kind::remove, key, {}, std::nullopt});
  if (auto done = context.store.commit(ops); !done) return error_response(done.error());
  context.hub.forget_site(name);
  spdlog::info("site {} deleted", name);
  return json_response(200, Json{{"deleted", name}});
}

ApiResponse create_token(TowerContext& context, const ApiRequest& request, const std::string& site) {
  Json doc = Json::object();
  if (request.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    auto parsed = body_document(request);
    if (!parsed) return error_response(parsed.error());
    doc = *parsed;
  }
  auto token = issue_join_token(context, site, doc);
  if (!token) return error_response(token.error());
  return json_response(201, *token);
}

ApiResponse site_hosts(TowerContext& context, const std::string& site) {
  auto hosts = context.repo.hosts(site);
  if (!hosts) return error_response(hosts.error());
  std::vector<Json> items;
  for (const auto& host : *hosts) items.push_back(host_json(context, host));
  return json_response(200, page_of(std::move(items), PageRequest{1000, {}}));
}

ApiResponse site_events_response(TowerContext& context, const ApiRequest& request, const std::string& site) {
  EventsQuery query;
  if (auto host = request.param("host")) query.host = *host;
  if (auto limit = request.param("limit")) {
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc{} || end != limit->data() + limit->size() || value < 1 || value > max_events_per_host)
      return error_response(Error{400, "bad_request",
                                  "limit must be a number from 1 to " + std::to_string(max_events_per_host) + ", got '" +
                                      *limit + "'",
                                  "limit"});
    query.limit = value;
  }
  auto events = site_events(context.store, site, query);
  if (!events) return error_response(events.error());
  return json_response(200, std::move(*events));
}

}  // namespace

ApiResponse handle_sites(TowerContext& context, const ApiRequest& request) {
  const auto& s = request.segments;  // v1 sites [name [sub]]
  if (s.size() == 2) {
    if (request.method == "GET") return list_sites(context, request);
    if (request.method == "POST") return create_site(context, request);
    return method_not_allowed(request);
  }
  const std::string& name = s[2];
  if (auto valid = validate_name(name, "site"); !valid) return error_response(valid.error());
  auto current = context.repo.site(name);
  if (!current) return error_response(current.error());
  if (!*current) return error_response(Error{404, "not_found", "site " + name + " not found", {}});
  if (s.size() == 3) {
    if (request.method == "GET") return json_response(200, site_json(context, **current));
    if (request.method == "PATCH") return patch_site(context, request, **current);
    if (request.method == "DELETE") return delete_site(context, request, **current);
    return method_not_allowed(request);
  }
  if (s.size() == 4 && s[3] == "tokens") {
    if (request.method == "POST") return create_token(context, request, name);
    return method_not_allowed(request);
  }
  if (s.size() == 4 && s[3] == "hosts") {
    if (request.method == "GET") return site_hosts(context, name);
    return method_not_allowed(request);
  }
  if (s.size() == 4 && s[3] == "instances") {
    if (request.method == "GET") return json_response(200, Json{{"items", context.hub.instances(name)}});
    return method_not_allowed(request);
  }
  if (s.size() == 4 && s[3] == "events") {
    if (request.method == "GET") return site_events_response(context, request, name);
    return method_not_allowed(request);
  }
  return error_response(Error{404, "not_found", "no such route: " + request.path, {}});
}

}  // namespace outpost::tower

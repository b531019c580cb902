// /v1/applications[/{app}[/versions[/{version}]]]
#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "common/names.hpp"
#include "tower/keys.hpp"
#include "tower/router.hpp"
#include "tower/spec_writes.hpp"

namespace outpost::tower {

namespace {

Json versions_json(const std::vector<Stored<Application>>& versions) {
  Json out = Json::array();
  for (const auto& v : versions) out.push_back(v.value.version);
  return out;
}

Json newest_json(const std::vector<Stored<Application>>& versions) {
  Json out = with_revision(versions.front().value.to_json(), versions.front().revision);
  out["versions"] = versions_json(versions);
  return out;
}

ApiResponse list_applications(TowerContext& context, const ApiRequest& request) {
  auto page = page_request(request);
  if (!page) return error_response(page.error());
  auto all = context.store.list(keys::applications_prefix);
  if (!all) return error_response(all.error());
  std::set<std::string> names;
  for (const auto& kv : all->items) {
    auto rest = kv.key.substr(keys::applications_prefix.size());
    names.insert(rest.substr(0, rest.find('/')));
  }
  std::vector<Json> items;
  for (const auto& name : names) {
    auto versions = context.repo.versions(name);
    if (!versions) return error_response(versions.error());
    if (!versions->empty()) items.push_back(newest_json(*versions));
  }
  return json_response(200, page_of(std::move(items), *page));
}

ApiResponse create_application(TowerContext& context, const ApiRequest& request) {
  auto doc = body_document(request);
  if (!doc) return error_response(doc.error());
  auto application = Application::from_json(*doc);
  if (!application) return error_response(application.error());
  auto write = plan_application(context, *application);
  if (!write) return error_response(write.error());
  if (write->ops.empty()) return json_response(200, write->result);
  auto revision = context.store.commit(write->ops);
  if (!revision) return error_response(revision.error());
  spdlog::info("application {} version {} stored", application->name, application->version);
  return json_response(201, with_revision(application->to_json(), *revision));
}

// Refuses to delete what a deployment still runs.
Status check_unused(TowerContext& context, const std::string& app, const std::string& version,
                    std::size_t versions_left_after) {
  auto deployments = context.repo.deployments();
  if (!deployments) return std::unexpected(deployments.error());
  for (const auto& d : *deployments) {
    if (d.value.application != app) continue;
    bool pinned = d.value.version == version || version.empty();
    bool last_for_newest = d.value.version == "*" && versions_left_after == 0;
    if (pinned || last_for_newest)
      return conflict("application " + app + (version.empty() ? "" : " version " + version) +
                      " is used by deployment " + d.value.name + "; delete or change that deployment first");
  }
  return {};
}

ApiResponse delete_versions(TowerContext& context, const std::string& app,
                            const std::vector<Stored<Application>>& versions, const std::string& only_version) {
  std::vector<TxnOp> ops;
  for (const auto& v : versions)
    if (only_version.empty() || v.value.version == only_version)
      ops.push_back({TxnOp::Kind::remove, keys::application(app, v.value.version), {}, v.revision});
  if (ops.empty()) return error_response(Error{404, "not_found", "application " + app + " has no version " + only_version, {}});
  if (auto unused = check_unused(context, app, only_version, versions.size() - ops.size()); !unused)
    return error_response(unused.error());
  if (auto done = context.store.commit(ops); !done) return error_response(done.error());
  return json_response(200, Json{{"deleted", app}, {"versions", ops.size()}});
}

}  // namespace

ApiResponse handle_applications(TowerContext& context, const ApiRequest& request) {
  const auto& s = request.segments;  // v1 applications [app [versions [version]]]
  if (s.size() == 2) {
    if (request.method == "GET") return list_applications(context, request);
    if (request.method == "POST") return create_application(context, request);
    return method_not_allowed(request);
  }
  const std::string& name = s[2];
  if (auto valid = validate_name(name, "application"); !valid) return error_response(valid.error());
  auto versions = context.repo.versions(name);
  if (!versions) return error_response(versions.error());
  if (versions->empty()) return error_response(Error{404, "not_found", "application " + name + " not found", {}});
  if (s.size() == 3) {
    if (request.method == "GET") return json_response(200, newest_json(*versions));
    if (request.method == "DELETE") return delete_versions(context, name, *versions, {});
    return method_not_allowed(request);
  }
  if (s[3] != "versions" || s.size() > 5) return error_response(Error{404, "not_found", "no such route: " + request.path, {}});
  if (s.size() == 4) {
    if (request.method != "GET") return method_not_allowed(request);
    std::vector<Json> items;
    for (const auto& v : *versions) items.push_back(with_revision(v.value.to_json(), v.revision));
    return json_response(200, Json{{"items", items}});
  }
  const std::string& version = s[4];
  if (request.method == "DELETE") return delete_versions(context, name, *versions, version);
  if (request.method != "GET") return method_not_allowed(request);
  for (const auto& v : *versions)
    if (v.value.version == version) return json_response(200, with_revision(v.value.to_json(), v.revision));
  return error_response(Error{404, "not_found", "application " + name + " has no version " + version, {}});
}

}  // namespace outpost::tower

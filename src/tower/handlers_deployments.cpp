// /v1/deployments[/{name}[/status|/rollout[/{command}]]]
#include <spdlog/spdlog.h>

#include "common/names.hpp"
#include "tower/deployment_status.hpp"
#include "tower/keys.hpp"
#include "tower/rollout_controller.hpp"
#include "tower/router.hpp"
#include "tower/spec_writes.hpp"

namespace outpost::tower {

namespace {

ApiResponse list_deployments(TowerContext& context, const ApiRequest& request) {
  auto page = page_request(request);
  if (!page) return error_response(page.error());
  auto deployments = context.repo.deployments();
  if (!deployments) return error_response(deployments.error());
  std::vector<Json> items;
  for (const auto& d : *deployments) items.push_back(with_revision(d.value.to_json(), d.revision));
  return json_response(200, page_of(std::move(items), *page));
}

ApiResponse write_deployment(TowerContext& context, const ApiRequest& request, DeploymentWriteMode mode,
                             const std::string& path_name) {
  auto doc = body_document(request);
  if (!doc) return error_response(doc.error());
  if (!path_name.empty() && !doc->contains("name")) (*doc)["name"] = path_name;
  auto deployment = Deployment::from_json(*doc);
  if (!deployment) return error_response(deployment.error());
  if (!path_name.empty() && deployment->name != path_name)
    return error_response(Error{422, "invalid", "name '" + deployment->name + "' differs from the URL's '" + path_name + "'", "name"});
  auto expected = if_match(request);
  if (!expected) return error_response(expected.error());
  auto write = plan_deployment(context, *deployment, Batch{}, mode, *expected);
  if (!write) return error_response(write.error());
  std::int64_t revision = 0;
  if (write->ops.empty()) {
    auto current = context.repo.deployment(deployment->name);
    if (!current) return error_response(current.error());
    revision = *current ? (*current)->revision : 0;
  } else {
    auto committed = context.store.commit(write->ops);
    if (!committed) return error_response(committed.error());
    revision = *committed;
  }
  if (!write->ops.empty())
    spdlog::info("deployment {} {}: {} version {} on '{}'", deployment->name, write->result["action"].get<std::string>(),
                 deployment->application, deployment->version, deployment->placement.text());
  bool created = write->result["action"] == "created";
  return json_response(created ? 201 : 200, with_revision(deployment->to_json(), revision));
}

ApiResponse delete_deployment(TowerContext& context, const ApiRequest& request, const Stored<Deployment>& current) {
  auto expected = if_match(request);
  if (!expected) return error_response(expected.error());
  auto done = context.store.remove(keys::deployment(current.value.name), expected->value_or(current.revision));
  if (!done) return error_response(done.error());
  spdlog::info("deployment {} deleted", current.value.name);
  return json_response(200, Json{{"deleted", current.value.name}});
}

// GET .../rollout, POST .../rollout/{promote|pause|resume|abort|rollback}
ApiResponse handle_rollout(TowerContext& context, const ApiRequest& request, const std::string& name) {
  const auto& s = request.segments;
  if (s.size() == 4) {
    if (request.method != "GET") return method_not_allowed(request);
    auto described = context.rollouts.describe(name);
    if (!described) return error_response(described.error());
    return json_response(200, *described);
  }
  if (s.size() != 5) return error_response(Error{404, "not_found", "no such route: " + request.path, {}});
  if (request.method != "POST") return method_not_allowed(request);
  auto command = parse_rollout_command(s[4]);
  if (!command) return error_response(command.error());
  auto done = context.rollouts.command(name, *command);
  if (!done) return error_response(done.error());
  return json_response(200, *done);
}

}  // namespace

ApiResponse handle_deployments(TowerContext& context, const ApiRequest& request) {
  const auto& s = request.segments;  // v1 deployments [name [status]]
  if (s.size() == 2) {
    if (request.method == "GET") return list_deployments(context, request);
    if (request.method == "POST") return write_deployment(context, request, DeploymentWriteMode::create, {});
    return method_not_allowed(request);
  }
  const std::string& name = s[2];
  if (auto valid = validate_name(name, "deployment"); !valid) return error_response(valid.error());
  if (s.size() == 3 && request.method == "PUT") return write_deployment(context, request, DeploymentWriteMode::upsert, name);
  auto current = context.repo.deployment(name);
  if (!current) return error_response(current.error());
  if (!*current) return error_response(Error{404, "not_found", "deployment " + name + " not found", {}});
  if (s.size() == 3) {
    if (request.method == "GET") return json_response(200, with_revision((*current)->value.to_json(), (*current)->revision));
    if (request.method == "DELETE") return delete_deployment(context, request, **current);
    return method_not_allowed(request);
  }
  if (s.size() >= 4 && s[3] == "rollout") return handle_rollout(context, request, name);
  if (s.size() == 4 && s[3] == "status") {
    if (request.method != "GET") return method_not_allowed(request);
    return json_response(200, deployment_status(context, (*current)->value));
  }
  return error_response(Error{404, "not_found", "no such route: " + request.path, {}});
}

}  // namespace outpost::tower

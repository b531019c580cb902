#include "tower/spec_writes.hpp"

#include "tower/keys.hpp"

namespace outpost::tower {

Result<PlannedWrite> plan_application(TowerContext& context, const Application& application) {
  Json canonical = application.to_json();
  PlannedWrite write{{}, {{"kind", "application"}, {"name", application.name}, {"version", application.version}}};
  auto existing = context.repo.application(application.name, application.version);
  if (!existing) return std::unexpected(existing.error());
  if (*existing) {
    if ((*existing)->value.to_json() != canonical)
      return fail(409, "immutable",
                  "application " + application.name + " version " + application.version +
                      " already exists with different content; versions are immutable, give the change a new version",
                  "version");
    write.result["action"] = "unchanged";
    return write;
  }
  write.ops.push_back({TxnOp::Kind::put, keys::application(application.name, application.version), canonical.dump(), 0});
  write.result["action"] = "created";
  return write;
}

namespace {

bool batch_has_version(const Batch& batch, const std::string& name, const std::string& version) {
  for (const auto& app : batch.applications)
    if (app.name == name && (version == "*" || app.version == version)) return true;
  return false;
}

}  // namespace

Result<PlannedWrite> plan_deployment(TowerContext& context, const Deployment& deployment, const Batch& batch,
                                     DeploymentWriteMode mode, std::optional<std::int64_t> expected_revision) {
  auto resolved = context.repo.resolve(deployment.application, deployment.version);
  if (!resolved) return std::unexpected(resolved.error());
  if (!*resolved && !batch_has_version(batch, deployment.application, deployment.version)) {
    auto any = context.repo.versions(deployment.application);
    if (!any) return std::unexpected(any.error());
    if (any->empty() && !batch_has_version(batch, deployment.application, "*"))
      return invalid("application", "application " + deployment.application + " does not exist; apply it first");
    return invalid("version", "application " + deployment.application + " has no version " + deployment.version);
  }

  auto others = context.repo.deployments();
  if (!others) return std::unexpected(others.error());
  for (const auto& other : *others)
    if (other.value.name != deployment.name && other.value.application == deployment.application)
      return fail(409, "conflict",
                  "application " + deployment.application + " is already deployed by deployment " + other.value.name +
                      "; edit that deployment instead",
                  "application");
  for (const auto& other : batch.deployments)
    if (other.name != deployment.name && other.application == deployment.application)
      return fail(409, "conflict",
                  "deployments " + other.name + " and " + deployment.name + " both deploy application " +
                      deployment.application,
                  "application");

  PlannedWrite write{{}, {{"kind", "deployment"}, {"name", deployment.name}}};
  auto existing = context.repo.deployment(deployment.name);
  if (!existing) return std::unexpected(existing.error());
  Json canonical = deployment.to_json();
  if (*existing) {
    if (mode == DeploymentWriteMode::create)
      return fail(409, "already_exists", "deployment " + deployment.name + " already exists", "name");
    if (expected_revision && *expected_revision != (*existing)->revision)
      return fail(412, "revision_mismatch",
                  "deployment " + deployment.name + " is at revision " + std::to_string((*existing)->revision) +
                      ", not " + std::to_string(*expected_revision) + "; read it again and retry",
                  "If-Match");
    if ((*existing)->value.to_json() == canonical) {
      write.result["action"] = "unchanged";
      return write;
    }
    write.ops.push_back({TxnOp::Kind::put, keys::deployment(deployment.name), canonical.dump(), (*existing)->revision});
    write.result["action"] = "configured";
    return write;
  }
  if (expected_revision)
    return fail(412, "revision_mismatch", "deployment " + deployment.name + " does not exist yet", "If-Match");
  write.ops.push_back({TxnOp::Kind::put, keys::deployment(deployment.name), canonical.dump(), 0});
  write.result["action"] = "created";
  return write;
}

}  // namespace outpost::tower

#pragma once
// Validation and store operations for writing specs, shared by the single-object endpoints and
// `POST /v1/apply`, so both accept and refuse exactly the same inputs.
#include <optional>
#include <string>
#include <vector>

#include "model/application.hpp"
#include "model/deployment.hpp"
#include "tower/context.hpp"

namespace outpost::tower {

struct PlannedWrite {
  std::vector<TxnOp> ops;  // empty when nothing changes
  Json result;             // {"kind","name","version"?,"action": created|configured|unchanged}
};

// What else the same request writes, so a deployment may name an application version that is
// applied in the same file, and two deployments in one file cannot claim one application.
struct Batch {
  std::vector<Application> applications;
  std::vector<Deployment> deployments;
};

// A version is immutable: storing identical content again is "unchanged"; different content
// under an existing version is 409 "immutable".
Result<PlannedWrite> plan_application(TowerContext& context, const Application& application);

enum class DeploymentWriteMode { create, upsert };
Result<PlannedWrite> plan_deployment(TowerContext& context, const Deployment& deployment, const Batch& batch,
                                     DeploymentWriteMode mode, std::optional<std::int64_t> expected_revision);

}  // namespace outpost::tower

#pragma once
// Where a deployment runs and how: per placed site, the version it should run, whether its
// hosts are connected, and the state of every instance the agents reported.
#include "model/deployment.hpp"
#include "tower/context.hpp"

namespace outpost::tower {

// Site states: pending (nothing reported yet), deploying, running (every expected container
// runs the desired version), failed (a container is in error or exited).
std::string site_state(const SiteApp& app, const Json& instances);

// What a rollout needs to know of one site: the version every expected container runs (empty
// when they do not all run one version) and whether each of them is also ready.
struct SiteAppHealth {
  std::string running_version;
  bool healthy = false;
};
SiteAppHealth site_app_health(const SiteApp& app, const Json& instances);

Json deployment_status(TowerContext& context, const Deployment& deployment);

}  // namespace outpost::tower

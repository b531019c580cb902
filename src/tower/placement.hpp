#pragma once
// Placement is pure: a site, its hosts and the deployments (each with the application version
// it resolves to) in; what the site should run out. The controller does the I/O around it.
#include <map>
#include <string>
#include <vector>

#include "model/application.hpp"
#include "model/deployment.hpp"
#include "model/desired_state.hpp"
#include "model/site.hpp"

namespace outpost::tower {

struct ResolvedDeployment {
  Deployment deployment;
  const Application* application = nullptr;  // null: the version does not exist (any more)
};

// Replicas of a service are spread over the site's hosts in name order (replica i on host
// i mod n); `mode: one-per-host` puts one on every host. A site without hosts yet gets the
// application with no instances, so it appears as soon as a host enrolls.
std::vector<InstanceAssignment> assign_instances(const Application& application,
                                                 const std::vector<std::string>& hosts);

std::map<std::string, SiteApp> place_on_site(const Site& site, const std::vector<std::string>& hosts,
                                             const std::vector<ResolvedDeployment>& deployments);

// The variables a site's applications see, besides the per-container SYS_* ones.
std::map<std::string, std::string> site_variables(const Site& site);

}  // namespace outpost::tower

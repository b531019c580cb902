#include "tower/placement.hpp"

#include <algorithm>

namespace outpost::tower {

std::vector<InstanceAssignment> assign_instances(const Application& application,
                                                 const std::vector<std::string>& hosts) {
  std::vector<std::string> sorted = hosts;
  std::sort(sorted.begin(), sorted.end());
  std::vector<InstanceAssignment> out;
  if (sorted.empty()) return out;
  for (const auto& service : application.services) {
    if (service.one_per_host) {
      for (std::size_t i = 0; i < sorted.size(); ++i)
        out.push_back({service.name, service.name + "-" + std::to_string(i), sorted[i]});
    } else {
      for (int i = 0; i < service.replicas; ++i)
        out.push_back({service.name, service.name + "-" + std::to_string(i),
                       sorted[static_cast<std::size_t>(i) % sorted.size()]});
    }
  }
  return out;
}

std::map<std::string, SiteApp> place_on_site(const Site& site, const std::vector<std::string>& hosts,
                                             const std::vector<ResolvedDeployment>& deployments) {
  std::map<std::string, SiteApp> apps;
  const Labels labels = site.effective_labels();
  for (const auto& resolved : deployments) {
    if (!resolved.application || !resolved.deployment.placement.matches(labels)) continue;
    const Application& application = *resolved.application;
    apps[application.name] = SiteApp{resolved.deployment.name, application, assign_instances(application, hosts)};
  }
  return apps;
}

std::map<std::string, std::string> site_variables(const Site& site) {
  auto vars = site.vars;
  vars["SYS_SITE"] = site.name;
  return vars;
}

}  // namespace outpost::tower

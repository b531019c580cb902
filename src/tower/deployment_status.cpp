#include "tower/deployment_status.hpp"

#include <map>
#include <set>

#include "tower/fleet_index.hpp"
#include "tower/placement_controller.hpp"
#include "tower/session_hub.hpp"

namespace outpost::tower {

namespace {

std::size_t expected_containers(const SiteApp& app) {
  std::size_t count = 0;
  for (const auto& assignment : app.instances)
    for (const auto& service : app.application.services)
      if (service.name == assignment.service) count += service.containers.size();
  return count;
}

}  // namespace

std::string site_state(const SiteApp& app, const Json& instances) {
  if (instances.empty()) return "pending";
  std::size_t running = 0;
  for (const auto& instance : instances) {
    const std::string state = instance.value("state", std::string{});
    if (state == "error" || state == "exited") return "failed";
    if (state == "running" && instance.value("version", std::string{}) == app.application.version) ++running;
  }
  return running == expected_containers(app) && instances.size() == running ? "running" : "deploying";
}

SiteAppHealth site_app_health(const SiteApp& app, const Json& instances) {
  std::map<std::pair<std::string, std::string>, const Json*> reports;
  for (const auto& report : instances)
    if (report.value("app", std::string{}) == app.application.name)
      reports[{report.value("instance", std::string{}), report.value("container", std::string{})}] = &report;
  SiteAppHealth health;
  std::set<std::string> versions;
  bool all_running = true;
  bool all_ready = true;
  std::size_t expected = 0;
  for (const auto& assignment : app.instances) {
    const ServiceSpec* service = app.application.service(assignment.service);
    if (!service) continue;
    for (const auto& container : service->containers) {
      ++expected;
      auto it = reports.find({assignment.instance, container.name});
      if (it == reports.end()) {
        all_running = all_ready = false;
        continue;
      }
      const Json& report = *it->second;
      const bool running = report.value("state", std::string{}) == "running";
      all_running = all_running && running;
      all_ready = all_ready && running && report.value("ready", false);
      versions.insert(report.value("version", std::string{}));
    }
  }
  if (expected == 0 || !all_running || versions.size() != 1) return health;
  health.running_version = *versions.begin();
  health.healthy = all_ready && health.running_version == app.application.version;
  return health;
}

Json deployment_status(TowerContext& context, const Deployment& deployment) {
  Json out = {{"deployment", deployment.name},
              {"application", deployment.application},
              {"version", deployment.version},
              {"sites", Json::array()}};
  for (const auto& [name, entry] : context.fleet.sites()) {
    const SiteDesired* desired = context.placement.desired(name);
    if (!desired) continue;
    auto it = desired->apps.find(deployment.application);
    if (it == desired->apps.end() || !it->second.app || it->second.app->deployment != deployment.name) continue;
    const SiteApp& app = *it->second.app;

    Json instances = Json::array();
    for (const auto& instance : context.hub.instances(name))
      if (instance.value("app", std::string{}) == deployment.application) instances.push_back(instance);
    bool connected = false;
    for (const auto& host : context.fleet.hosts(name)) connected = connected || context.hub.connection(name, host).connected;
    out["sites"].push_back({{"site", name},
                            {"connected", connected},
                            {"version", app.application.version},
                            {"state", site_state(app, instances)},
                            {"healthy", site_app_health(app, instances).healthy},
                            {"instances", instances}});
  }
  return out;
}

}  // namespace outpost::tower

#pragma once
// What the agent reports about one container it should run (or about a render error, which has
// no container): identity from the plan, state from the engine, health from the supervisor.
#include <map>
#include <string>

#include "common/json.hpp"

namespace outpost::agent {

struct ContainerStatus {
  std::string app, version, service, instance, container, image;
  std::string state = "pending";
  std::string message;
  std::string container_id;
  int exit_code = 0;
  Json health;  // HealthSupervisor::status(); null until the container was seen
  bool operator==(const ContainerStatus&) const = default;

  bool ready() const { return health.is_object() && health.value("ready", false); }
};

// By container name; render errors under "render/APP/INSTANCE".
using StatusMap = std::map<std::string, ContainerStatus>;

}  // namespace outpost::agent

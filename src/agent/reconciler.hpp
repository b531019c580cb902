#pragma once
// The reconciler is pure: the containers a host should run and the containers the engine has in,
// the actions that close the gap out. The executor (agent/executor.hpp) applies them.
#include <set>
#include <string>
#include <vector>

#include "engine/engine.hpp"
#include "model/render.hpp"

namespace outpost {

struct Action {
  enum class Kind { pull, create_and_start, start, remove };
  Kind kind;
  std::string image;         // pull
  std::string container_id;  // start, remove
  std::string name;          // the container's engine name (all kinds, for messages)
  PlannedContainer planned;  // create_and_start
  std::string reason;        // why, for events and logs: "missing", "spec changed", "not desired"…

  bool operator==(const Action& other) const {
    return kind == other.kind && image == other.image && container_id == other.container_id &&
           name == other.name && planned.spec_hash == other.planned.spec_hash;
  }
};

std::string_view to_string(Action::Kind kind);

// `actual` is what the engine lists for this site and host (by the outpost.site and outpost.host
// labels). Containers lacking those labels are never touched, whatever the input. Removals come
// first (freeing names and ports), then pulls (each image once), then creates and starts.
// `restarts_due`, when given, names the stopped containers whose restart is due now (the agent's
// health supervisor applies the restart policy with backoff); the others stay stopped. Without
// it a stopped container is started at once when its restart policy wants it.
std::vector<Action> reconcile(const std::vector<PlannedContainer>& desired,
                              const std::vector<ContainerInfo>& actual,
                              const std::set<std::string>& local_images,
                              const std::string& site, const std::string& host,
                              const std::set<std::string>* restarts_due = nullptr);

}  // namespace outpost

#include "agent/reconciler.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace outpost {
namespace {

bool owned_by(const ContainerInfo& container, const std::string& site, const std::string& host) {
  auto site_label = container.labels.find(std::string(labels::site));
  auto host_label = container.labels.find(std::string(labels::host));
  return site_label != container.labels.end() && site_label->second == site &&
         host_label != container.labels.end() && host_label->second == host;
}

// What one planned container is, independent of the engine name it was given.
std::tuple<std::string, std::string, std::string> identity_of(const ContainerInfo& container) {
  return {label_of(container, labels::app), label_of(container, labels::instance),
          label_of(container, labels::container)};
}

bool wants_restart(const PlannedContainer& planned, const ContainerInfo& actual) {
  if (planned.restart == "never") return false;
  if (planned.restart == "on-failure") return actual.exit_code != 0;
  return true;  // "always", the specification's default
}

Action remove_action(const ContainerInfo& container, std::string reason) {
  return Action{.kind = Action::Kind::remove, .image = {}, .container_id = container.id,
                .name = container.name, .planned = {}, .reason = std::move(reason)};
}

Action start_action(const ContainerInfo& container, std::string reason) {
  return Action{.kind = Action::Kind::start, .image = {}, .container_id = container.id,
                .name = container.name, .planned = {}, .reason = std::move(reason)};
}

Action create_action(const PlannedContainer& planned, std::string reason) {
  return Action{.kind = Action::Kind::create_and_start, .image = planned.image, .container_id = {},
                .name = planned.name, .planned = planned, .reason = std::move(reason)};
}

// Accumulates the three phases separately so they can be emitted in the documented order.
struct Plan {
  std::vector<Action> removes;
  std::vector<Action> pulls;
  std::vector<Action> launches;  // create_and_start and start, by container name
  std::set<std::string> pulled;
  const std::set<std::string>& local_images;

  void create(const PlannedContainer& planned, const std::string& reason) {
    if (!local_images.contains(planned.image) && pulled.insert(planned.image).second) {
      pulls.push_back(Action{.kind = Action::Kind::pull, .image = planned.image, .container_id = {},
                             .name = planned.name, .planned = {}, .reason = "image not present"});
    }
    launches.push_back(create_action(planned, reason));
  }
};

}  // namespace

std::string_view to_string(Action::Kind kind) {
  switch (kind) {
    case Action::Kind::pull: return "pull";
    case Action::Kind::create_and_start: return "create_and_start";
    case Action::Kind::start: return "start";
    case Action::Kind::remove: return "remove";
  }
  return "unknown";
}

std::vector<Action> reconcile(const std::vector<PlannedContainer>& desired,
                              const std::vector<ContainerInfo>& actual,
                              const std::set<std::string>& local_images,
                              const std::string& site, const std::string& host,
                              const std::set<std::string>* restarts_due) {
  std::vector<const PlannedContainer*> wanted;
  std::map<std::string, const PlannedContainer*> wanted_by_name;
  for (const PlannedContainer& planned : desired) {
    if (wanted_by_name.emplace(planned.name, &planned).second) wanted.push_back(&planned);
  }
  std::ranges::sort(wanted, {}, &PlannedContainer::name);

  std::vector<const ContainerInfo*> owned;
  for (const ContainerInfo& container : actual) {
    if (owned_by(container, site, host)) owned.push_back(&container);
  }
  std::ranges::sort(owned, [](const ContainerInfo* a, const ContainerInfo* b) {
    return std::tie(a->name, a->id) < std::tie(b->name, b->id);
  });

  Plan plan{.removes = {}, .pulls = {}, .launches = {}, .pulled = {}, .local_images = local_images};

  // The container that holds a desired name stands for that desired container. Every other owned
  // container goes: a duplicate of a kept one (same app, instance and container under another
  // name) or one nothing wants any more.
  std::map<std::string, const ContainerInfo*> holder_by_name;
  std::set<std::tuple<std::string, std::string, std::string>> kept_identities;
  for (const ContainerInfo* container : owned) {
    if (wanted_by_name.contains(container->name) && holder_by_name.emplace(container->name, container).second) {
      kept_identities.insert(identity_of(*container));
    }
  }
  for (const ContainerInfo* container : owned) {
    auto holder = holder_by_name.find(container->name);
    if (holder != holder_by_name.end() && holder->second == container) continue;
    plan.removes.push_back(remove_action(
        *container, kept_identities.contains(identity_of(*container)) ? "duplicate" : "not desired"));
  }

  for (const PlannedContainer* planned : wanted) {
    auto holder = holder_by_name.find(planned->name);
    if (holder == holder_by_name.end()) {
      plan.create(*planned, "missing");
      continue;
    }
    const ContainerInfo& current = *holder->second;
    if (label_of(current, labels::spec_hash) != planned->spec_hash) {
      plan.removes.push_back(remove_action(current, "spec changed"));
      plan.create(*planned, "spec changed");
    } else if (current.state == "created") {
      plan.launches.push_back(start_action(current, "created but not started"));
    } else if ((current.state == "exited" || current.state == "dead") &&
               (restarts_due ? !restarts_due->contains(planned->name) : !wants_restart(*planned, current))) {
      // Stays stopped: the policy says so, or its backoff has not run out yet.
    } else if (current.state == "exited") {
      plan.launches.push_back(
          start_action(current, "exited with code " + std::to_string(current.exit_code)));
    } else if (current.state == "dead") {
      // A dead container cannot be started again; only a fresh one can take its place.
      plan.removes.push_back(remove_action(current, "dead"));
      plan.create(*planned, "dead");
    }
    // running, paused, restarting, removing: the engine is already where it should be, or on
    // its way there; acting now would only race it.
  }

  std::ranges::stable_sort(plan.removes, {}, &Action::name);
  std::ranges::sort(plan.pulls, {}, &Action::image);
  std::ranges::stable_sort(plan.launches, {}, &Action::name);

  std::vector<Action> actions;
  actions.reserve(plan.removes.size() + plan.pulls.size() + plan.launches.size());
  for (auto* phase : {&plan.removes, &plan.pulls, &plan.launches}) {
    std::ranges::move(*phase, std::back_inserter(actions));
  }
  return actions;
}

}  // namespace outpost

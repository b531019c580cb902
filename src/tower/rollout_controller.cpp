#include "tower/rollout_controller.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "tower/deployment_status.hpp"
#include "tower/keys.hpp"
#include "tower/placement_controller.hpp"

namespace outpost::tower {
namespace {

std::map<std::string, std::string> versions_of(const RolloutState& state) {
  std::map<std::string, std::string> out;
  for (const auto& [site, rollout] : state.sites) out[site] = rollout.version;
  return out;
}

// The first version of a deployment, or one set back to what its sites run: nothing to roll
// out. Every site is told at once; each shows upgrading until it is healthy (or failed after
// the site deadline), but nothing waits for them.
RolloutState settled(const std::string& version, const std::vector<SiteView>& views, RolloutTime now,
                     const std::string& reason) {
  RolloutState state;
  state.from_version = state.to_version = version;
  state.phase = RolloutPhase::complete;
  state.started_at = state.phase_since = std::chrono::floor<std::chrono::milliseconds>(now);
  for (const auto& view : views)
    state.sites[view.site] = SiteRollout{SiteRolloutState::upgrading, state.started_at, "told to run " + version, version, false};
  state.record({state.started_at, "deployed", "", reason});
  return state;
}

// Nothing left that time alone could move: a finished rollout whose sites are all healthy,
// failed or sent back. Only a change in what the sites report can change it.
bool at_rest(const RolloutState& state) {
  if (state.phase != RolloutPhase::complete && state.phase != RolloutPhase::rolled_back &&
      state.phase != RolloutPhase::aborted)
    return false;
  return std::all_of(state.sites.begin(), state.sites.end(), [](const auto& entry) {
    const SiteRolloutState site = entry.second.state;
    return site == SiteRolloutState::healthy || site == SiteRolloutState::failed || site == SiteRolloutState::rolled_back;
  });
}

}  // namespace

RolloutController::RolloutController(Repository& repo, const FleetIndex& fleet, SessionHub& hub,
                                     PlacementController& placement, const Clock& clock, boost::asio::any_io_executor executor,
                                     std::chrono::milliseconds period, std::chrono::milliseconds reconnect_grace)
    : repo_(repo),
      fleet_(fleet),
      hub_(hub),
      placement_(placement),
      clock_(clock),
      executor_(executor),
      period_(period),
      reconnect_grace_(reconnect_grace),
      timer_(executor) {}

RolloutController::~RolloutController() {
  for (auto id : watches_) repo_.store().unwatch(id);
  timer_.cancel();
}

Status RolloutController::start() {
  started_at_ = clock_.now();
  auto stored = repo_.raw_list(keys::rollouts_prefix);
  if (!stored) return std::unexpected(stored.error());
  for (const auto& item : *stored) {
    auto state = RolloutState::from_json(item.value.value("state", Json()));
    const std::string deployment = string_or(item.value, "deployment");
    if (!state || deployment.empty()) {
      spdlog::error("stored rollout of {} is invalid and is dropped: {}", deployment,
                    state ? "no deployment name" : state.error().message);
      continue;
    }
    rollouts_[deployment] = Tracked{string_or(item.value, "application"), std::move(*state)};
    spdlog::info("rollout of {} resumed: {} to {}, {}", deployment, rollouts_[deployment].state.from_version,
                 rollouts_[deployment].state.to_version, to_string(rollouts_[deployment].state.phase));
  }
  placement_.set_version_source(
      [this](const Deployment& deployment, const std::string& site) { return version_for(deployment, site); });
  // Site changes wait for the next tick: stepping every deployment on every site write would
  // cost a pass over the whole fleet per write.
  for (const auto& prefix : {keys::deployments_prefix, keys::applications_prefix})
    watches_.push_back(repo_.store().watch(prefix, [this](const std::vector<WatchEvent>&) { schedule(); }));
  auto first = step_all();
  tick();
  return first;
}

void RolloutController::schedule() {
  if (scheduled_) return;
  scheduled_ = true;
  boost::asio::post(executor_, [this] {
    scheduled_ = false;
    if (auto status = step_all(); !status) spdlog::error("rollout pass failed: {}", status.error().message);
  });
}

void RolloutController::tick() {
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto status = step_all(); !status) spdlog::error("rollout pass failed: {}", status.error().message);
    tick();
  });
}

Status RolloutController::step_all() {
  auto deployments = repo_.deployments();
  if (!deployments) return std::unexpected(deployments.error());
  const RolloutTime now = clock_.now();
  std::set<std::string> live;
  for (const auto& deployment : *deployments) {
    live.insert(deployment.value.name);
    bool versions_changed = false;
    if (auto stepped = step_deployment(deployment, now, versions_changed); !stepped) return stepped;
    if (versions_changed) placement_.deployment_changed(deployment.value.name);
  }
  for (auto it = rollouts_.begin(); it != rollouts_.end();) {
    if (live.contains(it->first)) {
      ++it;
      continue;
    }
    (void)repo_.store().remove(keys::rollout(it->first));  // gone with the deployment
    it = rollouts_.erase(it);
  }
  return {};
}

Status RolloutController::step_deployment(const Stored<Deployment>& stored, RolloutTime now, bool& versions_changed) {
  const Deployment& deployment = stored.value;
  const std::uint64_t inputs = inputs_generation();
  auto target_app = repo_.resolve(deployment.application, deployment.version);
  if (!target_app) return std::unexpected(target_app.error());
  if (!*target_app) return {};  // placement reports the missing version
  const std::string target = (*target_app)->value.version;
  const RolloutPolicy policy = deployment.rollout_policy();
  std::vector<SiteView> views = site_views(deployment);

  auto it = rollouts_.find(deployment.name);
  if (it == rollouts_.end() || it->second.application != deployment.application) {
    Tracked fresh{deployment.application,
                  settled(target, views, now, target + " placed on " + std::to_string(views.size()) + " site(s)")};
    if (auto saved = persist(deployment.name, fresh); !saved) return saved;
    rollouts_.insert_or_assign(deployment.name, std::move(fresh));
    versions_changed = true;
    return {};
  }
  Tracked& tracked = it->second;
  if (tracked.state.to_version == target && at_rest(tracked.state) && tracked.inputs_seen == inputs &&
      tracked.deployment_revision == stored.revision)
    return {};
  tracked.inputs_seen = inputs;
  tracked.deployment_revision = stored.revision;
  const RolloutState before = tracked.state;
  if (tracked.state.to_version != target) {
    if (target == tracked.state.from_version && tracked.state.phase != RolloutPhase::complete) {
      auto events = tracked.state.events;
      tracked.state = settled(target, views, now, "deployment set back to " + target + "; nothing to roll out");
      tracked.state.events.insert(tracked.state.events.begin(), events.begin(), events.end());
    } else {
      tracked.state = retarget(tracked.state, target, views, policy, now);
    }
    spdlog::info("rollout of {}: {} to {} over {} site(s)", deployment.name, tracked.state.from_version, target,
                 views.size());
  }
  // Right after a tower restart the agents are still reconnecting; stepping now would take
  // every site that has not yet returned for disconnected.
  if (!in_reconnect_grace(views)) {
    Decision decision = step(tracked.state, policy, views, now);
    for (const auto& event : decision.new_events)
      spdlog::info("rollout of {}: {}{}: {}", deployment.name, event.kind, event.site.empty() ? "" : " " + event.site,
                   event.reason);
  }
  if (tracked.state == before) return {};
  if (auto saved = persist(deployment.name, tracked); !saved) {
    tracked.state = before;  // what is not stored did not happen: the next pass tries again
    return saved;
  }
  if (versions_of(before) != versions_of(tracked.state) || before.phase != tracked.state.phase) versions_changed = true;
  return {};
}

std::vector<SiteView> RolloutController::site_views(const Deployment& deployment) {
  std::vector<SiteView> views;
  for (const auto& [name, entry] : fleet_.sites()) {
    if (!deployment.placement.matches(entry.labels)) continue;
    SiteView view;
    view.site = name;
    view.labels = entry.labels;
    view.window = entry.site.upgrade_window;
    view.connected = hub_.site_connected(name, fleet_.hosts(name));
    if (const SiteDesired* desired = placement_.desired(name)) {
      auto app = desired->apps.find(deployment.application);
      if (app != desired->apps.end() && app->second.app && app->second.app->deployment == deployment.name) {
        SiteAppHealth health = site_app_health(*app->second.app, hub_.instances(name));
        view.running_version = health.running_version;
        view.healthy = health.healthy;
      }
    }
    views.push_back(std::move(view));
  }
  return views;
}

std::uint64_t RolloutController::inputs_generation() const {
  // Each only grows, so the sum changes exactly when one of them does.
  return hub_.generation() + fleet_.generation() + placement_.generation();
}

bool RolloutController::in_reconnect_grace(const std::vector<SiteView>& views) const {
  if (clock_.now() - started_at_ >= reconnect_grace_) return false;
  return std::any_of(views.begin(), views.end(), [](const SiteView& view) { return !view.connected; });
}

Status RolloutController::persist(const std::string& deployment, const Tracked& tracked) {
  Json stored = {{"deployment", deployment}, {"application", tracked.application}, {"state", tracked.state.to_json()}};
  auto put = repo_.store().put(keys::rollout(deployment), stored.dump());
  if (!put) return std::unexpected(put.error());
  return {};
}

std::optional<std::string> RolloutController::version_for(const Deployment& deployment, const std::string& site) const {
  auto it = rollouts_.find(deployment.name);
  if (it == rollouts_.end() || it->second.application != deployment.application) return std::nullopt;
  const RolloutState& state = it->second.state;
  if (auto found = state.sites.find(site); found != state.sites.end()) return found->second.version;
  // A site placed since the last step: it starts where the fleet stands.
  return state.phase == RolloutPhase::complete ? state.to_version : state.from_version;
}

Result<Json> RolloutController::describe(const std::string& deployment) const {
  auto it = rollouts_.find(deployment);
  if (it == rollouts_.end()) return not_found("deployment " + deployment + " has no rollout");
  Json out = it->second.state.to_json();
  out["deployment"] = deployment;
  out["application"] = it->second.application;
  out["progress"] = progress(it->second.state).to_json();
  return out;
}

Result<Json> RolloutController::command(const std::string& deployment, RolloutCommand command) {
  auto it = rollouts_.find(deployment);
  if (it == rollouts_.end()) return not_found("deployment " + deployment + " has no rollout");
  const RolloutState before = it->second.state;
  if (auto applied = apply_command(it->second.state, command, clock_.now()); !applied)
    return std::unexpected(applied.error());
  if (auto saved = persist(deployment, it->second); !saved) {
    it->second.state = before;
    return std::unexpected(saved.error());
  }
  spdlog::info("rollout of {}: {} by a person", deployment, to_string(it->second.state.phase));
  schedule();
  placement_.deployment_changed(deployment);
  return describe(deployment);
}

}  // namespace outpost::tower

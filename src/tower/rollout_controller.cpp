#include "tower/rollout_controller.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <utility>

#include "tower/deployment_status.hpp"
#include "tower/keys.hpp"
#include "tower/placement_controller.hpp"

namespace outpost::tower {
namespace {

// Whether every site is told the same version in `a` as in `b`.
bool same_versions(const RolloutState& a, const RolloutState& b) {
  return std::equal(a.sites.begin(), a.sites.end(), b.sites.begin(), b.sites.end(), [](const auto& x, const auto& y) {
    return x.first == y.first && x.second.version == y.second.version;
  });
}

bool before_name(const SiteView& view, const std::string& name) { return view.site < name; }

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

RolloutController::RolloutController(Repository& repo, FleetIndex& fleet, SessionHub& hub,
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
      timer_(executor),
      stored_(repo.store()) {}

RolloutController::~RolloutController() {
  for (auto id : watches_) repo_.store().unwatch(id);
  hub_.unsubscribe(hub_subscription_);
  fleet_.unsubscribe(fleet_subscription_);
  placement_.unsubscribe(placement_subscription_);
  timer_.cancel();
}

Status RolloutController::start() {
  started_at_ = clock_.now();
  auto stored = stored_.load();
  if (!stored) return std::unexpected(stored.error());
  rollouts_ = std::move(*stored);
  // Noted here, looked at on the next pass: only the views of these sites are built again.
  auto note = [this](const std::string& site) { changed_sites_.insert(site); };
  hub_subscription_ = hub_.subscribe(note);
  placement_subscription_ = placement_.subscribe(note);
  fleet_subscription_ = fleet_.subscribe([this](const std::set<std::string>& sites) {
    changed_sites_.insert(sites.begin(), sites.end());
    changed_records_.insert(sites.begin(), sites.end());
  });
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
  refresh_views(*deployments);
  const RolloutTime now = clock_.now();
  std::set<std::string> live;
  for (const auto& deployment : *deployments) {
    live.insert(deployment.value.name);
    bool versions_changed = false;
    if (auto stepped = step_deployment(deployment, now, versions_changed); !stepped) return stepped;
    if (versions_changed) placement_.deployment_changed(deployment.value.name);
  }
  forget_removed(live);
  return {};
}

void RolloutController::forget_removed(const std::set<std::string>& live) {
  std::set<std::string> gone;
  for (const auto& [name, rollout] : rollouts_)
    if (!live.contains(name)) gone.insert(name);
  for (const auto& name : stored_.deployments())
    if (!live.contains(name)) gone.insert(name);
  for (const auto& name : gone) {
    if (auto removed = stored_.remove(name); !removed) {
      spdlog::error("rollout of removed deployment {} stays until the next pass: {}", name, removed.error().message);
      continue;
    }
    rollouts_.erase(name);
  }
}

Status RolloutController::step_deployment(const Stored<Deployment>& stored, RolloutTime now, bool& versions_changed) {
  const Deployment& deployment = stored.value;
  auto target_app = repo_.resolve(deployment.application, deployment.version);
  if (!target_app) return std::unexpected(target_app.error());
  if (!*target_app) return {};  // placement reports the missing version
  const std::string target = (*target_app)->value.version;
  Views& watched = views_.at(deployment.name);  // refresh_views keeps one per live deployment
  const std::vector<SiteView>& views = watched.sites;

  auto it = rollouts_.find(deployment.name);
  if (it == rollouts_.end() || it->second.application != deployment.application) {
    StoredRollout fresh{deployment.application,
                        settled(target, views, now, target + " placed on " + std::to_string(views.size()) + " site(s)")};
    const StoredRollout* replaced = it == rollouts_.end() ? nullptr : &it->second;
    if (auto saved = stored_.save(deployment.name, replaced, fresh); !saved) return saved;
    rollouts_.insert_or_assign(deployment.name, std::move(fresh));
    versions_changed = true;
    return {};
  }
  StoredRollout& tracked = it->second;
  if (tracked.state.to_version == target && at_rest(tracked.state) && !watched.moved) return {};
  StoredRollout before = tracked;
  const RolloutPolicy policy = deployment.rollout_policy();
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
  const bool stepping = !in_reconnect_grace(views);
  if (stepping) {
    ++counters_.steps;
    Decision decision = step(tracked.state, policy, views, now);
    // A fleet-wide step is worth a line of the log, and so is a site that failed; a line for each
    // site's every step of a 10,000-site rollout is not (tens of thousands of lines). Every event
    // stays in the rollout's events, which the API and `outpost rollout status` show.
    for (const auto& event : decision.new_events) {
      const auto level = event.site.empty()           ? spdlog::level::info
                         : event.kind == "site-failed" ? spdlog::level::warn
                                                       : spdlog::level::debug;
      spdlog::log(level, "rollout of {}: {}{}: {}", deployment.name, event.kind, event.site.empty() ? "" : " " + event.site,
                  event.reason);
    }
  }
  if (tracked.state != before.state) {
    if (auto saved = stored_.save(deployment.name, &before, tracked); !saved) {
      tracked = std::move(before);  // what is not stored did not happen: the next pass tries again
      return saved;
    }
    if (!same_versions(before.state, tracked.state) || before.state.phase != tracked.state.phase) versions_changed = true;
  }
  // A step the reconnect grace held back has yet to see what moved.
  if (stepping) watched.moved = false;
  return {};
}

void RolloutController::refresh_views(const std::vector<Stored<Deployment>>& deployments) {
  const std::set<std::string> changed = std::exchange(changed_sites_, {});
  const std::set<std::string> records = std::exchange(changed_records_, {});
  std::set<std::string> live;
  std::vector<std::pair<const Deployment*, Views*>> kept;  // views that only need the changed sites
  for (const auto& stored : deployments) {
    const Deployment& deployment = stored.value;
    live.insert(deployment.name);
    Views& views = views_[deployment.name];
    if (views.deployment_revision == stored.revision) {
      kept.emplace_back(&deployment, &views);
      continue;
    }
    if (views.deployment_revision >= 0 && views.placement == deployment.placement.text() &&
        views.application == deployment.application) {
      // A new version or rollout policy: the same sites, each running what it ran. Building
      // 10,000 views again would delay the rollout's first step, and so every site's new state.
      views.deployment_revision = stored.revision;
      views.moved = true;
      kept.emplace_back(&deployment, &views);
      continue;
    }
    // New, or its placement or application differs: every site again.
    views.placement = deployment.placement.text();
    views.application = deployment.application;
    views.sites.clear();
    for (const auto& [name, entry] : fleet_.sites()) {
      std::optional<Json> instances;
      if (auto view = view_of(deployment, name, instances)) views.sites.push_back(std::move(*view));
    }
    counters_.views_built += views.sites.size();
    views.deployment_revision = stored.revision;
    views.moved = true;
  }
  std::erase_if(views_, [&](const auto& entry) { return !live.contains(entry.first); });
  if (changed.empty() || kept.empty()) return;

  // `changed` is sorted, so what joins and what leaves each deployment comes out sorted too.
  std::vector<std::vector<SiteView>> joined(kept.size());
  std::vector<std::vector<std::string>> left(kept.size());
  for (const auto& site : changed) {
    std::optional<Json> instances;  // fetched once for every deployment placing the site
    for (std::size_t i = 0; i < kept.size(); ++i) {
      auto& [deployment, views] = kept[i];
      std::optional<SiteView> view = view_of(*deployment, site, instances);
      counters_.views_built += view ? 1 : 0;
      auto at = std::lower_bound(views->sites.begin(), views->sites.end(), site, before_name);
      const bool known = at != views->sites.end() && at->site == site;
      // Labels and window are compared by address, so a changed record counts as moved.
      if (known && view && (records.contains(site) || *at != *view)) {
        *at = std::move(*view);
        views->moved = true;
      } else if (known && !view) {
        left[i].push_back(site);
      } else if (!known && view) {
        joined[i].push_back(std::move(*view));
      }
    }
  }
  for (std::size_t i = 0; i < kept.size(); ++i) {
    std::vector<SiteView>& sites = kept[i].second->sites;
    if (!left[i].empty())
      std::erase_if(sites, [&](const SiteView& view) { return std::binary_search(left[i].begin(), left[i].end(), view.site); });
    if (!joined[i].empty()) {
      std::vector<SiteView> merged;
      merged.reserve(sites.size() + joined[i].size());
      std::merge(std::make_move_iterator(sites.begin()), std::make_move_iterator(sites.end()),
                 std::make_move_iterator(joined[i].begin()), std::make_move_iterator(joined[i].end()),
                 std::back_inserter(merged), [](const SiteView& a, const SiteView& b) { return a.site < b.site; });
      sites = std::move(merged);
    }
    if (!left[i].empty() || !joined[i].empty()) kept[i].second->moved = true;
  }
}

std::optional<SiteView> RolloutController::view_of(const Deployment& deployment, const std::string& site,
                                                   std::optional<Json>& instances) const {
  const FleetIndex::SiteEntry* entry = fleet_.site(site);
  if (!entry || !deployment.placement.matches(entry->labels)) return std::nullopt;
  SiteView view;
  view.site = site;
  // Valid until the index changes the site, and a changed site's views are built again before
  // the next step.
  view.labels = &entry->labels;
  view.window = entry->site.upgrade_window ? &*entry->site.upgrade_window : nullptr;
  view.connected = hub_.site_connected(site, fleet_.hosts(site));
  if (const SiteDesired* desired = placement_.desired(site)) {
    auto app = desired->apps.find(deployment.application);
    if (app != desired->apps.end() && app->second.app && app->second.app->deployment == deployment.name) {
      if (!instances) instances = hub_.instances(site);
      SiteAppHealth health = site_app_health(*app->second.app, *instances);
      view.running_version = health.running_version;
      view.healthy = health.healthy;
    }
  }
  return view;
}

bool RolloutController::in_reconnect_grace(const std::vector<SiteView>& views) const {
  if (clock_.now() - started_at_ >= reconnect_grace_) return false;
  return std::any_of(views.begin(), views.end(), [](const SiteView& view) { return !view.connected; });
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
  StoredRollout before = it->second;
  if (auto applied = apply_command(it->second.state, command, clock_.now()); !applied)
    return std::unexpected(applied.error());
  if (auto saved = stored_.save(deployment, &before, it->second); !saved) {
    it->second = std::move(before);
    return std::unexpected(saved.error());
  }
  spdlog::info("rollout of {}: {} by a person", deployment, to_string(it->second.state.phase));
  schedule();
  placement_.deployment_changed(deployment);
  return describe(deployment);
}

}  // namespace outpost::tower

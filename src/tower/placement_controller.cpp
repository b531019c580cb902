#include "tower/placement_controller.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

#include "tower/keys.hpp"
#include "tower/placement.hpp"

namespace outpost::tower {

namespace {

// The first path segment after `prefix`: "/applications/web/1.0" → "web".
std::string first_segment(const std::string& key, const std::string& prefix) {
  const std::string rest = key.substr(prefix.size());
  return rest.substr(0, rest.find('/'));
}

}  // namespace

std::set<std::string> concerned_sites(const PlacementChanges& changes,
                                      const std::map<std::string, FleetIndex::SiteEntry>& sites,
                                      const std::map<std::string, SiteDesired>& desired,
                                      const std::vector<Stored<Deployment>>& deployments) {
  std::set<std::string> concerned;
  if (changes.everything) {
    for (const auto& [name, entry] : sites) concerned.insert(name);
    for (const auto& [name, state] : desired) concerned.insert(name);
    return concerned;
  }
  concerned = changes.sites;
  if (changes.deployments.empty() && changes.applications.empty()) return concerned;
  for (const auto& [site, state] : desired) {
    for (const auto& [name, entry] : state.apps) {
      if (entry.app && (changes.deployments.contains(entry.app->deployment) || changes.applications.contains(name))) {
        concerned.insert(site);
        break;
      }
    }
  }
  std::vector<const LabelExpr*> selectors;
  for (const auto& stored : deployments)
    if (changes.deployments.contains(stored.value.name) || changes.applications.contains(stored.value.application))
      selectors.push_back(&stored.value.placement);
  if (selectors.empty()) return concerned;
  for (const auto& [name, entry] : sites)
    for (const auto* selector : selectors)
      if (selector->matches(entry.labels)) {
        concerned.insert(name);
        break;
      }
  return concerned;
}

PlacementController::PlacementController(Repository& repo, FleetIndex& fleet, SessionHub& hub,
                                         boost::asio::any_io_executor executor)
    : repo_(repo), fleet_(fleet), hub_(hub), executor_(std::move(executor)) {}

PlacementController::~PlacementController() {
  for (auto id : watches_) repo_.store().unwatch(id);
  fleet_.unsubscribe(fleet_subscription_);
}

Status PlacementController::start() {
  auto stored = repo_.raw_list(keys::desired_prefix);
  if (!stored) return std::unexpected(stored.error());
  for (const auto& item : *stored) {
    auto desired = SiteDesired::from_json(item.value);
    if (!desired) return internal_error("stored desired state is invalid: " + desired.error().message);
    const std::string site = desired->site;
    desired_[site] = std::move(*desired);
    listeners_.tell(site);
  }
  fleet_subscription_ = fleet_.subscribe([this](const std::set<std::string>& sites) {
    pending_.sites.insert(sites.begin(), sites.end());
    schedule();
  });
  watches_.push_back(repo_.store().watch(keys::deployments_prefix, [this](const std::vector<WatchEvent>& events) {
    for (const auto& event : events) pending_.deployments.insert(first_segment(event.kv.key, keys::deployments_prefix));
    schedule();
  }));
  watches_.push_back(repo_.store().watch(keys::applications_prefix, [this](const std::vector<WatchEvent>& events) {
    for (const auto& event : events) pending_.applications.insert(first_segment(event.kv.key, keys::applications_prefix));
    schedule();
  }));
  return recompute();
}

void PlacementController::deployment_changed(const std::string& deployment) {
  pending_.deployments.insert(deployment);
  schedule();
}

void PlacementController::schedule() {
  if (scheduled_ || pass_) return;  // a pass under way schedules the next when it ends
  scheduled_ = true;
  // Deferred so that a burst of writes (an apply of many documents, many enrollments) costs one
  // pass, and so that the pass never runs inside a store callback.
  boost::asio::post(executor_, [this] {
    scheduled_ = false;
    PlacementChanges changes = std::exchange(pending_, {});
    if (auto status = begin_pass(std::move(changes)); !status) {
      spdlog::error("placement pass failed: {}", status.error().message);
      return;
    }
    continue_pass();
  });
}

void PlacementController::continue_pass() {
  if (!pass_) return;
  if (auto status = step_pass(); !status) {
    spdlog::error("placement pass failed: {}", status.error().message);
    return;
  }
  if (!pass_) {
    if (!pending_.empty()) schedule();
    return;
  }
  // The sessions told about this batch write their deltas before the next batch is computed:
  // the first sites have their new state while the pass still runs over the others.
  boost::asio::post(executor_, [this] { continue_pass(); });
}

Status PlacementController::recompute() {
  PlacementChanges everything;
  everything.everything = true;
  pass_.reset();  // everything covers whatever a pass under way had left
  if (auto status = begin_pass(std::move(everything)); !status) return status;
  while (pass_)
    if (auto status = step_pass(); !status) return status;
  return {};
}

Status PlacementController::begin_pass(PlacementChanges changes) {
  auto deployments = repo_.deployments();
  if (!deployments) {
    pending_.everything = true;  // nothing was done: the next pass must cover this one
    return std::unexpected(deployments.error());
  }
  const std::set<std::string> concerned = concerned_sites(changes, fleet_.sites(), desired_, *deployments);
  pass_.emplace();
  pass_->began = std::chrono::steady_clock::now();
  pass_->deployments = std::move(*deployments);
  pass_->sites.assign(concerned.begin(), concerned.end());
  return {};
}

Result<std::optional<SiteDesired>> PlacementController::place(const std::string& site) {
  Pass& pass = *pass_;
  const FleetIndex::SiteEntry* entry = fleet_.site(site);
  if (!entry) {
    if (desired_.contains(site)) pass.removed.push_back(site);
    return std::nullopt;
  }
  // Each (application, version) is resolved once per pass; the map's nodes stay put, so the
  // pointers placement keeps into it remain valid.
  auto resolve = [&](const Deployment& d, const std::string& version) -> Result<const Application*> {
    auto key = std::pair{d.application, version};
    auto found = pass.applications.find(key);
    if (found == pass.applications.end()) {
      auto app = repo_.resolve(d.application, version);
      if (!app) return std::unexpected(app.error());
      if (!*app) spdlog::warn("deployment {}: application {} version {} not found", d.name, d.application, version);
      found = pass.applications.emplace(key, std::move(*app)).first;
    }
    return found->second ? &found->second->value : nullptr;
  };
  std::vector<ResolvedDeployment> resolved;
  resolved.reserve(pass.deployments.size());
  for (const auto& stored : pass.deployments) {
    const Deployment& d = stored.value;
    if (!d.placement.matches(entry->labels)) continue;
    std::optional<std::string> version = version_source_ ? version_source_(d, site) : std::nullopt;
    auto app = resolve(d, version.value_or(d.version));
    if (!app) return std::unexpected(app.error());
    resolved.push_back({d, *app});
  }
  auto apps = place_on_site(entry->site, fleet_.hosts(site), resolved);
  auto vars = site_variables(entry->site);
  auto known = desired_.find(site);
  SiteDesired next = known != desired_.end() ? known->second : fresh_desired(site);
  if (!next.update(apps, vars)) return std::nullopt;
  return next;
}

Status PlacementController::step_pass() {
  Pass& pass = *pass_;
  const std::size_t per_transaction = repo_.store().operations_per_transaction();
  const std::size_t begin = pass.next;
  std::vector<SiteDesired> changed;
  while (pass.next < pass.sites.size() && changed.size() < per_transaction) {
    auto next = place(pass.sites[pass.next]);
    if (!next) {
      pending_.everything = true;
      pass_.reset();
      return std::unexpected(next.error());
    }
    ++pass.next;
    if (*next) changed.push_back(std::move(**next));
  }
  if (!changed.empty()) {
    std::vector<TxnOp> ops;
    ops.reserve(changed.size());
    for (const auto& state : changed)
      ops.push_back({TxnOp::Kind::put, keys::desired(state.site), state.to_json().dump(), std::nullopt});
    if (auto committed = repo_.store().commit(ops); !committed) {
      // Only what is stored is pushed: a batch the store refuses leaves those sites as they were
      // and concerned for the next pass, with the rest of this pass and the sites it found gone.
      for (std::size_t i = begin; i < pass.sites.size(); ++i) pending_.sites.insert(pass.sites[i]);
      pending_.sites.insert(pass.removed.begin(), pass.removed.end());
      pass_.reset();
      schedule();
      return std::unexpected(committed.error());
    }
  }
  for (auto& state : changed) {
    spdlog::debug("site {}: desired state now at revision {} ({} applications)", state.site, state.revision,
                  state.live().size());
    const std::string site = state.site;
    desired_[site] = std::move(state);
    listeners_.tell(site);
    hub_.notify_desired(site);
  }
  pass.changed += changed.size();
  if (pass.next < pass.sites.size()) return {};

  for (const auto& site : pass.removed) {
    (void)repo_.store().remove(keys::desired(site));  // usually already gone with the site
    desired_.erase(site);
    listeners_.tell(site);
  }
  if (pass.changed != 0 || !pass.removed.empty()) {
    const auto took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - pass.began).count();
    spdlog::info("placement: {} site(s) looked at, {} changed, {} removed, in {:.1f} ms", pass.sites.size(), pass.changed,
                 pass.removed.size(), took);
  }
  pass_.reset();
  return {};
}

SiteDesired PlacementController::fresh_desired(const std::string& site) {
  // A site created anew (perhaps under the name of a deleted one) starts its revisions above
  // every revision the store has issued, and counts anything older as compacted: an agent still
  // holding a checkpoint of the old site therefore receives a full state, never a delta.
  SiteDesired desired;
  desired.site = site;
  auto store_revision = repo_.store().revision();
  const auto start = store_revision ? static_cast<std::uint64_t>(*store_revision) : 0;
  desired.revision = start;
  desired.compacted_before = start + 1;
  return desired;
}

const SiteDesired* PlacementController::desired(const std::string& site) const {
  auto it = desired_.find(site);
  return it == desired_.end() ? nullptr : &it->second;
}

}  // namespace outpost::tower

#include "tower/placement_controller.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <set>

#include "tower/keys.hpp"
#include "tower/placement.hpp"

namespace outpost::tower {

PlacementController::PlacementController(Repository& repo, SessionHub& hub, boost::asio::any_io_executor executor)
    : repo_(repo), hub_(hub), executor_(std::move(executor)) {}

PlacementController::~PlacementController() {
  for (auto id : watches_) repo_.store().unwatch(id);
}

Status PlacementController::start() {
  auto stored = repo_.raw_list(keys::desired_prefix);
  if (!stored) return std::unexpected(stored.error());
  for (const auto& item : *stored) {
    auto desired = SiteDesired::from_json(item.value);
    if (!desired) return internal_error("stored desired state is invalid: " + desired.error().message);
    desired_[desired->site] = std::move(*desired);
  }
  for (const auto& prefix : {keys::sites_prefix, keys::hosts_prefix, keys::deployments_prefix, keys::applications_prefix})
    watches_.push_back(repo_.store().watch(prefix, [this](const std::vector<WatchEvent>&) { schedule(); }));
  return recompute();
}

void PlacementController::schedule() {
  if (scheduled_) return;
  scheduled_ = true;
  // Deferred so that a burst of writes (an apply of many documents, many enrollments) costs one
  // pass, and so that the pass never runs inside a store callback.
  boost::asio::post(executor_, [this] {
    scheduled_ = false;
    if (auto status = recompute(); !status) spdlog::error("placement pass failed: {}", status.error().message);
  });
}

Status PlacementController::recompute() {
  auto sites = repo_.sites();
  if (!sites) return std::unexpected(sites.error());
  auto deployments = repo_.deployments();
  if (!deployments) return std::unexpected(deployments.error());

  // Each (application, version) is resolved once per pass; the map's nodes stay put, so the
  // pointers placement keeps into it remain valid.
  std::map<std::pair<std::string, std::string>, std::optional<Stored<Application>>> applications;
  auto resolve = [&](const Deployment& d, const std::string& version) -> Result<const Application*> {
    auto key = std::pair{d.application, version};
    auto found = applications.find(key);
    if (found == applications.end()) {
      auto app = repo_.resolve(d.application, version);
      if (!app) return std::unexpected(app.error());
      if (!*app) spdlog::warn("deployment {}: application {} version {} not found", d.name, d.application, version);
      found = applications.emplace(key, std::move(*app)).first;
    }
    return found->second ? &found->second->value : nullptr;
  };

  std::set<std::string> live_sites;
  for (const auto& site : *sites) {
    live_sites.insert(site.value.name);
    auto hosts = repo_.hosts(site.value.name);
    if (!hosts) return std::unexpected(hosts.error());
    std::vector<std::string> host_names;
    for (const auto& h : *hosts) host_names.push_back(h.value.name);

    std::vector<ResolvedDeployment> resolved;
    resolved.reserve(deployments->size());
    for (const auto& stored : *deployments) {
      const Deployment& d = stored.value;
      std::optional<std::string> version = version_source_ ? version_source_(d, site.value.name) : std::nullopt;
      auto app = resolve(d, version.value_or(d.version));
      if (!app) return std::unexpected(app.error());
      resolved.push_back({d, *app});
    }
    auto apps = place_on_site(site.value, host_names, resolved);
    auto known = desired_.find(site.value.name);
    SiteDesired next = known != desired_.end() ? known->second : fresh_desired(site.value.name);
    if (!next.update(apps, site_variables(site.value))) continue;
    // Only what is stored is pushed: on a failed write the in-memory state stays as it was, so
    // the next pass sees the difference again.
    if (auto put = repo_.store().put(keys::desired(site.value.name), next.to_json().dump()); !put) {
      schedule();
      return std::unexpected(put.error());
    }
    spdlog::info("site {}: desired state now at revision {} ({} applications)", site.value.name, next.revision, apps.size());
    desired_[site.value.name] = std::move(next);
    hub_.notify_desired(site.value.name);
  }
  for (auto it = desired_.begin(); it != desired_.end();) {
    if (live_sites.contains(it->first)) {
      ++it;
      continue;
    }
    (void)repo_.store().remove(keys::desired(it->first));  // may already be gone with the site
    it = desired_.erase(it);
  }
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

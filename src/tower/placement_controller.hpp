#pragma once
// Keeps every site's desired state equal to what placement says, touching only the sites a
// change concerns: a site's own record or hosts changing recomputes that site; a deployment or
// application changing recomputes the sites that deployment placed before or places now. Changes
// are coalesced into one pass on the io_context; the changed desired states are persisted in
// batched transactions and the session hub is told to push each one as its batch commits. A
// pass over many sites yields to the io_context between batches, so the first sites' deltas are
// on the wire while the pass still computes the others.
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/listeners.hpp"
#include "model/desired_state.hpp"
#include "tower/fleet_index.hpp"
#include "tower/repository.hpp"
#include "tower/session_hub.hpp"

namespace outpost::tower {

// What a pass has to look at; accumulated between passes.
struct PlacementChanges {
  bool everything = false;
  std::set<std::string> sites;
  std::set<std::string> deployments;
  std::set<std::string> applications;

  bool empty() const { return !everything && sites.empty() && deployments.empty() && applications.empty(); }
};

// Pure: the sites a pass must recompute. A site is concerned when it is named, when its desired
// state holds an application of a changed deployment or application (it may have to go), or when
// a changed deployment (or one of a changed application) selects it now.
std::set<std::string> concerned_sites(const PlacementChanges& changes, const std::map<std::string, FleetIndex::SiteEntry>& sites,
                                      const std::map<std::string, SiteDesired>& desired,
                                      const std::vector<Stored<Deployment>>& deployments);

class PlacementController {
 public:
  PlacementController(Repository& repo, FleetIndex& fleet, SessionHub& hub, boost::asio::any_io_executor executor);
  ~PlacementController();
  PlacementController(const PlacementController&) = delete;
  PlacementController& operator=(const PlacementController&) = delete;

  // Loads persisted desired states, starts watching and recomputes every site once.
  Status start();
  // Recomputes every site now.
  Status recompute();

  // Last computed desired state of a site, or null.
  const SiteDesired* desired(const std::string& site) const;
  // Told the site's name whenever its desired state is loaded, changes or goes.
  std::uint64_t subscribe(std::function<void(const std::string& site)> listener) { return listeners_.add(std::move(listener)); }
  void unsubscribe(std::uint64_t id) { listeners_.remove(id); }

  // Where a deployment's version for one site comes from while a rollout moves sites one by
  // one; nullopt (or no source) means the version the deployment names.
  using VersionSource = std::function<std::optional<std::string>(const Deployment&, const std::string& site)>;
  void set_version_source(VersionSource source) { version_source_ = std::move(source); }
  // The version source now answers differently for `deployment`: a pass soon over its sites.
  void deployment_changed(const std::string& deployment);


 private:
  // A pass under way: what it looks at and how far it got. Deployments are read once at its
  // start; a change during the pass is pending for the next one, which starts after it ends.
  struct Pass {
    std::chrono::steady_clock::time_point began;
    std::vector<Stored<Deployment>> deployments;
    std::vector<std::string> sites;
    std::size_t next = 0;
    std::map<std::pair<std::string, std::string>, std::optional<Stored<Application>>> applications;
    std::size_t changed = 0;
    std::vector<std::string> removed;
  };

  void schedule();
  Status begin_pass(PlacementChanges changes);
  // Places the next batch of sites, stores and pushes what changed; ends the pass after the last.
  Status step_pass();
  void continue_pass();
  // The site's next desired state, or nullopt when it does not change (or the site is gone).
  Result<std::optional<SiteDesired>> place(const std::string& site);
  SiteDesired fresh_desired(const std::string& site);

  Repository& repo_;
  FleetIndex& fleet_;
  SessionHub& hub_;
  boost::asio::any_io_executor executor_;
  std::map<std::string, SiteDesired> desired_;
  std::vector<Store::WatchId> watches_;
  PlacementChanges pending_;
  bool scheduled_ = false;
  std::optional<Pass> pass_;
  std::uint64_t fleet_subscription_ = 0;
  Listeners<std::string> listeners_;
  VersionSource version_source_;
};

}  // namespace outpost::tower

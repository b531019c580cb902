#pragma once
// Keeps every site's desired state equal to what placement says. It watches the store for
// changes to sites, hosts, deployments and applications, coalesces bursts into one pass on the
// io_context, persists each site's changed desired state and tells the session hub to push it.
#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "model/desired_state.hpp"
#include "tower/repository.hpp"
#include "tower/session_hub.hpp"

namespace outpost::tower {

class PlacementController {
 public:
  PlacementController(Repository& repo, SessionHub& hub, boost::asio::any_io_executor executor);
  ~PlacementController();
  PlacementController(const PlacementController&) = delete;
  PlacementController& operator=(const PlacementController&) = delete;

  // Loads persisted desired states, recomputes once and starts watching.
  Status start();
  // One full pass now.
  Status recompute();

  // Last computed desired state of a site, or null.
  const SiteDesired* desired(const std::string& site) const;

  // Where a deployment's version for one site comes from while a rollout moves sites one by
  // one; nullopt (or no source) means the version the deployment names.
  using VersionSource = std::function<std::optional<std::string>(const Deployment&, const std::string& site)>;
  void set_version_source(VersionSource source) { version_source_ = std::move(source); }
  // A pass soon, coalesced with any other request.
  void schedule();

 private:
  SiteDesired fresh_desired(const std::string& site);

  Repository& repo_;
  SessionHub& hub_;
  boost::asio::any_io_executor executor_;
  std::map<std::string, SiteDesired> desired_;
  std::vector<Store::WatchId> watches_;
  bool scheduled_ = false;
  VersionSource version_source_;
};

}  // namespace outpost::tower

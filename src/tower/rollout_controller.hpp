#pragma once
// Drives the pure rollout engine (src/rollout) for every deployment: it keeps what each placed
// site reports (connected, running version, healthy, upgrade window), steps the rollout once a
// second and whenever specs change, persists what changed (rollout_store.hpp), and tells
// placement which version each site must run. A tower that restarts loads the states and
// continues where they were.
//
// The work of a pass follows what changed: the hub, the fleet index and placement name the sites
// they changed, only those sites' views are built again, and a rollout at rest is stepped only
// when the view or record of one of its own sites, or its deployment, changed.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "rollout/rollout.hpp"
#include "tower/fleet_index.hpp"
#include "tower/repository.hpp"
#include "tower/rollout_store.hpp"
#include "tower/session_hub.hpp"

namespace outpost::tower {

class PlacementController;

class RolloutController {
 public:
  RolloutController(Repository& repo, FleetIndex& fleet, SessionHub& hub, PlacementController& placement,
                    const Clock& clock,
                    boost::asio::any_io_executor executor,
                    std::chrono::milliseconds period = std::chrono::seconds(1),
                    std::chrono::milliseconds reconnect_grace = std::chrono::seconds(20));
  ~RolloutController();
  RolloutController(const RolloutController&) = delete;
  RolloutController& operator=(const RolloutController&) = delete;

  // Loads the stored rollouts, watches the specs and starts stepping.
  Status start();
  // One pass over every deployment now.
  Status step_all();

  // The version `site` must run for `deployment`; nullopt when the deployment has no rollout
  // (yet), so placement uses the version the deployment names.
  std::optional<std::string> version_for(const Deployment& deployment, const std::string& site) const;

  // The rollout as `GET /v1/deployments/{name}/rollout` shows it; 404 when there is none.
  Result<Json> describe(const std::string& deployment) const;
  // promote, pause, resume, abort, rollback: applied, stored and stepped at once.
  Result<Json> command(const std::string& deployment, RolloutCommand command);

  // The work the passes did so far, which should follow what changed rather than the fleet's size.
  struct Counters {
    std::uint64_t steps = 0;        // rollouts stepped by the engine
    std::uint64_t views_built = 0;  // site views built
  };
  const Counters& counters() const { return counters_; }

 private:
  // The views of one deployment's placed sites, kept between passes and rebuilt only for the
  // sites that changed: at 10,000 sites building every view cost a step 100 ms.
  struct Views {
    std::int64_t deployment_revision = -1;  // the deployment's revision last seen
    std::string placement;                  // its placement expression and application when built
    std::string application;
    std::vector<SiteView> sites;            // by name
    bool moved = true;                      // a view changed since the last step that ran
  };

  void schedule();
  void tick();
  // Brings every live deployment's views up to date with the sites changed since the last pass.
  void refresh_views(const std::vector<Stored<Deployment>>& deployments);
  // The view of `site` for `deployment`; nullopt when the deployment does not place it.
  // `instances` holds the site's reports once fetched, for the next deployment to use.
  std::optional<SiteView> view_of(const Deployment& deployment, const std::string& site,
                                  std::optional<Json>& instances) const;
  // Sets `versions_changed` when placement must look at the deployment's sites again.
  Status step_deployment(const Stored<Deployment>& deployment, RolloutTime now, bool& versions_changed);
  // Removes the rollouts (and leftover keys) of deployments that are gone.
  void forget_removed(const std::set<std::string>& live);
  bool in_reconnect_grace(const std::vector<SiteView>& views) const;

  Repository& repo_;
  FleetIndex& fleet_;
  SessionHub& hub_;
  PlacementController& placement_;
  const Clock& clock_;
  boost::asio::any_io_executor executor_;
  std::chrono::milliseconds period_;
  std::chrono::milliseconds reconnect_grace_;
  Clock::time_point started_at_{};
  boost::asio::steady_timer timer_;
  RolloutStore stored_;
  std::map<std::string, StoredRollout> rollouts_;  // by deployment; what stored_ holds
  std::map<std::string, Views> views_;             // by deployment
  std::set<std::string> changed_sites_;            // since the last pass
  std::set<std::string> changed_records_;          // of those, sites whose record or hosts changed
  std::vector<Store::WatchId> watches_;
  std::uint64_t hub_subscription_ = 0;
  std::uint64_t fleet_subscription_ = 0;
  std::uint64_t placement_subscription_ = 0;
  bool scheduled_ = false;
  Counters counters_;
};

}  // namespace outpost::tower

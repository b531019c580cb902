#pragma once
// Drives the pure rollout engine (src/rollout) for every deployment: it builds what each placed
// site reports (connected, running version, healthy, upgrade window), steps the rollout once a
// second and whenever specs change, persists the state under /rollouts/<deployment> when it
// changed, and tells placement which version each site must run. A tower that restarts loads
// the states and continues where they were.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "rollout/rollout.hpp"
#include "tower/fleet_index.hpp"
#include "tower/repository.hpp"
#include "tower/session_hub.hpp"

namespace outpost::tower {

class PlacementController;

class RolloutController {
 public:
  RolloutController(Repository& repo, const FleetIndex& fleet, SessionHub& hub, PlacementController& placement,
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

 private:
  struct Tracked {
    std::string application;
    RolloutState state;
    // What the last step saw; a settled rollout whose inputs have not moved since is not
    // stepped again (at 10,000 sites a step is milliseconds, once a second per deployment).
    std::uint64_t inputs_seen = 0;
    std::int64_t deployment_revision = 0;
  };

  void schedule();
  void tick();
  // Sets `versions_changed` when placement must look at the deployment's sites again.
  Status step_deployment(const Stored<Deployment>& deployment, RolloutTime now, bool& versions_changed);
  std::uint64_t inputs_generation() const;
  std::vector<SiteView> site_views(const Deployment& deployment);
  Status persist(const std::string& deployment, const Tracked& tracked);
  bool in_reconnect_grace(const std::vector<SiteView>& views) const;

  Repository& repo_;
  const FleetIndex& fleet_;
  SessionHub& hub_;
  PlacementController& placement_;
  const Clock& clock_;
  boost::asio::any_io_executor executor_;
  std::chrono::milliseconds period_;
  std::chrono::milliseconds reconnect_grace_;
  Clock::time_point started_at_{};
  boost::asio::steady_timer timer_;
  std::map<std::string, Tracked> rollouts_;  // by deployment
  std::vector<Store::WatchId> watches_;
  bool scheduled_ = false;
};

}  // namespace outpost::tower

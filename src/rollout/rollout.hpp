#pragma once
// The rollout engine: pure. State, policy, what the sites report and the time go in; the version
// each site must run and the events of the transitions come out. No I/O, no clock, no threads:
// the tower persists RolloutState (JSON) and pushes the versions.
//
// Rules:
// - Canary: sites matching the canary expression (fixed when the rollout starts) upgrade first.
//   The canary passes when every canary site that is not disconnected has been healthy for the
//   canary healthy-for and at least one has; `promote` passes it at once. Any failed canary site
//   stops the rollout, whatever max-failed-sites says.
// - Batches: a batch starts only when no site of the previous one is upgrading or still inside
//   its healthy-for. It takes sites-in-parallel sites, sites that missed earlier batches
//   (disconnected or outside their window and now ready) first, then the rest by name.
// - A site that is disconnected when its turn comes is `pending` and a site outside its upgrade
//   window is `held`; neither fills a batch slot nor stalls the rollout. Both are taken by the
//   next batch they are ready for, or at once when the rollout is complete.
// - A site not healthy on the target within the policy's site-deadline fails; failed is final.
//   A site that turns unhealthy inside its healthy-for is upgrading again with a fresh deadline.
// - max-failed-sites is the number of failures tolerated: the rollout stops when failures exceed
//   it (so 0 stops at the first). Stopping rolls back or pauses as on-failure says; `resume`
//   accepts the failures seen so far and continues.
// - Rollback sends every site told to run anything but the previous version back to it; it is
//   done when every connected such site runs the previous version.
// - The rollout completes when no site is waiting, held or in a batch; pending sites then get the
//   target when they return.
// - Sites that leave the placement are dropped; sites that join it wait for a batch.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/deployment.hpp"
#include "model/label_expr.hpp"
#include "model/upgrade_window.hpp"
#include "rollout/rollout_state.hpp"

namespace outpost {

// What the tower knows of one placed site at the moment of a step.
struct SiteView {
  static inline const Labels no_labels{};

  std::string site;
  // Labels and window are borrowed: the tower keeps a view of every placed site for every
  // deployment, and copies of them per deployment would triple the views' memory. What they
  // point to must outlive the step.
  const Labels* labels = &no_labels;  // never null
  bool connected = true;
  std::string running_version;
  bool healthy = false;  // every instance of the application ready and running running_version
  const UpgradeWindow* window = nullptr;  // none = always open

  friend bool operator==(const SiteView&, const SiteView&) = default;
};

struct Decision {
  std::map<std::string, std::string> versions;  // site -> the version it must run now
  std::vector<RolloutEvent> new_events;
};

enum class RolloutCommand { promote, pause, resume, abort, rollback };
Result<RolloutCommand> parse_rollout_command(std::string_view text);

RolloutState start_rollout(const std::string& from_version, const std::string& to_version,
                           const std::vector<SiteView>& sites, const RolloutPolicy& policy, RolloutTime now);

Decision step(RolloutState& state, const RolloutPolicy& policy, const std::vector<SiteView>& sites,
              RolloutTime now);

// 409 "conflict" when the command makes no sense in the current phase, saying why.
Status apply_command(RolloutState& state, RolloutCommand command, RolloutTime now);

// A newer version arrived mid-rollout. The new rollout starts over from the canary towards
// `new_version`; its previous version (what rollback returns to) is the old rollout's previous
// version, or its target when that rollout had completed. Sites already told to run the old
// target keep running it until their turn in the new rollout comes.
RolloutState retarget(const RolloutState& state, const std::string& new_version,
                      const std::vector<SiteView>& sites, const RolloutPolicy& policy, RolloutTime now);

}  // namespace outpost

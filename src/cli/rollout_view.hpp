#pragma once
// What `outpost rollout status` shows, built from the rollout document of
// GET /v1/deployments/{name}/rollout (docs/api.md). The tower's JSON is untrusted here: absent or
// mistyped members render as "-" or are left out, never as a crash. Times on the wire are
// milliseconds since the epoch; ages are measured against a `now` the caller passes in.
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "cli/table.hpp"
#include "common/clock.hpp"
#include "common/json.hpp"
#include "common/result.hpp"

namespace outpost::cli {

inline constexpr int kProgressBarWidth = 20;

// "[##########----------] 50%": `percent` (clamped to 0..100) of `width` cells filled.
std::string progress_bar(int percent, int width = kProgressBarWidth);

// kubectl-style ages: "12s", "3m", "5h", "2d". A negative age (clock skew) reads "0s".
std::string age_text(std::chrono::milliseconds age);

// The age of a milliseconds-since-epoch member, or "-" when it is absent or not a number.
std::string age_cell(const Json& object, const char* key, Clock::time_point now);

// Deployment, Application, "Version: 1.0.0 → 2.0.0", Phase (with how long, and why when paused)
// and when the rollout started; one "Key:  value" line each.
std::string rollout_header(const Json& rollout, Clock::time_point now);

// The bar, then "2/4 sites healthy" and the non-zero counts of the other site states.
std::string progress_line(const Json& rollout);

// SITE STATE VERSION CANARY SINCE REASON, one row per site, in name order.
Table rollout_sites_table(const Json& rollout, Clock::time_point now);

// TIME SITE EVENT REASON for the `newest` most recent events, oldest of them first.
Table rollout_events_table(const Json& rollout, std::size_t newest);

// The whole `rollout status` screen: header, progress, sites and the newest `events` events.
std::string rollout_status_text(const Json& rollout, Clock::time_point now, std::size_t events);

// The phase as the tower named it, or "" when the document has none.
std::string rollout_phase(const Json& rollout);

// Why a rollout ended the way it did: the reason of its newest rollout-wide event that is not
// the rollback finishing (that one only says where the sites are now), else the paused reason.
std::string rollout_end_reason(const Json& rollout);

// `rollout status --watch`: fetch and show the rollout every `interval` until it ends. Complete
// is success; rolled-back and aborted are errors naming why; so is reaching `timeout` first.
// Clock and sleep are injected so the loop runs under simulated time in tests.
struct RolloutWatch {
  std::string name;  // the deployment, for messages
  std::chrono::milliseconds interval;
  std::chrono::milliseconds timeout;
  std::function<Result<Json>()> fetch;
  std::function<void(const Json& rollout)> show;
  std::function<void(std::chrono::milliseconds)> sleep;
  const Clock& clock;
};
Status watch_rollout(const RolloutWatch& watch);

}  // namespace outpost::cli

#pragma once
// The persistent state of one deployment's rollout. It round-trips through JSON losslessly so a
// tower that restarts mid-rollout continues where it was. Times are whole milliseconds: the
// engine floors every `now` it is given, so nothing finer is ever stored.
#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "common/json.hpp"

namespace outpost {

using RolloutTime = std::chrono::system_clock::time_point;

enum class SiteRolloutState {
  waiting,      // its batch has not come yet
  pending,      // its turn came while disconnected; it takes the target when it returns
  held,         // its turn came outside its upgrade window
  upgrading,    // told to run the target, not yet healthy on it
  healthy,      // healthy on the target since `since`
  failed,       // not healthy on the target within the site deadline
  rolled_back,  // sent back to the previous version
};

enum class RolloutPhase { canary, batches, paused, complete, rolling_back, rolled_back, aborted };

std::string to_string(SiteRolloutState state);
std::string to_string(RolloutPhase phase);

struct RolloutEvent {
  RolloutTime at;
  std::string kind;  // e.g. "site-upgrading", "canary-passed", "rollout-paused"
  std::string site;  // empty for events about the whole rollout
  std::string reason;

  Json to_json() const;
  friend bool operator==(const RolloutEvent&, const RolloutEvent&) = default;
};

struct SiteRollout {
  SiteRolloutState state = SiteRolloutState::waiting;
  RolloutTime since;
  std::string reason;
  std::string version;  // the version this site is told to run
  bool canary = false;

  Json to_json() const;
  static Result<SiteRollout> from_json(const Json& value, const std::string& field = "site");
  friend bool operator==(const SiteRollout&, const SiteRollout&) = default;
};

struct RolloutState {
  static constexpr std::size_t max_events = 200;

  std::string from_version;
  std::string to_version;
  RolloutPhase phase = RolloutPhase::batches;
  RolloutPhase resume_phase = RolloutPhase::batches;  // where `resume` returns to from `paused`
  std::string paused_reason;
  int accepted_failures = 0;  // failures a person resumed past; they no longer count
  RolloutTime started_at;
  RolloutTime phase_since;
  std::map<std::string, SiteRollout> sites;
  std::vector<RolloutEvent> events;  // the newest max_events

  void record(RolloutEvent event);
  int count(SiteRolloutState state) const;

  Json to_json() const;
  // to_json without "sites": a store keeps the sites apart, one key each. from_json reads it
  // back as a state without sites.
  Json header_json() const;
  static Result<RolloutState> from_json(const Json& value);
  friend bool operator==(const RolloutState&, const RolloutState&) = default;
};

// The summary `outpost rollout status` shows.
struct RolloutProgress {
  std::map<std::string, int> sites_by_state;  // every state, zero counts included
  int total = 0;
  int done = 0;  // healthy on the target
  int percent = 0;
  Json to_json() const;
};
RolloutProgress progress(const RolloutState& state);

}  // namespace outpost

#include "rollout/rollout.hpp"

#include <algorithm>

#include "common/duration.hpp"

namespace outpost {
namespace {

using std::chrono::milliseconds;
using State = SiteRolloutState;

// One step's working set: the state being changed, the views by name, and the event sink.
class Stepper {
 public:
  Stepper(RolloutState& state, const RolloutPolicy& policy, RolloutTime now, Decision& decision)
      : state_(state), policy_(policy), now_(now), decision_(decision) {}

  void note(std::string kind, std::string site, std::string reason) {
    RolloutEvent event{now_, std::move(kind), std::move(site), std::move(reason)};
    decision_.new_events.push_back(event);
    state_.record(std::move(event));
  }

  void move_site(const std::string& name, State to, std::string reason) {
    SiteRollout& site = state_.sites.at(name);
    site.state = to;
    site.since = now_;
    site.reason = reason;
    note("site-" + to_string(to), name, std::move(reason));
  }

  void enter_phase(RolloutPhase phase, std::string kind, std::string reason) {
    state_.phase = phase;
    state_.phase_since = now_;
    note(std::move(kind), "", std::move(reason));
  }

  void sync_membership(const std::map<std::string, const SiteView*>& views) {
    for (auto it = state_.sites.begin(); it != state_.sites.end();) {
      if (views.contains(it->first)) {
        ++it;
        continue;
      }
      note("site-removed", it->first, "no longer placed");
      it = state_.sites.erase(it);
    }
    for (const auto& [name, view] : views) {
      if (state_.sites.contains(name)) continue;
      SiteRollout site{State::waiting, now_, "joined the placement", state_.from_version,
                       policy_.canary && policy_.canary->sites.matches(*view->labels)};
      state_.sites.emplace(name, site);
      note("site-added", name, "joined the placement");
    }
  }

  // Canary sites are proven once the canary passed or was promoted.
  milliseconds healthy_for(const SiteRollout& site) const {
    if (!site.canary || !policy_.canary) return policy_.healthy_for;
    return state_.phase == RolloutPhase::canary ? policy_.canary->healthy_for : milliseconds::zero();
  }
  bool settled(const SiteRollout& site) const {
    return site.state == State::healthy && now_ - site.since >= healthy_for(site);
  }
  bool in_flight(const SiteRollout& site) const {
    return site.state == State::upgrading || (site.state == State::healthy && !settled(site));
  }

  // Upgrading sites become healthy or fail; unsettled healthy ones that falter upgrade again.
  void observe(const std::map<std::string, const SiteView*>& views) {
    for (auto& [name, site] : state_.sites) {
      const SiteView& view = *views.at(name);
      const bool on_target = view.running_version == state_.to_version && view.healthy;
      if (site.state == State::upgrading) {
        if (!view.connected)
          move_site(name, State::pending, "disconnected while upgrading");
        else if (on_target)
          move_site(name, State::healthy, "healthy on " + state_.to_version);
        else if (now_ - site.since >= policy_.site_deadline)
          move_site(name, State::failed,
                    "not healthy on " + state_.to_version + " within " + format_duration(policy_.site_deadline));
      } else if (site.state == State::healthy && !settled(site) && !on_target) {
        move_site(name, State::upgrading, "no longer healthy before its healthy-for passed");
      }
    }
  }

  // The site's turn has come: it upgrades, or is pending or held. True when it upgrades.
  bool take_turn(const std::string& name, const SiteView& view) {
    SiteRollout& site = state_.sites.at(name);
    if (!view.connected) {
      if (site.state != State::pending) move_site(name, State::pending, "disconnected when its turn came");
      return false;
    }
    if (view.window && !view.window->open_at(now_)) {
      if (site.state != State::held) move_site(name, State::held, "outside its upgrade window");
      return false;
    }
    site.version = state_.to_version;
    move_site(name, State::upgrading, "told to run " + state_.to_version);
    return true;
  }

  bool waiting_for_turn(const SiteRollout& site) const {
    return site.state == State::waiting || site.state == State::pending || site.state == State::held;
  }

  void run_canary(const std::map<std::string, const SiteView*>& views) {
    // Failures a person resumed past are accepted; any other failed canary stops the rollout.
    if (state_.count(State::failed) > state_.accepted_failures)
      for (const auto& [name, site] : state_.sites)
        if (site.canary && site.state == State::failed) return stop("canary site " + name + " failed: " + site.reason);
    for (const auto& [name, site] : state_.sites)
      if (site.canary && waiting_for_turn(site)) take_turn(name, *views.at(name));
    int proven = 0;
    for (const auto& [name, site] : state_.sites) {
      if (!site.canary || site.state == State::pending || site.state == State::failed) continue;
      if (!settled(site)) return;
      ++proven;
    }
    if (proven == 0) return;  // every canary site is disconnected: no evidence yet
    enter_phase(RolloutPhase::batches, "canary-passed",
                std::to_string(proven) + " canary site(s) healthy for " +
                    format_duration(policy_.canary ? policy_.canary->healthy_for : policy_.healthy_for));
  }

  void run_batches(const std::map<std::string, const SiteView*>& views) {
    const int failures = state_.count(State::failed) - state_.accepted_failures;
    if (failures > policy_.max_failed_sites)
      return stop(std::to_string(failures) + " site(s) failed, more than max-failed-sites " +
                  std::to_string(policy_.max_failed_sites));
    const bool batch_in_flight =
        std::any_of(state_.sites.begin(), state_.sites.end(), [&](const auto& entry) { return in_flight(entry.second); });
    if (!batch_in_flight) start_batch(views);
    const bool unfinished = std::any_of(state_.sites.begin(), state_.sites.end(), [&](const auto& entry) {
      const State s = entry.second.state;
      return s == State::waiting || s == State::held || in_flight(entry.second);
    });
    if (!unfinished) {
      const int pending = state_.count(State::pending);
      enter_phase(RolloutPhase::complete, "rollout-complete",
                  pending == 0 ? "every site ran " + state_.to_version
                               : std::to_string(pending) + " disconnected site(s) get " + state_.to_version +
                                     " when they return");
    }
  }

  void start_batch(const std::map<std::string, const SiteView*>& views) {
    std::vector<std::string> order;
    for (const auto& [name, site] : state_.sites)
      if (site.state == State::pending || site.state == State::held) order.push_back(name);
    for (const auto& [name, site] : state_.sites)
      if (site.state == State::waiting) order.push_back(name);
    int started = 0;
    for (const auto& name : order) {
      if (started >= policy_.sites_in_parallel) break;
      if (take_turn(name, *views.at(name))) ++started;
    }
  }

  void run_complete(const std::map<std::string, const SiteView*>& views) {
    for (const auto& [name, site] : state_.sites)
      if (waiting_for_turn(site)) take_turn(name, *views.at(name));
  }

  void stop(const std::string& reason) {
    if (policy_.rollback_on_failure) return begin_rollback("rollout-failed", reason);
    state_.resume_phase = state_.phase;
    state_.paused_reason = reason;
    enter_phase(RolloutPhase::paused, "rollout-paused", reason);
  }

  void begin_rollback(std::string kind, const std::string& reason) {
    enter_phase(RolloutPhase::rolling_back, std::move(kind), reason + "; rolling back to " + state_.from_version);
    for (auto& [name, site] : state_.sites) {
      if (site.version == state_.from_version) continue;
      site.version = state_.from_version;
      move_site(name, State::rolled_back, "sent back to " + state_.from_version);
    }
  }

  void run_rolling_back(const std::map<std::string, const SiteView*>& views) {
    for (const auto& [name, site] : state_.sites) {
      const SiteView& view = *views.at(name);
      if (site.state == State::rolled_back && view.connected && view.running_version != state_.from_version) return;
    }
    enter_phase(RolloutPhase::rolled_back, "rollback-complete", "every connected site runs " + state_.from_version);
  }

 private:
  RolloutState& state_;
  const RolloutPolicy& policy_;
  RolloutTime now_;
  Decision& decision_;
};

RolloutTime whole_millis(RolloutTime t) { return std::chrono::floor<milliseconds>(t); }

bool running(RolloutPhase phase) { return phase == RolloutPhase::canary || phase == RolloutPhase::batches; }

}  // namespace

Result<RolloutCommand> parse_rollout_command(std::string_view text) {
  if (text == "promote") return RolloutCommand::promote;
  if (text == "pause") return RolloutCommand::pause;
  if (text == "resume") return RolloutCommand::resume;
  if (text == "abort") return RolloutCommand::abort;
  if (text == "rollback") return RolloutCommand::rollback;
  return bad_request("unknown rollout command \"" + std::string(text) +
                         "\"; expected promote, pause, resume, abort or rollback",
                     "command");
}

RolloutState start_rollout(const std::string& from_version, const std::string& to_version,
                           const std::vector<SiteView>& sites, const RolloutPolicy& policy, RolloutTime now) {
  now = whole_millis(now);
  RolloutState state;
  state.from_version = from_version;
  state.to_version = to_version;
  state.started_at = now;
  state.phase_since = now;
  int canaries = 0;
  for (const auto& view : sites) {
    const bool canary = policy.canary && policy.canary->sites.matches(*view.labels);
    canaries += canary ? 1 : 0;
    state.sites[view.site] = SiteRollout{State::waiting, now, "waiting for its turn", from_version, canary};
  }
  state.phase = canaries > 0 ? RolloutPhase::canary : RolloutPhase::batches;
  state.record({now, "rollout-started", "",
                "from " + from_version + " to " + to_version + " over " + std::to_string(sites.size()) + " site(s)"});
  if (policy.canary && canaries == 0)
    state.record({now, "canary-skipped", "", "no placed site matches the canary expression " + policy.canary->sites.text()});
  return state;
}

Decision step(RolloutState& state, const RolloutPolicy& policy, const std::vector<SiteView>& sites, RolloutTime now) {
  now = whole_millis(now);
  Decision decision;
  Stepper stepper(state, policy, now, decision);
  std::map<std::string, const SiteView*> views;
  for (const auto& view : sites) views[view.site] = &view;
  stepper.sync_membership(views);
  if (running(state.phase) || state.phase == RolloutPhase::paused || state.phase == RolloutPhase::complete)
    stepper.observe(views);
  const RolloutPhase phase_before = state.phase;
  switch (state.phase) {
    case RolloutPhase::canary: stepper.run_canary(views); break;
    case RolloutPhase::batches: stepper.run_batches(views); break;
    case RolloutPhase::complete: stepper.run_complete(views); break;
    case RolloutPhase::rolling_back: stepper.run_rolling_back(views); break;
    case RolloutPhase::paused:
    case RolloutPhase::rolled_back:
    case RolloutPhase::aborted: break;
  }
  // The canary may pass and the first batch start within the same step.
  if (phase_before == RolloutPhase::canary && state.phase == RolloutPhase::batches) stepper.run_batches(views);
  for (const auto& [name, site] : state.sites) decision.versions[name] = site.version;
  return decision;
}

Status apply_command(RolloutState& state, RolloutCommand command, RolloutTime now) {
  now = whole_millis(now);
  RolloutPolicy unused_policy;
  Decision sink;
  Stepper stepper(state, unused_policy, now, sink);
  const std::string phase = "the rollout is " + to_string(state.phase);
  switch (command) {
    case RolloutCommand::promote:
      if (state.phase != RolloutPhase::canary) return conflict("promote applies only during the canary; " + phase);
      stepper.enter_phase(RolloutPhase::batches, "canary-promoted", "promoted by a person");
      return {};
    case RolloutCommand::pause:
      if (!running(state.phase)) return conflict("only a running rollout can be paused; " + phase);
      state.resume_phase = state.phase;
      state.paused_reason = "paused by a person";
      stepper.enter_phase(RolloutPhase::paused, "rollout-paused", state.paused_reason);
      return {};
    case RolloutCommand::resume:
      if (state.phase != RolloutPhase::paused) return conflict("only a paused rollout can be resumed; " + phase);
      state.accepted_failures = state.count(State::failed);
      state.paused_reason.clear();
      stepper.enter_phase(state.resume_phase, "rollout-resumed",
                          "resumed by a person, accepting " + std::to_string(state.accepted_failures) +
                              " failed site(s)");
      return {};
    case RolloutCommand::abort:
      if (!running(state.phase) && state.phase != RolloutPhase::paused)
        return conflict("only an unfinished rollout can be aborted; " + phase);
      stepper.enter_phase(RolloutPhase::aborted, "rollout-aborted", "aborted by a person; every site keeps its version");
      return {};
    case RolloutCommand::rollback:
      if (!running(state.phase) && state.phase != RolloutPhase::paused && state.phase != RolloutPhase::complete)
        return conflict("there is nothing to roll back; " + phase);
      stepper.begin_rollback("rollback-requested", "rollback requested by a person");
      return {};
  }
  return {};
}

RolloutState retarget(const RolloutState& state, const std::string& new_version, const std::vector<SiteView>& sites,
                      const RolloutPolicy& policy, RolloutTime now) {
  if (new_version == state.to_version) return state;
  const std::string previous =
      state.phase == RolloutPhase::complete ? state.to_version : state.from_version;
  RolloutState next = start_rollout(previous, new_version, sites, policy, now);
  for (auto& [name, site] : next.sites)
    if (auto old = state.sites.find(name); old != state.sites.end()) site.version = old->second.version;
  // After a completed or rolled-back rollout the new one simply starts: nothing was under way
  // to retarget, and every site runs the version the new rollout starts from.
  if (state.phase != RolloutPhase::complete && state.phase != RolloutPhase::rolled_back)
    next.record({next.started_at, "rollout-retargeted", "",
                 new_version + " arrived while rolling out " + state.to_version + " (" + to_string(state.phase) +
                     "); sites keep their version until their turn"});
  return next;
}

}  // namespace outpost

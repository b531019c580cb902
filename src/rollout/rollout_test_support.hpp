#pragma once
// A simulated fleet for rollout tests: each connected site runs what it is told at once and is
// healthy on it unless the test broke that version there.
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "rollout/rollout.hpp"

namespace outpost::rollout_test {

using namespace std::chrono_literals;

// Monday 2026-11-23 10:00 UTC.
inline const RolloutTime monday_10am = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + 10h;

class Fleet {
 public:
  explicit Fleet(const std::vector<std::string>& names, const std::string& version = "1.0.0") {
    for (const auto& name : names) {
      const Labels& labels = labels_[name] = {{"name", name}};
      sites_.push_back(SiteView{name, &labels, true, version, true, nullptr});
    }
  }
  // The views point into labels_ and windows_, whose nodes a move carries along and a copy
  // would not.
  Fleet(Fleet&&) = default;
  Fleet& operator=(Fleet&&) = default;
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  Labels& labels(const std::string& name) { return labels_.at(name); }
  void set_window(const std::string& name, const UpgradeWindow& window) {
    site(name).window = &(windows_[name] = window);
  }

  SiteView& site(const std::string& name) {
    for (auto& view : sites_)
      if (view.site == name) return view;
    throw std::out_of_range(name);  // a typo in a test, not a runtime path
  }
  const std::vector<SiteView>& views() const { return sites_; }
  void remove(const std::string& name) {
    std::erase_if(sites_, [&](const SiteView& view) { return view.site == name; });
  }
  void break_version(const std::string& name, const std::string& version) { broken_.insert({name, version}); }

  // The sites act on a decision the way agents would before the next step.
  void obey(const Decision& decision) {
    for (auto& view : sites_) {
      auto told = decision.versions.find(view.site);
      if (!view.connected || told == decision.versions.end()) continue;
      view.running_version = told->second;
      view.healthy = !broken_.contains({view.site, told->second});
    }
  }

 private:
  std::vector<SiteView> sites_;
  std::map<std::string, Labels> labels_;
  std::map<std::string, UpgradeWindow> windows_;
  std::set<std::pair<std::string, std::string>> broken_;
};

inline bool has_event(const RolloutState& state, const std::string& kind, const std::string& site = {}) {
  for (const auto& event : state.events)
    if (event.kind == kind && (site.empty() || event.site == site)) return true;
  return false;
}

inline const RolloutEvent* last_event(const RolloutState& state, const std::string& kind) {
  for (auto it = state.events.rbegin(); it != state.events.rend(); ++it)
    if (it->kind == kind) return &*it;
  return nullptr;
}

inline RolloutPolicy policy_from(const std::string& json) {
  auto policy = RolloutPolicy::from_json(Json::parse(json));
  if (!policy) throw std::runtime_error(policy.error().message);
  return *policy;
}

// Drives one rollout: a step at `now`, then the fleet obeys.
struct Driver {
  RolloutState state;
  RolloutPolicy policy;
  Fleet& fleet;
  RolloutTime now;

  Decision tick(std::chrono::milliseconds advance = 0ms) {
    now += advance;
    Decision decision = step(state, policy, fleet.views(), now);
    fleet.obey(decision);
    return decision;
  }
  // Steps every `period` for `total`, the way the tower's loop would.
  Decision run_for(std::chrono::milliseconds total, std::chrono::milliseconds period = 30s) {
    Decision last = tick();
    for (auto elapsed = period; elapsed <= total; elapsed += period) last = tick(period);
    return last;
  }
};

inline Driver drive(Fleet& fleet, const RolloutPolicy& policy, RolloutTime now = monday_10am) {
  return Driver{start_rollout("1.0.0", "2.0.0", fleet.views(), policy, now), policy, fleet, now};
}

}  // namespace outpost::rollout_test

#include "agent/supervisor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace outpost::agent {
namespace {

bool stopped(const ContainerInfo& info) { return info.state == "exited" || info.state == "dead"; }

}  // namespace

std::vector<ObservedExit> HealthSupervisor::observe(const std::vector<PlannedContainer>& plan,
                                                    const std::vector<ContainerInfo>& actual, TimePoint now) {
  std::map<std::string, const ContainerInfo*> by_name;
  for (const auto& info : actual) by_name[info.name] = &info;
  std::vector<ObservedExit> exits;
  std::set<std::string> planned_names;
  for (const auto& planned : plan) {
    planned_names.insert(planned.name);
    auto it = entries_.find(planned.name);
    if (it == entries_.end() || !it->second.definition.matches(planned)) {
      // The tower validated both; a failure here means an agent older than the spec, and the
      // container still runs, judged by no probes rather than not at all.
      auto probes = parse_probe_set(planned.probes, "probes");
      if (!probes) spdlog::warn("{}: ignoring probes: {}", planned.name, probes.error().message);
      auto policy = parse_restart_policy(planned.restart);
      ProbeSet set = probes ? *probes : ProbeSet{};
      Entry entry{next_generation_++, Definition{planned.spec_hash, planned.probes, planned.restart},
                  ContainerHealth(set, policy ? *policy : RestartPolicy::always, backoff_), set, {}, {}, {}, {}, false};
      it = entries_.insert_or_assign(planned.name, std::move(entry)).first;
    }
    Entry& entry = it->second;
    entry.ports = planned.ports;
    auto found = by_name.find(planned.name);
    // A container under this name from an older spec is about to be replaced: what it does
    // says nothing about the planned one.
    if (found == by_name.end() || label_of(*found->second, labels::spec_hash) != planned.spec_hash) continue;
    const ContainerInfo& info = *found->second;
    const bool first_sight = !entry.observed;
    entry.observed = true;
    entry.container = info;
    if (info.state == "running") {
      if (!entry.health.running() || info.started_at != entry.seen_started_at || info.id != entry.seen_id) {
        if (entry.health.live())
          spdlog::info("{} was started again outside the agent (started at {}, before at {})", planned.name,
                       info.started_at, entry.seen_started_at);
        entry.health.container_started(now);
        entry.seen_started_at = info.started_at;
        entry.seen_id = info.id;
      }
    } else if (stopped(info)) {
      // Found stopped on first sight (the agent restarted, or a create whose start failed):
      // counted as a run that ended now, so the restart policy and its backoff apply.
      if (first_sight) entry.health.container_started(now);
      if (entry.health.running()) exits.push_back({planned.name, info.id, info.exit_code});
    }
  }
  std::erase_if(entries_, [&](const auto& item) { return !planned_names.contains(item.first); });
  return exits;
}

void HealthSupervisor::record_exit(const std::string& name, int exit_code, std::vector<std::string> last_lines,
                                   TimePoint now) {
  auto it = entries_.find(name);
  if (it == entries_.end()) return;
  it->second.health.container_exited(now, exit_code, std::move(last_lines));
}

std::vector<DueRestart> HealthSupervisor::due_restarts(TimePoint now) const {
  std::vector<DueRestart> due;
  for (const auto& [name, entry] : entries_) {
    if (!entry.observed) continue;
    RestartDecision decision = entry.health.restart_decision(now);
    if (decision.action != RestartDecision::Action::restart_now) continue;
    due.push_back({name, entry.container.id, entry.health.running(), decision.reason});
  }
  return due;
}

std::set<std::string> HealthSupervisor::exited_restarts_due(TimePoint now) const {
  std::set<std::string> names;
  for (const auto& restart : due_restarts(now))
    if (!restart.still_running) names.insert(restart.name);
  return names;
}

std::vector<DueProbe> HealthSupervisor::start_due_probes(TimePoint now) {
  std::vector<DueProbe> due;
  for (auto& [name, entry] : entries_) {
    if (entry.container.state != "running") continue;
    for (ProbeKind kind : entry.health.due_probes(now)) {
      entry.health.probe_started(kind, now);
      due.push_back({name, entry.generation, kind, *entry.probes.get(kind), entry.container, entry.ports});
    }
  }
  return due;
}

bool HealthSupervisor::probe_finished(const std::string& name, std::uint64_t generation, ProbeKind kind, bool ok,
                                      std::string message, TimePoint now) {
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.generation != generation) return false;
  it->second.health.probe_result(kind, ok, std::move(message), now);
  return true;
}

std::optional<TimePoint> HealthSupervisor::next_due(TimePoint now) const {
  std::optional<TimePoint> next;
  auto consider = [&next](TimePoint at) {
    if (!next || at < *next) next = at;
  };
  for (const auto& [name, entry] : entries_) {
    if (auto probe = entry.health.next_probe_at()) consider(*probe);
    RestartDecision decision = entry.health.restart_decision(now);
    if (decision.action == RestartDecision::Action::restart_at || decision.action == RestartDecision::Action::restart_now)
      consider(decision.at);
  }
  return next;
}

Json HealthSupervisor::status(const std::string& name, TimePoint now) const {
  auto it = entries_.find(name);
  if (it == entries_.end() || !it->second.observed) return nullptr;
  Json out = it->second.health.status_json(now);
  if (out.contains("last_probe")) out["last_probe"].erase("at");
  return out;
}

bool HealthSupervisor::status_changes_with_time(const std::string& name) const {
  auto it = entries_.find(name);
  return it != entries_.end() && it->second.observed && it->second.health.changes_with_time();
}

bool HealthSupervisor::any_status_changes_with_time() const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [](const auto& entry) { return entry.second.observed && entry.second.health.changes_with_time(); });
}

bool HealthSupervisor::ready(const std::string& name) const {
  auto it = entries_.find(name);
  return it != entries_.end() && it->second.health.ready();
}

}  // namespace outpost::agent

#pragma once
// Ties the pure health state machine (agent/health.hpp) to the containers the engine reports:
// one ContainerHealth per planned container, fed with starts and exits seen in engine listings
// and with probe results, and asked which containers are due a restart. Still no I/O: the
// runtime lists, fetches logs, runs probes and restarts; this class only keeps the books.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/health.hpp"
#include "engine/engine.hpp"
#include "model/render.hpp"

namespace outpost::agent {

// A container that stopped since the last observation; the runtime fetches its last output lines
// and passes them to record_exit().
struct ObservedExit {
  std::string name;
  std::string container_id;
  int exit_code = 0;
};

// A probe due now, with what running it needs.
struct DueProbe {
  std::string name;
  std::uint64_t generation = 0;  // results for an older generation of the entry are dropped
  ProbeKind kind = ProbeKind::readiness;
  ProbeSpec spec;
  ContainerInfo container;
  std::vector<PublishedPort> ports;
};

struct DueRestart {
  std::string name;
  std::string container_id;
  bool still_running = false;  // failed liveness: stop before starting again
  std::string reason;
};

class HealthSupervisor {
 public:
  explicit HealthSupervisor(BackoffPolicy backoff = {}) : backoff_(backoff) {}

  // Matches the plan with what the engine lists at `now`: creates, replaces (spec, probes or
  // restart policy changed) and forgets entries, records starts, and returns the exits to record.
  std::vector<ObservedExit> observe(const std::vector<PlannedContainer>& plan,
                                    const std::vector<ContainerInfo>& actual, TimePoint now);
  void record_exit(const std::string& name, int exit_code, std::vector<std::string> last_lines, TimePoint now);

  // Containers whose restart is due now. Exited ones are started by the reconciler (it gets
  // their names); running ones failed liveness and the runtime stops and starts them.
  std::vector<DueRestart> due_restarts(TimePoint now) const;
  std::set<std::string> exited_restarts_due(TimePoint now) const;

  std::vector<DueProbe> start_due_probes(TimePoint now);
  // False when the entry was replaced or forgotten since the probe started.
  bool probe_finished(const std::string& name, std::uint64_t generation, ProbeKind kind, bool ok,
                      std::string message, TimePoint now);

  // When the earliest probe or restart falls due, if any.
  std::optional<TimePoint> next_due(TimePoint now) const;

  // The health fields of one container's status (state, ready, restarts, last_probe, last_exit,
  // crash_loop, next_restart_at), without per-probe timestamps so that a status only changes
  // when something a person would notice changed. Null when the container is unknown.
  Json status(const std::string& name, TimePoint now) const;
  // Whether that status can change with time alone (ContainerHealth::changes_with_time).
  bool status_changes_with_time(const std::string& name) const;
  bool any_status_changes_with_time() const;
  bool ready(const std::string& name) const;

 private:
  // What a container's health history belongs to: a change starts a fresh history.
  struct Definition {
    std::string spec_hash;
    Json probes;
    std::string restart;
    // Compared field by field, without copying: every reconcile pass (each 5 s on every host)
    // looks at every container.
    bool matches(const PlannedContainer& planned) const {
      return spec_hash == planned.spec_hash && probes == planned.probes && restart == planned.restart;
    }
  };
  struct Entry {
    std::uint64_t generation = 0;
    Definition definition;
    ContainerHealth health;
    ProbeSet probes;
    std::vector<PublishedPort> ports;
    ContainerInfo container;  // as last listed
    std::string seen_started_at;  // a start the agent did not see shows as a new time or id
    std::string seen_id;
    bool observed = false;  // seen in a listing at least once
  };

  BackoffPolicy backoff_;
  std::map<std::string, Entry> entries_;
  std::uint64_t next_generation_ = 1;
};

}  // namespace outpost::agent

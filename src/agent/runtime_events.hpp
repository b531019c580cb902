#pragma once
// Turns what the runtime saw and did into events for the journal (agent/event_journal.hpp):
// pure functions, so the wording and the choice of what is worth an event are tested alone.
#include <string>
#include <vector>

#include "agent/container_status.hpp"
#include "agent/executor.hpp"
#include "agent/reconciler.hpp"

namespace outpost::agent {

struct EventDraft {
  std::string kind, level, message;
  std::string app, instance, container;
  bool operator==(const EventDraft&) const = default;
};

// What a reconcile pass did: "pulled", "created", "replaced", "started", "removed", or
// "<verb>-failed" with the engine's error. A removal followed by a creation under the same
// name is one "replaced". `known` (the last status) names the app and instance of containers
// the plan no longer has.
std::vector<EventDraft> action_events(const std::vector<Action>& actions, const ExecutionReport& report,
                                      const StatusMap& known);

// What changed between two status reports that a person would want in the history: a crash
// loop entered, a render error appearing.
std::vector<EventDraft> status_events(const StatusMap& before, const StatusMap& after);

// Readiness as a person would tell it: "ready" when a container first becomes ready (a new one,
// or the same one after its readiness probe failed), "not-ready" when a ready container's
// readiness probe fails. Status reports also lose readiness for a moment while a container is
// replaced or restarted; those have their own events and are not told again here.
class ReadinessEvents {
 public:
  std::vector<EventDraft> observe(const StatusMap& status);

 private:
  struct Told {
    std::string container_id;
    bool ready = false;
  };
  std::map<std::string, Told> told_;  // by container name
};

// A container that exited on its own, with the last line it printed.
EventDraft exit_event(const ContainerStatus& status, int exit_code, const std::vector<std::string>& last_output);

}  // namespace outpost::agent

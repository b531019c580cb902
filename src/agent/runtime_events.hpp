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

// What changed between two status reports that a person would want in the history: readiness
// gained or lost, a crash loop entered, a render error appearing.
std::vector<EventDraft> status_events(const StatusMap& before, const StatusMap& after);

// A container that exited on its own, with the last line it printed.
EventDraft exit_event(const ContainerStatus& status, int exit_code, const std::vector<std::string>& last_output);

}  // namespace outpost::agent

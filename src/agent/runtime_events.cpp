#include "agent/runtime_events.hpp"

#include <algorithm>
#include <set>

namespace outpost::agent {

namespace {

std::string with_reason(std::string text, const std::string& reason) {
  return reason.empty() ? text : text + " (" + reason + ")";
}

// Events name containers as the spec does (app, instance, container), like status reports.
void identify(EventDraft& draft, const Action& action, const StatusMap& known) {
  draft.container = action.name;
  if (!action.planned.app.empty()) {
    draft.app = action.planned.app;
    draft.instance = action.planned.instance;
    draft.container = action.planned.container;
  } else if (auto it = known.find(action.name); it != known.end() && !it->second.app.empty()) {
    draft.app = it->second.app;
    draft.instance = it->second.instance;
    draft.container = it->second.container;
  }
}

std::string last_probe_message(const Json& health) {
  if (!health.is_object() || !health.contains("last_probe")) return {};
  const Json& probe = health["last_probe"];
  if (probe.value("ok", true)) return {};
  return probe.value("probe", std::string("probe")) + " probe failed: " + probe.value("message", std::string{});
}

}  // namespace

std::vector<EventDraft> action_events(const std::vector<Action>& actions, const ExecutionReport& report,
                                      const StatusMap& known) {
  std::vector<EventDraft> out;
  std::set<std::string> removed_then_created;
  for (const auto& action : actions)
    if (action.kind == Action::Kind::remove) removed_then_created.insert(action.name);
  std::set<std::string> failed_reported;
  for (const auto& action : actions) {
    EventDraft draft;
    if (action.kind == Action::Kind::pull) {
      auto pulled = report.pulls.find(action.image);
      if (pulled == report.pulls.end()) continue;
      if (pulled->second) {
        draft = {"pulled", "info", "image " + action.image + " pulled", {}, {}, {}};
      } else {
        draft = {"pull-failed", "error", "cannot pull " + action.image + ": " + pulled->second.error().message, {}, {}, {}};
      }
      out.push_back(std::move(draft));
      continue;
    }
    identify(draft, action, known);
    auto outcome = report.outcomes.find(action.name);
    if (outcome != report.outcomes.end() && !outcome->second) {
      if (!failed_reported.insert(action.name).second) continue;
      // Named after what was meant to happen to the container: a replacement that failed at its
      // removal or at its image is a failed create.
      auto final_kind = action.kind;
      for (const auto& other : actions)
        if (other.name == action.name && other.kind != Action::Kind::pull) final_kind = other.kind;
      const char* verb = final_kind == Action::Kind::remove ? "remove" : final_kind == Action::Kind::start ? "start" : "create";
      draft.kind = std::string(verb) + "-failed";
      draft.level = "error";
      draft.message = "cannot " + std::string(verb) + " " + action.name + ": " + outcome->second.error().message;
      out.push_back(std::move(draft));
      continue;
    }
    switch (action.kind) {
      case Action::Kind::remove: {
        const bool recreated = std::ranges::any_of(actions, [&](const Action& other) {
          return other.kind == Action::Kind::create_and_start && other.name == action.name;
        });
        if (recreated) continue;  // told once, as "replaced"
        draft.kind = "removed";
        draft.message = with_reason("removed", action.reason);
        break;
      }
      case Action::Kind::create_and_start:
        draft.kind = removed_then_created.contains(action.name) ? "replaced" : "created";
        draft.message = with_reason((draft.kind == "replaced" ? "replaced, now from " : "created and started from ") +
                                        action.planned.image,
                                    action.reason);
        break;
      case Action::Kind::start:
        draft.kind = "started";
        draft.message = with_reason("started again", action.reason);
        break;
      case Action::Kind::pull: break;
    }
    draft.level = "info";
    out.push_back(std::move(draft));
  }
  return out;
}

std::vector<EventDraft> status_events(const StatusMap& before, const StatusMap& after) {
  std::vector<EventDraft> out;
  for (const auto& [name, now] : after) {
    auto previous = before.find(name);
    const ContainerStatus* was = previous == before.end() ? nullptr : &previous->second;
    EventDraft draft{{}, {}, {}, now.app, now.instance, now.container};
    if (now.container.empty()) {  // a render error
      if (!was || was->message != now.message) {
        draft.kind = "render-failed";
        draft.level = "error";
        draft.message = now.message;
        out.push_back(draft);
      }
      continue;
    }
    const bool looping = now.health.is_object() && now.health.contains("crash_loop");
    const bool was_looping = was && was->health.is_object() && was->health.contains("crash_loop");
    if (looping && !was_looping) {
      const Json& crash = now.health["crash_loop"];
      draft.kind = "crash-loop";
      draft.level = "error";
      draft.message = "crash loop: " + std::to_string(crash.value("failures_in_a_row", 0)) + " failed runs in a row";
      if (crash.contains("exit_code")) draft.message += ", last exit code " + std::to_string(crash.value("exit_code", 0));
      if (crash.contains("last_output") && crash["last_output"].is_array() && !crash["last_output"].empty())
        draft.message += ": " + crash["last_output"].back().get<std::string>();
      out.push_back(draft);
    }
  }
  return out;
}

std::vector<EventDraft> ReadinessEvents::observe(const StatusMap& status) {
  std::vector<EventDraft> out;
  std::erase_if(told_, [&](const auto& entry) { return !status.contains(entry.first); });
  for (const auto& [name, now] : status) {
    if (now.container.empty() || now.container_id.empty()) continue;
    EventDraft draft{{}, {}, {}, now.app, now.instance, now.container};
    auto told = told_.find(name);
    if (now.ready() && now.state == "running") {
      if (told != told_.end() && told->second.ready && told->second.container_id == now.container_id) continue;
      draft.kind = "ready";
      draft.level = "info";
      draft.message = "ready";
      told_[name] = {now.container_id, true};
      out.push_back(draft);
      continue;
    }
    const std::string failure = last_probe_message(now.health);
    if (told == told_.end() || !told->second.ready || told->second.container_id != now.container_id ||
        failure.empty() || now.state != "running")
      continue;
    draft.kind = "not-ready";
    draft.level = "warning";
    draft.message = failure;
    told->second.ready = false;
    out.push_back(draft);
  }
  return out;
}

EventDraft exit_event(const ContainerStatus& status, int exit_code, const std::vector<std::string>& last_output) {
  std::string message = "exited with code " + std::to_string(exit_code);
  if (!last_output.empty()) message += ": " + last_output.back();
  return {"exited", exit_code == 0 ? "info" : "warning", std::move(message), status.app, status.instance,
          status.container};
}

}  // namespace outpost::agent

#include "agent/health.hpp"

#include <algorithm>
#include <cstddef>

namespace outpost::agent {
namespace {

std::string exit_reason(int exit_code) { return "exited with code " + std::to_string(exit_code); }

Json lines_json(const std::vector<std::string>& lines) {
  Json out = Json::array();
  for (const auto& line : lines) out.push_back(line);
  return out;
}

}  // namespace

ContainerHealth::ContainerHealth(ProbeSet probes, RestartPolicy policy, BackoffPolicy backoff)
    : probes_(std::move(probes)), policy_(policy), backoff_(backoff) {}

void ContainerHealth::container_started(TimePoint t) {
  if (ever_started_) ++restarts_;
  ever_started_ = true;
  running_ = true;
  run_failed_ = false;
  run_ended_at_.reset();
  end_reason_.clear();
  started_at_ = t;
  for (auto& probe_state : states_) probe_state = ProbeState{};
  update_ready_since(t);
}

void ContainerHealth::container_exited(TimePoint t, int exit_code, std::vector<std::string> last_output_lines) {
  if (last_output_lines.size() > backoff_.output_lines_kept)
    last_output_lines.erase(last_output_lines.begin(),
                            last_output_lines.end() - static_cast<std::ptrdiff_t>(backoff_.output_lines_kept));
  last_exit_ = Exit{t, exit_code, std::move(last_output_lines)};
  // An exit without a start (a container found stopped) is recorded but decides nothing.
  if (!running_) return;
  // After a failed liveness probe the run already ended; this exit is the kill taking effect.
  if (!run_ended_at_) {
    run_failed_ = exit_code != 0;
    end_run(t, exit_reason(exit_code));
  }
  running_ = false;
  update_ready_since(t);
}

void ContainerHealth::probe_started(ProbeKind kind, TimePoint t) {
  if (!due_at(kind)) return;
  ProbeState& probe_state = state(kind);
  probe_state.in_flight = true;
  probe_state.last_started = t;
}

void ContainerHealth::probe_result(ProbeKind kind, bool ok, std::string message, TimePoint t) {
  if (!running_ || run_ended_at_ || !probes_.get(kind) || gated(kind)) return;
  ProbeState& probe_state = state(kind);
  if (kind == ProbeKind::startup && probe_state.passing) return;
  const ProbeSpec& spec = *probes_.get(kind);
  probe_state.in_flight = false;
  if (!probe_state.last_started) probe_state.last_started = t;
  if (ok) {
    probe_state.failures = 0;
    if (++probe_state.successes >= spec.success_threshold) probe_state.passing = true;
  } else {
    probe_state.successes = 0;
    if (++probe_state.failures >= spec.failure_threshold) {
      probe_state.passing = false;
      // A failed startup probe means the process will not come up: treated like liveness.
      if (kind != ProbeKind::readiness) {
        run_failed_ = true;
        end_run(t, std::string(probe_kind_name(kind)) + " probe failed: " + message);
      }
    }
  }
  last_probe_ = ProbeOutcome{kind, ok, std::move(message), t};
  update_ready_since(t);
}

bool ContainerHealth::gated(ProbeKind kind) const {
  return kind != ProbeKind::startup && probes_.startup && !state(ProbeKind::startup).passing;
}

std::optional<TimePoint> ContainerHealth::due_at(ProbeKind kind) const {
  const auto& spec = probes_.get(kind);
  const ProbeState& probe_state = state(kind);
  if (!spec || !running_ || run_ended_at_ || gated(kind) || probe_state.in_flight) return std::nullopt;
  if (kind == ProbeKind::startup && probe_state.passing) return std::nullopt;
  TimePoint first = started_at_ + spec->initial_delay;
  if (!probe_state.last_started) return first;
  return std::max(first, *probe_state.last_started + spec->period);
}

std::vector<ProbeKind> ContainerHealth::due_probes(TimePoint t) const {
  std::vector<ProbeKind> due;
  for (ProbeKind kind : all_probe_kinds) {
    if (auto at = due_at(kind); at && *at <= t) due.push_back(kind);
  }
  return due;
}

std::optional<TimePoint> ContainerHealth::next_probe_at() const {
  std::optional<TimePoint> next;
  for (ProbeKind kind : all_probe_kinds) {
    if (auto at = due_at(kind); at && (!next || *at < *next)) next = at;
  }
  return next;
}

bool ContainerHealth::ready() const {
  if (!running_ || run_ended_at_ || gated(ProbeKind::readiness)) return false;
  return !probes_.readiness || state(ProbeKind::readiness).passing;
}

void ContainerHealth::end_run(TimePoint t, std::string reason) {
  run_ended_at_ = t;
  end_reason_ = std::move(reason);
  if (t - started_at_ >= backoff_.reset_after) failed_runs_in_a_row_ = 0;
  // Only runs that lead to a restart feed the backoff; a finished job is not a crash.
  if (wants_restart()) ++failed_runs_in_a_row_;
}

bool ContainerHealth::wants_restart() const {
  switch (policy_) {
    case RestartPolicy::always: return true;
    case RestartPolicy::on_failure: return run_failed_;
    case RestartPolicy::never: break;
  }
  return false;
}

int ContainerHealth::failures_in_a_row(TimePoint t) const {
  bool healthy_run_so_far = running_ && !run_ended_at_ && t - started_at_ >= backoff_.reset_after;
  return healthy_run_so_far ? 0 : failed_runs_in_a_row_;
}

TimePoint ContainerHealth::restart_due() const {
  auto delay = backoff_.initial;
  for (int n = 1; n < failed_runs_in_a_row_ && delay < backoff_.cap; ++n) delay *= 2;
  return *run_ended_at_ + std::min(delay, backoff_.cap);
}

bool ContainerHealth::crash_looping(TimePoint t) const {
  return failures_in_a_row(t) >= backoff_.crash_loop_after;
}

RestartDecision ContainerHealth::restart_decision(TimePoint t) const {
  using Action = RestartDecision::Action;
  if (!ever_started_ || !run_ended_at_) return {};
  if (wants_restart()) {
    TimePoint due = restart_due();
    return {t >= due ? Action::restart_now : Action::restart_at, due, end_reason_};
  }
  if (run_failed_) return {Action::give_up, *run_ended_at_, end_reason_};
  return {Action::none, *run_ended_at_, end_reason_};
}

void ContainerHealth::update_ready_since(TimePoint t) {
  if (!ready()) {
    ready_since_.reset();
  } else if (!ready_since_) {
    ready_since_ = t;
  }
}

std::string ContainerHealth::state_name(TimePoint t) const {
  if (!ever_started_) return "pending";
  if (!run_ended_at_) {
    if (gated(ProbeKind::readiness)) return "starting";
    return ready() ? "ready" : "running";
  }
  switch (restart_decision(t).action) {
    case RestartDecision::Action::restart_now:
    case RestartDecision::Action::restart_at: return crash_looping(t) ? "crash-loop" : "restarting";
    case RestartDecision::Action::give_up: return "failed";
    case RestartDecision::Action::none: break;
  }
  return "completed";
}

Json ContainerHealth::status_json(TimePoint t) const {
  Json out = {{"state", state_name(t)},
              {"running", running_},
              {"ready", ready()},
              {"live", live()},
              {"restarts", restarts_}};
  if (ready_since_) out["ready_since"] = unix_seconds(*ready_since_);
  if (last_probe_) {
    out["last_probe"] = {{"probe", probe_kind_name(last_probe_->kind)},
                         {"ok", last_probe_->ok},
                         {"message", last_probe_->message},
                         {"at", unix_seconds(last_probe_->at)}};
  }
  if (last_exit_) {
    out["last_exit"] = {{"code", last_exit_->code},
                        {"at", unix_seconds(last_exit_->at)},
                        {"output", lines_json(last_exit_->output)}};
  }
  RestartDecision decision = restart_decision(t);
  if (decision.action == RestartDecision::Action::restart_at ||
      decision.action == RestartDecision::Action::restart_now)
    out["next_restart_at"] = unix_seconds(decision.at);
  if (crash_looping(t)) {
    Json crash = {{"failures_in_a_row", failures_in_a_row(t)}, {"reason", end_reason_}};
    if (last_exit_) {
      crash["exit_code"] = last_exit_->code;
      crash["last_output"] = lines_json(last_exit_->output);
    }
    out["crash_loop"] = std::move(crash);
  }
  return out;
}

void ReadinessHistory::observe(bool ready, TimePoint t) {
  if (!ready) {
    ready_since_.reset();
  } else if (!ready_since_) {
    ready_since_ = t;
  }
}

std::chrono::milliseconds ReadinessHistory::ready_for(TimePoint t) const {
  if (!ready_since_ || t < *ready_since_) return std::chrono::milliseconds::zero();
  return std::chrono::duration_cast<std::chrono::milliseconds>(t - *ready_since_);
}

bool app_healthy(std::span<const ReadinessHistory> instances, TimePoint t, std::chrono::milliseconds healthy_for) {
  if (instances.empty()) return false;
  return std::ranges::all_of(instances, [&](const ReadinessHistory& instance) {
    return instance.ready_since() && instance.ready_for(t) >= healthy_for;
  });
}

}  // namespace outpost::agent

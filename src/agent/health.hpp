#pragma once
// Health of the containers on this host, as pure clock-driven state: the runtime feeds it what
// happened (started, exited, probe results) with the time it happened, and asks what to do
// (which probes to run, whether and when to restart). No I/O here, so every rule is testable
// under simulated time; executing probes and restarting containers belong to the runtime.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/probe_spec.hpp"
#include "common/clock.hpp"
#include "common/json.hpp"

namespace outpost::agent {

using TimePoint = Clock::time_point;

struct BackoffPolicy {
  std::chrono::milliseconds initial{std::chrono::seconds{1}};
  std::chrono::milliseconds cap{std::chrono::minutes{5}};
  // A run this long counts as a success: the backoff and the crash-loop count start over.
  std::chrono::milliseconds reset_after{std::chrono::minutes{10}};
  // This many failed runs in a row (none lasting reset_after) is reported as a crash loop.
  int crash_loop_after = 3;
  std::size_t output_lines_kept = 20;
};

struct RestartDecision {
  enum class Action {
    none,         // running and live, never started, or finished in a way the policy accepts
    restart_now,  // stop the container if it still runs (failed liveness), then start it
    restart_at,   // the same, once `at` is reached
    give_up,      // failed, and the policy says it stays down
  };
  Action action = Action::none;
  TimePoint at{};
  std::string reason;  // "exited with code 1", "liveness probe failed: ...", ...
};

struct ProbeOutcome {
  ProbeKind kind = ProbeKind::readiness;
  bool ok = false;
  std::string message;
  TimePoint at{};
};

class ContainerHealth {
 public:
  ContainerHealth(ProbeSet probes, RestartPolicy policy, BackoffPolicy backoff = {});

  void container_started(TimePoint t);
  void container_exited(TimePoint t, int exit_code, std::vector<std::string> last_output_lines);
  // Marks a probe as in flight so due_probes() does not hand it out twice. Optional: a result
  // for a probe never marked started counts as started when it arrives.
  void probe_started(ProbeKind kind, TimePoint t);
  // Results for a probe the container does not have, or that arrive while it is not running,
  // are ignored: they belong to a run that is over.
  void probe_result(ProbeKind kind, bool ok, std::string message, TimePoint t);

  // Probes to run now. Until the startup probe has passed, only it runs; each probe first runs
  // initial-delay after the start, then every period after its previous run began.
  std::vector<ProbeKind> due_probes(TimePoint t) const;
  // When the next probe falls due, so the runtime can sleep until then.
  std::optional<TimePoint> next_probe_at() const;

  bool running() const { return running_; }
  // Without a readiness probe, a running container whose startup probe (if any) passed is ready.
  bool ready() const;
  // False once liveness (or startup) has failed past its threshold, until the next start.
  bool live() const { return running_ && !run_failed_; }
  int restarts() const { return restarts_; }
  std::optional<TimePoint> ready_since() const { return ready() ? ready_since_ : std::nullopt; }
  bool crash_looping(TimePoint t) const;
  RestartDecision restart_decision(TimePoint t) const;
  const std::optional<ProbeOutcome>& last_probe() const { return last_probe_; }

  // {"state", "running", "ready", "restarts", "last_probe"?, "last_exit"?, "crash_loop"?,
  //  "next_restart_at"?}; times are unix seconds.
  Json status_json(TimePoint t) const;
  // Whether status_json can change with time alone: only once a run has ended (a restart falls
  // due) or after failed runs (a long enough run clears the count). Otherwise only what the
  // runtime feeds in changes it.
  bool changes_with_time() const { return run_ended_at_.has_value() || failed_runs_in_a_row_ > 0; }

 private:
  struct ProbeState {
    int successes = 0;
    int failures = 0;
    bool passing = false;
    bool in_flight = false;
    std::optional<TimePoint> last_started;
  };
  struct Exit {
    TimePoint at{};
    int code = 0;
    std::vector<std::string> output;
  };

  ProbeState& state(ProbeKind kind) { return states_[static_cast<int>(kind)]; }
  const ProbeState& state(ProbeKind kind) const { return states_[static_cast<int>(kind)]; }
  bool gated(ProbeKind kind) const;
  std::optional<TimePoint> due_at(ProbeKind kind) const;
  void end_run(TimePoint t, std::string reason);
  bool wants_restart() const;
  int failures_in_a_row(TimePoint t) const;
  TimePoint restart_due() const;
  void update_ready_since(TimePoint t);
  std::string state_name(TimePoint t) const;

  ProbeSet probes_;
  RestartPolicy policy_;
  BackoffPolicy backoff_;
  ProbeState states_[3];

  bool ever_started_ = false;
  bool running_ = false;
  bool run_failed_ = false;  // ended by a failed liveness/startup probe or a non-zero exit
  TimePoint started_at_{};
  std::optional<TimePoint> run_ended_at_;
  std::string end_reason_;
  int restarts_ = 0;
  int failed_runs_in_a_row_ = 0;
  std::optional<Exit> last_exit_;
  std::optional<ProbeOutcome> last_probe_;
  std::optional<TimePoint> ready_since_;
};

// Whether an instance has been ready without a break, and since when. The runtime feeds it the
// instance's readiness (every container ready) whenever it may have changed.
class ReadinessHistory {
 public:
  void observe(bool ready, TimePoint t);
  std::optional<TimePoint> ready_since() const { return ready_since_; }
  // Zero when not ready now.
  std::chrono::milliseconds ready_for(TimePoint t) const;

 private:
  std::optional<TimePoint> ready_since_;
};

// True when there is at least one instance and every one has been ready for `healthy_for`
// (zero: ready now) without a break: what the tower gates a rollout step on.
bool app_healthy(std::span<const ReadinessHistory> instances, TimePoint t,
                 std::chrono::milliseconds healthy_for = std::chrono::milliseconds::zero());

}  // namespace outpost::agent

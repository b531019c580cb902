// Container health under simulated time: probe scheduling and thresholds, startup gating,
// restart decisions per policy with exponential backoff, crash-loop reports, and readiness
// continuity as the tower's rollout gate sees it.
#include "agent/health.hpp"

#include <gtest/gtest.h>

namespace outpost::agent {
namespace {

using namespace std::chrono_literals;
using Action = RestartDecision::Action;

const TimePoint t0{std::chrono::seconds{1'800'000'000}};

ProbeSpec probe(int success_threshold = 1, int failure_threshold = 3,
                std::chrono::milliseconds initial_delay = 0ms, std::chrono::milliseconds period = 10s) {
  ProbeSpec spec;
  spec.check = TcpCheck{8080};
  spec.initial_delay = initial_delay;
  spec.period = period;
  spec.success_threshold = success_threshold;
  spec.failure_threshold = failure_threshold;
  return spec;
}

ProbeSet readiness_only(ProbeSpec spec) {
  ProbeSet set;
  set.readiness = std::move(spec);
  return set;
}

ProbeSet liveness_only(ProbeSpec spec) {
  ProbeSet set;
  set.liveness = std::move(spec);
  return set;
}

// Runs the container for `ran` and lets it exit; returns the exit time.
TimePoint crash(ContainerHealth& health, TimePoint start, std::chrono::milliseconds ran, int code = 1) {
  health.container_started(start);
  health.container_exited(start + ran, code, {"boom"});
  return start + ran;
}

TEST(ContainerHealth, WithoutReadinessProbeIsReadyExactlyWhileRunning) {
  ContainerHealth health({}, RestartPolicy::always);
  EXPECT_FALSE(health.ready());
  EXPECT_EQ(health.status_json(t0)["state"], "pending");
  health.container_started(t0);
  EXPECT_TRUE(health.ready());
  EXPECT_EQ(health.ready_since(), t0);
  EXPECT_TRUE(health.due_probes(t0 + 1h).empty());
  health.container_exited(t0 + 1s, 0, {});
  EXPECT_FALSE(health.ready());
  EXPECT_FALSE(health.ready_since().has_value());
}

TEST(ContainerHealth, ReadyOnlyAfterSuccessThresholdConsecutiveSuccesses) {
  ContainerHealth health(readiness_only(probe(2)), RestartPolicy::always);
  health.container_started(t0);
  EXPECT_FALSE(health.ready());
  health.probe_result(ProbeKind::readiness, true, "", t0 + 1s);
  EXPECT_FALSE(health.ready());
  health.probe_result(ProbeKind::readiness, false, "refused", t0 + 11s);
  health.probe_result(ProbeKind::readiness, true, "", t0 + 21s);
  EXPECT_FALSE(health.ready()) << "a failure in between restarts the success count";
  health.probe_result(ProbeKind::readiness, true, "", t0 + 31s);
  EXPECT_TRUE(health.ready());
  EXPECT_EQ(health.ready_since(), t0 + 31s);
}

TEST(ContainerHealth, UnreadyOnlyAfterFailureThresholdConsecutiveFailures) {
  ContainerHealth health(readiness_only(probe(1, 3)), RestartPolicy::always);
  health.container_started(t0);
  health.probe_result(ProbeKind::readiness, true, "", t0);
  health.probe_result(ProbeKind::readiness, false, "refused", t0 + 10s);
  health.probe_result(ProbeKind::readiness, false, "refused", t0 + 20s);
  health.probe_result(ProbeKind::readiness, true, "", t0 + 30s);
  health.probe_result(ProbeKind::readiness, false, "refused", t0 + 40s);
  health.probe_result(ProbeKind::readiness, false, "refused", t0 + 50s);
  EXPECT_TRUE(health.ready()) << "failures that are not consecutive do not add up";
  health.probe_result(ProbeKind::readiness, false, "refused", t0 + 60s);
  EXPECT_FALSE(health.ready());
  EXPECT_TRUE(health.live()) << "readiness failing never restarts";
  EXPECT_EQ(health.restart_decision(t0 + 60s).action, Action::none);
  health.probe_result(ProbeKind::readiness, true, "", t0 + 70s);
  EXPECT_TRUE(health.ready());
}

TEST(ContainerHealth, FirstProbeWaitsForInitialDelayThenEveryPeriod) {
  ContainerHealth health(readiness_only(probe(1, 3, 5s, 10s)), RestartPolicy::always);
  health.container_started(t0);
  EXPECT_TRUE(health.due_probes(t0 + 4s).empty());
  EXPECT_EQ(health.next_probe_at(), t0 + 5s);
  EXPECT_EQ(health.due_probes(t0 + 5s), std::vector<ProbeKind>{ProbeKind::readiness});
  health.probe_started(ProbeKind::readiness, t0 + 5s);
  EXPECT_TRUE(health.due_probes(t0 + 30s).empty()) << "not handed out again while in flight";
  health.probe_result(ProbeKind::readiness, true, "", t0 + 6s);
  EXPECT_TRUE(health.due_probes(t0 + 14s).empty());
  EXPECT_EQ(health.due_probes(t0 + 15s), std::vector<ProbeKind>{ProbeKind::readiness});
}

TEST(ContainerHealth, ResultOfAnUnmarkedProbeCountsAsStartedWhenItArrives) {
  ContainerHealth health(readiness_only(probe()), RestartPolicy::always);
  health.container_started(t0);
  health.probe_result(ProbeKind::readiness, true, "", t0 + 3s);
  EXPECT_EQ(health.next_probe_at(), t0 + 13s);
}

TEST(ContainerHealth, StartupProbeGatesReadinessAndLiveness) {
  ProbeSet set;
  set.startup = probe(1, 3, 0ms, 2s);
  set.readiness = probe();
  set.liveness = probe();
  ContainerHealth health(set, RestartPolicy::always);
  health.container_started(t0);
  EXPECT_EQ(health.due_probes(t0), std::vector<ProbeKind>{ProbeKind::startup});
  EXPECT_EQ(health.status_json(t0)["state"], "starting");
  health.probe_result(ProbeKind::readiness, true, "", t0 + 1s);
  EXPECT_FALSE(health.ready()) << "readiness results before startup passed are ignored";
  health.probe_result(ProbeKind::startup, false, "not yet", t0 + 1s);
  health.probe_result(ProbeKind::startup, true, "", t0 + 3s);
  EXPECT_FALSE(health.ready()) << "startup passing does not make a readiness-probed container ready";
  EXPECT_EQ(health.due_probes(t0 + 3s), (std::vector<ProbeKind>{ProbeKind::readiness, ProbeKind::liveness}));
  health.probe_result(ProbeKind::readiness, true, "", t0 + 4s);
  EXPECT_TRUE(health.ready());
}

TEST(ContainerHealth, WithoutReadinessProbeReadyOnceStartupPassed) {
  ProbeSet set;
  set.startup = probe();
  ContainerHealth health(set, RestartPolicy::always);
  health.container_started(t0);
  EXPECT_FALSE(health.ready());
  health.probe_result(ProbeKind::startup, true, "", t0 + 2s);
  EXPECT_TRUE(health.ready());
  EXPECT_TRUE(health.due_probes(t0 + 1h).empty()) << "a passed startup probe does not run again";
}

TEST(ContainerHealth, StartupFailurePastThresholdRestarts) {
  ProbeSet set;
  set.startup = probe(1, 2);
  ContainerHealth health(set, RestartPolicy::always);
  health.container_started(t0);
  health.probe_result(ProbeKind::startup, false, "no", t0 + 10s);
  EXPECT_EQ(health.restart_decision(t0 + 10s).action, Action::none);
  health.probe_result(ProbeKind::startup, false, "no", t0 + 20s);
  RestartDecision decision = health.restart_decision(t0 + 20s);
  EXPECT_EQ(decision.action, Action::restart_at);
  EXPECT_EQ(decision.reason, "startup probe failed: no");
}

TEST(ContainerHealth, LivenessFailurePastThresholdRestartsAfterBackoff) {
  ContainerHealth health(liveness_only(probe(1, 3)), RestartPolicy::always);
  health.container_started(t0);
  health.probe_result(ProbeKind::liveness, false, "timeout", t0 + 10s);
  health.probe_result(ProbeKind::liveness, false, "timeout", t0 + 20s);
  EXPECT_TRUE(health.live());
  EXPECT_EQ(health.restart_decision(t0 + 20s).action, Action::none);
  health.probe_result(ProbeKind::liveness, false, "timeout", t0 + 30s);
  EXPECT_FALSE(health.live());
  EXPECT_FALSE(health.ready());
  EXPECT_TRUE(health.due_probes(t0 + 1h).empty()) << "a container about to be killed is not probed";
  RestartDecision decision = health.restart_decision(t0 + 30s);
  EXPECT_EQ(decision.action, Action::restart_at);
  EXPECT_EQ(decision.at, t0 + 31s);
  EXPECT_EQ(decision.reason, "liveness probe failed: timeout");
  EXPECT_EQ(health.restart_decision(t0 + 31s).action, Action::restart_now);

  // The kill taking effect is the same failure, not a second one.
  health.container_exited(t0 + 30500ms, 137, {});
  EXPECT_EQ(health.restart_decision(t0 + 30500ms).at, t0 + 31s);
  health.container_started(t0 + 31s);
  EXPECT_TRUE(health.live());
  EXPECT_EQ(health.restarts(), 1);
}

TEST(ContainerHealth, BackoffDoublesFromOneSecondAndCapsAtFiveMinutes) {
  ContainerHealth health({}, RestartPolicy::always);
  TimePoint start = t0;
  std::vector<std::chrono::seconds> delays;
  for (int i = 0; i < 11; ++i) {
    TimePoint exited = crash(health, start, 2s);
    RestartDecision decision = health.restart_decision(exited);
    ASSERT_EQ(decision.action, Action::restart_at);
    delays.push_back(std::chrono::duration_cast<std::chrono::seconds>(decision.at - exited));
    start = decision.at;
  }
  std::vector<std::chrono::seconds> expected{1s, 2s, 4s, 8s, 16s, 32s, 64s, 128s, 256s, 300s, 300s};
  EXPECT_EQ(delays, expected);
  EXPECT_EQ(health.restarts(), 10);
}

TEST(ContainerHealth, BackoffAndCrashLoopResetAfterTenMinutesOfRunning) {
  ContainerHealth health({}, RestartPolicy::always);
  TimePoint exited = t0;
  for (int i = 0; i < 4; ++i) exited = crash(health, exited + 1min, 1s);
  EXPECT_EQ(health.restart_decision(exited).at, exited + 8s);
  EXPECT_TRUE(health.crash_looping(exited));

  health.container_started(exited + 8s);
  EXPECT_TRUE(health.crash_looping(exited + 9s));
  EXPECT_FALSE(health.crash_looping(exited + 8s + 10min)) << "ten minutes up is no longer a loop";

  TimePoint long_run_end = exited + 8s + 10min;
  health.container_exited(long_run_end, 1, {});
  EXPECT_EQ(health.restart_decision(long_run_end).at, long_run_end + 1s);
  EXPECT_FALSE(health.crash_looping(long_run_end));
}

TEST(ContainerHealth, AlwaysRestartsWhateverTheExitCode) {
  for (int code : {0, 1}) {
    ContainerHealth health({}, RestartPolicy::always);
    TimePoint exited = crash(health, t0, 5s, code);
    EXPECT_EQ(health.restart_decision(exited).action, Action::restart_at) << code;
    EXPECT_EQ(health.restart_decision(exited + 1s).action, Action::restart_now) << code;
  }
}

TEST(ContainerHealth, OnFailureRestartsNonZeroExitsOnly) {
  ContainerHealth failed({}, RestartPolicy::on_failure);
  TimePoint exited = crash(failed, t0, 5s, 2);
  EXPECT_EQ(failed.restart_decision(exited + 1s).action, Action::restart_now);
  EXPECT_EQ(failed.restart_decision(exited + 1s).reason, "exited with code 2");

  ContainerHealth finished({}, RestartPolicy::on_failure);
  exited = crash(finished, t0, 5s, 0);
  EXPECT_EQ(finished.restart_decision(exited + 1h).action, Action::none);
  EXPECT_EQ(finished.status_json(exited)["state"], "completed");
}

TEST(ContainerHealth, OnFailureRestartsAfterLivenessFailure) {
  ContainerHealth health(liveness_only(probe(1, 1)), RestartPolicy::on_failure);
  health.container_started(t0);
  health.probe_result(ProbeKind::liveness, false, "500", t0 + 10s);
  health.container_exited(t0 + 11s, 0, {});
  EXPECT_EQ(health.restart_decision(t0 + 11s).action, Action::restart_now)
      << "a clean exit after being killed for liveness is still a failure";
}

TEST(ContainerHealth, NeverRestartsAndGivesUpOnlyOnFailure) {
  ContainerHealth finished({}, RestartPolicy::never);
  TimePoint exited = crash(finished, t0, 5s, 0);
  EXPECT_EQ(finished.restart_decision(exited).action, Action::none);

  ContainerHealth failed({}, RestartPolicy::never);
  exited = crash(failed, t0, 5s, 3);
  EXPECT_EQ(failed.restart_decision(exited + 1h).action, Action::give_up);
  EXPECT_EQ(failed.status_json(exited)["state"], "failed");
  EXPECT_FALSE(failed.crash_looping(exited));

  ContainerHealth unhealthy(liveness_only(probe(1, 1)), RestartPolicy::never);
  unhealthy.container_started(t0);
  unhealthy.probe_result(ProbeKind::liveness, false, "refused", t0 + 1s);
  EXPECT_EQ(unhealthy.restart_decision(t0 + 1s).action, Action::give_up)
      << "the runtime stops it and leaves it stopped";
}

TEST(ContainerHealth, CrashLoopIsReportedWithExitCodeAndLastLines) {
  BackoffPolicy backoff;
  backoff.output_lines_kept = 3;
  ContainerHealth health({}, RestartPolicy::always, backoff);
  TimePoint start = t0;
  for (int i = 0; i < 2; ++i) start = health.restart_decision(crash(health, start, 1s)).at;
  EXPECT_FALSE(health.crash_looping(start));
  health.container_started(start);
  health.container_exited(start + 1s, 42, {"a", "b", "c", "d"});
  EXPECT_TRUE(health.crash_looping(start + 1s));

  Json status = health.status_json(start + 1s);
  EXPECT_EQ(status["state"], "crash-loop");
  EXPECT_EQ(status["running"], false);
  EXPECT_EQ(status["restarts"], 2);
  EXPECT_EQ(status["next_restart_at"], unix_seconds(start + 1s + 4s));
  EXPECT_EQ(status["crash_loop"]["exit_code"], 42);
  EXPECT_EQ(status["crash_loop"]["failures_in_a_row"], 3);
  EXPECT_EQ(status["crash_loop"]["reason"], "exited with code 42");
  EXPECT_EQ(status["crash_loop"]["last_output"], Json::parse(R"(["b", "c", "d"])"));
  EXPECT_EQ(status["last_exit"]["code"], 42);
}

TEST(ContainerHealth, StatusReportsRunningReadyRestartsAndLastProbe) {
  ContainerHealth health(readiness_only(probe()), RestartPolicy::always);
  health.container_started(t0);
  health.container_exited(t0 + 1s, 1, {});
  health.container_started(t0 + 2s);
  health.probe_result(ProbeKind::readiness, true, "200 OK", t0 + 3s);
  Json status = health.status_json(t0 + 3s);
  EXPECT_EQ(status["state"], "ready");
  EXPECT_EQ(status["running"], true);
  EXPECT_EQ(status["ready"], true);
  EXPECT_EQ(status["restarts"], 1);
  EXPECT_EQ(status["ready_since"], unix_seconds(t0 + 3s));
  EXPECT_EQ(status["last_probe"], Json::parse(R"({"probe": "readiness", "ok": true, "message": "200 OK", "at": )" +
                                              std::to_string(unix_seconds(t0 + 3s)) + "}"));
  EXPECT_FALSE(status.contains("crash_loop"));
  EXPECT_FALSE(status.contains("next_restart_at"));
}

TEST(ContainerHealth, IgnoresResultsForAbsentProbesAndEndedRuns) {
  ContainerHealth health(readiness_only(probe()), RestartPolicy::always);
  health.probe_result(ProbeKind::readiness, true, "", t0);
  EXPECT_FALSE(health.last_probe().has_value());
  health.container_started(t0);
  health.probe_result(ProbeKind::liveness, false, "", t0 + 1s);
  EXPECT_FALSE(health.last_probe().has_value());
  health.container_exited(t0 + 2s, 1, {});
  health.probe_result(ProbeKind::readiness, true, "", t0 + 3s);
  EXPECT_FALSE(health.ready());
  EXPECT_FALSE(health.last_probe().has_value());
}

TEST(ContainerHealth, ReadySinceRestartsAfterABreak) {
  ContainerHealth health(readiness_only(probe(1, 1)), RestartPolicy::always);
  health.container_started(t0);
  health.probe_result(ProbeKind::readiness, true, "", t0 + 1s);
  health.probe_result(ProbeKind::readiness, true, "", t0 + 11s);
  EXPECT_EQ(health.ready_since(), t0 + 1s);
  health.probe_result(ProbeKind::readiness, false, "503", t0 + 21s);
  EXPECT_FALSE(health.ready_since().has_value());
  health.probe_result(ProbeKind::readiness, true, "", t0 + 31s);
  EXPECT_EQ(health.ready_since(), t0 + 31s);
}

// The agent skips building the status of a container whose health cannot change with time: a
// state claimed time-free must read the same an hour later, and one that can change must say so.
TEST(ContainerHealth, OnlyAStatusThatChangesWithTimeSaysSo) {
  auto same_later = [](const ContainerHealth& health, TimePoint at) {
    return health.status_json(at) == health.status_json(at + 1h) && health.status_json(at) == health.status_json(at + 1s);
  };
  ContainerHealth health(liveness_only(probe()), RestartPolicy::always);
  EXPECT_FALSE(health.changes_with_time()) << "never started";
  EXPECT_TRUE(same_later(health, t0));
  health.container_started(t0);
  EXPECT_FALSE(health.changes_with_time()) << "running, no failure yet";
  EXPECT_TRUE(same_later(health, t0 + 5s));
  health.probe_result(ProbeKind::liveness, true, "ok", t0 + 10s);
  EXPECT_FALSE(health.changes_with_time());
  EXPECT_TRUE(same_later(health, t0 + 10s));

  TimePoint at = crash(health, t0 + 20s, 1s);
  EXPECT_TRUE(health.changes_with_time()) << "a restart falls due";
  for (int i = 0; i < 3; ++i) at = crash(health, at + 10min, 1s);
  ASSERT_TRUE(health.crash_looping(at));
  health.container_started(at + 10min);
  EXPECT_TRUE(health.changes_with_time()) << "running again, but the failed runs count until it has run long enough";
  EXPECT_FALSE(same_later(health, at + 10min)) << "the crash loop clears after a long enough run";
}

TEST(ReadinessHistory, ContinuousReadinessIsBrokenByOneUnreadyObservation) {
  ReadinessHistory history;
  EXPECT_EQ(history.ready_for(t0), 0ms);
  history.observe(true, t0);
  history.observe(true, t0 + 5s);
  EXPECT_EQ(history.ready_since(), t0);
  EXPECT_EQ(history.ready_for(t0 + 10s), 10s);
  history.observe(false, t0 + 11s);
  EXPECT_EQ(history.ready_for(t0 + 11s), 0ms);
  history.observe(true, t0 + 12s);
  EXPECT_EQ(history.ready_since(), t0 + 12s);
}

TEST(AppHealthy, EveryInstanceMustHaveBeenReadyForTheWholeWindow) {
  std::vector<ReadinessHistory> instances(2);
  instances[0].observe(true, t0);
  instances[1].observe(true, t0);
  EXPECT_TRUE(app_healthy(instances, t0));
  EXPECT_FALSE(app_healthy(instances, t0 + 29s, 30s));
  EXPECT_TRUE(app_healthy(instances, t0 + 30s, 30s));

  instances[1].observe(false, t0 + 40s);
  EXPECT_FALSE(app_healthy(instances, t0 + 40s));
  instances[1].observe(true, t0 + 41s);
  EXPECT_FALSE(app_healthy(instances, t0 + 70s, 30s));
  EXPECT_TRUE(app_healthy(instances, t0 + 71s, 30s));
}

TEST(AppHealthy, AnAppWithoutInstancesIsNotHealthy) {
  EXPECT_FALSE(app_healthy({}, t0));
}

}  // namespace
}  // namespace outpost::agent

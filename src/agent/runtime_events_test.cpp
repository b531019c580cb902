#include "agent/runtime_events.hpp"

#include <gtest/gtest.h>

namespace outpost::agent {
namespace {

Action make(Action::Kind kind, std::string name, std::string reason = {}) {
  Action action{kind, {}, "id-" + name, std::move(name), {}, std::move(reason)};
  if (kind == Action::Kind::create_and_start) {
    action.planned.app = "shop";
    action.planned.instance = "web-0";
    action.planned.image = "registry.local/shop/web:2";
    action.planned.container = "web";
  }
  return action;
}

std::vector<std::string> kinds(const std::vector<EventDraft>& drafts) {
  std::vector<std::string> out;
  for (const auto& d : drafts) out.push_back(d.kind);
  return out;
}

ContainerStatus running(bool ready, Json extra = Json::object()) {
  ContainerStatus s;
  s.app = "shop";
  s.instance = "web-0";
  s.container = "web";
  s.state = "running";
  s.health = {{"state", ready ? "ready" : "running"}, {"ready", ready}};
  s.health.update(extra);
  return s;
}

TEST(ActionEvents, ARemovalFollowedByACreationIsOneReplacement) {
  std::vector<Action> actions{make(Action::Kind::remove, "web", "spec changed"),
                              {Action::Kind::pull, "registry.local/shop/web:2", {}, {}, {}, {}},
                              make(Action::Kind::create_and_start, "web", "spec changed")};
  ExecutionReport report;
  report.outcomes["web"] = Status{};
  report.pulls["registry.local/shop/web:2"] = Status{};
  auto drafts = action_events(actions, report, {});
  EXPECT_EQ(kinds(drafts), (std::vector<std::string>{"pulled", "replaced"}));
  EXPECT_EQ(drafts[1].message, "replaced, now from registry.local/shop/web:2 (spec changed)");
  EXPECT_EQ(drafts[1].app, "shop");
  EXPECT_EQ(drafts[1].instance, "web-0");
  EXPECT_EQ(drafts[1].container, "web") << "named as the spec names it, like status reports";
}

TEST(ActionEvents, CreatesStartsAndRemovalsAreToldWithTheirReason) {
  std::vector<Action> actions{make(Action::Kind::remove, "old", "not desired"), make(Action::Kind::start, "worker", "restart policy"),
                              make(Action::Kind::create_and_start, "web", "missing")};
  ExecutionReport report;
  for (const char* name : {"old", "worker", "web"}) report.outcomes[name] = Status{};
  StatusMap known;
  known["old"].app = "legacy";
  known["old"].instance = "old-0";
  known["old"].container = "old";
  auto drafts = action_events(actions, report, known);
  EXPECT_EQ(kinds(drafts), (std::vector<std::string>{"removed", "started", "created"}));
  EXPECT_EQ(drafts[0].app, "legacy") << "a container the plan no longer has is named from the last status";
  EXPECT_EQ(drafts[0].message, "removed (not desired)");
  EXPECT_EQ(drafts[1].message, "started again (restart policy)");
}

TEST(ActionEvents, FailuresAreErrorsNamingTheEngineMessageOnce) {
  std::vector<Action> actions{{Action::Kind::pull, "registry.local/shop/web:9", {}, {}, {}, {}},
                              make(Action::Kind::remove, "web", "spec changed"),
                              make(Action::Kind::create_and_start, "web", "spec changed")};
  ExecutionReport report;
  report.pulls["registry.local/shop/web:9"] = fail(502, "engine", "manifest unknown");
  report.outcomes["web"] = fail(502, "engine", "manifest unknown");
  auto drafts = action_events(actions, report, {});
  EXPECT_EQ(kinds(drafts), (std::vector<std::string>{"pull-failed", "create-failed"}));
  EXPECT_EQ(drafts[0].level, "error");
  EXPECT_NE(drafts[0].message.find("manifest unknown"), std::string::npos);
}

ContainerStatus with_id(ContainerStatus status, std::string id) {
  status.container_id = std::move(id);
  return status;
}

TEST(ReadinessEvents, ReadyOnceThenNotReadyOnlyWhenItsProbeFails) {
  ReadinessEvents readiness;
  EXPECT_TRUE(readiness.observe({{"web", with_id(running(false), "c1")}}).empty());
  EXPECT_EQ(kinds(readiness.observe({{"web", with_id(running(true), "c1")}})), (std::vector<std::string>{"ready"}));
  EXPECT_TRUE(readiness.observe({{"web", with_id(running(true), "c1")}}).empty()) << "no change, no event";

  Json failed = {{"last_probe", {{"probe", "readiness"}, {"ok", false}, {"message", "HTTP 503"}}}};
  auto drafts = readiness.observe({{"web", with_id(running(false, failed), "c1")}});
  ASSERT_EQ(kinds(drafts), (std::vector<std::string>{"not-ready"}));
  EXPECT_EQ(drafts[0].message, "readiness probe failed: HTTP 503");
  EXPECT_EQ(drafts[0].level, "warning");
  EXPECT_TRUE(readiness.observe({{"web", with_id(running(false, failed), "c1")}}).empty());
  EXPECT_EQ(kinds(readiness.observe({{"web", with_id(running(true), "c1")}})), (std::vector<std::string>{"ready"}));
}

TEST(ReadinessEvents, AMomentWithoutReadinessWhileReplacedOrRestartedIsNotToldAgain) {
  ReadinessEvents readiness;
  readiness.observe({{"web", with_id(running(true), "c1")}});
  // The plan changed: the old container is briefly not ready with no failing probe.
  EXPECT_TRUE(readiness.observe({{"web", with_id(running(false), "c1")}}).empty());
  EXPECT_TRUE(readiness.observe({{"web", with_id(running(true), "c1")}}).empty()) << "the same container, ready all along";
  // Its replacement becomes ready: that is news.
  EXPECT_TRUE(readiness.observe({{"web", with_id(running(false), "c2")}}).empty());
  EXPECT_EQ(kinds(readiness.observe({{"web", with_id(running(true), "c2")}})), (std::vector<std::string>{"ready"}));
}

TEST(StatusEvents, ACrashLoopIsAnErrorWithTheExitCodeAndLastOutput) {
  StatusMap before{{"web", running(false)}};
  StatusMap after{{"web", running(false, {{"crash_loop", {{"failures_in_a_row", 3}, {"exit_code", 2}, {"last_output", {"a", "config missing"}}}}})}};
  auto drafts = status_events(before, after);
  ASSERT_EQ(kinds(drafts), (std::vector<std::string>{"crash-loop"}));
  EXPECT_EQ(drafts[0].message, "crash loop: 3 failed runs in a row, last exit code 2: config missing");
  EXPECT_TRUE(status_events(after, after).empty());
}

TEST(StatusEvents, ARenderErrorIsToldWhenItAppearsOrChanges) {
  ContainerStatus error;
  error.app = "shop";
  error.instance = "web-0";
  error.state = "error";
  error.message = "variable WEB_PORT is not set";
  StatusMap after{{"render/shop/web-0", error}};
  EXPECT_EQ(kinds(status_events({}, after)), (std::vector<std::string>{"render-failed"}));
  EXPECT_TRUE(status_events(after, after).empty());
}

TEST(ExitEvent, NamesTheCodeAndLastLine) {
  auto draft = exit_event(running(true), 137, {"starting", "killed"});
  EXPECT_EQ(draft.kind, "exited");
  EXPECT_EQ(draft.level, "warning");
  EXPECT_EQ(draft.message, "exited with code 137: killed");
  EXPECT_EQ(exit_event(running(true), 0, {}).level, "info");
}

}  // namespace
}  // namespace outpost::agent

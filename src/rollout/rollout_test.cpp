// Long rollout scenarios under simulated time: canary, batches, failures, rollback, pause.
#include "rollout/rollout.hpp"

#include <gtest/gtest.h>

#include "rollout/rollout_test_support.hpp"

namespace outpost {
namespace {

using namespace rollout_test;

const char* canary_policy =
    R"({"canary": {"sites": "canary = true", "healthy-for": "10m"}, "sites-in-parallel": 2, "healthy-for": "2m"})";

std::map<std::string, std::string> versions(std::initializer_list<std::pair<const std::string, std::string>> list) {
  return list;
}

TEST(Rollout, CanaryGoesFirstAndMustStayHealthyBeforeBatchesFollow) {
  Fleet fleet({"a", "b", "c", "d", "e"});
  fleet.labels("c")["canary"] = "true";
  Driver driver = drive(fleet, policy_from(canary_policy));
  EXPECT_EQ(driver.state.phase, RolloutPhase::canary);

  EXPECT_EQ(driver.tick().versions,
            versions({{"a", "1.0.0"}, {"b", "1.0.0"}, {"c", "2.0.0"}, {"d", "1.0.0"}, {"e", "1.0.0"}}));
  driver.tick(30s);  // c reports healthy on 2.0.0
  EXPECT_EQ(driver.state.sites.at("c").state, SiteRolloutState::healthy);
  EXPECT_EQ(driver.tick(9min).versions.at("a"), "1.0.0") << "healthy for 9m is short of the canary's 10m";
  EXPECT_EQ(driver.state.phase, RolloutPhase::canary);

  Decision passed = driver.tick(1min);
  EXPECT_EQ(driver.state.phase, RolloutPhase::batches);
  ASSERT_NE(last_event(driver.state, "canary-passed"), nullptr);
  EXPECT_EQ(last_event(driver.state, "canary-passed")->reason, "1 canary site(s) healthy for 10m");
  EXPECT_EQ(passed.versions,
            versions({{"a", "2.0.0"}, {"b", "2.0.0"}, {"c", "2.0.0"}, {"d", "1.0.0"}, {"e", "1.0.0"}}));

  driver.tick(30s);
  EXPECT_EQ(driver.tick(1min).versions.at("d"), "1.0.0") << "the batch has been healthy 1m of its 2m";
  EXPECT_EQ(driver.tick(1min).versions.at("d"), "2.0.0");
  Decision last = driver.run_for(5min);
  EXPECT_EQ(driver.state.phase, RolloutPhase::complete);
  for (const auto& [site, version] : last.versions) EXPECT_EQ(version, "2.0.0") << site;
  EXPECT_EQ(last_event(driver.state, "rollout-complete")->reason, "every site ran 2.0.0");
}

TEST(Rollout, FailedCanaryRollsBackAndNothingElseMoves) {
  Fleet fleet({"a", "b", "c"});
  fleet.labels("c")["canary"] = "true";
  fleet.break_version("c", "2.0.0");
  auto policy = policy_from(
      R"({"canary": {"sites": "canary = true"}, "on-failure": "rollback", "site-deadline": "5m", "max-failed-sites": 3})");
  Driver driver = drive(fleet, policy);
  for (int i = 0; i < 9; ++i) {
    Decision decision = i == 0 ? driver.tick() : driver.tick(30s);
    EXPECT_EQ(decision.versions.at("c"), "2.0.0");
    EXPECT_EQ(decision.versions.at("a"), "1.0.0");
  }
  Decision failed = driver.tick(30s + 30s);  // 5m after c was told to upgrade
  EXPECT_EQ(driver.state.sites.at("c").state, SiteRolloutState::rolled_back);
  EXPECT_EQ(failed.versions, versions({{"a", "1.0.0"}, {"b", "1.0.0"}, {"c", "1.0.0"}}));
  ASSERT_GE(failed.new_events.size(), 3u);
  EXPECT_EQ(failed.new_events[0].kind, "site-failed");
  EXPECT_EQ(failed.new_events[0].reason, "not healthy on 2.0.0 within 5m");
  EXPECT_EQ(failed.new_events[1].kind, "rollout-failed");
  EXPECT_EQ(failed.new_events[1].reason,
            "canary site c failed: not healthy on 2.0.0 within 5m; rolling back to 1.0.0");
  EXPECT_EQ(failed.new_events[2].kind, "site-rolled-back");
  EXPECT_EQ(driver.state.phase, RolloutPhase::rolling_back);

  driver.tick(30s);  // c now runs 1.0.0 again
  EXPECT_EQ(driver.state.phase, RolloutPhase::rolled_back);
  EXPECT_TRUE(has_event(driver.state, "rollback-complete"));
  EXPECT_EQ(driver.run_for(1h).versions.at("a"), "1.0.0");

  RolloutState next = retarget(driver.state, "3.0.0", fleet.views(), policy, driver.now);
  EXPECT_EQ(next.from_version, "1.0.0");
  EXPECT_FALSE(has_event(next, "rollout-retargeted")) << "a rolled-back rollout is not under way";
}

TEST(Rollout, FailedCanaryPausesForAPersonWhoResumesAndPromotes) {
  Fleet fleet({"a", "c"});
  fleet.labels("c")["canary"] = "true";
  fleet.break_version("c", "2.0.0");
  Driver driver = drive(fleet, policy_from(R"({"canary": {"sites": "canary = true"}, "max-failed-sites": 5})"));
  driver.run_for(15min);
  EXPECT_EQ(driver.state.phase, RolloutPhase::paused);
  EXPECT_EQ(driver.state.paused_reason, "canary site c failed: not healthy on 2.0.0 within 10m");
  EXPECT_EQ(driver.tick().versions, versions({{"a", "1.0.0"}, {"c", "2.0.0"}})) << "a pause moves nothing";

  ASSERT_TRUE(apply_command(driver.state, RolloutCommand::resume, driver.now));
  driver.run_for(1h);
  EXPECT_EQ(driver.state.phase, RolloutPhase::canary) << "no canary site is healthy: only a person can promote";
  ASSERT_TRUE(apply_command(driver.state, RolloutCommand::promote, driver.now));
  EXPECT_EQ(driver.tick().versions.at("a"), "2.0.0");
  driver.run_for(5min);
  EXPECT_EQ(driver.state.phase, RolloutPhase::complete);
}

TEST(Rollout, PromoteSkipsTheCanaryWait) {
  Fleet fleet({"a", "c"});
  fleet.labels("c")["canary"] = "true";
  Driver driver = drive(fleet, policy_from(canary_policy));
  driver.tick();
  driver.tick(30s);
  ASSERT_TRUE(apply_command(driver.state, RolloutCommand::promote, driver.now));
  EXPECT_EQ(last_event(driver.state, "canary-promoted")->reason, "promoted by a person");
  EXPECT_EQ(driver.tick(30s).versions.at("a"), "2.0.0");
}

TEST(Rollout, BatchFailuresPauseOnlyPastTheThreshold) {
  Fleet fleet({"a", "b", "c", "d", "e", "f", "g", "h"});
  fleet.break_version("b", "2.0.0");
  fleet.break_version("e", "2.0.0");
  Driver driver = drive(fleet, policy_from(R"({"sites-in-parallel": 2, "max-failed-sites": 1, "site-deadline": "5m"})"));
  driver.run_for(5min);  // b fails: one failure is tolerated
  EXPECT_EQ(driver.state.sites.at("b").state, SiteRolloutState::failed);
  EXPECT_EQ(driver.state.phase, RolloutPhase::batches);
  EXPECT_EQ(driver.tick().versions.at("c"), "2.0.0");

  Decision paused = driver.run_for(2h);
  EXPECT_EQ(driver.state.phase, RolloutPhase::paused);
  EXPECT_EQ(driver.state.paused_reason, "2 site(s) failed, more than max-failed-sites 1");
  EXPECT_EQ(paused.versions, versions({{"a", "2.0.0"}, {"b", "2.0.0"}, {"c", "2.0.0"}, {"d", "2.0.0"},
                                       {"e", "2.0.0"}, {"f", "2.0.0"}, {"g", "1.0.0"}, {"h", "1.0.0"}}));

  ASSERT_TRUE(apply_command(driver.state, RolloutCommand::resume, driver.now));
  EXPECT_EQ(last_event(driver.state, "rollout-resumed")->reason, "resumed by a person, accepting 2 failed site(s)");
  EXPECT_EQ(driver.tick().versions.at("g"), "2.0.0");
  driver.run_for(10min);
  EXPECT_EQ(driver.state.phase, RolloutPhase::complete);
}

TEST(Rollout, BatchFailurePastTheThresholdRollsBackEverySiteThatMoved) {
  Fleet fleet({"a", "b", "c", "d", "e"});
  fleet.break_version("d", "2.0.0");
  Driver driver = drive(fleet, policy_from(R"({"sites-in-parallel": 2, "on-failure": "rollback"})"));
  Decision rolled = driver.run_for(1h);
  EXPECT_EQ(driver.state.phase, RolloutPhase::rolled_back);
  EXPECT_EQ(rolled.versions, versions({{"a", "1.0.0"}, {"b", "1.0.0"}, {"c", "1.0.0"}, {"d", "1.0.0"},
                                       {"e", "1.0.0"}}));
  for (const std::string site : {"a", "b", "c", "d"})
    EXPECT_EQ(driver.state.sites.at(site).state, SiteRolloutState::rolled_back) << site;
  EXPECT_EQ(driver.state.sites.at("e").state, SiteRolloutState::waiting) << "e never moved";
  EXPECT_EQ(last_event(driver.state, "rollout-failed")->reason,
            "1 site(s) failed, more than max-failed-sites 0; rolling back to 1.0.0");
}

TEST(Rollout, PauseHoldsTheNextBatchAndResumeContinues) {
  Fleet fleet({"a", "b", "c"});
  Driver driver = drive(fleet, policy_from(R"({"healthy-for": "1m"})"));
  driver.tick();
  ASSERT_TRUE(apply_command(driver.state, RolloutCommand::pause, driver.now));
  EXPECT_EQ(driver.state.paused_reason, "paused by a person");
  Decision held = driver.run_for(3h, 5min);
  EXPECT_EQ(held.versions, versions({{"a", "2.0.0"}, {"b", "1.0.0"}, {"c", "1.0.0"}}));
  EXPECT_EQ(driver.state.sites.at("a").state, SiteRolloutState::healthy) << "sites are still watched while paused";

  ASSERT_TRUE(apply_command(driver.state, RolloutCommand::resume, driver.now));
  EXPECT_EQ(driver.state.phase, RolloutPhase::batches);
  EXPECT_EQ(driver.tick().versions.at("b"), "2.0.0");
  driver.run_for(10min);
  EXPECT_EQ(driver.state.phase, RolloutPhase::complete);
}

TEST(Rollout, RollbackCommandAfterCompletionSendsEverySiteBack) {
  Fleet fleet({"a", "b"});
  Driver driver = drive(fleet, policy_from(R"({"sites-in-parallel": 5})"));
  driver.run_for(10min);
  ASSERT_EQ(driver.state.phase, RolloutPhase::complete);
  ASSERT_TRUE(apply_command(driver.state, RolloutCommand::rollback, driver.now));
  EXPECT_EQ(driver.tick().versions, versions({{"a", "1.0.0"}, {"b", "1.0.0"}}));
  driver.tick(30s);
  EXPECT_EQ(driver.state.phase, RolloutPhase::rolled_back);
  EXPECT_EQ(last_event(driver.state, "rollback-requested")->reason,
            "rollback requested by a person; rolling back to 1.0.0");
}

TEST(Rollout, AbortLeavesEverySiteWhereItIs) {
  Fleet fleet({"a", "b"});
  Driver driver = drive(fleet, policy_from("{}"));
  driver.tick();
  ASSERT_TRUE(apply_command(driver.state, RolloutCommand::abort, driver.now));
  EXPECT_EQ(driver.run_for(1h).versions, versions({{"a", "2.0.0"}, {"b", "1.0.0"}}));
  EXPECT_EQ(driver.state.phase, RolloutPhase::aborted);
}

TEST(Rollout, SiteThatFaltersInsideItsHealthyForUpgradesAgainWithAFreshDeadline) {
  Fleet fleet({"a", "b"});
  Driver driver = drive(fleet, policy_from(R"({"healthy-for": "5m", "site-deadline": "2m"})"));
  driver.tick();
  driver.tick(30s);
  fleet.break_version("a", "2.0.0");
  fleet.site("a").healthy = false;  // what a reports before the next step
  driver.tick(1min);
  EXPECT_EQ(driver.state.sites.at("a").state, SiteRolloutState::upgrading);
  EXPECT_EQ(driver.state.sites.at("a").reason, "no longer healthy before its healthy-for passed");
  driver.tick(1min + 59s);
  EXPECT_EQ(driver.state.sites.at("a").state, SiteRolloutState::upgrading);
  driver.tick(1s);
  EXPECT_EQ(driver.state.sites.at("a").state, SiteRolloutState::failed);
}

}  // namespace
}  // namespace outpost

// Rollout scenarios about the fleet itself: disconnected sites, upgrade windows, a newer
// version mid-rollout, a restart mid-rollout, and the edges (empty fleets, odd policies).
#include "rollout/rollout.hpp"

#include <gtest/gtest.h>

#include "rollout/rollout_test_support.hpp"

namespace outpost {
namespace {

using namespace rollout_test;

UpgradeWindow monday_night() {
  return *UpgradeWindow::from_json(Json::parse(R"({"days-of-week": ["mon"], "start": "22:00", "duration": "2h"})"));
}

int events_of(const RolloutState& state, const std::string& kind, const std::string& site) {
  return static_cast<int>(std::count_if(state.events.begin(), state.events.end(), [&](const RolloutEvent& event) {
    return event.kind == kind && event.site == site;
  }));
}

TEST(RolloutFleet, DisconnectedSiteIsPendingDoesNotStallAndUpgradesWhenItReturns) {
  Fleet fleet({"a", "b", "c", "d"});
  fleet.site("b").connected = false;
  Driver driver = drive(fleet, policy_from(R"({"sites-in-parallel": 2})"));
  Decision first = driver.tick();
  EXPECT_EQ(driver.state.sites.at("b").state, SiteRolloutState::pending);
  EXPECT_EQ(driver.state.sites.at("b").reason, "disconnected when its turn came");
  EXPECT_EQ(first.versions.at("b"), "1.0.0");
  EXPECT_EQ(first.versions.at("c"), "2.0.0") << "c takes the slot b could not";

  driver.run_for(30min);
  EXPECT_EQ(driver.state.phase, RolloutPhase::complete);
  EXPECT_EQ(last_event(driver.state, "rollout-complete")->reason,
            "1 disconnected site(s) get 2.0.0 when they return");
  EXPECT_EQ(events_of(driver.state, "site-pending", "b"), 1) << "b is not re-announced at every batch";

  fleet.site("b").connected = true;
  EXPECT_EQ(driver.tick(1h).versions.at("b"), "2.0.0");
  driver.tick(30s);
  EXPECT_EQ(driver.state.sites.at("b").state, SiteRolloutState::healthy);
}

TEST(RolloutFleet, SiteDisconnectingWhileUpgradingIsPendingNotFailed) {
  Fleet fleet({"a", "b"});
  Driver driver = drive(fleet, policy_from(R"({"site-deadline": "1m"})"));
  driver.tick();
  fleet.site("a").connected = false;
  driver.run_for(1h);
  EXPECT_EQ(driver.state.sites.at("a").state, SiteRolloutState::pending);
  EXPECT_EQ(driver.state.sites.at("a").reason, "disconnected while upgrading");
  EXPECT_EQ(driver.state.phase, RolloutPhase::complete);
}

TEST(RolloutFleet, SiteOutsideItsWindowIsHeldUntilTheWindowOpens) {
  Fleet fleet({"a", "b", "c"});
  fleet.set_window("b", monday_night());
  Driver driver = drive(fleet, policy_from(R"({"sites-in-parallel": 2})"));
  Decision first = driver.tick();
  EXPECT_EQ(driver.state.sites.at("b").state, SiteRolloutState::held);
  EXPECT_EQ(driver.state.sites.at("b").reason, "outside its upgrade window");
  EXPECT_EQ(first.versions.at("c"), "2.0.0");

  Decision evening = driver.run_for(11h + 50min, 10min);  // Monday 21:50
  EXPECT_EQ(evening.versions.at("b"), "1.0.0");
  EXPECT_EQ(driver.state.phase, RolloutPhase::batches) << "a held site keeps the rollout open";
  EXPECT_EQ(driver.tick(10min).versions.at("b"), "2.0.0");
  driver.run_for(10min);
  EXPECT_EQ(driver.state.phase, RolloutPhase::complete);
}

TEST(RolloutFleet, ANewVersionAfterACompletedRolloutStartsOneAndRetargetsNothing) {
  Fleet fleet({"a", "b"});
  auto policy = policy_from(R"({"healthy-for": "1m"})");
  Driver driver = drive(fleet, policy);
  driver.run_for(30min);
  ASSERT_EQ(driver.state.phase, RolloutPhase::complete);

  driver.state = retarget(driver.state, "3.0.0", fleet.views(), policy, driver.now);
  EXPECT_EQ(driver.state.from_version, "2.0.0");
  EXPECT_EQ(driver.state.to_version, "3.0.0");
  EXPECT_TRUE(has_event(driver.state, "rollout-started"));
  EXPECT_FALSE(has_event(driver.state, "rollout-retargeted")) << "nothing was under way";
}

TEST(RolloutFleet, NewerVersionMidRolloutRetargetsAndKeepsTheOldTargetUntilEachSiteTurn) {
  Fleet fleet({"a", "b", "c", "d"});
  auto policy = policy_from(R"({"healthy-for": "1m"})");
  Driver driver = drive(fleet, policy);
  driver.run_for(2min);  // a done, b upgrading
  ASSERT_EQ(driver.state.sites.at("b").version, "2.0.0");
  ASSERT_EQ(driver.state.sites.at("c").version, "1.0.0");

  driver.state = retarget(driver.state, "3.0.0", fleet.views(), policy, driver.now);
  EXPECT_EQ(driver.state.from_version, "1.0.0") << "rollback goes to the last version the whole fleet ran";
  EXPECT_EQ(driver.state.to_version, "3.0.0");
  EXPECT_TRUE(has_event(driver.state, "rollout-retargeted"));
  Decision first = driver.tick();
  EXPECT_EQ(first.versions, (std::map<std::string, std::string>{
                                {"a", "3.0.0"}, {"b", "2.0.0"}, {"c", "1.0.0"}, {"d", "1.0.0"}}));
  Decision last = driver.run_for(30min);
  EXPECT_EQ(driver.state.phase, RolloutPhase::complete);
  for (const auto& [site, version] : last.versions) EXPECT_EQ(version, "3.0.0") << site;

  RolloutState same = retarget(driver.state, "3.0.0", fleet.views(), policy, driver.now);
  EXPECT_EQ(same, driver.state) << "retargeting to the current target changes nothing";
  RolloutState after_complete = retarget(driver.state, "4.0.0", fleet.views(), policy, driver.now);
  EXPECT_EQ(after_complete.from_version, "3.0.0");
}

// The tower restarts between every step: the state it reloads must continue identically.
TEST(RolloutFleet, StateRestoredFromJsonMidRolloutContinuesIdentically) {
  auto policy = policy_from(R"({"canary": {"sites": "canary = true", "healthy-for": "5m"}, "sites-in-parallel": 2,
                                "max-failed-sites": 1, "site-deadline": "3m"})");
  auto make_fleet = [] {
    Fleet fleet({"a", "b", "c", "d", "e", "f", "g"});
    fleet.labels("a")["canary"] = "true";
    fleet.site("d").connected = false;
    fleet.set_window("e", monday_night());
    fleet.break_version("c", "2.0.0");
    return fleet;
  };
  Fleet kept_fleet = make_fleet();
  Fleet restored_fleet = make_fleet();
  Driver kept = drive(kept_fleet, policy);
  Driver restored = drive(restored_fleet, policy);
  for (int minute = 0; minute < 14 * 60; ++minute) {
    auto reloaded = RolloutState::from_json(Json::parse(restored.state.to_json().dump()));
    ASSERT_TRUE(reloaded) << reloaded.error().message;
    restored.state = std::move(*reloaded);
    Decision expected = kept.tick(1min);
    Decision actual = restored.tick(1min);
    ASSERT_EQ(actual.versions, expected.versions) << "minute " << minute;
    ASSERT_EQ(actual.new_events, expected.new_events) << "minute " << minute;
  }
  EXPECT_EQ(restored.state, kept.state);
  EXPECT_EQ(kept.state.phase, RolloutPhase::complete);
  EXPECT_EQ(kept.state.sites.at("e").version, "2.0.0");
}

TEST(RolloutFleet, CanaryWaitsForEvidenceWhileEveryCanarySiteIsDisconnected) {
  Fleet fleet({"a", "c"});
  fleet.labels("c")["canary"] = "true";
  fleet.site("c").connected = false;
  Driver driver = drive(fleet, policy_from(R"({"canary": {"sites": "canary = true", "healthy-for": "10m"}})"));
  EXPECT_EQ(driver.run_for(2h, 5min).versions.at("a"), "1.0.0");
  EXPECT_EQ(driver.state.phase, RolloutPhase::canary);
  fleet.site("c").connected = true;
  EXPECT_EQ(driver.tick(1min).versions.at("c"), "2.0.0");
  driver.run_for(11min, 1min);
  EXPECT_EQ(driver.state.phase, RolloutPhase::batches);
  EXPECT_EQ(driver.tick().versions.at("a"), "2.0.0");
}

TEST(RolloutFleet, RollingBackARetargetedRolloutReturnsEverySiteToTheOriginalVersion) {
  Fleet fleet({"a", "b", "c"});
  auto policy = policy_from("{}");
  Driver driver = drive(fleet, policy);
  driver.run_for(1min);
  driver.state = retarget(driver.state, "3.0.0", fleet.views(), policy, driver.now);
  driver.tick();
  ASSERT_TRUE(apply_command(driver.state, RolloutCommand::rollback, driver.now));
  EXPECT_EQ(driver.tick().versions,
            (std::map<std::string, std::string>{{"a", "1.0.0"}, {"b", "1.0.0"}, {"c", "1.0.0"}}));
  driver.tick(30s);
  EXPECT_EQ(driver.state.phase, RolloutPhase::rolled_back);
}

TEST(RolloutFleet, NoCanaryMatchGoesStraightToBatches) {
  Fleet fleet({"a"});
  Driver driver = drive(fleet, policy_from(R"({"canary": {"sites": "canary = true"}})"));
  EXPECT_EQ(driver.state.phase, RolloutPhase::batches);
  EXPECT_EQ(last_event(driver.state, "canary-skipped")->reason,
            "no placed site matches the canary expression canary = true");
  EXPECT_EQ(driver.tick().versions.at("a"), "2.0.0");
}

TEST(RolloutFleet, ZeroSitesCompletesAtOnce) {
  Fleet fleet({});
  Driver driver = drive(fleet, policy_from("{}"));
  EXPECT_TRUE(driver.tick().versions.empty());
  EXPECT_EQ(driver.state.phase, RolloutPhase::complete);
}

TEST(RolloutFleet, AllSitesDisconnectedCompletesWithEverySitePending) {
  Fleet fleet({"a", "b"});
  for (auto name : {"a", "b"}) fleet.site(name).connected = false;
  Driver driver = drive(fleet, policy_from("{}"));
  Decision decision = driver.tick();
  EXPECT_EQ(driver.state.phase, RolloutPhase::complete);
  EXPECT_EQ(decision.versions.at("a"), "1.0.0");
  EXPECT_EQ(driver.state.count(SiteRolloutState::pending), 2);
}

TEST(RolloutFleet, MoreParallelSitesThanTheFleetUpgradesEverySiteInOneBatch) {
  Fleet fleet({"a", "b", "c"});
  Driver driver = drive(fleet, policy_from(R"({"sites-in-parallel": 50})"));
  for (const auto& [site, version] : driver.tick().versions) EXPECT_EQ(version, "2.0.0") << site;
}

TEST(RolloutFleet, SiteRemovedFromPlacementMidRolloutIsDropped) {
  Fleet fleet({"a", "b", "c"});
  Driver driver = drive(fleet, policy_from("{}"));
  driver.tick();
  fleet.remove("a");
  Decision decision = driver.tick(30s);
  EXPECT_FALSE(decision.versions.contains("a"));
  EXPECT_EQ(decision.new_events.front().kind, "site-removed");
  EXPECT_EQ(decision.new_events.front().reason, "no longer placed");
  EXPECT_EQ(decision.versions.at("b"), "2.0.0") << "a's batch ended with it";
}

TEST(RolloutFleet, SiteJoiningThePlacementMidRolloutWaitsForABatch) {
  Fleet fleet({"a"});
  Driver driver = drive(fleet, policy_from("{}"));
  driver.tick();
  Fleet bigger({"a", "z"});
  bigger.site("a").running_version = "2.0.0";
  driver.fleet = std::move(bigger);
  Decision decision = driver.tick(1s);
  EXPECT_EQ(decision.versions.at("z"), "1.0.0");
  EXPECT_TRUE(has_event(driver.state, "site-added", "z"));
}

TEST(RolloutFleet, CommandsInTheWrongPhaseAreConflictsThatSayWhy) {
  Fleet fleet({"a"});
  Driver driver = drive(fleet, policy_from("{}"));
  auto promote = apply_command(driver.state, RolloutCommand::promote, driver.now);
  ASSERT_FALSE(promote);
  EXPECT_EQ(promote.error().status, 409);
  EXPECT_EQ(promote.error().code, "conflict");
  EXPECT_EQ(promote.error().message, "promote applies only during the canary; the rollout is batches");
  EXPECT_EQ(apply_command(driver.state, RolloutCommand::resume, driver.now).error().message,
            "only a paused rollout can be resumed; the rollout is batches");
  driver.run_for(5min);
  EXPECT_EQ(apply_command(driver.state, RolloutCommand::pause, driver.now).error().message,
            "only a running rollout can be paused; the rollout is complete");
  EXPECT_EQ(apply_command(driver.state, RolloutCommand::abort, driver.now).error().status, 409);
  ASSERT_TRUE(apply_command(driver.state, RolloutCommand::rollback, driver.now));
  EXPECT_EQ(apply_command(driver.state, RolloutCommand::rollback, driver.now).error().message,
            "there is nothing to roll back; the rollout is rolling-back");
}

TEST(RolloutFleet, CommandNamesParse) {
  EXPECT_EQ(parse_rollout_command("promote"), RolloutCommand::promote);
  EXPECT_EQ(parse_rollout_command("rollback"), RolloutCommand::rollback);
  auto unknown = parse_rollout_command("restart");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "command");
}

}  // namespace
}  // namespace outpost

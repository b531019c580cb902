#include "rollout/rollout_state.hpp"

#include <gtest/gtest.h>

#include "model/deployment.hpp"
#include "rollout/rollout_test_support.hpp"

namespace outpost {
namespace {

using namespace rollout_test;

RolloutState sample_state() {
  RolloutState state;
  state.from_version = "1.0.0";
  state.to_version = "2.0.0";
  state.phase = RolloutPhase::paused;
  state.resume_phase = RolloutPhase::canary;
  state.paused_reason = "paused by a person";
  state.accepted_failures = 1;
  state.started_at = monday_10am;
  state.phase_since = monday_10am + 5min;
  state.sites["a"] = SiteRollout{SiteRolloutState::healthy, monday_10am + 1min, "healthy on 2.0.0", "2.0.0", true};
  state.sites["b"] = SiteRollout{SiteRolloutState::failed, monday_10am + 2min, "not healthy", "2.0.0", false};
  state.record({monday_10am, "rollout-started", "", "from 1.0.0 to 2.0.0"});
  state.record({monday_10am + 1min, "site-healthy", "a", "healthy on 2.0.0"});
  return state;
}

TEST(RolloutState, RoundTripsThroughJsonLosslessly) {
  RolloutState state = sample_state();
  auto again = RolloutState::from_json(Json::parse(state.to_json().dump()));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, state);
  EXPECT_EQ(state.to_json()["sites"]["a"]["state"], "healthy");
  EXPECT_EQ(state.to_json()["phase"], "paused");
}

TEST(RolloutState, TheHeaderIsTheStateWithoutItsSitesAndEachSiteRoundTripsAlone) {
  const RolloutState state = sample_state();
  Json whole = state.to_json();
  whole.erase("sites");
  EXPECT_EQ(state.header_json(), whole);
  RolloutState without_sites = state;
  without_sites.sites.clear();
  EXPECT_EQ(RolloutState::from_json(state.header_json()).value(), without_sites);
  EXPECT_EQ(SiteRollout::from_json(state.sites.at("a").to_json()).value(), state.sites.at("a"));
  EXPECT_EQ(SiteRollout::from_json(Json::array(), "rollout.sites.x").error().field, "rollout.sites.x");
}

TEST(RolloutState, RejectsDamagedJsonNamingTheField) {
  Json json = sample_state().to_json();
  json["phase"] = "exploding";
  EXPECT_EQ(RolloutState::from_json(json).error().field, "rollout.phase");
  json = sample_state().to_json();
  json["sites"]["a"]["since"] = "yesterday";
  EXPECT_EQ(RolloutState::from_json(json).error().field, "rollout.sites.a.since");
  json = sample_state().to_json();
  json["events"][1]["kind"] = 7;
  EXPECT_EQ(RolloutState::from_json(json).error().field, "rollout.events[1].kind");
  EXPECT_EQ(RolloutState::from_json(Json::array()).error().status, 422);
}

TEST(RolloutState, KeepsOnlyTheNewestEvents) {
  RolloutState state;
  for (int i = 0; i < 250; ++i) state.record({monday_10am, "tick", "", std::to_string(i)});
  ASSERT_EQ(state.events.size(), RolloutState::max_events);
  EXPECT_EQ(state.events.front().reason, "50");
  EXPECT_EQ(state.events.back().reason, "249");
}

TEST(RolloutState, ProgressCountsSitesPerStateAndThePercentDone) {
  RolloutState state = sample_state();
  state.sites["c"] = SiteRollout{};
  state.sites["d"] = SiteRollout{SiteRolloutState::healthy, monday_10am, "", "2.0.0", false};
  RolloutProgress summary = progress(state);
  EXPECT_EQ(summary.total, 4);
  EXPECT_EQ(summary.done, 2);
  EXPECT_EQ(summary.percent, 50);
  EXPECT_EQ(summary.sites_by_state.at("failed"), 1);
  EXPECT_EQ(summary.sites_by_state.at("waiting"), 1);
  EXPECT_EQ(summary.sites_by_state.at("rolled-back"), 0);
  EXPECT_EQ(summary.to_json()["percent"], 50);
  EXPECT_EQ(progress(RolloutState{}).percent, 100) << "an empty rollout has nothing left to do";
}

TEST(RolloutPolicySiteDeadline, DefaultsToTenMinutesAndIsWrittenOnlyWhenChanged) {
  auto defaults = RolloutPolicy::from_json(Json::object());
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->site_deadline, std::chrono::minutes(10));
  EXPECT_FALSE(defaults->to_json().contains("site-deadline"));
  auto custom = RolloutPolicy::from_json(Json{{"site-deadline", "30m"}});
  ASSERT_TRUE(custom);
  EXPECT_EQ(custom->site_deadline, std::chrono::minutes(30));
  EXPECT_EQ(custom->to_json()["site-deadline"], "30m");
  EXPECT_EQ(RolloutPolicy::from_json(Json{{"site-deadline", "0s"}}).error().field, "rollout.site-deadline");
  EXPECT_EQ(RolloutPolicy::from_json(Json{{"site-deadline", "soon"}}).error().field, "rollout.site-deadline");
}

}  // namespace
}  // namespace outpost

#include "model/desired_state.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace outpost {
namespace {

using Apps = std::map<std::string, SiteApp>;
using Vars = std::map<std::string, std::string>;

SiteApp site_app(const std::string& name, const std::string& image = "busybox", int replicas = 1) {
  Json doc = {
      {"name", name},
      {"version", "1.0"},
      {"services",
       {{{"name", "web"}, {"replicas", replicas}, {"containers", {{{"name", "c"}, {"image", image}}}}}}}};
  auto app = Application::from_json(doc);
  EXPECT_TRUE(app) << (app ? "" : app.error().message);
  SiteApp out{name + "-deploy", app ? *app : Application{}, {}};
  for (int i = 0; i < replicas; ++i) out.instances.push_back({"web", "web-" + std::to_string(i), "host-a"});
  return out;
}

std::vector<std::string> keys(const Json& object) {
  std::vector<std::string> out;
  for (const auto& [key, value] : object.items()) out.push_back(key);
  return out;
}

SiteDesired desired_for(const std::string& site) {
  SiteDesired desired;
  desired.site = site;
  return desired;
}

// Live content as JSON, for comparing a tower's state with an agent's copy.
Json live_json(const SiteDesired& desired) {
  Json out = Json::object();
  for (const auto& [name, app] : desired.live()) out[name] = app->to_json();
  return out;
}

class SiteDesiredTest : public ::testing::Test {
 protected:
  SiteDesired tower = desired_for("shop-1");
};

TEST_F(SiteDesiredTest, FirstUpdateBumpsTheRevisionOnce) {
  EXPECT_TRUE(tower.update({{"a", site_app("a")}, {"b", site_app("b")}}, {{"MODE", "shop"}}));
  EXPECT_EQ(tower.revision, 1u);
  EXPECT_EQ(tower.apps.at("a").revision, 1u);
  EXPECT_EQ(tower.apps.at("b").revision, 1u);
  EXPECT_EQ(tower.vars_revision, 1u);
}

TEST_F(SiteDesiredTest, IdenticalUpdateChangesNothing) {
  tower.update({{"a", site_app("a")}}, {{"MODE", "shop"}});
  EXPECT_FALSE(tower.update({{"a", site_app("a")}}, {{"MODE", "shop"}}));
  EXPECT_EQ(tower.revision, 1u);
}

TEST_F(SiteDesiredTest, OnlyChangedEntriesAreRestamped) {
  tower.update({{"a", site_app("a")}, {"b", site_app("b")}}, {});
  EXPECT_TRUE(tower.update({{"a", site_app("a", "nginx")}, {"b", site_app("b")}}, {}));
  EXPECT_EQ(tower.revision, 2u);
  EXPECT_EQ(tower.apps.at("a").revision, 2u);
  EXPECT_EQ(tower.apps.at("b").revision, 1u);
  EXPECT_EQ(tower.vars_revision, 0u);
}

TEST_F(SiteDesiredTest, InstanceAssignmentChangesCount) {
  tower.update({{"a", site_app("a")}}, {});
  SiteApp moved = site_app("a");
  moved.instances[0].host = "host-b";
  EXPECT_TRUE(tower.update({{"a", moved}}, {}));
  EXPECT_EQ(tower.apps.at("a").revision, 2u);
}

// Compared by value, not by serializing: every field the agent receives must count.
TEST_F(SiteDesiredTest, AChangeAnywhereInTheSpecCountsAndSameValuesDoNot) {
  const std::vector<std::function<void(SiteApp&)>> edits = {
      [](SiteApp& a) { a.deployment = "other-deploy"; },
      [](SiteApp& a) { a.application.version = "1.1"; },
      [](SiteApp& a) { a.application.services[0].one_per_host = true; },
      [](SiteApp& a) { a.application.services[0].volumes = Json::array({{{"name", "data"}}}); },
      [](SiteApp& a) { a.application.services[0].containers[0].env["MODE"] = "fast"; },
      [](SiteApp& a) { a.application.services[0].containers[0].command = {"sleep", "1"}; },
      [](SiteApp& a) { a.application.services[0].containers[0].ports.push_back({"80", "8080", "tcp", "127.0.0.1"}); },
      [](SiteApp& a) { a.application.services[0].containers[0].probes["readiness"] = {{"tcp", {{"port", 80}}}}; },
      [](SiteApp& a) { a.application.services[0].containers[0].resources["memory"] = "64Mi"; },
      [](SiteApp& a) { a.application.services[0].containers[0].restart = "never"; },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    SiteDesired site = desired_for("shop-1");
    site.update({{"a", site_app("a")}}, {});
    SiteApp edited = site_app("a");
    edits[i](edited);
    ASSERT_NE(edited.to_json(), site_app("a").to_json()) << "edit " << i << " shows in what the agent receives";
    EXPECT_TRUE(site.update({{"a", edited}}, {})) << "edit " << i;
    EXPECT_EQ(site.revision, 2u) << "edit " << i;
    EXPECT_FALSE(site.update({{"a", edited}}, {})) << "edit " << i << " applied twice";
  }
}

TEST_F(SiteDesiredTest, RemovalLeavesATombstone) {
  tower.update({{"a", site_app("a")}, {"b", site_app("b")}}, {});
  EXPECT_TRUE(tower.update({{"a", site_app("a")}}, {}));
  ASSERT_TRUE(tower.apps.contains("b"));
  EXPECT_FALSE(tower.apps.at("b").app);
  EXPECT_EQ(tower.apps.at("b").revision, 2u);
  EXPECT_EQ(tower.live().size(), 1u);
  EXPECT_FALSE(tower.update({{"a", site_app("a")}}, {}));  // the tombstone is not a change again
}

TEST_F(SiteDesiredTest, VarChangeAloneBumpsTheRevision) {
  tower.update({{"a", site_app("a")}}, {{"MODE", "shop"}});
  EXPECT_TRUE(tower.update({{"a", site_app("a")}}, {{"MODE", "lab"}}));
  EXPECT_EQ(tower.revision, 2u);
  EXPECT_EQ(tower.vars_revision, 2u);
  EXPECT_EQ(tower.apps.at("a").revision, 1u);
}

TEST_F(SiteDesiredTest, DeltaContainsOnlyWhatChangedSinceFrom) {
  tower.update({{"a", site_app("a")}, {"b", site_app("b")}, {"c", site_app("c")}}, {{"V", "1"}});  // r1
  tower.update({{"a", site_app("a", "nginx")}, {"b", site_app("b")}, {"c", site_app("c")}},
               {{"V", "1"}});                                                         // r2
  tower.update({{"a", site_app("a", "nginx")}, {"b", site_app("b")}}, {{"V", "1"}});  // r3: c removed
  Json delta = tower.delta_since(1);
  EXPECT_EQ(delta["site"], "shop-1");
  EXPECT_EQ(delta["from"], 1);
  EXPECT_EQ(delta["revision"], 3);
  EXPECT_EQ(delta["full"], false);
  EXPECT_EQ(keys(delta["apps"]), (std::vector<std::string>{"a"}));
  EXPECT_EQ(delta["removed"], Json::array({"c"}));
  EXPECT_FALSE(delta.contains("vars"));

  Json later = tower.delta_since(2);
  EXPECT_TRUE(later["apps"].empty());
  EXPECT_EQ(later["removed"], Json::array({"c"}));

  Json current = tower.delta_since(3);
  EXPECT_EQ(current["full"], false);
  EXPECT_TRUE(current["apps"].empty());
  EXPECT_TRUE(current["removed"].empty());
}

TEST_F(SiteDesiredTest, DeltaCarriesVarsWhenTheyChanged) {
  tower.update({}, {{"V", "1"}});                      // r1
  tower.update({{"a", site_app("a")}}, {{"V", "1"}});  // r2
  tower.update({{"a", site_app("a")}}, {{"V", "2"}});  // r3
  EXPECT_FALSE(tower.delta_since(3).contains("vars"));
  EXPECT_EQ(tower.delta_since(2)["vars"], Json({{"V", "2"}}));
  EXPECT_TRUE(tower.delta_since(2)["apps"].empty());
}

TEST_F(SiteDesiredTest, FullDeltaFromZeroFromTheFutureAndBeforeCompaction) {
  tower.update({{"a", site_app("a")}, {"b", site_app("b")}}, {{"V", "1"}});  // r1
  tower.update({{"a", site_app("a")}}, {{"V", "1"}});                        // r2: b removed
  tower.update({{"a", site_app("a", "nginx")}}, {{"V", "1"}});               // r3
  tower.compact(3);                                                          // drops b's tombstone (r2)
  EXPECT_FALSE(tower.apps.contains("b"));
  EXPECT_EQ(tower.compacted_before, 3u);
  for (std::uint64_t from : {0ull, 1ull, 2ull, 9ull}) {
    Json delta = tower.delta_since(from);
    EXPECT_EQ(delta["full"], true) << from;
    EXPECT_EQ(keys(delta["apps"]), (std::vector<std::string>{"a"})) << from;
    EXPECT_FALSE(delta.contains("removed")) << from;
    EXPECT_EQ(delta["vars"], Json({{"V", "1"}})) << from;
  }
  EXPECT_EQ(tower.delta_since(3)["full"], false);
}

TEST_F(SiteDesiredTest, CompactKeepsNewerTombstonesAndLiveEntries) {
  tower.update({{"a", site_app("a")}, {"b", site_app("b")}}, {});  // r1
  tower.update({{"b", site_app("b")}}, {});                        // r2: a removed
  tower.compact(2);
  EXPECT_TRUE(tower.apps.contains("a"));  // removed at r2, not before 2
  EXPECT_TRUE(tower.apps.contains("b"));  // live entries are never compacted
  tower.compact(1);                       // never moves backwards
  EXPECT_EQ(tower.compacted_before, 2u);
}

TEST_F(SiteDesiredTest, AgentCopyFollowsTheTowerThroughDeltas) {
  SiteDesired agent;
  tower.update({{"a", site_app("a")}, {"b", site_app("b")}}, {{"V", "1"}});
  ASSERT_TRUE(agent.apply_delta(tower.delta_since(agent.revision)));
  EXPECT_EQ(agent.site, "shop-1");
  EXPECT_EQ(agent.revision, tower.revision);
  EXPECT_EQ(live_json(agent), live_json(tower));

  tower.update({{"a", site_app("a", "nginx", 2)}, {"c", site_app("c")}}, {{"V", "2"}});
  ASSERT_TRUE(agent.apply_delta(tower.delta_since(agent.revision)));
  EXPECT_EQ(agent.revision, 2u);
  EXPECT_EQ(live_json(agent), live_json(tower));
  EXPECT_EQ(agent.vars, tower.vars);
  EXPECT_FALSE(agent.live().contains("b"));
}

TEST_F(SiteDesiredTest, AgentCatchesUpWithAFullDeltaAfterCompaction) {
  SiteDesired agent;
  tower.update({{"a", site_app("a")}, {"b", site_app("b")}}, {});
  ASSERT_TRUE(agent.apply_delta(tower.delta_since(0)));
  tower.update({{"a", site_app("a")}}, {});
  tower.update({{"a", site_app("a")}, {"c", site_app("c")}}, {{"X", "y"}});
  tower.compact(3);
  Json delta = tower.delta_since(agent.revision);
  ASSERT_EQ(delta["full"], true);
  ASSERT_TRUE(agent.apply_delta(delta));
  EXPECT_EQ(live_json(agent), live_json(tower));
  EXPECT_FALSE(agent.apps.contains("b"));  // a full delta replaces, it does not merge
  EXPECT_EQ(agent.vars, (Vars{{"X", "y"}}));
}

TEST_F(SiteDesiredTest, GapIsRefusedAndLeavesStateUnchanged) {
  SiteDesired agent;
  tower.update({{"a", site_app("a")}}, {});
  ASSERT_TRUE(agent.apply_delta(tower.delta_since(0)));
  tower.update({{"a", site_app("a", "nginx")}}, {});  // r2, the agent misses it
  Json missed = tower.delta_since(1);
  tower.update({{"a", site_app("a", "httpd")}}, {});  // r3
  Json ahead = tower.delta_since(2);
  Json before = agent.to_json();
  auto status = agent.apply_delta(ahead);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().status, 409);
  EXPECT_EQ(status.error().code, "revision_gap");
  EXPECT_EQ(agent.to_json(), before);
  EXPECT_TRUE(agent.apply_delta(missed));
  EXPECT_TRUE(agent.apply_delta(ahead));
  EXPECT_EQ(live_json(agent), live_json(tower));
}

TEST_F(SiteDesiredTest, DeltaForAnotherSiteIsRefused) {
  SiteDesired agent = desired_for("shop-2");
  tower.update({{"a", site_app("a")}}, {});
  auto status = agent.apply_delta(tower.delta_since(0));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().status, 409);
  EXPECT_TRUE(agent.apps.empty());
}

TEST_F(SiteDesiredTest, MalformedDeltaIsBadRequestAndChangesNothing) {
  SiteDesired agent;
  tower.update({{"a", site_app("a")}}, {});
  Json delta = tower.delta_since(0);
  delta["apps"]["a"]["application"]["services"] = Json::array();
  auto status = agent.apply_delta(delta);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().status, 400);
  EXPECT_EQ(status.error().field, "apps.a.application.services");
  EXPECT_EQ(agent.revision, 0u);
  EXPECT_TRUE(agent.apps.empty());
  EXPECT_FALSE(agent.apply_delta(Json::array()));
  EXPECT_FALSE(agent.apply_delta(Json{{"site", "shop-1"}, {"from", 0}, {"revision", -1}, {"full", true}}));
}

TEST_F(SiteDesiredTest, SessionFrameTypeIsAccepted) {
  SiteDesired agent;
  tower.update({{"a", site_app("a")}}, {});
  Json frame = tower.delta_since(0);
  frame["type"] = "desired";
  EXPECT_TRUE(agent.apply_delta(frame));
}

TEST_F(SiteDesiredTest, ToJsonRoundTripsWithTombstones) {
  tower.update({{"a", site_app("a")}, {"b", site_app("b")}}, {{"V", "1"}});
  tower.update({{"a", site_app("a")}}, {{"V", "1"}});
  tower.compact(1);
  Json json = tower.to_json();
  EXPECT_TRUE(json["apps"]["b"]["app"].is_null());
  auto again = SiteDesired::from_json(json);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->to_json(), json);
  EXPECT_EQ(again->delta_since(1), tower.delta_since(1));
}

TEST(SiteDesiredFromJson, RejectsBadInputWithTheField) {
  auto unknown = SiteDesired::from_json(Json{{"site", "s"}, {"rev", 1}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "rev");
  auto bad_app = SiteDesired::from_json(
      Json{{"site", "s"}, {"apps", {{"a", {{"revision", 1}, {"app", {{"deployment", "d"}}}}}}}});
  ASSERT_FALSE(bad_app);
  EXPECT_EQ(bad_app.error().field, "apps.a.app.application");
}

TEST(SiteAppJson, RoundTripsAndChecksInstances) {
  SiteApp app = site_app("a", "busybox", 2);
  Json json = app.to_json();
  EXPECT_EQ(json["instances"][1], Json({{"service", "web"}, {"instance", "web-1"}, {"host", "host-a"}}));
  auto again = SiteApp::from_json(json);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->instances, app.instances);
  EXPECT_EQ(again->to_json(), json);

  json["instances"][1]["service"] = "db";
  auto unknown_service = SiteApp::from_json(json);
  ASSERT_FALSE(unknown_service);
  EXPECT_EQ(unknown_service.error().field, "instances[1].service");
  json["instances"][1] = json["instances"][0];
  auto duplicate = SiteApp::from_json(json);
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().field, "instances[1].instance");
  json = app.to_json();
  json["application"]["name"] = "BAD";
  auto nested = SiteApp::from_json(json);
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().field, "application.name");
  EXPECT_TRUE(nested.error().message.starts_with("application.name: invalid name")) << nested.error().message;
}

}  // namespace
}  // namespace outpost

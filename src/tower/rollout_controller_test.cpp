// The rollout controller over a real store: the first version is simply deployed, a new one
// starts a rollout whose per-site versions placement follows, commands are checked against the
// phase, a controller started on the same store continues the stored rollout (in either layout),
// a pass does work only for the sites that changed, and the log keeps to fleet-wide steps.
#include "tower/rollout_controller.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "tower/keys.hpp"
#include "tower/tower_test_fixture.hpp"

namespace outpost::tower {
namespace {

std::string version_2_app() {
  std::string app = two_service_app;
  app.replace(app.find("version: 1.0.0"), 14, "version: 2.0.0");
  return app;
}

std::string version_2_deployment() {
  std::string deployment = north_deployment;
  deployment.replace(deployment.find("version: 1.0.0"), 14, "version: 2.0.0");
  return deployment;
}

class RolloutControllerTest : public TowerFixture {
 protected:
  void SetUp() override {
    TowerFixture::SetUp();
    // No host has a session: every site is disconnected, so its turn leaves it pending.
    ASSERT_EQ(call("POST", "/v1/sites", R"({"name":"n1","labels":{"region":"north"},"vars":{"WEB_PORT":"18081"}})").status, 201);
    ASSERT_EQ(call("POST", "/v1/apply", std::string(two_service_app) + "---\n" + north_deployment).status, 200);
  }
  std::string placed_version() const {
    return placement_->desired("n1")->live().at("shop")->application.version;
  }
  // A controller started on the same store, as after a tower restart. The fixture's controller
  // stays placement's version source.
  std::unique_ptr<RolloutController> restarted() {
    auto controller = std::make_unique<RolloutController>(*repo_, *fleet_, *hub_, *placement_, clock_, io_.get_executor(),
                                                          std::chrono::hours(24), std::chrono::milliseconds::zero());
    EXPECT_TRUE(controller->start().has_value());
    placement_->set_version_source(
        [this](const Deployment& deployment, const std::string& site) { return rollouts_->version_for(deployment, site); });
    return controller;
  }
  std::vector<std::string> stored_rollout_keys() {
    std::vector<std::string> names;
    const ListPage page = store_->list(keys::rollouts_prefix).value();
    for (const auto& kv : page.items) names.push_back(kv.key);
    return names;
  }
};

TEST_F(RolloutControllerTest, FirstVersionIsDeployedWithoutARollout) {
  auto response = call("GET", "/v1/deployments/shop/rollout");
  ASSERT_EQ(response.status, 200) << response.body.dump();
  EXPECT_EQ(response.body["phase"], "complete");
  EXPECT_EQ(response.body["to-version"], "1.0.0");
  EXPECT_EQ(response.body["events"][0]["kind"], "deployed");
  EXPECT_EQ(placed_version(), "1.0.0");
}

TEST_F(RolloutControllerTest, NewVersionWaitsForDisconnectedSitesInsteadOfPushingIt) {
  ASSERT_EQ(call("POST", "/v1/apply", version_2_app() + "---\n" + version_2_deployment()).status, 200);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  io_.poll();
  auto response = call("GET", "/v1/deployments/shop/rollout");
  EXPECT_EQ(response.body["from-version"], "1.0.0");
  EXPECT_EQ(response.body["to-version"], "2.0.0");
  EXPECT_EQ(response.body["sites"]["n1"]["state"], "pending") << response.body.dump();
  EXPECT_EQ(placed_version(), "1.0.0") << "a pending site keeps its version until it returns";
}

TEST_F(RolloutControllerTest, CommandsAreCheckedAgainstThePhase) {
  auto promote = call("POST", "/v1/deployments/shop/rollout/promote", "{}");
  EXPECT_EQ(promote.status, 409);
  EXPECT_NE(promote.body["error"]["message"].get<std::string>().find("only during the canary"), std::string::npos);
  EXPECT_EQ(call("POST", "/v1/deployments/shop/rollout/explode", "{}").status, 400);
  EXPECT_EQ(call("GET", "/v1/deployments/nothing/rollout").status, 404);
  EXPECT_EQ(call("DELETE", "/v1/deployments/shop/rollout").status, 405);

  auto rollback = call("POST", "/v1/deployments/shop/rollout/rollback", "{}");
  EXPECT_EQ(rollback.status, 200) << rollback.body.dump();
  EXPECT_EQ(rollback.body["phase"], "rolling-back");
}

TEST_F(RolloutControllerTest, AControllerOnTheSameStoreContinuesTheStoredRollout) {
  ASSERT_EQ(call("POST", "/v1/apply", version_2_app() + "---\n" + version_2_deployment()).status, 200);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  const Json before = rollouts_->describe("shop").value();

  auto controller = restarted();
  EXPECT_EQ(controller->describe("shop").value(), before);
  Deployment shop = repo_->deployment("shop").value()->value;
  EXPECT_EQ(controller->version_for(shop, "n1"), "1.0.0");
  EXPECT_EQ(controller->describe("shop").value()["phase"], "complete");
  EXPECT_EQ(controller->version_for(shop, "not-yet-placed"), "2.0.0") << "a site placed after completion gets the target";
}

TEST_F(RolloutControllerTest, ARolloutStoredAsOneValueByAnEarlierTowerIsResumedAndRewritten) {
  ASSERT_EQ(call("POST", "/v1/apply", version_2_app() + "---\n" + version_2_deployment()).status, 200);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  const Json before = rollouts_->describe("shop").value();
  const RolloutState state = RolloutState::from_json(before).value();
  for (const auto& key : stored_rollout_keys()) ASSERT_TRUE(store_->remove(key).has_value());
  const Json single_value = {{"deployment", "shop"}, {"application", "shop"}, {"state", state.to_json()}};
  ASSERT_TRUE(store_->put(keys::rollout("shop"), single_value.dump()).has_value());

  auto controller = restarted();
  EXPECT_EQ(controller->describe("shop").value(), before);
  EXPECT_EQ(stored_rollout_keys(), (std::vector<std::string>{"/rollouts/shop", "/rollouts/shop/sites/n1"}));
  EXPECT_EQ(restarted()->describe("shop").value(), before) << "and again from the layout it was rewritten in";
}

TEST_F(RolloutControllerTest, DeletingTheDeploymentForgetsItsRollout) {
  ASSERT_EQ(call("DELETE", "/v1/deployments/shop").status, 200);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  EXPECT_EQ(call("GET", "/v1/deployments/shop/rollout").status, 404);
  EXPECT_TRUE(stored_rollout_keys().empty());
}

// Sites with a connected host each, so that what they report moves their rollout.
class RolloutControllerSitesTest : public RolloutControllerTest {
 protected:
  struct QuietSession : SessionHandle {
    void desired_changed() override {}
    void close(const std::string&) override {}
  };

  void SetUp() override {
    TowerFixture::SetUp();
    add_site("n1", "north");
    add_site("n2", "north");
    add_site("n3", "north");
    add_site("s1", "south");
    ASSERT_EQ(call("POST", "/v1/apply", std::string(two_service_app) + "---\n" + north_deployment).status, 200);
  }
  void TearDown() override {
    if (watch_) store_->unwatch(*watch_);
    RolloutControllerTest::TearDown();
  }

  void add_site(const std::string& name, const std::string& region) {
    ASSERT_EQ(call("POST", "/v1/sites",
                   R"({"name":")" + name + R"(","labels":{"region":")" + region + R"("},"vars":{"WEB_PORT":"18081"}})")
                  .status,
              201);
    ASSERT_TRUE(store_->put(keys::host(name, "h1"), Host{name, "h1", "", 0, {}}.to_json().dump()).has_value());
    sessions_[name] = std::make_shared<QuietSession>();
    hub_->attach(name, "h1", sessions_[name]);
  }
  // Every container of shop on `site` running and ready, as its agent would report.
  void report_healthy(const std::string& site) {
    const SiteApp& app = *placement_->desired(site)->live().at("shop");
    Json reports = Json::array();
    for (const auto& assignment : app.instances)
      for (const auto& container : app.application.service(assignment.service)->containers)
        reports.push_back({{"app", "shop"}, {"version", app.application.version}, {"service", assignment.service},
                           {"instance", assignment.instance}, {"container", container.name}, {"state", "running"},
                           {"ready", true}});
    hub_->set_instances(site, "h1", sessions_.at(site).get(), reports);
  }
  // The keys of every write under /rollouts/ from now on, one list per transaction.
  void record_rollout_writes() {
    watch_ = store_->watch(keys::rollouts_prefix, [this](const std::vector<WatchEvent>& events) {
      std::vector<std::string> written;
      for (const auto& event : events) written.push_back(event.kv.key);
      writes_.push_back(std::move(written));
    });
  }

  std::map<std::string, std::shared_ptr<QuietSession>> sessions_;
  std::vector<std::vector<std::string>> writes_;
  std::optional<Store::WatchId> watch_;
};

TEST_F(RolloutControllerSitesTest, AStepThatMovesOneSiteWritesOnlyThatSiteAndTheHeader) {
  ASSERT_EQ(rollouts_->describe("shop").value()["sites"]["n2"]["state"], "upgrading");
  record_rollout_writes();
  hub_->detach("n2", "h1", sessions_.at("n2").get());
  ASSERT_TRUE(rollouts_->step_all().has_value());
  EXPECT_EQ(rollouts_->describe("shop").value()["sites"]["n2"]["state"], "pending");
  EXPECT_EQ(writes_, (std::vector<std::vector<std::string>>{{"/rollouts/shop/sites/n2", "/rollouts/shop"}}));
}

TEST_F(RolloutControllerSitesTest, ARolloutAtRestIsSteppedOnlyWhenOneOfItsSitesChanged) {
  for (const char* site : {"n1", "n2", "n3"}) report_healthy(site);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  ASSERT_EQ(rollouts_->describe("shop").value()["progress"]["done"], 3);
  record_rollout_writes();
  const auto before = rollouts_->counters();

  hub_->detach("s1", "h1", sessions_.at("s1").get());
  hub_->acknowledged("n1", "h1", sessions_.at("n1").get(), 42);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  EXPECT_EQ(rollouts_->counters().steps, before.steps) << "s1 is not placed; n1's view is what it was";
  EXPECT_EQ(rollouts_->counters().views_built, before.views_built + 1) << "n1 only: s1 is not placed";

  hub_->detach("n3", "h1", sessions_.at("n3").get());
  ASSERT_TRUE(rollouts_->step_all().has_value());
  EXPECT_EQ(rollouts_->counters().steps, before.steps + 1);
  EXPECT_TRUE(writes_.empty()) << "a healthy site that disconnects changes nothing to store";

  ASSERT_EQ(call("PATCH", "/v1/sites/n1", R"({"labels":{"tier":"gold"}})").status, 200);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  EXPECT_EQ(rollouts_->counters().steps, before.steps + 2) << "a site's record changed, though its view compares equal";
}

TEST_F(RolloutControllerSitesTest, ANewVersionKeepsTheSiteViewsAndANewPlacementBuildsThemAgain) {
  ASSERT_TRUE(rollouts_->step_all().has_value());
  const auto before = rollouts_->counters();
  ASSERT_EQ(call("POST", "/v1/apply", version_2_app() + "---\n" + version_2_deployment()).status, 200);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  // The apply stepped the rollout, which told placement to give n1 (one site at a time) 2.0.0.
  EXPECT_EQ(rollouts_->counters().views_built, before.views_built + 1)
      << "only n1, whose desired state changed: the other sites run what they ran";
  EXPECT_EQ(rollouts_->describe("shop").value()["to-version"], "2.0.0");
  ASSERT_EQ(rollouts_->describe("shop").value()["sites"].size(), 3u);

  const auto kept = rollouts_->counters();
  std::string everywhere = version_2_deployment();
  everywhere.replace(everywhere.find("region = north"), 14, "has(region)");
  ASSERT_EQ(call("POST", "/v1/apply", everywhere).status, 200);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  EXPECT_GE(rollouts_->counters().views_built, kept.views_built + 4) << "every site the new placement places";
  EXPECT_TRUE(rollouts_->describe("shop").value()["sites"].contains("s1"));
}

TEST_F(RolloutControllerSitesTest, ASiteLeavingThePlacementLeavesTheRolloutAndTheStore) {
  ASSERT_EQ(call("PATCH", "/v1/sites/n3", R"({"labels":{"region":"south"}})").status, 200);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  EXPECT_FALSE(rollouts_->describe("shop").value()["sites"].contains("n3"));
  EXPECT_EQ(stored_rollout_keys(),
            (std::vector<std::string>{"/rollouts/shop", "/rollouts/shop/sites/n1", "/rollouts/shop/sites/n2"}));
  EXPECT_EQ(restarted()->describe("shop").value(), rollouts_->describe("shop").value());
}

// Sends the default logger's lines at `level` and above to a string while it lives.
class CapturedLog {
 public:
  explicit CapturedLog(spdlog::level::level_enum level)
      : previous_(spdlog::default_logger()), previous_level_(spdlog::get_level()) {
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)));
    spdlog::set_level(level);
  }
  ~CapturedLog() {
    spdlog::set_default_logger(previous_);
    spdlog::set_level(previous_level_);
  }
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
  spdlog::level::level_enum previous_level_;
};

TEST_F(RolloutControllerSitesTest, TheLogAtInfoHasTheRolloutsFleetWideStepsButNotEachSitesWhichItsEventsKeep) {
  CapturedLog log(spdlog::level::info);
  // All three sites at once, each done as soon as it is healthy: one step completes the rollout.
  const std::string all_at_once = version_2_deployment() + "rollout: {sites-in-parallel: 3, healthy-for: 0s}\n";
  ASSERT_EQ(call("POST", "/v1/apply", version_2_app() + "---\n" + all_at_once).status, 200);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  io_.poll();
  for (const char* site : {"n1", "n2", "n3"}) report_healthy(site);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  ASSERT_EQ(rollouts_->describe("shop").value()["phase"], "complete");

  const std::string text = log.text();
  EXPECT_NE(text.find("rollout-complete"), std::string::npos) << text;
  EXPECT_EQ(text.find("site-healthy"), std::string::npos) << text;
  EXPECT_EQ(text.find("site-upgrading"), std::string::npos) << text;
  const Json rollout = rollouts_->describe("shop").value();
  std::set<std::string> healthy;
  for (const Json& event : rollout["events"])
    if (event["kind"] == "site-healthy") healthy.insert(event["site"].get<std::string>());
  EXPECT_EQ(healthy, (std::set<std::string>{"n1", "n2", "n3"})) << rollout["events"].dump();
}

}  // namespace
}  // namespace outpost::tower

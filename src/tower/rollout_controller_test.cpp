// The rollout controller over a real store: the first version is simply deployed, a new one
// starts a rollout whose per-site versions placement follows, commands are checked against the
// phase, and a controller started on the same store continues the stored rollout.
#include "tower/rollout_controller.hpp"

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

  RolloutController restarted(*repo_, *fleet_, *hub_, *placement_, clock_, io_.get_executor(), std::chrono::hours(24),
                              std::chrono::milliseconds::zero());
  ASSERT_TRUE(restarted.start().has_value());
  EXPECT_EQ(restarted.describe("shop").value(), before);
  Deployment shop = repo_->deployment("shop").value()->value;
  EXPECT_EQ(restarted.version_for(shop, "n1"), "1.0.0");
  EXPECT_EQ(restarted.describe("shop").value()["phase"], "complete");
  EXPECT_EQ(restarted.version_for(shop, "not-yet-placed"), "2.0.0") << "a site placed after completion gets the target";
  // `restarted` made itself placement's version source; hand it back before it goes away.
  placement_->set_version_source(
      [this](const Deployment& deployment, const std::string& site) { return rollouts_->version_for(deployment, site); });
}

TEST_F(RolloutControllerTest, DeletingTheDeploymentForgetsItsRollout) {
  ASSERT_EQ(call("DELETE", "/v1/deployments/shop").status, 200);
  ASSERT_TRUE(rollouts_->step_all().has_value());
  EXPECT_EQ(call("GET", "/v1/deployments/shop/rollout").status, 404);
  EXPECT_FALSE(repo_->raw("/rollouts/shop").value().has_value());
}

}  // namespace
}  // namespace outpost::tower

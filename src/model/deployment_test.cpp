#include "model/deployment.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::string_view design_example = R"(
kind: deployment
name: pos-terminal
application: pos-terminal
version: 1.4.0
placement:
  sites: region in (north, west) and has(gpu) and not name = lab-1
rollout:
  canary: {sites: canary = true, healthy-for: 10m}
  sites-in-parallel: 10
  healthy-for: 2m
  max-failed-sites: 1
  on-failure: rollback
)";

Json yaml(std::string_view text) {
  auto doc = parse_document(text);
  EXPECT_TRUE(doc) << (doc ? "" : doc.error().message);
  return doc ? *doc : Json();
}

Json minimal() { return Json{{"name", "d"}, {"application", "app"}}; }

Error deployment_error(const Json& doc) {
  auto deployment = Deployment::from_json(doc);
  EXPECT_FALSE(deployment) << doc.dump();
  return deployment ? Error{} : deployment.error();
}

TEST(Deployment, ParsesTheDesignExample) {
  auto deployment = Deployment::from_json(yaml(design_example));
  ASSERT_TRUE(deployment) << deployment.error().message;
  EXPECT_EQ(deployment->name, "pos-terminal");
  EXPECT_EQ(deployment->application, "pos-terminal");
  EXPECT_EQ(deployment->version, "1.4.0");
  EXPECT_TRUE(deployment->placement.matches({{"name", "shop-1"}, {"region", "west"}, {"gpu", "1"}}));
  EXPECT_FALSE(deployment->placement.matches({{"name", "lab-1"}, {"region", "west"}, {"gpu", "1"}}));
  RolloutPolicy policy = deployment->rollout_policy();
  ASSERT_TRUE(policy.canary);
  EXPECT_TRUE(policy.canary->sites.matches({{"canary", "true"}}));
  EXPECT_EQ(policy.canary->healthy_for, minutes(10));
  EXPECT_EQ(policy.sites_in_parallel, 10);
  EXPECT_EQ(policy.healthy_for, minutes(2));
  EXPECT_EQ(policy.max_failed_sites, 1);
  EXPECT_TRUE(policy.rollback_on_failure);
}

TEST(Deployment, DefaultsAreSpelledOutInTheCanonicalForm) {
  auto deployment = Deployment::from_json(minimal());
  ASSERT_TRUE(deployment) << deployment.error().message;
  EXPECT_EQ(deployment->version, "*");
  EXPECT_TRUE(deployment->placement.matches({}));
  EXPECT_EQ(deployment->to_json(), Json::parse(R"({
    "kind": "deployment", "name": "d", "application": "app", "version": "*",
    "placement": {"sites": ""},
    "rollout": {"sites-in-parallel": 1, "healthy-for": "30s", "max-failed-sites": 0, "on-failure": "pause"}
  })"));
}

TEST(Deployment, RoundTripsAndEqualSpecsSerializeIdentically) {
  auto deployment = Deployment::from_json(yaml(design_example));
  ASSERT_TRUE(deployment);
  Json json = deployment->to_json();
  auto again = Deployment::from_json(json);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->to_json(), json);

  Json spelled = yaml(design_example);
  spelled["rollout"]["healthy-for"] = "120s";
  spelled["rollout"]["canary"]["healthy-for"] = 600;
  auto same = Deployment::from_json(spelled);
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_EQ(same->to_json(), json);
}

TEST(Deployment, CanaryHealthyForDefaultsToTheRolloutOne) {
  auto deployment = Deployment::from_json(
      yaml("name: d\napplication: a\nrollout: {healthy-for: 5m, canary: {sites: canary = true}}\n"));
  ASSERT_TRUE(deployment) << deployment.error().message;
  EXPECT_EQ(deployment->rollout_policy().canary->healthy_for, minutes(5));
  EXPECT_EQ(deployment->to_json()["rollout"]["canary"]["healthy-for"], "5m");
}

TEST(Deployment, ExplicitVersionStarAndNullPlacement) {
  auto deployment = Deployment::from_json(yaml("name: d\napplication: a\nversion: '*'\nplacement:\n"));
  ASSERT_TRUE(deployment) << deployment.error().message;
  EXPECT_EQ(deployment->version, "*");
}

TEST(DeploymentErrors, RequiredAndValidatedNames) {
  EXPECT_EQ(deployment_error(Json{{"application", "a"}}).field, "name");
  EXPECT_EQ(deployment_error(Json{{"name", "d"}}).message, "application: is required");
  EXPECT_EQ(deployment_error(Json{{"name", "d"}, {"application", "Bad"}}).field, "application");
}

TEST(DeploymentErrors, Version) {
  Json doc = minimal();
  doc["version"] = 1.1;
  Error number = deployment_error(doc);
  EXPECT_EQ(number.field, "version");
  EXPECT_NE(number.message.find("quote it"), std::string::npos);
  doc["version"] = "**";
  EXPECT_EQ(deployment_error(doc).field, "version");
}

TEST(DeploymentErrors, KindAndUnknownFields) {
  Json doc = minimal();
  doc["kind"] = "application";
  EXPECT_EQ(deployment_error(doc).field, "kind");
  doc = minimal();
  doc["replicas"] = 2;
  EXPECT_EQ(deployment_error(doc).field, "replicas");
  doc = minimal();
  doc["placement"] = {{"hosts", "x = y"}};
  EXPECT_EQ(deployment_error(doc).field, "placement.hosts");
  doc["placement"] = "region = north";
  EXPECT_EQ(deployment_error(doc).message, "placement: must be an object, got string");
}

TEST(DeploymentErrors, BadPlacementExpressionNamesFieldAndPosition) {
  Json doc = minimal();
  doc["placement"] = {{"sites", "region in (north, west"}};
  Error error = deployment_error(doc);
  EXPECT_EQ(error.status, 422);
  EXPECT_EQ(error.field, "placement.sites");
  EXPECT_EQ(error.message,
            "placement.sites: at position 23: expected ',' or ')' after the value list, got the end of the "
            "expression");
}

TEST(DeploymentErrors, Rollout) {
  auto rollout_error = [](const Json& rollout) {
    Json doc = minimal();
    doc["rollout"] = rollout;
    return deployment_error(doc);
  };
  EXPECT_EQ(rollout_error(Json{{"batch", 2}}).field, "rollout.batch");
  EXPECT_EQ(rollout_error(Json{{"sites-in-parallel", 0}}).field, "rollout.sites-in-parallel");
  EXPECT_EQ(rollout_error(Json{{"sites-in-parallel", "many"}}).field, "rollout.sites-in-parallel");
  EXPECT_EQ(rollout_error(Json{{"max-failed-sites", -1}}).field, "rollout.max-failed-sites");
  EXPECT_EQ(rollout_error(Json{{"healthy-for", "2 minutes"}}).field, "rollout.healthy-for");
  EXPECT_EQ(rollout_error(Json{{"healthy-for", true}}).field, "rollout.healthy-for");
  EXPECT_EQ(rollout_error(Json{{"on-failure", "retry"}}).message,
            "rollout.on-failure: must be one of rollback, pause, got \"retry\"");
  EXPECT_EQ(rollout_error(Json{{"canary", {{"healthy-for", "1m"}}}}).field, "rollout.canary.sites");
  EXPECT_EQ(rollout_error(Json{{"canary", {{"sites", ""}}}}).field, "rollout.canary.sites");
  EXPECT_EQ(rollout_error(Json{{"canary", {{"sites", "has("}}}}).field, "rollout.canary.sites");
  EXPECT_EQ(rollout_error(Json{{"canary", {{"sites", "a = b"}, {"percent", 5}}}}).field,
            "rollout.canary.percent");
  EXPECT_EQ(rollout_error(Json::array()).message, "rollout: must be an object, got array");
}

TEST(RolloutPolicy, FromJsonUsesTheGivenFieldPrefix) {
  auto policy = RolloutPolicy::from_json(Json{{"sites-in-parallel", 0}}, "spec.rollout");
  ASSERT_FALSE(policy);
  EXPECT_EQ(policy.error().field, "spec.rollout.sites-in-parallel");
  auto defaults = RolloutPolicy::from_json(Json::object());
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->healthy_for, seconds(30));
  EXPECT_FALSE(defaults->canary);
}

TEST(Deployment, HandBuiltDeploymentSerializesCanonically) {
  Deployment deployment;
  deployment.name = "d";
  deployment.application = "a";
  EXPECT_EQ(deployment.to_json()["rollout"]["on-failure"], "pause");
  EXPECT_TRUE(Deployment::from_json(deployment.to_json()));
}

}  // namespace
}  // namespace outpost

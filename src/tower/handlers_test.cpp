// The REST handlers against a real store: what is accepted, what is refused (and that a refusal
// stores nothing), and that placement follows every change.
#include <gtest/gtest.h>

#include "tower/tower_test_fixture.hpp"

namespace outpost::tower {
namespace {

using Handlers = TowerFixture;

TEST_F(Handlers, RequestWithoutOrWithWrongBearerTokenIs401) {
  EXPECT_EQ(call("GET", "/v1/sites", {}, {}, false).status, 401);
  EXPECT_EQ(call("GET", "/v1/sites", {}, {{"authorization", "Bearer nope"}}, false).status, 401);
  EXPECT_EQ(call("GET", "/v1/ca", {}, {}, false).status, 200);  // public: needed to trust the tower
}

TEST_F(Handlers, CreateSiteThenDuplicateIsConflictAndStoresNothing) {
  auto created = call("POST", "/v1/sites", R"({"name":"shop-1","labels":{"region":"north"}})");
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(created.body["labels"]["region"], "north");
  const auto before = store_revision();
  auto duplicate = call("POST", "/v1/sites", R"({"name":"shop-1"})");
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(duplicate.body["error"]["code"], "already_exists");
  EXPECT_EQ(store_revision(), before);
}

TEST_F(Handlers, BadSiteInputsAre4xxNamingTheField) {
  struct Case {
    const char* body;
    int status;
    const char* field;
  };
  for (const auto& c : {Case{R"({"name":"Bad_Name"})", 422, "name"}, Case{R"({"labels":{}})", 422, "name"},
                        Case{R"({"name":"a","colour":"red"})", 422, "colour"}, Case{R"({"name":5})", 422, "name"},
                        Case{R"({"name":"a",)", 400, ""}, Case{"[1,2]", 400, ""}}) {
    const auto before = store_revision();
    auto response = call("POST", "/v1/sites", c.body);
    EXPECT_EQ(response.status, c.status) << c.body << " → " << response.body.dump();
    if (*c.field) {
      EXPECT_EQ(response.body["error"].value("field", ""), c.field) << c.body;
    }
    EXPECT_EQ(store_revision(), before) << c.body;
  }
}

TEST_F(Handlers, StaleIfMatchIs412) {
  auto created = call("POST", "/v1/sites", R"({"name":"shop-1"})");
  const auto revision = created.body["revision"].get<std::int64_t>();
  auto patched = call("PATCH", "/v1/sites/shop-1", R"({"labels":{"a":"b"}})", {{"if-match", std::to_string(revision)}});
  ASSERT_EQ(patched.status, 200);
  auto stale = call("PATCH", "/v1/sites/shop-1", R"({"labels":{"a":"c"}})", {{"if-match", std::to_string(revision)}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(call("GET", "/v1/sites/shop-1").body["labels"]["a"], "b");
}

TEST_F(Handlers, ApplyWithOneBadDocumentStoresNone) {
  const auto before = store_revision();
  std::string file = std::string(two_service_app) + "---\n" + "kind: deployment\nname: shop\napplication: shop\nplacement: {sites: 'region in (north'}\n";
  auto response = call("POST", "/v1/apply", file);
  EXPECT_EQ(response.status, 422) << response.body.dump();
  EXPECT_EQ(response.body["error"]["field"], "documents[1].placement.sites");
  EXPECT_NE(response.body["error"]["message"].get<std::string>().find("position"), std::string::npos);
  EXPECT_EQ(store_revision(), before);
  EXPECT_EQ(call("GET", "/v1/applications/shop").status, 404);
}

TEST_F(Handlers, DeploymentOfMissingApplicationOrVersionIs422) {
  auto missing_app = call("PUT", "/v1/deployments/d", R"({"application":"ghost","version":"1.0.0"})");
  EXPECT_EQ(missing_app.status, 422);
  EXPECT_EQ(missing_app.body["error"]["field"], "application");
  ASSERT_EQ(call("POST", "/v1/applications", two_service_app).status, 201);
  auto missing_version = call("PUT", "/v1/deployments/d", R"({"application":"shop","version":"9.9.9"})");
  EXPECT_EQ(missing_version.status, 422);
  EXPECT_EQ(missing_version.body["error"]["field"], "version");
  EXPECT_EQ(call("GET", "/v1/deployments/d").status, 404);
}

TEST_F(Handlers, ApplicationVersionsAreImmutable) {
  ASSERT_EQ(call("POST", "/v1/applications", two_service_app).status, 201);
  EXPECT_EQ(call("POST", "/v1/applications", two_service_app).status, 200);  // identical: unchanged
  std::string changed = two_service_app;
  changed.replace(changed.find("shop/web:1.0.0"), 14, "shop/web:1.0.1");
  auto response = call("POST", "/v1/applications", changed);
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.body["error"]["code"], "immutable");
}

TEST_F(Handlers, PlacementFollowsApplyAndLabelChanges) {
  ASSERT_EQ(call("POST", "/v1/sites", R"({"name":"n1","labels":{"region":"north"},"vars":{"WEB_PORT":"18081"}})").status, 201);
  ASSERT_EQ(call("POST", "/v1/sites", R"({"name":"s1","labels":{"region":"south"},"vars":{"WEB_PORT":"18082"}})").status, 201);
  auto applied = call("POST", "/v1/apply", std::string(two_service_app) + "---\n" + north_deployment);
  ASSERT_EQ(applied.status, 200) << applied.body.dump();
  ASSERT_NE(placement_->desired("n1"), nullptr);
  EXPECT_EQ(placement_->desired("n1")->live().count("shop"), 1u);
  EXPECT_EQ(placement_->desired("s1")->live().count("shop"), 0u);

  ASSERT_EQ(call("PATCH", "/v1/sites/n1", R"({"labels":{"region":"south"}})").status, 200);
  ASSERT_EQ(call("PATCH", "/v1/sites/s1", R"({"labels":{"region":"north"}})").status, 200);
  EXPECT_EQ(placement_->desired("n1")->live().count("shop"), 0u);
  EXPECT_EQ(placement_->desired("s1")->live().count("shop"), 1u);

  ASSERT_EQ(call("DELETE", "/v1/deployments/shop").status, 200);
  EXPECT_TRUE(placement_->desired("s1")->live().empty());
}

TEST_F(Handlers, SecondDeploymentOfTheSameApplicationIsConflict) {
  ASSERT_EQ(call("POST", "/v1/apply", std::string(two_service_app) + "---\n" + north_deployment).status, 200);
  auto second = call("PUT", "/v1/deployments/other", R"({"application":"shop"})");
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(second.body["error"]["field"], "application");
}

TEST_F(Handlers, JoinTokenIsSingleUseAndExpires) {
  ASSERT_EQ(call("POST", "/v1/sites", R"({"name":"n1"})").status, 201);
  auto token = call("POST", "/v1/sites/n1/tokens", R"({"ttl":"1h"})");
  ASSERT_EQ(token.status, 201);
  const std::string text = token.body["token"];
  auto key = generate_private_key_pem().value();
  Json enroll = {{"token", text}, {"host", "h1"}, {"csr", make_csr(key, "h1").value()}};
  auto first = call("POST", "/v1/enroll", enroll.dump(), {}, false);
  ASSERT_EQ(first.status, 200) << first.body.dump();
  auto info = inspect_certificate(first.body["certificate"]).value();
  EXPECT_EQ(info.common_name, "n1/h1");
  auto again = call("POST", "/v1/enroll", enroll.dump(), {}, false);
  EXPECT_EQ(again.status, 401);

  auto short_lived = call("POST", "/v1/sites/n1/tokens", R"({"ttl":"1s"})");
  clock_.advance(std::chrono::seconds(2));
  enroll["token"] = short_lived.body["token"];
  auto expired = call("POST", "/v1/enroll", enroll.dump(), {}, false);
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.body["error"]["message"].get<std::string>().find("expired"), std::string::npos);
}

TEST_F(Handlers, ListsPaginateWithACursor) {
  for (auto name : {"a1", "a2", "a3"}) ASSERT_EQ(call("POST", "/v1/sites", Json{{"name", name}}.dump()).status, 201);
  auto first = call("GET", "/v1/sites?limit=2");
  ASSERT_EQ(first.body["items"].size(), 2u);
  ASSERT_TRUE(first.body.contains("next"));
  auto second = call("GET", "/v1/sites?limit=2&continue=" + first.body["next"].get<std::string>());
  ASSERT_EQ(second.body["items"].size(), 1u);
  EXPECT_EQ(second.body["items"][0]["name"], "a3");
  EXPECT_FALSE(second.body.contains("next"));
  EXPECT_EQ(call("GET", "/v1/sites?limit=0").status, 400);
  EXPECT_EQ(call("GET", "/v1/sites?selector=region%20in%20(").status, 400);
}

TEST_F(Handlers, RecreatedSiteGivesAStaleAgentAFullStateNotADelta) {
  ASSERT_EQ(call("POST", "/v1/sites", R"({"name":"n1","labels":{"region":"north"},"vars":{"WEB_PORT":"1"}})").status, 201);
  ASSERT_EQ(call("POST", "/v1/apply", std::string(two_service_app) + "---\n" + north_deployment).status, 200);
  const auto old_revision = placement_->desired("n1")->revision;
  ASSERT_EQ(call("DELETE", "/v1/sites/n1").status, 200);
  EXPECT_EQ(placement_->desired("n1"), nullptr);
  ASSERT_EQ(call("POST", "/v1/sites", R"({"name":"n1","labels":{"region":"south"}})").status, 201);
  const SiteDesired* fresh = placement_->desired("n1");
  ASSERT_NE(fresh, nullptr);
  EXPECT_GT(fresh->revision, old_revision);
  // An agent still holding the old site's checkpoint must not get a delta that keeps old apps.
  EXPECT_TRUE(fresh->delta_since(old_revision)["full"].get<bool>());
}

}  // namespace
}  // namespace outpost::tower

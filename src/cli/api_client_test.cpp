#include "cli/api_client.hpp"

#include <gtest/gtest.h>

#include "cli/testing_fakes.hpp"

namespace outpost::cli {
namespace {

using testing::FakeTower;

TEST(ApiClient, SendsTheBearerTokenAndContentType) {
  FakeTower tower;
  tower.on("POST", "/v1/apply", 200, R"({"results":[]})");
  const ApiClient api("https://t:7443", "tok", tower.transport());
  ASSERT_TRUE(api.send_text("POST", "/v1/apply", "kind: site", "application/yaml"));
  ASSERT_EQ(tower.requests.size(), 1u);
  EXPECT_EQ(tower.requests[0].headers.at("Authorization"), "Bearer tok");
  EXPECT_EQ(tower.requests[0].headers.at("Content-Type"), "application/yaml");
  EXPECT_EQ(tower.requests[0].body, "kind: site");
}

TEST(ApiClient, TurnsTheTowersErrorBodyIntoAnError) {
  FakeTower tower;
  tower.on("GET", "/v1/sites/x", 404, R"({"error":{"code":"not_found","message":"site x not found"}})");
  const ApiClient api("https://t:7443", "tok", tower.transport());
  const auto site = api.get("/v1/sites/x");
  ASSERT_FALSE(site);
  EXPECT_EQ(site.error().status, 404);
  EXPECT_EQ(site.error().message, "site x not found");
}

TEST(ApiClient, NamesTheTowerWhenItIsUnreachable) {
  FakeTower tower;
  tower.unreachable("connection refused");
  const ApiClient api("https://t:7443", "tok", tower.transport());
  const auto site = api.get("/v1/sites");
  ASSERT_FALSE(site);
  EXPECT_EQ(site.error().code, "unreachable");
  EXPECT_EQ(site.error().message, "cannot reach the tower at https://t:7443: connection refused");
}

TEST(ApiClient, RejectsASuccessBodyThatIsNotJson) {
  FakeTower tower;
  tower.on("GET", "/v1/sites/x", 200, "<html>");
  const ApiClient api("https://t:7443", "tok", tower.transport());
  EXPECT_FALSE(api.get("/v1/sites/x"));
}

TEST(ApiClient, ListAllFollowsCursorsUntilTheLastPage) {
  FakeTower tower;
  tower.on("GET", "/v1/sites?selector=a%20%3D%20b", 200, R"({"items":[{"name":"a"}],"next":"c/2"})");
  tower.on("GET", "/v1/sites?selector=a%20%3D%20b&continue=c%2F2", 200, R"({"items":[{"name":"b"}],"next":"c3"})");
  tower.on("GET", "/v1/sites?selector=a%20%3D%20b&continue=c3", 200, R"({"items":[{"name":"c"}]})");
  const ApiClient api("https://t:7443", "tok", tower.transport());
  const auto items = api.list_all("/v1/sites", {{"selector", "a = b"}});
  ASSERT_TRUE(items) << items.error().message;
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ((*items)[2]["name"], "c");
  EXPECT_EQ(tower.requests.size(), 3u);
}

TEST(ApiClient, ListAllStopsOnACursorThatDoesNotMove) {
  FakeTower tower;
  tower.on("GET", "/v1/sites", 200, R"({"items":[],"next":"same"})");
  tower.on("GET", "/v1/sites?continue=same", 200, R"({"items":[],"next":"same"})");
  const ApiClient api("https://t:7443", "tok", tower.transport());
  EXPECT_FALSE(api.list_all("/v1/sites"));
}

}  // namespace
}  // namespace outpost::cli

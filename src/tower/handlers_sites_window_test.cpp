// A site's upgrade window through the REST API: set on create or by PATCH, replaced whole,
// cleared with null, and refused with the offending field named and nothing stored.
#include <gtest/gtest.h>

#include "tower/tower_test_fixture.hpp"

namespace outpost::tower {
namespace {

using SiteWindowHandlers = TowerFixture;

constexpr const char* stockholm_nights =
    R"({"days-of-week":["Saturday","sun"],"start":"23:00","duration":"3h","time-zone":"Europe/Stockholm"})";

TEST_F(SiteWindowHandlers, PatchSetsReplacesAndClearsTheWindowKeepingTheRest) {
  ASSERT_EQ(call("POST", "/v1/sites", R"({"name":"shop-1","labels":{"region":"north"}})").status, 201);
  EXPECT_FALSE(call("GET", "/v1/sites/shop-1").body.contains("upgrade-window"));

  auto set = call("PATCH", "/v1/sites/shop-1", std::string(R"({"upgrade-window":)") + stockholm_nights + "}");
  ASSERT_EQ(set.status, 200) << set.body.dump();
  const Json canonical =
      Json::parse(R"({"days-of-week":["sat","sun"],"start":"23:00","duration":"3h","time-zone":"Europe/Stockholm"})");
  EXPECT_EQ(set.body["upgrade-window"], canonical);
  auto read = call("GET", "/v1/sites/shop-1");
  EXPECT_EQ(read.body["upgrade-window"], canonical);
  EXPECT_EQ(read.body["labels"]["region"], "north");

  auto replaced = call("PATCH", "/v1/sites/shop-1", R"({"upgrade-window":{"start":"02:00","duration":"1h"}})");
  ASSERT_EQ(replaced.status, 200) << replaced.body.dump();
  EXPECT_EQ(replaced.body["upgrade-window"]["days-of-week"].size(), 7u) << "replaced whole, not merged";
  EXPECT_EQ(replaced.body["upgrade-window"]["time-zone"], "UTC");

  auto cleared = call("PATCH", "/v1/sites/shop-1", R"({"upgrade-window":null,"labels":{"floor":"2"}})");
  ASSERT_EQ(cleared.status, 200) << cleared.body.dump();
  EXPECT_FALSE(cleared.body.contains("upgrade-window"));
  auto after = call("GET", "/v1/sites/shop-1");
  EXPECT_FALSE(after.body.contains("upgrade-window"));
  EXPECT_EQ(after.body["labels"], Json::parse(R"({"region":"north","floor":"2"})"));
}

TEST_F(SiteWindowHandlers, CreateAcceptsAWindow) {
  auto created = call("POST", "/v1/sites", std::string(R"({"name":"shop-2","upgrade-window":)") + stockholm_nights + "}");
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(call("GET", "/v1/sites/shop-2").body["upgrade-window"]["days-of-week"], Json::parse(R"(["sat","sun"])"));
}

TEST_F(SiteWindowHandlers, BadWindowIs422NamingTheFieldAndStoresNothing) {
  ASSERT_EQ(call("POST", "/v1/sites", std::string(R"({"name":"shop-1","upgrade-window":)") + stockholm_nights + "}").status,
            201);
  const Json before_window = call("GET", "/v1/sites/shop-1").body["upgrade-window"];
  struct Case {
    const char* window;
    const char* field;
  };
  for (const auto& c : {
           Case{R"({"start":"02:00","duration":"1h","time-zone":"Mars/Olympus"})", "upgrade-window.time-zone"},
           Case{R"({"start":"25:00","duration":"1h"})", "upgrade-window.start"},
           Case{R"({"start":"02:00"})", "upgrade-window.duration"},
           Case{R"({"start":"02:00","duration":"8d"})", "upgrade-window.duration"},
           Case{R"({"start":"02:00","duration":"1h","days-of-week":["mon","MON"]})", "upgrade-window.days-of-week[1]"},
           Case{R"({"start":"02:00","duration":"1h","colour":"red"})", "upgrade-window.colour"},
           Case{R"("nights")", "upgrade-window"},
       }) {
    const auto before = store_revision();
    auto response = call("PATCH", "/v1/sites/shop-1", std::string(R"({"upgrade-window":)") + c.window + "}");
    EXPECT_EQ(response.status, 422) << c.window << " → " << response.body.dump();
    EXPECT_EQ(response.body["error"]["code"], "invalid") << c.window;
    EXPECT_EQ(response.body["error"].value("field", ""), c.field) << c.window;
    EXPECT_EQ(store_revision(), before) << c.window;
  }
  auto unknown_zone = call("PATCH", "/v1/sites/shop-1", R"({"upgrade-window":{"start":"02:00","duration":"1h","time-zone":"Mars/Olympus"}})");
  EXPECT_NE(unknown_zone.body["error"]["message"].get<std::string>().find("Mars/Olympus"), std::string::npos);
  EXPECT_EQ(call("GET", "/v1/sites/shop-1").body["upgrade-window"], before_window);
}

}  // namespace
}  // namespace outpost::tower

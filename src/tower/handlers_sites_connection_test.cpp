// A site's when-disconnected through the REST API, and the connection summary every site view
// carries.
#include <gtest/gtest.h>

#include "tower/tower_test_fixture.hpp"

namespace outpost::tower {
namespace {

using SiteConnectionHandlers = TowerFixture;

TEST_F(SiteConnectionHandlers, WhenDisconnectedIsSetResetAndRefusedWithItsField) {
  ASSERT_EQ(call("POST", "/v1/sites", R"({"name":"ship-1","when-disconnected":"expected"})").status, 201);
  auto read = call("GET", "/v1/sites/ship-1");
  EXPECT_EQ(read.body["when-disconnected"], "expected");
  EXPECT_EQ(read.body["connection"]["state"], "not-enrolled");
  EXPECT_EQ(read.body["connection"]["alert"], "none");

  auto error = call("PATCH", "/v1/sites/ship-1", R"({"when-disconnected":"error"})");
  ASSERT_EQ(error.status, 200) << error.body.dump();
  EXPECT_EQ(error.body["when-disconnected"], "error");

  const auto revision = store_revision();
  auto bad = call("PATCH", "/v1/sites/ship-1", R"({"when-disconnected":"often"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.body["error"]["field"], "when-disconnected");
  EXPECT_EQ(store_revision(), revision) << "nothing stored";

  auto reset = call("PATCH", "/v1/sites/ship-1", R"({"when-disconnected":null})");
  ASSERT_EQ(reset.status, 200);
  EXPECT_FALSE(reset.body.contains("when-disconnected")) << "back to normal, the default";
}

}  // namespace
}  // namespace outpost::tower

// A site's connection summary over its hosts, and how its when-disconnected turns a disconnect
// into an alert.
#include "tower/site_view.hpp"

#include <gtest/gtest.h>

namespace outpost::tower {
namespace {

Site site_with(const std::string& when_disconnected) {
  Site site;
  site.name = "shop-1";
  site.when_disconnected = when_disconnected;
  return site;
}

TEST(SiteConnection, ConnectedWhenEveryHostIs) {
  Json out = site_connection(site_with("error"), {{true, 100, 7}, {true, 120, 5}});
  EXPECT_EQ(out["state"], "connected");
  EXPECT_EQ(out["alert"], "none");
  EXPECT_EQ(out["since"], 120);
  EXPECT_EQ(out["acknowledged"], 5);
}

TEST(SiteConnection, ADisconnectRaisesWhatTheSiteSays) {
  const std::vector<HostConnection> down{{false, 200, 9}};
  EXPECT_EQ(site_connection(site_with("normal"), down)["alert"], "warning");
  EXPECT_EQ(site_connection(site_with("expected"), down)["alert"], "none");
  EXPECT_EQ(site_connection(site_with("error"), down)["alert"], "error");
  EXPECT_EQ(site_connection(site_with("error"), down)["state"], "disconnected");
  EXPECT_EQ(site_connection(site_with("error"), down)["since"], 200);
}

TEST(SiteConnection, PartlyConnectedNeverConnectedAndNotEnrolled) {
  EXPECT_EQ(site_connection(site_with("normal"), {{true, 1, 3}, {false, 2, 3}})["state"], "partly-connected");
  EXPECT_EQ(site_connection(site_with("normal"), {{false, 0, 0}})["state"], "never-connected");
  Json empty = site_connection(site_with("error"), {});
  EXPECT_EQ(empty["state"], "not-enrolled");
  EXPECT_EQ(empty["alert"], "none");
  EXPECT_FALSE(empty.contains("since"));
}

TEST(SiteSpec, WhenDisconnectedIsValidatedAndWrittenOnlyWhenNotNormal) {
  auto site = Site::from_json(Json{{"name", "s1"}, {"when-disconnected", "expected"}});
  ASSERT_TRUE(site.has_value()) << site.error().message;
  EXPECT_EQ(site->to_json()["when-disconnected"], "expected");
  EXPECT_FALSE(Site::from_json(Json{{"name", "s1"}})->to_json().contains("when-disconnected"));
  auto bad = Site::from_json(Json{{"name", "s1"}, {"when-disconnected", "sometimes"}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().field, "when-disconnected");
}

}  // namespace
}  // namespace outpost::tower

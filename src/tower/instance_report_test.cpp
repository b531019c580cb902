// Agent reports are untrusted: only documented fields survive, with their types, and free text
// and output lines are bounded.
#include "tower/instance_report.hpp"

#include <gtest/gtest.h>

namespace outpost::tower {
namespace {

TEST(InstanceReport, KeepsHealthFieldsWithTheirTypes) {
  Json item = {{"app", "shop"},   {"state", "running"}, {"ready", true}, {"restarts", 3}, {"health", "ready"},
               {"extra", "drop"}, {"last_probe", {{"probe", "readiness"}, {"ok", true}, {"message", "HTTP 200"}, {"x", 1}}}};
  Json clean = normalise_instance("s1", "h1", item);
  EXPECT_EQ(clean["site"], "s1");
  EXPECT_EQ(clean["ready"], true);
  EXPECT_EQ(clean["restarts"], 3);
  EXPECT_EQ(clean["health"], "ready");
  EXPECT_FALSE(clean.contains("extra"));
  EXPECT_EQ(clean["last_probe"], (Json{{"probe", "readiness"}, {"ok", true}, {"message", "HTTP 200"}}));
}

TEST(InstanceReport, WrongTypesBecomeDefaultsAndTextIsBounded) {
  Json lines = Json::array();
  for (int i = 0; i < 50; ++i) lines.push_back("line " + std::to_string(i));
  Json item = {{"ready", "yes"},
               {"restarts", "many"},
               {"message", std::string(5000, 'x')},
               {"crash_loop", {{"reason", "exited with code 1"}, {"exit_code", 1}, {"last_output", lines}}}};
  Json clean = normalise_instance("s1", "h1", item);
  EXPECT_EQ(clean["ready"], false);
  EXPECT_EQ(clean["restarts"], 0);
  EXPECT_EQ(clean["health"], "pending");
  EXPECT_LT(clean["message"].get<std::string>().size(), 1100u);
  ASSERT_EQ(clean["crash_loop"]["last_output"].size(), 20u);
  EXPECT_EQ(clean["crash_loop"]["last_output"].back(), "line 49");
}

TEST(InstanceReport, AppHealthKeepsItsCounts) {
  Json clean = normalise_app_health("s1", "h1", {{"app", "shop"}, {"version", "2.0.0"}, {"instances", 2},
                                                 {"ready", 1}, {"healthy", false}, {"bogus", true}});
  EXPECT_EQ(clean, (Json{{"site", "s1"}, {"host", "h1"}, {"app", "shop"}, {"version", "2.0.0"}, {"instances", 2},
                         {"ready", 1}, {"healthy", false}}));
}

}  // namespace
}  // namespace outpost::tower

#include "tower/session_hub.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace outpost::tower {
namespace {

struct RecordingSession : SessionHandle {
  int pushes = 0;
  std::string closed;
  void desired_changed() override { ++pushes; }
  void close(const std::string& reason) override { closed = reason; }
};

TEST(SessionHub, NewerSessionReplacesOlderAndOnlyItsReportsCount) {
  ManualClock clock;
  SessionHub hub(clock);
  auto old_session = std::make_shared<RecordingSession>();
  auto new_session = std::make_shared<RecordingSession>();
  hub.attach("s1", "h1", old_session);
  hub.attach("s1", "h1", new_session);
  EXPECT_FALSE(old_session->closed.empty());

  hub.acknowledged("s1", "h1", new_session.get(), 7);
  hub.acknowledged("s1", "h1", old_session.get(), 3);  // late report of the replaced session
  EXPECT_EQ(hub.connection("s1", "h1").acknowledged, 7u);

  hub.set_instances("s1", "h1", old_session.get(), Json::array({{{"app", "ghost"}}}));
  EXPECT_TRUE(hub.instances("s1").empty());

  hub.detach("s1", "h1", old_session.get());  // must not disconnect the newer session
  EXPECT_TRUE(hub.connection("s1", "h1").connected);
  hub.notify_desired("s1");
  EXPECT_EQ(new_session->pushes, 1);
  EXPECT_EQ(old_session->pushes, 0);
}

TEST(SessionHub, ForgottenSiteIsNotResurrectedByAClosingSession) {
  ManualClock clock;
  SessionHub hub(clock);
  auto session = std::make_shared<RecordingSession>();
  hub.attach("s1", "h1", session);
  hub.forget_site("s1");
  hub.acknowledged("s1", "h1", session.get(), 5);
  hub.set_instances("s1", "h1", session.get(), Json::array({{{"app", "a"}}}));
  EXPECT_FALSE(hub.connection("s1", "h1").connected);
  EXPECT_TRUE(hub.instances("s1").empty());
}

TEST(SessionHub, InstanceReportsAreNormalisedToTheDocumentedTypes) {
  ManualClock clock;
  SessionHub hub(clock);
  auto session = std::make_shared<RecordingSession>();
  hub.attach("s1", "h1", session);
  Json report = Json::array({1, "junk", {{"app", "shop"}, {"instance", 5}, {"state", "running"}, {"exit_code", "x"}, {"evil", true}}});
  hub.set_instances("s1", "h1", session.get(), report);
  Json stored = hub.instances("s1");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0]["app"], "shop");
  EXPECT_EQ(stored[0]["instance"], "");
  EXPECT_EQ(stored[0]["exit_code"], 0);
  EXPECT_EQ(stored[0]["site"], "s1");
  EXPECT_EQ(stored[0]["host"], "h1");
  EXPECT_FALSE(stored[0].contains("evil"));
}

TEST(SessionHub, ProblemsAreBoundedReplacedAndOnlyTakenFromTheCurrentSession) {
  ManualClock clock;
  SessionHub hub(clock);
  auto old_session = std::make_shared<RecordingSession>();
  auto session = std::make_shared<RecordingSession>();
  hub.attach("s1", "h1", old_session);
  hub.attach("s1", "h1", session);
  EXPECT_TRUE(hub.is_current("s1", "h1", session.get()));
  EXPECT_FALSE(hub.is_current("s1", "h1", old_session.get()));
  EXPECT_FALSE(hub.is_current("s1", "h2", session.get()));

  Json report = Json::array({"disk full", 7, "", Json::object(), std::string(600, 'x')});
  for (int i = 0; i < 20; ++i) report.push_back("problem " + std::to_string(i));
  hub.set_problems("s1", "h1", session.get(), report);
  auto problems = hub.problems("s1", "h1");
  ASSERT_EQ(problems.size(), SessionHub::max_problems);
  EXPECT_EQ(problems[0], "disk full");
  EXPECT_EQ(problems[1].size(), SessionHub::max_problem_text);
  EXPECT_EQ(problems[2], "problem 0");

  hub.set_problems("s1", "h1", old_session.get(), Json::array({"ghost"}));
  EXPECT_EQ(hub.problems("s1", "h1").size(), SessionHub::max_problems) << "a replaced session cannot overwrite";

  hub.detach("s1", "h1", session.get());
  EXPECT_EQ(hub.problems("s1", "h1").size(), SessionHub::max_problems) << "kept after the host disconnects";

  auto next = std::make_shared<RecordingSession>();
  hub.attach("s1", "h1", next);
  hub.set_problems("s1", "h1", next.get(), Json::array());
  EXPECT_TRUE(hub.problems("s1", "h1").empty()) << "the next report replaces them";
  hub.set_problems("s1", "h1", next.get(), Json::array({"engine unreachable"}));
  hub.forget_site("s1");
  EXPECT_TRUE(hub.problems("s1", "h1").empty());
}

TEST(SessionHub, ListenersAreToldOnlyWhenSomethingARolloutSeesChanged) {
  ManualClock clock;
  SessionHub hub(clock);
  auto session = std::make_shared<RecordingSession>();
  std::vector<std::string> told;
  hub.subscribe([&](const std::string& site) { told.push_back(site); });
  auto moved = [&] {
    const bool changed = !told.empty();
    EXPECT_TRUE(std::all_of(told.begin(), told.end(), [](const std::string& site) { return site == "s1"; }));
    told.clear();
    return changed;
  };
  hub.attach("s1", "h1", session);
  EXPECT_TRUE(moved()) << "attach";
  hub.acknowledged("s1", "h1", session.get(), 7);
  EXPECT_TRUE(moved()) << "a new acknowledged revision";
  hub.acknowledged("s1", "h1", session.get(), 7);
  EXPECT_FALSE(moved()) << "the same revision again";
  const Json report = Json::array({{{"app", "shop"}, {"instance", "web-0"}, {"state", "running"}}});
  hub.set_instances("s1", "h1", session.get(), report);
  EXPECT_TRUE(moved()) << "new instances";
  hub.set_instances("s1", "h1", session.get(), report);
  EXPECT_FALSE(moved()) << "the same report again";
  hub.set_instances("s1", "h1", nullptr, Json::array());
  EXPECT_FALSE(moved()) << "a report of a session that is not the current one";
  hub.detach("s1", "h1", session.get());
  EXPECT_TRUE(moved()) << "detach";
  hub.forget_site("s1");
  EXPECT_TRUE(moved()) << "forgotten";
}

}  // namespace
}  // namespace outpost::tower

#include "agent/reconciler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace outpost {
namespace {

using Kind = Action::Kind;

const std::string site = "s1";
const std::string host = "h1";

std::string engine_name(const std::string& instance, const std::string& container = "api") {
  return "outpost-" + site + "-" + host + "-shop-" + instance + "-" + container;
}

PlannedContainer want(const std::string& instance, std::string image = "reg/shop:1",
                      std::string restart = "always", std::string hash = "hash-1") {
  PlannedContainer planned;
  planned.site = site;
  planned.host = host;
  planned.app = "shop";
  planned.instance = instance;
  planned.container = "api";
  planned.name = engine_name(instance);
  planned.image = std::move(image);
  planned.restart = std::move(restart);
  planned.spec_hash = std::move(hash);
  planned.labels = {{"outpost.site", site},       {"outpost.host", host},
                    {"outpost.app", "shop"},      {"outpost.instance", instance},
                    {"outpost.container", "api"}, {"outpost.spec-hash", planned.spec_hash}};
  return planned;
}

ContainerInfo have(const std::string& instance, std::string id, std::string state,
                   std::string hash = "hash-1", int exit_code = 0) {
  ContainerInfo info;
  info.id = std::move(id);
  info.name = engine_name(instance);
  info.image = "reg/shop:1";
  info.state = std::move(state);
  info.exit_code = exit_code;
  info.labels = {{"outpost.site", site},       {"outpost.host", host},
                 {"outpost.app", "shop"},      {"outpost.instance", instance},
                 {"outpost.container", "api"}, {"outpost.spec-hash", std::move(hash)}};
  return info;
}

// "kind name" per action: compact and readable in failure output.
std::vector<std::string> summary(const std::vector<Action>& actions) {
  std::vector<std::string> lines;
  for (const Action& action : actions) {
    std::string line = std::string(to_string(action.kind)) + " ";
    line += action.kind == Kind::pull ? action.image : action.name;
    if (!action.container_id.empty()) line += " #" + action.container_id;
    lines.push_back(line);
  }
  return lines;
}

using Lines = std::vector<std::string>;

TEST(Reconcile, NothingWantedNothingThereDoesNothing) {
  EXPECT_TRUE(reconcile({}, {}, {}, site, host).empty());
}

TEST(Reconcile, MissingContainerWithAbsentImageIsPulledThenCreated) {
  auto actions = reconcile({want("web-0")}, {}, {}, site, host);
  EXPECT_EQ(summary(actions), (Lines{"pull reg/shop:1", "create_and_start " + engine_name("web-0")}));
  EXPECT_EQ(actions[1].reason, "missing");
  EXPECT_EQ(actions[1].planned.spec_hash, "hash-1");
  EXPECT_EQ(actions[1].image, "reg/shop:1");
}

TEST(Reconcile, MissingContainerWithLocalImageIsOnlyCreated) {
  auto actions = reconcile({want("web-0")}, {}, {"reg/shop:1"}, site, host);
  EXPECT_EQ(summary(actions), (Lines{"create_and_start " + engine_name("web-0")}));
}

TEST(Reconcile, EachImageIsPulledOnce) {
  auto actions = reconcile({want("web-1"), want("web-0"), want("db-0", "reg/db:2")}, {}, {}, site, host);
  EXPECT_EQ(summary(actions), (Lines{"pull reg/db:2", "pull reg/shop:1",
                                     "create_and_start " + engine_name("db-0"),
                                     "create_and_start " + engine_name("web-0"),
                                     "create_and_start " + engine_name("web-1")}));
  EXPECT_EQ(actions[1].name, engine_name("web-0")) << "a pull names the first container needing it";
}

TEST(Reconcile, RunningWithTheSameSpecIsAdoptedUntouched) {
  EXPECT_TRUE(reconcile({want("web-0")}, {have("web-0", "c1", "running")}, {}, site, host).empty());
}

TEST(Reconcile, ChangedSpecReplacesTheContainer) {
  auto actions = reconcile({want("web-0", "reg/shop:2", "always", "hash-2")},
                           {have("web-0", "c1", "running", "hash-1")}, {}, site, host);
  EXPECT_EQ(summary(actions), (Lines{"remove " + engine_name("web-0") + " #c1", "pull reg/shop:2",
                                     "create_and_start " + engine_name("web-0")}));
  EXPECT_EQ(actions[0].reason, "spec changed");
  EXPECT_EQ(actions[2].reason, "spec changed");
}

TEST(Reconcile, ChangedSpecWithLocalImageNeedsNoPull) {
  auto actions = reconcile({want("web-0", "reg/shop:1", "always", "hash-2")},
                           {have("web-0", "c1", "exited", "hash-1", 1)}, {"reg/shop:1"}, site, host);
  EXPECT_EQ(summary(actions),
            (Lines{"remove " + engine_name("web-0") + " #c1", "create_and_start " + engine_name("web-0")}));
}

TEST(Reconcile, CreatedButNotStartedIsStarted) {
  auto actions = reconcile({want("web-0")}, {have("web-0", "c1", "created")}, {}, site, host);
  EXPECT_EQ(summary(actions), (Lines{"start " + engine_name("web-0") + " #c1"}));
}

struct RestartCase {
  std::string restart;
  std::string state;
  int exit_code;
  bool restarted;
};

class RestartPolicy : public ::testing::TestWithParam<RestartCase> {};

TEST_P(RestartPolicy, DecidesWhetherAnEndedContainerStartsAgainInPlace) {
  const RestartCase& c = GetParam();
  auto actions = reconcile({want("web-0", "reg/shop:1", c.restart)},
                           {have("web-0", "c1", c.state, "hash-1", c.exit_code)}, {}, site, host);
  if (c.restarted) {
    EXPECT_EQ(summary(actions), (Lines{"start " + engine_name("web-0") + " #c1"}));
    EXPECT_EQ(actions[0].reason, "exited with code " + std::to_string(c.exit_code));
  } else {
    EXPECT_TRUE(actions.empty()) << summary(actions).front();
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, RestartPolicy,
                         ::testing::Values(RestartCase{"always", "exited", 0, true},
                                           RestartCase{"always", "exited", 137, true},
                                           RestartCase{"on-failure", "exited", 1, true},
                                           RestartCase{"on-failure", "exited", 0, false},
                                           RestartCase{"never", "exited", 1, false},
                                           RestartCase{"never", "exited", 0, false},
                                           RestartCase{"always", "running", 0, false},
                                           RestartCase{"always", "paused", 0, false},
                                           RestartCase{"always", "restarting", 0, false},
                                           RestartCase{"always", "removing", 0, false}));

TEST(Reconcile, DeadContainerIsReplacedWhenItsPolicyRestarts) {
  auto actions = reconcile({want("web-0")}, {have("web-0", "c1", "dead", "hash-1", 1)}, {"reg/shop:1"},
                           site, host);
  EXPECT_EQ(summary(actions),
            (Lines{"remove " + engine_name("web-0") + " #c1", "create_and_start " + engine_name("web-0")}));
}

TEST(Reconcile, DeadContainerWithNeverPolicyIsLeft) {
  EXPECT_TRUE(reconcile({want("web-0", "reg/shop:1", "never")}, {have("web-0", "c1", "dead", "hash-1", 1)},
                        {}, site, host)
                  .empty());
}

TEST(Reconcile, WithRestartsDueOnlyTheNamedStoppedContainersStart) {
  const std::set<std::string> due{engine_name("web-1"), engine_name("web-2")};
  auto actions = reconcile({want("web-0"), want("web-1"), want("web-2", "reg/shop:1", "never")},
                           {have("web-0", "c0", "exited", "hash-1", 1), have("web-1", "c1", "exited", "hash-1", 1),
                            have("web-2", "c2", "dead", "hash-1", 1)},
                           {"reg/shop:1"}, site, host, &due);
  // web-0's backoff has not run out; web-2 is due although its policy is never: the supervisor decides.
  EXPECT_EQ(summary(actions), (Lines{"remove " + engine_name("web-2") + " #c2", "start " + engine_name("web-1") + " #c1",
                                     "create_and_start " + engine_name("web-2")}));
}

TEST(Reconcile, OwnedContainerNoLongerDesiredIsRemoved) {
  auto actions = reconcile({}, {have("web-0", "c1", "running")}, {}, site, host);
  EXPECT_EQ(summary(actions), (Lines{"remove " + engine_name("web-0") + " #c1"}));
  EXPECT_EQ(actions[0].reason, "not desired");
}

TEST(Reconcile, ForeignContainersAreNeverTouched) {
  ContainerInfo other_host = have("web-0", "f1", "exited", "hash-0", 1);
  other_host.labels["outpost.host"] = "h2";
  ContainerInfo other_site = have("web-1", "f2", "running", "hash-0");
  other_site.labels["outpost.site"] = "s2";
  ContainerInfo unlabelled;
  unlabelled.id = "f3";
  unlabelled.name = engine_name("web-2");
  unlabelled.state = "exited";
  ContainerInfo only_site = have("web-3", "f4", "created");
  only_site.labels.erase("outpost.host");

  auto actions = reconcile({want("web-0"), want("web-1")}, {other_host, other_site, unlabelled, only_site},
                           {"reg/shop:1"}, site, host);
  for (const Action& action : actions) {
    EXPECT_TRUE(action.container_id.empty()) << "touched " << action.container_id;
    EXPECT_EQ(action.kind, Kind::create_and_start);
  }
  EXPECT_EQ(actions.size(), 2u);
}

TEST(Reconcile, ADuplicateUnderAnotherNameIsRemovedAndTheNamedOneKept) {
  ContainerInfo duplicate = have("web-0", "c2", "running");
  duplicate.name = "outpost-old-name-web-0";
  auto actions = reconcile({want("web-0")}, {duplicate, have("web-0", "c1", "running")}, {}, site, host);
  EXPECT_EQ(summary(actions), (Lines{"remove outpost-old-name-web-0 #c2"}));
  EXPECT_EQ(actions[0].reason, "duplicate");
}

TEST(Reconcile, SameInstanceOfAnotherAppIsNotADuplicate) {
  ContainerInfo other_app = have("web-0", "c2", "running");
  other_app.name = "outpost-s1-h1-blog-web-0-api";
  other_app.labels["outpost.app"] = "blog";
  auto actions = reconcile({want("web-0")}, {other_app, have("web-0", "c1", "running")}, {}, site, host);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].reason, "not desired");
}

TEST(Reconcile, DuplicateDesiredNamesYieldOneContainer) {
  auto actions = reconcile({want("web-0"), want("web-0")}, {}, {"reg/shop:1"}, site, host);
  EXPECT_EQ(summary(actions), (Lines{"create_and_start " + engine_name("web-0")}));
}

TEST(Reconcile, RemovesComeFirstThenPullsThenLaunchesEachByName) {
  std::vector<PlannedContainer> desired = {
      want("c-0", "reg/shop:1", "always", "new"),  // replaced
      want("a-0", "reg/z:1"),                      // missing
      want("b-0"),                                 // created → start
      want("d-0", "reg/a:1"),                      // missing
  };
  std::vector<ContainerInfo> actual = {
      have("zz-0", "c9", "running"),     // not desired
      have("c-0", "c3", "running", "old"),
      have("b-0", "c2", "created"),
      have("aa-0", "c8", "exited", "hash-1", 1),  // not desired
  };
  const Lines expected = {
      "remove " + engine_name("aa-0") + " #c8",
      "remove " + engine_name("c-0") + " #c3",
      "remove " + engine_name("zz-0") + " #c9",
      "pull reg/a:1",
      "pull reg/shop:1",
      "pull reg/z:1",
      "create_and_start " + engine_name("a-0"),
      "start " + engine_name("b-0") + " #c2",
      "create_and_start " + engine_name("c-0"),
      "create_and_start " + engine_name("d-0"),
  };
  EXPECT_EQ(summary(reconcile(desired, actual, {}, site, host)), expected);

  // The same inputs in any order give the same plan.
  std::mt19937 shuffle_seed(7);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(desired.begin(), desired.end(), shuffle_seed);
    std::shuffle(actual.begin(), actual.end(), shuffle_seed);
    EXPECT_EQ(summary(reconcile(desired, actual, {}, site, host)), expected);
  }
}

TEST(ActionKind, HasStableNames) {
  EXPECT_EQ(to_string(Kind::pull), "pull");
  EXPECT_EQ(to_string(Kind::create_and_start), "create_and_start");
  EXPECT_EQ(to_string(Kind::start), "start");
  EXPECT_EQ(to_string(Kind::remove), "remove");
}

}  // namespace
}  // namespace outpost

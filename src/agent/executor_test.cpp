#include "agent/executor.hpp"

#include <gtest/gtest.h>

#include "engine/fake_engine.hpp"
#include "engine/run_to_completion.hpp"

namespace outpost {
namespace {

const std::string site = "s1";
const std::string host = "h1";

PlannedContainer want(const std::string& instance, std::string image = "reg/shop:1",
                      std::string restart = "always") {
  PlannedContainer planned;
  planned.site = site;
  planned.host = host;
  planned.app = "shop";
  planned.instance = instance;
  planned.container = "api";
  planned.name = "outpost-s1-h1-shop-" + instance + "-api";
  planned.image = std::move(image);
  planned.restart = std::move(restart);
  planned.spec_hash = "hash-" + planned.image;
  planned.labels = {{"outpost.site", site},
                    {"outpost.host", host},
                    {"outpost.app", "shop"},
                    {"outpost.instance", instance},
                    {"outpost.container", "api"}};
  return planned;
}

struct Progress {
  std::string name;
  std::string state;
  std::string message;
  bool operator==(const Progress&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Progress& p) {
  return out << p.name << ":" << p.state << (p.message.empty() ? "" : " (" + p.message + ")");
}

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutionReport apply(const std::vector<PlannedContainer>& desired) {
    auto actual = run_to_completion(engine.list({{"outpost.site", site}, {"outpost.host", host}})).value();
    return run_to_completion(execute(engine, reconcile(desired, actual, engine.images(), site, host),
                       [this](const std::string& name, std::string state, std::string message) {
                         progress.push_back({name, std::move(state), std::move(message)});
                       }));
  }


  std::vector<Progress> progress_of(const std::string& name) const {
    std::vector<Progress> mine;
    for (const Progress& p : progress) {
      if (p.name == name) mine.push_back(p);
    }
    return mine;
  }

  ManualClock clock;
  FakeEngine engine{clock};
  std::vector<Progress> progress;
};

TEST_F(ExecutorTest, CreatesAndStartsWhatIsMissing) {
  const auto report = apply({want("web-0"), want("web-1")});
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.outcomes.size(), 2u);
  EXPECT_TRUE(report.pulls.at("reg/shop:1").has_value());
  for (const char* name : {"outpost-s1-h1-shop-web-0-api", "outpost-s1-h1-shop-web-1-api"}) {
    auto container = engine.find_by_name(name);
    ASSERT_TRUE(container.has_value()) << name;
    EXPECT_EQ(container->state, "running");
    EXPECT_TRUE(report.outcomes.at(name).has_value());
  }
  EXPECT_EQ(engine.calls().pull, 1);
}

TEST_F(ExecutorTest, ReportsPullingCreatingRunningInOrder) {
  apply({want("web-0")});
  const std::string name = "outpost-s1-h1-shop-web-0-api";
  EXPECT_EQ(progress_of(name),
            (std::vector<Progress>{{name, "pulling", ""}, {name, "creating", ""}, {name, "running", ""}}));
}

TEST_F(ExecutorTest, AFailedPullFailsOnlyTheContainersOfThatImage) {
  engine.set_pull_failure("reg/broken:1", "manifest unknown");
  const auto report = apply({want("web-0", "reg/broken:1"), want("web-1", "reg/broken:1"), want("db-0")});

  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.failures(), 2u);
  for (const char* instance : {"web-0", "web-1"}) {
    const std::string name = std::string("outpost-s1-h1-shop-") + instance + "-api";
    const Status& outcome = report.outcomes.at(name);
    ASSERT_FALSE(outcome.has_value()) << name;
    EXPECT_NE(outcome.error().message.find("manifest unknown"), std::string::npos);
    const auto steps = progress_of(name);
    ASSERT_EQ(steps.size(), 2u) << name;
    EXPECT_EQ(steps[0].state, "pulling");
    EXPECT_EQ(steps[1].state, "error");
    EXPECT_EQ(steps[1].message, outcome.error().message);
    EXPECT_FALSE(engine.find_by_name(name).has_value());
  }
  EXPECT_EQ(engine.calls().create, 1) << "only the container with a good image was created";
  EXPECT_EQ(engine.find_by_name("outpost-s1-h1-shop-db-0-api")->state, "running");
  EXPECT_FALSE(report.pulls.at("reg/broken:1").has_value());
}

TEST_F(ExecutorTest, AFailedCreateDoesNotStopTheOthers) {
  engine.set_create_failure("outpost-s1-h1-shop-web-0-api", "no space left on device");
  const auto report = apply({want("web-0"), want("web-1")});
  const Status& failed = report.outcomes.at("outpost-s1-h1-shop-web-0-api");
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().message, "no space left on device");
  EXPECT_EQ(progress_of("outpost-s1-h1-shop-web-0-api").back(),
            (Progress{"outpost-s1-h1-shop-web-0-api", "error", "no space left on device"}));
  EXPECT_TRUE(report.outcomes.at("outpost-s1-h1-shop-web-1-api").has_value());
  EXPECT_EQ(engine.find_by_name("outpost-s1-h1-shop-web-1-api")->state, "running");
}

TEST_F(ExecutorTest, AFailedStartIsReportedAsError) {
  engine.set_start_failure("outpost-s1-h1-shop-web-0-api", "executable file not found");
  const auto report = apply({want("web-0")});
  const Status& outcome = report.outcomes.at("outpost-s1-h1-shop-web-0-api");
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().message, "executable file not found");
  EXPECT_EQ(progress_of("outpost-s1-h1-shop-web-0-api").back().state, "error");
}

TEST_F(ExecutorTest, AFailedRemovalSkipsTheReplacementUnderThatName) {
  apply({want("web-0"), want("web-1")});
  engine.set_remove_failure("outpost-s1-h1-shop-web-0-api", "device or resource busy");
  engine.add_image("reg/shop:2");
  engine.reset_calls();

  const auto report = apply({want("web-0", "reg/shop:2"), want("web-1", "reg/shop:2")});
  const Status& blocked = report.outcomes.at("outpost-s1-h1-shop-web-0-api");
  ASSERT_FALSE(blocked.has_value());
  EXPECT_EQ(blocked.error().message, "device or resource busy");
  EXPECT_TRUE(report.outcomes.at("outpost-s1-h1-shop-web-1-api").has_value());
  EXPECT_EQ(engine.calls().create, 1) << "only web-1 was re-created";
  EXPECT_EQ(engine.find_by_name("outpost-s1-h1-shop-web-1-api")->image, "reg/shop:2");
}

TEST_F(ExecutorTest, ConvergedStateCausesNoFurtherEngineWrites) {
  apply({want("web-0"), want("web-1")});
  engine.reset_calls();
  progress.clear();

  const auto report = apply({want("web-0"), want("web-1")});
  EXPECT_TRUE(report.ok());
  EXPECT_TRUE(report.outcomes.empty());
  EXPECT_TRUE(progress.empty());
  EXPECT_EQ(engine.calls().create + engine.calls().start + engine.calls().remove + engine.calls().pull, 0);
}

TEST_F(ExecutorTest, ACrashedContainerRestartsInPlace) {
  apply({want("web-0")});
  const std::string id = engine.find_by_name("outpost-s1-h1-shop-web-0-api")->id;
  ASSERT_TRUE(engine.crash(id, 1));
  engine.reset_calls();

  const auto report = apply({want("web-0")});
  EXPECT_TRUE(report.ok());
  auto container = engine.find_by_name("outpost-s1-h1-shop-web-0-api");
  EXPECT_EQ(container->id, id);
  EXPECT_EQ(container->state, "running");
  EXPECT_EQ(engine.calls().create, 0);
  EXPECT_EQ(engine.calls().start, 1);
}

TEST_F(ExecutorTest, ACrashWithNeverPolicyStaysDown) {
  apply({want("web-0", "reg/shop:1", "never")});
  const std::string id = engine.find_by_name("outpost-s1-h1-shop-web-0-api")->id;
  ASSERT_TRUE(engine.crash(id, 1));
  engine.reset_calls();
  apply({want("web-0", "reg/shop:1", "never")});
  EXPECT_EQ(engine.calls().start, 0);
  EXPECT_EQ(engine.find_by_name("outpost-s1-h1-shop-web-0-api")->state, "exited");
}

TEST_F(ExecutorTest, RemovesWhatIsNoLongerDesired) {
  apply({want("web-0"), want("web-1")});
  const auto report = apply({want("web-1")});
  EXPECT_TRUE(report.ok());
  EXPECT_FALSE(engine.find_by_name("outpost-s1-h1-shop-web-0-api").has_value());
  EXPECT_TRUE(engine.find_by_name("outpost-s1-h1-shop-web-1-api").has_value());
}

TEST_F(ExecutorTest, WorksWithoutAProgressCallback) {
  auto actions = reconcile({want("web-0")}, {}, {}, site, host);
  const auto report = run_to_completion(execute(engine, actions, nullptr));
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(engine.find_by_name("outpost-s1-h1-shop-web-0-api")->state, "running");
}

}  // namespace
}  // namespace outpost

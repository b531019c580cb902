#include "engine/fake_engine.hpp"
#include "engine/run_to_completion.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

using namespace std::chrono_literals;


PlannedContainer planned(std::string name, std::string image = "reg/app:1") {
  PlannedContainer container;
  container.name = std::move(name);
  container.image = std::move(image);
  container.labels = {{"outpost.site", "s1"}, {"outpost.host", "h1"}};
  container.spec_hash = "hash-1";
  return container;
}

class FakeEngineTest : public ::testing::Test {
 protected:
  ManualClock clock;
  FakeEngine engine{clock};
};

TEST_F(FakeEngineTest, CreateGivesSequentialIdsAndCreatedState) {
  engine.add_image("reg/app:1");
  auto first = run_to_completion(engine.create(planned("a")));
  auto second = run_to_completion(engine.create(planned("b")));
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*first, "fake-1");
  EXPECT_EQ(*second, "fake-2");
  auto info = run_to_completion(engine.inspect(*first));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->state, "created");
  EXPECT_EQ(info->name, "a");
  EXPECT_EQ(info->labels.at("outpost.spec-hash"), "hash-1");
}

TEST_F(FakeEngineTest, StartRecordsTheClockTime) {
  engine.add_image("reg/app:1");
  clock.set(Clock::time_point{std::chrono::seconds{1'700'000'000}});
  const std::string id = run_to_completion(engine.create(planned("a"))).value();
  ASSERT_TRUE(run_to_completion(engine.start(id)).has_value());
  auto info = run_to_completion(engine.inspect(id)).value();
  EXPECT_EQ(info.state, "running");
  EXPECT_EQ(info.started_at, "2023-11-14T22:13:20Z");
}

TEST_F(FakeEngineTest, CreateBeforeThePullIsNoSuchImage) {
  auto id = run_to_completion(engine.create(planned("a")));
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error().code, "not_found");
  ASSERT_TRUE(run_to_completion(engine.pull("reg/app:1")).has_value());
  EXPECT_TRUE(run_to_completion(engine.has_image("reg/app:1")).value());
  EXPECT_TRUE(run_to_completion(engine.create(planned("a"))).has_value());
}

TEST_F(FakeEngineTest, NamesAreUnique) {
  engine.add_image("reg/app:1");
  ASSERT_TRUE(run_to_completion(engine.create(planned("a"))).has_value());
  auto again = run_to_completion(engine.create(planned("a")));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().status, 409);
}

TEST_F(FakeEngineTest, ListFiltersByEveryLabel) {
  engine.add_image("reg/app:1");
  run_to_completion(engine.create(planned("mine"))).value();
  PlannedContainer other = planned("other-host");
  other.labels["outpost.host"] = "h2";
  run_to_completion(engine.create(other)).value();
  ContainerInfo foreign;
  foreign.name = "foreign";
  foreign.state = "running";
  engine.add_container(foreign);

  auto mine = run_to_completion(engine.list({{"outpost.site", "s1"}, {"outpost.host", "h1"}})).value();
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].name, "mine");
  EXPECT_EQ(run_to_completion(engine.list({})).value().size(), 3u);
}

TEST_F(FakeEngineTest, CrashLeavesTheContainerExitedWithItsCode) {
  engine.add_image("reg/app:1");
  const std::string id = run_to_completion(engine.create(planned("a"))).value();
  run_to_completion(engine.start(id)).value();
  clock.advance(5s);
  ASSERT_TRUE(engine.crash(id, 137));
  auto info = run_to_completion(engine.inspect(id)).value();
  EXPECT_EQ(info.state, "exited");
  EXPECT_EQ(info.exit_code, 137);
  EXPECT_EQ(info.finished_at, "2027-01-15T08:00:05Z");
  EXPECT_FALSE(engine.crash("fake-99", 1));
}

TEST_F(FakeEngineTest, StopEndsARunningContainer) {
  engine.add_image("reg/app:1");
  const std::string id = run_to_completion(engine.create(planned("a"))).value();
  run_to_completion(engine.start(id)).value();
  ASSERT_TRUE(run_to_completion(engine.stop(id, 10)).has_value());
  EXPECT_EQ(run_to_completion(engine.inspect(id)).value().state, "exited");
}

TEST_F(FakeEngineTest, RemovingAMissingContainerSucceeds) {
  EXPECT_TRUE(run_to_completion(engine.remove("fake-42")).has_value());
}

TEST_F(FakeEngineTest, RemoveFailureKeepsTheContainer) {
  engine.add_image("reg/app:1");
  const std::string id = run_to_completion(engine.create(planned("a"))).value();
  engine.set_remove_failure("a", "device or resource busy");
  EXPECT_EQ(run_to_completion(engine.remove(id)).error().message, "device or resource busy");
  EXPECT_TRUE(engine.find_by_name("a").has_value());
  engine.clear_remove_failure("a");
  EXPECT_TRUE(run_to_completion(engine.remove(id)).has_value());
}

TEST_F(FakeEngineTest, RemoveFreesTheName) {
  engine.add_image("reg/app:1");
  const std::string id = run_to_completion(engine.create(planned("a"))).value();
  ASSERT_TRUE(run_to_completion(engine.remove(id)).has_value());
  EXPECT_FALSE(engine.find_by_name("a").has_value());
  EXPECT_EQ(run_to_completion(engine.inspect(id)).error().code, "not_found");
  EXPECT_TRUE(run_to_completion(engine.create(planned("a"))).has_value());
}

TEST_F(FakeEngineTest, PullFailureCarriesTheMessageUntilCleared) {
  engine.set_pull_failure("reg/app:1", "manifest unknown");
  auto pulled = run_to_completion(engine.pull("reg/app:1"));
  ASSERT_FALSE(pulled.has_value());
  EXPECT_NE(pulled.error().message.find("manifest unknown"), std::string::npos);
  EXPECT_FALSE(engine.images().contains("reg/app:1"));
  engine.clear_pull_failure("reg/app:1");
  EXPECT_TRUE(run_to_completion(engine.pull("reg/app:1")).has_value());
}

TEST_F(FakeEngineTest, CreateFailureMatchesNameOrImage) {
  engine.add_image("reg/app:1");
  engine.add_image("reg/bad:1");
  engine.set_create_failure("b", "no space left on device");
  engine.set_create_failure("reg/bad:1", "invalid image config");
  EXPECT_EQ(run_to_completion(engine.create(planned("b"))).error().message, "no space left on device");
  EXPECT_EQ(run_to_completion(engine.create(planned("c", "reg/bad:1"))).error().message, "invalid image config");
  EXPECT_TRUE(run_to_completion(engine.create(planned("a"))).has_value());
}

TEST_F(FakeEngineTest, StartFailureLeavesTheContainerExitedWithTheError) {
  engine.add_image("reg/app:1");
  engine.set_start_failure("a", "executable file not found");
  const std::string id = run_to_completion(engine.create(planned("a"))).value();
  EXPECT_FALSE(run_to_completion(engine.start(id)).has_value());
  auto info = run_to_completion(engine.inspect(id)).value();
  EXPECT_EQ(info.state, "exited");
  EXPECT_EQ(info.error, "executable file not found");
}

TEST_F(FakeEngineTest, ABrokenHostFailsEveryStartUntilCleared) {
  engine.add_image("reg/app:1");
  engine.fail_every_start("exec format error");
  const std::string a = run_to_completion(engine.create(planned("a"))).value();
  const std::string b = run_to_completion(engine.create(planned("b"))).value();
  EXPECT_EQ(run_to_completion(engine.start(a)).error().message, "exec format error");
  EXPECT_EQ(run_to_completion(engine.start(b)).error().message, "exec format error");
  EXPECT_EQ(run_to_completion(engine.inspect(b)).value().state, "exited");
  engine.fail_every_start(std::nullopt);
  EXPECT_TRUE(run_to_completion(engine.start(b)).has_value());
  EXPECT_EQ(run_to_completion(engine.inspect(b)).value().state, "running");
}

TEST_F(FakeEngineTest, ChangesMoveOnEveryStateChangeAndNotOnReads) {
  engine.add_image("reg/app:1");
  const auto before = engine.changes();
  const std::string id = run_to_completion(engine.create(planned("a"))).value();
  const auto created = engine.changes();
  EXPECT_GT(created, before);
  (void)run_to_completion(engine.list({}));
  (void)run_to_completion(engine.inspect(id));
  EXPECT_EQ(engine.changes(), created);
  clock.advance(std::chrono::seconds(3));
  ASSERT_TRUE(run_to_completion(engine.start(id)).has_value());
  const auto started = engine.changes();
  EXPECT_GT(started, created);
  EXPECT_EQ(engine.changed_at(), clock.now());
  ASSERT_TRUE(run_to_completion(engine.start(id)).has_value());  // already running: nothing changes
  EXPECT_EQ(engine.changes(), started);
  ASSERT_TRUE(engine.crash(id, 1));
  EXPECT_GT(engine.changes(), started);
  const auto crashed = engine.changes();
  ASSERT_TRUE(run_to_completion(engine.remove(id)).has_value());
  EXPECT_GT(engine.changes(), crashed);
}

TEST_F(FakeEngineTest, UnreachableFailsEveryCall) {
  engine.set_unreachable(true);
  EXPECT_EQ(run_to_completion(engine.list({})).error().code, "engine_unreachable");
  EXPECT_EQ(run_to_completion(engine.pull("reg/app:1")).error().code, "engine_unreachable");
  engine.set_unreachable(false);
  EXPECT_TRUE(run_to_completion(engine.list({})).has_value());
}

class FakeEngineExecTest : public FakeEngineTest {
 protected:
  void SetUp() override {
    engine.add_image("reg/app:1");
    id = run_to_completion(engine.create(planned("a"))).value();
    run_to_completion(engine.start(id)).value();
  }
  Result<ExecResult> exec(const std::vector<std::string>& command) {
    return run_to_completion(engine.exec(id, command, 1s));
  }
  std::string id;
};

TEST_F(FakeEngineExecTest, WithoutKnobsACommandSucceedsSilently) {
  EXPECT_EQ(exec({"true"}).value(), ExecResult{});
}

TEST_F(FakeEngineExecTest, ASetResultAnswersEveryCommandInThatContainer) {
  engine.set_exec_result("a", ExecResult{3, "not ready\n"});
  EXPECT_EQ(exec({"cat", "/ready"}).value(), (ExecResult{3, "not ready\n"}));
  EXPECT_EQ(exec({"true"}).value(), (ExecResult{3, "not ready\n"}));
  engine.clear_exec_result("a");
  EXPECT_EQ(exec({"true"}).value(), ExecResult{});
}

TEST_F(FakeEngineExecTest, TheHandlerSeesNameAndCommandAndASetResultWins) {
  std::vector<std::string> seen;
  engine.set_exec_handler([&](const std::string& name, const std::vector<std::string>& command) -> Result<ExecResult> {
    seen = command;
    if (command.at(0) == "sleep") return fail(504, "timeout", "timed out after 1s");
    return ExecResult{0, name + "\n"};
  });
  EXPECT_EQ(exec({"hostname"}).value(), (ExecResult{0, "a\n"}));
  EXPECT_EQ(seen, (std::vector<std::string>{"hostname"}));
  EXPECT_EQ(exec({"sleep", "5"}).error().code, "timeout");
  engine.set_exec_result("a", ExecResult{1, ""});
  EXPECT_EQ(exec({"hostname"}).value().exit_code, 1);
}

TEST_F(FakeEngineExecTest, OutputIsCutToItsTail) {
  engine.set_exec_result("a", ExecResult{0, std::string(exec_output_limit, 'x') + "end"});
  const std::string output = exec({"yes"}).value().output;
  EXPECT_EQ(output.size(), exec_output_limit);
  EXPECT_TRUE(output.ends_with("xend"));
}

TEST_F(FakeEngineExecTest, AContainerThatIsNotRunningIsAConflict) {
  ASSERT_TRUE(engine.crash(id, 1));
  auto result = exec({"true"});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().status, 409);
  EXPECT_EQ(result.error().code, "conflict");
  EXPECT_EQ(run_to_completion(engine.exec("fake-99", {"true"}, 1s)).error().code, "not_found");
}

TEST_F(FakeEngineTest, LogsReturnTheLastLinesOldestFirst) {
  engine.add_image("reg/app:1");
  const std::string id = run_to_completion(engine.create(planned("a"))).value();
  EXPECT_TRUE(run_to_completion(engine.logs(id, 10)).value().empty()) << "nothing printed yet";
  engine.set_logs("a", {"one", "two", "three"});
  EXPECT_EQ(run_to_completion(engine.logs(id, 2)).value(), (std::vector<std::string>{"two", "three"}));
  EXPECT_EQ(run_to_completion(engine.logs(id, 10)).value().size(), 3u);
  EXPECT_TRUE(run_to_completion(engine.logs(id, 0)).value().empty());
  EXPECT_EQ(run_to_completion(engine.logs(id, -1)).error().field, "tail_lines");
  EXPECT_EQ(run_to_completion(engine.logs("fake-99", 1)).error().code, "not_found");
}

TEST_F(FakeEngineTest, ContainersGetAddressesInCreationOrder) {
  engine.add_image("reg/app:1");
  const std::string first = run_to_completion(engine.create(planned("a"))).value();
  const std::string second = run_to_completion(engine.create(planned("b"))).value();
  EXPECT_EQ(run_to_completion(engine.inspect(first)).value().ip_address, "10.88.0.2");
  EXPECT_EQ(run_to_completion(engine.inspect(second)).value().ip_address, "10.88.0.3");
  EXPECT_EQ(run_to_completion(engine.list({})).value().at(1).ip_address, "10.88.0.3");
}

TEST_F(FakeEngineTest, AddressesStayUniqueBeyondTheLastOctet) {
  engine.add_image("reg/app:1");
  std::string last;
  for (int i = 0; i < 300; ++i) last = run_to_completion(engine.create(planned("c" + std::to_string(i)))).value();
  EXPECT_EQ(run_to_completion(engine.inspect(last)).value().ip_address, "10.88.1.45");  // ordinal 301
}

TEST_F(FakeEngineTest, CountsCallsPerOperation) {
  engine.add_image("reg/app:1");
  const std::string id = run_to_completion(engine.create(planned("a"))).value();
  run_to_completion(engine.start(id)).value();
  run_to_completion(engine.start(id)).value();
  run_to_completion(engine.list({})).value();
  run_to_completion(engine.exec(id, {"true"}, 1s)).value();
  run_to_completion(engine.logs(id, 5)).value();
  FakeEngine::CallCounts expected;
  expected.create = 1;
  expected.start = 2;
  expected.list = 1;
  expected.exec = 1;
  expected.logs = 1;
  EXPECT_EQ(engine.calls(), expected);
  engine.reset_calls();
  EXPECT_EQ(engine.calls(), FakeEngine::CallCounts{});
}

}  // namespace
}  // namespace outpost

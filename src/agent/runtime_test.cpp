// The agent runtime over the fake engine: it converges on the desired state, adopts what already
// runs after a restart instead of recreating it, removes what is no longer desired, and refuses
// a delta that does not follow its revision.
#include "agent/runtime.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "agent/event_journal.hpp"
#include "common/files.hpp"
#include "engine/fake_engine.hpp"

namespace outpost::agent {
namespace {

constexpr const char* app_yaml = R"(
name: shop
version: 1.0.0
services:
  - name: web
    containers:
      - {name: web, image: "registry.local/shop/web:1", env: {SITE: "${SYS_SITE}"}, ports: [{container: 8080, host: "${WEB_PORT}"}]}
  - name: worker
    containers:
      - {name: worker, image: "registry.local/shop/web:1"}
)";

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("outpost-runtime-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    engine_.add_image("registry.local/shop/web:1");
    tower_.site = "shop-1";
    journal_.load();
  }
  void TearDown() override {
    // Runtimes own timers of io_, so they go first; io_ then destroys the suspended frames.
    runtimes_.clear();
    io_.reset();
    std::filesystem::remove_all(dir_);
  }

  // What the tower would send: the app placed on host h1, with the site's variables.
  Json place_app() {
    Application app = Application::from_json(parse_document(app_yaml).value()).value();
    SiteApp site_app{"shop", app, {{"web", "web-0", "h1"}, {"worker", "worker-0", "h1"}}};
    tower_.update({{"shop", site_app}}, {{"SYS_SITE", "shop-1"}, {"WEB_PORT", "18081"}});
    return tower_.delta_since(0);
  }

  AgentRuntime* make_runtime(std::filesystem::path checkpoint = {}) {
    runtimes_.push_back(std::make_unique<AgentRuntime>(io_->get_executor(), engine_,
                                                       Checkpoint(checkpoint.empty() ? dir_ / "checkpoint" : checkpoint),
                                                       "shop-1", "h1", clock_));
    runtimes_.back()->set_journal(&journal_);
    return runtimes_.back().get();
  }

  // The kinds of the events recorded so far, oldest first.
  std::vector<std::string> event_kinds() const {
    std::vector<std::string> out;
    for (const auto& event : journal_.pending(0, 1000)) out.push_back(event.kind);
    return out;
  }
  void start(AgentRuntime* runtime) { boost::asio::co_spawn(*io_, runtime->run(), boost::asio::detached); }

  // Runs everything that is ready; the fake engine answers at once, so one reconcile pass
  // completes without any time passing.
  void settle() {
    io_->poll();
    io_->restart();
  }

  // Like kill -9 of the agent process: its work is dropped mid-flight, the engine keeps running.
  void kill_agent() {
    runtimes_.clear();
    io_ = std::make_unique<boost::asio::io_context>();
  }

  std::size_t running() const {
    std::size_t n = 0;
    for (const auto& c : engine_.containers()) n += c.state == "running";
    return n;
  }

  ManualClock clock_;
  FakeEngine engine_{clock_};
  SiteDesired tower_;
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<AgentRuntime>> runtimes_;
  SeededRandom random_{3};
  DiscardingJournalStorage journal_storage_;
  EventJournal journal_{journal_storage_, {}, clock_, random_};
  std::unique_ptr<boost::asio::io_context> io_ = std::make_unique<boost::asio::io_context>();
};

TEST_F(RuntimeTest, ConvergesOnTheDesiredStateAndReportsRunning) {
  auto runtime = make_runtime();
  ASSERT_TRUE(runtime->apply_desired(place_app()).has_value());
  start(runtime);
  settle();
  EXPECT_EQ(running(), 2u);
  auto web = engine_.find_by_name("outpost-shop-1-h1-shop-web-0-web");
  ASSERT_TRUE(web.has_value());
  Json instances = runtime->instances();
  ASSERT_EQ(instances.size(), 2u);
  for (const auto& instance : instances) EXPECT_EQ(instance["state"], "running") << instance.dump();
}

TEST_F(RuntimeTest, RestartedAgentAdoptsRunningContainersWithoutTouchingThem) {
  auto first = make_runtime();
  ASSERT_TRUE(first->apply_desired(place_app()).has_value());
  start(first);
  settle();
  ASSERT_EQ(running(), 2u);
  kill_agent();
  const auto ids_before = engine_.containers();
  engine_.reset_calls();

  auto second = make_runtime();
  ASSERT_TRUE(second->load_checkpoint().has_value());
  EXPECT_EQ(second->revision(), tower_.revision);
  start(second);
  settle();
  EXPECT_EQ(engine_.calls().create, 0);
  EXPECT_EQ(engine_.calls().start, 0);
  EXPECT_EQ(engine_.calls().remove, 0);
  EXPECT_EQ(engine_.containers().size(), ids_before.size());
  for (const auto& before : ids_before) EXPECT_EQ(engine_.find_by_name(before.name)->id, before.id);
}

TEST_F(RuntimeTest, RemovedApplicationIsTornDown) {
  auto runtime = make_runtime();
  ASSERT_TRUE(runtime->apply_desired(place_app()).has_value());
  start(runtime);
  settle();
  ASSERT_EQ(running(), 2u);
  const auto from = tower_.revision;
  tower_.update({}, tower_.vars);
  ASSERT_TRUE(runtime->apply_desired(tower_.delta_since(from)).has_value());
  settle();
  EXPECT_TRUE(engine_.containers().empty());
  EXPECT_TRUE(runtime->instances().empty());
}

TEST_F(RuntimeTest, DeltaThatSkipsARevisionIsRefusedAndChangesNothing) {
  auto runtime = make_runtime();
  ASSERT_TRUE(runtime->apply_desired(place_app()).has_value());
  const auto applied = runtime->revision();
  tower_.update({}, {{"SYS_SITE", "shop-1"}, {"WEB_PORT", "18082"}});
  tower_.update({}, {{"SYS_SITE", "shop-1"}, {"WEB_PORT", "18083"}});
  Json gap = tower_.delta_since(applied + 1);
  auto refused = runtime->apply_desired(gap);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(runtime->revision(), applied);
}

TEST_F(RuntimeTest, ForeignContainersAreNeverTouched) {
  ContainerInfo foreign;
  foreign.name = "someone-elses";
  foreign.image = "registry.local/shop/web:1";
  foreign.state = "running";
  foreign.labels = {{"outpost.site", "shop-1"}, {"outpost.host", "other-host"}};
  engine_.add_container(foreign);
  auto runtime = make_runtime();
  ASSERT_TRUE(runtime->apply_desired(place_app()).has_value());
  start(runtime);
  settle();
  auto still = engine_.find_by_name("someone-elses");
  ASSERT_TRUE(still.has_value());
  EXPECT_EQ(still->state, "running");
}

TEST_F(RuntimeTest, DamagedCheckpointRemovesNothingAndAdoptsOnceTheTowerResends) {
  auto first = make_runtime();
  ASSERT_TRUE(first->apply_desired(place_app()).has_value());
  start(first);
  settle();
  ASSERT_EQ(running(), 2u);
  kill_agent();
  {
    std::string text = read_file(dir_ / "checkpoint").value();
    text.back() = text.back() == 'x' ? 'y' : 'x';
    ASSERT_TRUE(write_file_atomic(dir_ / "checkpoint", text).has_value());
  }
  engine_.reset_calls();

  auto second = make_runtime();
  EXPECT_FALSE(second->load_checkpoint().has_value());
  EXPECT_EQ(second->revision(), 0u);
  start(second);
  settle();
  EXPECT_EQ(engine_.calls().remove, 0) << "an agent that does not know its desired state removes nothing";
  EXPECT_EQ(running(), 2u);

  ASSERT_TRUE(second->apply_desired(tower_.delta_since(0)).has_value());
  settle();
  EXPECT_EQ(engine_.calls().create, 0);
  EXPECT_EQ(engine_.calls().remove, 0);
  EXPECT_EQ(engine_.calls().start, 0);
  EXPECT_EQ(second->instances().size(), 2u);
}

TEST_F(RuntimeTest, CheckpointOfAnotherSiteIsIgnored) {
  SiteDesired other;
  other.site = "elsewhere";
  other.update({}, {{"SYS_SITE", "elsewhere"}});
  ASSERT_TRUE(Checkpoint(dir_ / "checkpoint").save(other).has_value());
  auto runtime = make_runtime();
  ASSERT_TRUE(runtime->load_checkpoint().has_value());
  EXPECT_EQ(runtime->revision(), 0u);
}

TEST_F(RuntimeTest, WhatHappensIsRecordedInOrder) {
  auto runtime = make_runtime();
  ASSERT_TRUE(runtime->apply_desired(place_app()).has_value());
  start(runtime);
  settle();
  EXPECT_EQ(event_kinds(), (std::vector<std::string>{"desired", "created", "created", "ready", "ready"}));

  auto web = engine_.find_by_name("outpost-shop-1-h1-shop-web-0-web").value();
  ASSERT_TRUE(engine_.crash(web.id, 137));
  runtime->wake();
  settle();
  clock_.advance(std::chrono::seconds(2));  // the first restart backoff
  runtime->wake();
  settle();
  auto kinds = event_kinds();
  ASSERT_EQ(kinds.size(), 7u) << "the same container ready again is not news";
  EXPECT_EQ(std::vector<std::string>(kinds.begin() + 5, kinds.end()), (std::vector<std::string>{"exited", "started"}));
  auto events = journal_.pending(0, 1000);
  EXPECT_EQ(events[5].message, "exited with code 137");
  EXPECT_EQ(events[5].instance, "web-0");
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_EQ(events[i].seq, events[i - 1].seq + 1);
}

TEST_F(RuntimeTest, ACheckpointTheDiskRefusesIsRunFromMemoryAndWrittenWhenItCan) {
  const auto blocked = dir_ / "not-yet" / "checkpoint";  // its directory is missing: every write fails
  auto runtime = make_runtime(blocked);
  int notified = 0;
  runtime->set_status_listener([&] { ++notified; });
  auto acknowledged = runtime->apply_desired(place_app());
  ASSERT_TRUE(acknowledged.has_value());
  EXPECT_EQ(*acknowledged, 0u) << "nothing may be acknowledged that is not on disk";
  EXPECT_EQ(runtime->revision(), tower_.revision);
  ASSERT_EQ(runtime->problems().size(), 1u);
  EXPECT_NE(runtime->problems()[0].find("the checkpoint cannot be written"), std::string::npos) << runtime->problems()[0];
  start(runtime);
  settle();
  EXPECT_EQ(running(), 2u) << "the new state runs from memory";

  EXPECT_EQ(runtime->checkpointed_at(), Clock::time_point{}) << "nothing written yet";
  std::filesystem::create_directories(blocked.parent_path());
  const int before = notified;
  clock_.advance(std::chrono::seconds(7));
  runtime->wake();
  settle();
  EXPECT_EQ(runtime->checkpointed_revision(), tower_.revision);
  EXPECT_EQ(runtime->checkpointed_at(), clock_.now()) << "stamped when the checkpoint was written";
  EXPECT_TRUE(runtime->problems().empty());
  EXPECT_GT(notified, before) << "the session learns it can acknowledge now";
  EXPECT_TRUE(Checkpoint(blocked).load().value().has_value());
  auto kinds = event_kinds();
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "checkpoint-failed"), kinds.end());
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "checkpoint-failed"), 1) << "said once, not on every retry";
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "checkpoint-saved"), kinds.end());
}

TEST_F(RuntimeTest, AnEngineThatDoesNotAnswerIsAProblemUntilItDoes) {
  auto runtime = make_runtime();
  ASSERT_TRUE(runtime->apply_desired(place_app()).has_value());
  engine_.set_unreachable(true);
  start(runtime);
  settle();
  ASSERT_EQ(runtime->problems().size(), 1u);
  EXPECT_NE(runtime->problems()[0].find("container engine does not answer"), std::string::npos);
  engine_.set_unreachable(false);
  runtime->wake();
  settle();
  EXPECT_TRUE(runtime->problems().empty());
  EXPECT_EQ(running(), 2u);
  auto kinds = event_kinds();
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "engine-unavailable"), 1);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "engine-available"), 1);
}

TEST_F(RuntimeTest, ADamagedCheckpointIsAProblemUntilTheTowerResends) {
  ASSERT_TRUE(write_file_atomic(dir_ / "checkpoint", "0000\n{}").has_value());
  auto runtime = make_runtime();
  EXPECT_FALSE(runtime->load_checkpoint().has_value());
  ASSERT_EQ(runtime->problems().size(), 1u);
  EXPECT_NE(runtime->problems()[0].find("until the tower sends the desired state again"), std::string::npos);
  ASSERT_TRUE(runtime->apply_desired(place_app()).has_value());
  EXPECT_TRUE(runtime->problems().empty());
  EXPECT_EQ(event_kinds().front(), "checkpoint-damaged");
  EXPECT_EQ(event_kinds()[1], "checkpoint-restored");
}

}  // namespace
}  // namespace outpost::agent

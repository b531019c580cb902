// The agent runtime's health supervision over the fake engine, under a manual clock: probes run
// and gate readiness, a failed liveness probe restarts the container in place, crashes restart
// with growing backoff and are reported as a crash loop with the exit code and last output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "agent/runtime.hpp"
#include "engine/fake_engine.hpp"

namespace outpost::agent {
namespace {

using namespace std::chrono_literals;

constexpr const char* web_name = "outpost-shop-1-h1-shop-web-0-web";

class RuntimeHealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("outpost-runtime-health-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    engine_.add_image("registry.local/shop/web:1");
    tower_.site = "shop-1";
  }
  void TearDown() override {
    runtime_.reset();
    io_.reset();
    std::filesystem::remove_all(dir_);
  }

  void deploy(const std::string& container_yaml) {
    const std::string yaml = "name: shop\nversion: 1.0.0\nservices:\n  - name: web\n    containers:\n      - " +
                             container_yaml + "\n";
    Application app = Application::from_json(parse_document(yaml).value()).value();
    tower_.update({{"shop", SiteApp{"shop", app, {{"web", "web-0", "h1"}}}}}, {{"SYS_SITE", "shop-1"}});
    runtime_ = std::make_unique<AgentRuntime>(io_->get_executor(), engine_, Checkpoint(dir_ / "checkpoint"), "shop-1",
                                              "h1", clock_);
    ASSERT_TRUE(runtime_->apply_desired(tower_.delta_since(0)).has_value());
    boost::asio::co_spawn(*io_, runtime_->run(), boost::asio::detached);
    settle();
  }

  void settle() {
    io_->poll();
    io_->restart();
  }
  // Time passes; the probe loop and (when woken) the reconciler run.
  void advance(std::chrono::milliseconds by) {
    clock_.advance(by);
    runtime_->probe_pass();
    settle();
  }
  Json web() const {
    for (const auto& item : runtime_->instances())
      if (item["container"] == "web") return item;
    return nullptr;
  }
  std::string web_id() const { return engine_.find_by_name(web_name)->id; }

  ManualClock clock_;
  FakeEngine engine_{clock_};
  SiteDesired tower_;
  std::filesystem::path dir_;
  std::unique_ptr<boost::asio::io_context> io_ = std::make_unique<boost::asio::io_context>();
  std::unique_ptr<AgentRuntime> runtime_;
};

TEST_F(RuntimeHealthTest, WithoutReadinessProbeARunningContainerIsReadyAndTheAppHealthy) {
  deploy("{name: web, image: registry.local/shop/web:1}");
  advance(0ms);
  EXPECT_EQ(web()["state"], "running");
  EXPECT_TRUE(web()["ready"].get<bool>()) << web().dump();
  Json apps = runtime_->apps();
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_EQ(apps[0]["app"], "shop");
  EXPECT_TRUE(apps[0]["healthy"].get<bool>()) << apps.dump();
}

TEST_F(RuntimeHealthTest, ReadinessFollowsTheProbeAndGatesAppHealth) {
  deploy(R"({name: web, image: registry.local/shop/web:1,
            probes: {readiness: {exec: {command: [check]}, period: 1s, failure-threshold: 1}}})");
  engine_.set_exec_result(web_name, {1, "not yet\n"});
  advance(1s);
  EXPECT_FALSE(web()["ready"].get<bool>());
  EXPECT_EQ(web()["last_probe"]["message"], "exit code 1: not yet") << web().dump();
  EXPECT_FALSE(runtime_->apps()[0]["healthy"].get<bool>());

  engine_.set_exec_result(web_name, {0, ""});
  advance(1s);
  EXPECT_TRUE(web()["ready"].get<bool>()) << web().dump();
  EXPECT_TRUE(runtime_->apps()[0]["healthy"].get<bool>());
  EXPECT_EQ(web()["restarts"], 0);  // readiness never restarts anything
}

TEST_F(RuntimeHealthTest, FailedLivenessRestartsTheContainerInPlace) {
  deploy(R"({name: web, image: registry.local/shop/web:1,
            probes: {liveness: {exec: {command: [alive]}, period: 1s, failure-threshold: 2}}})");
  const std::string id = web_id();
  engine_.set_exec_result(web_name, {1, ""});
  advance(1s);
  advance(1s);  // second failure: past the threshold
  EXPECT_EQ(engine_.calls().stop, 0) << "the restart waits for its backoff";
  engine_.clear_exec_result(web_name);
  advance(1s);
  EXPECT_EQ(engine_.calls().stop, 1);
  EXPECT_EQ(web_id(), id) << "restarted, not replaced";
  EXPECT_EQ(engine_.find_by_name(web_name)->state, "running");
  EXPECT_EQ(web()["restarts"], 1) << web().dump();
  advance(1s);
  EXPECT_TRUE(web()["ready"].get<bool>()) << web().dump();
}

TEST_F(RuntimeHealthTest, CrashesRestartWithBackoffAndAreReportedAsACrashLoop) {
  deploy("{name: web, image: registry.local/shop/web:1}");
  engine_.set_logs(web_name, {"starting", "config missing: /etc/shop.conf"});
  auto crash = [&] {
    ASSERT_TRUE(engine_.crash(web_id(), 2));
    runtime_->wake();
    settle();
  };
  crash();
  EXPECT_EQ(web()["health"], "restarting") << web().dump();
  advance(1s);  // first backoff: 1 s
  EXPECT_EQ(engine_.find_by_name(web_name)->state, "running");
  crash();
  advance(1s);
  EXPECT_EQ(engine_.find_by_name(web_name)->state, "exited") << "the second backoff is 2 s";
  advance(1s);
  EXPECT_EQ(engine_.find_by_name(web_name)->state, "running");
  crash();
  Json status = web();
  EXPECT_EQ(status["health"], "crash-loop") << status.dump();
  EXPECT_EQ(status["crash_loop"]["exit_code"], 2);
  EXPECT_EQ(status["crash_loop"]["last_output"].back(), "config missing: /etc/shop.conf");
  EXPECT_EQ(status["restarts"], 2);
  EXPECT_FALSE(runtime_->apps()[0]["healthy"].get<bool>());
}

TEST_F(RuntimeHealthTest, ANewSpecStartsAFreshHistoryNotARestart) {
  deploy("{name: web, image: registry.local/shop/web:1, env: {MODE: a}}");
  advance(1s);
  const std::string old_id = web_id();
  Application app = tower_.apps.at("shop").app->application;
  app.version = "2.0.0";
  app.services[0].containers[0].env["MODE"] = "b";
  const auto from = tower_.revision;
  tower_.update({{"shop", SiteApp{"shop", app, {{"web", "web-0", "h1"}}}}}, tower_.vars);
  ASSERT_TRUE(runtime_->apply_desired(tower_.delta_since(from)).has_value());
  settle();
  advance(1s);
  EXPECT_NE(web_id(), old_id);
  EXPECT_EQ(web()["version"], "2.0.0");
  EXPECT_EQ(web()["restarts"], 0) << web().dump();
  EXPECT_TRUE(web()["ready"].get<bool>());
}

// The probe loop alone, no probe_pass() from the test: with nothing due it waits without a
// deadline, and a container that appears wakes it.
TEST_F(RuntimeHealthTest, AContainerThatAppearsWhileTheProbeLoopWaitsHasItsProbeStartedAtOnce) {
  deploy("{name: web, image: registry.local/shop/web:1}");
  const std::string yaml = R"(name: shop
version: 2.0.0
services:
  - name: web
    containers:
      - {name: web, image: registry.local/shop/web:1,
         probes: {readiness: {exec: {command: [check]}, period: 1s, failure-threshold: 1}}}
)";
  Application app = Application::from_json(parse_document(yaml).value()).value();
  engine_.set_exec_result(web_name, {1, "warming up\n"});
  const auto from = tower_.revision;
  tower_.update({{"shop", SiteApp{"shop", app, {{"web", "web-0", "h1"}}}}}, tower_.vars);
  ASSERT_TRUE(runtime_->apply_desired(tower_.delta_since(from)).has_value());
  settle();
  EXPECT_EQ(web()["version"], "2.0.0");
  EXPECT_EQ(web()["last_probe"]["message"], "exit code 1: warming up") << web().dump();
  EXPECT_FALSE(web()["ready"].get<bool>());
}

TEST_F(RuntimeHealthTest, NeverPolicyLeavesAFailedContainerDown) {
  deploy("{name: web, image: registry.local/shop/web:1, restart: never}");
  ASSERT_TRUE(engine_.crash(web_id(), 1));
  runtime_->wake();
  settle();
  advance(10min);
  runtime_->wake();
  settle();
  EXPECT_EQ(engine_.find_by_name(web_name)->state, "exited");
  EXPECT_EQ(web()["health"], "failed") << web().dump();
  EXPECT_EQ(engine_.calls().start, 1);  // the first start only
}

}  // namespace
}  // namespace outpost::agent

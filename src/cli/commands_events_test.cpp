// `outpost events` and the tower's --session-timeout, as whole command lines through run_cli()
// with an in-memory tower.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/cli_app_fixture.hpp"
#include "common/process_limits.hpp"

namespace outpost::cli {
namespace {


using EventsCommand = testing::CliApp;

constexpr const char* kEvents = R"({"items":[{"host":"h1","seq":3,"time":1800000000,"kind":"restarted",
    "level":"warning","app":"pos","instance":"api-0","message":"restarted after exit 1"}],"dropped":{"h1":2}})";

TEST_F(EventsCommand, PrintsTheTableAndTheDroppedLine) {
  log_in();
  tower.on("GET", "/v1/sites/ship-1/events?limit=100", 200, kEvents);
  EXPECT_EQ(run({"events", "ship-1"}), 0) << err.str();
  EXPECT_EQ(out.str(),
            "TIME                   HOST   SEQ   LEVEL     KIND        INSTANCE    MESSAGE\n"
            "2027-01-15T08:00:00Z   h1     3     warning   restarted   pos/api-0   restarted after exit 1\n"
            "host h1 dropped 2 event(s): its buffer was full while the tower was unreachable\n");
}

TEST_F(EventsCommand, PassesHostAndLimitAndPrintsJsonAsTheTowerSentIt) {
  log_in();
  tower.on("GET", "/v1/sites/ship-1/events?host=h1&limit=5", 200, kEvents);
  EXPECT_EQ(run({"events", "ship-1", "--host", "h1", "--limit", "5", "-o", "json"}), 0) << err.str();
  EXPECT_EQ(Json::parse(out.str()), Json::parse(kEvents));
}

TEST_F(EventsCommand, RefusesALimitOutOfRangeBeforeAsking) {
  log_in();
  EXPECT_EQ(run({"events", "ship-1", "--limit", "0"}), 1);
  EXPECT_EQ(run({"events", "ship-1", "--limit", "501"}), 1);
  EXPECT_TRUE(tower.requests.empty());
}

TEST_F(EventsCommand, AnUnknownSiteIsTheTowersError) {
  log_in();
  tower.on("GET", "/v1/sites/nowhere/events?limit=100", 404, R"({"error":{"code":"not_found","message":"site nowhere not found"}})");
  EXPECT_EQ(run({"events", "nowhere"}), 1);
  EXPECT_EQ(err.str(), "error: site nowhere not found\n");
}

TEST_F(EventsCommand, TheAgentTakesItsSessionTimeoutAndEventBuffer) {
  EXPECT_EQ(run({"agent", "--data", "/d"}), 0);
  EXPECT_EQ(agent_options.session_timeout, 30u);
  EXPECT_EQ(agent_options.event_buffer, 1000u);
  EXPECT_EQ(run({"agent", "--data", "/d", "--session-timeout", "6", "--event-buffer", "50"}), 0);
  EXPECT_EQ(agent_options.session_timeout, 6u);
  EXPECT_EQ(agent_options.event_buffer, 50u);
  EXPECT_EQ(run({"agent", "--data", "/d", "--event-buffer", "5"}), 1) << "fewer than 10 is refused";
}

TEST_F(EventsCommand, TheTowerTakesItsSessionTimeout) {
  EXPECT_EQ(run({"tower", "--data", "/d"}), 0);
  EXPECT_EQ(tower_options.session_timeout, std::chrono::seconds(30));
  EXPECT_EQ(run({"tower", "--data", "/d", "--session-timeout", "5"}), 0);
  EXPECT_EQ(tower_options.session_timeout, std::chrono::seconds(5));
  EXPECT_EQ(run({"tower", "--data", "/d", "--session-timeout", "1"}), 1);
  EXPECT_EQ(run({"tower", "--data", "/d", "--session-timeout", "3601"}), 1);
}

TEST_F(EventsCommand, TheTowerTakesItsHandshakeThreads) {
  EXPECT_EQ(run({"tower", "--data", "/d"}), 0);
  EXPECT_EQ(tower_options.handshake_threads, available_cores()) << "one per core";
  EXPECT_EQ(run({"tower", "--data", "/d", "--handshake-threads", "0"}), 0);
  EXPECT_EQ(tower_options.handshake_threads, 0u);
  EXPECT_EQ(run({"tower", "--data", "/d", "--handshake-threads", "3"}), 0);
  EXPECT_EQ(tower_options.handshake_threads, 3u);
  EXPECT_EQ(run({"tower", "--data", "/d", "--handshake-threads", "65"}), 1);
}

}  // namespace
}  // namespace outpost::cli

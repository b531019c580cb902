// The rollout status rendering as pure functions, the --watch loop under a manual clock, and the
// `rollout` verbs end to end through run_cli() against an in-memory tower.
#include "cli/rollout_view.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/config.hpp"
#include "cli/environment.hpp"
#include "cli/testing_fakes.hpp"

namespace outpost::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kStartedMs = 1'763'900'000'000;

Clock::time_point at_millis(std::int64_t ms) { return Clock::time_point{milliseconds(ms)}; }

Json rollout_document(const std::string& phase = "canary") {
  Json rollout = Json::parse(R"json({"deployment":"web","application":"demo","from-version":"1.0.0",
    "to-version":"2.0.0","resume-phase":"batches","paused-reason":"","accepted-failures":0,
    "started-at":1763900000000,"phase-since":1763900000000,
    "sites":{
      "shop-1":{"state":"healthy","since":1763900030000,"reason":"healthy on 2.0.0","version":"2.0.0","canary":true},
      "shop-2":{"state":"upgrading","since":1763900060000,"reason":"told to run 2.0.0","version":"2.0.0","canary":false}},
    "events":[{"at":1763900000000,"kind":"rollout-started","reason":"from 1.0.0 to 2.0.0 over 4 site(s)"},
              {"at":1763900001000,"kind":"site-upgrading","site":"shop-1","reason":"told to run 2.0.0"}],
    "progress":{"sites":{"waiting":2,"pending":0,"held":0,"upgrading":1,"healthy":1,"failed":0,"rolled-back":0},
                "total":4,"done":1,"percent":25}})json");
  rollout["phase"] = phase;
  return rollout;
}

Json event(std::int64_t at, const std::string& kind, const std::string& reason, const std::string& site = {}) {
  Json value{{"at", at}, {"kind", kind}, {"reason", reason}};
  if (!site.empty()) value["site"] = site;
  return value;
}

TEST(ProgressBar, FillsInProportionAndClamps) {
  EXPECT_EQ(progress_bar(0), "[--------------------] 0%");
  EXPECT_EQ(progress_bar(50), "[##########----------] 50%");
  EXPECT_EQ(progress_bar(100), "[####################] 100%");
  EXPECT_EQ(progress_bar(-7), "[--------------------] 0%");
  EXPECT_EQ(progress_bar(250), "[####################] 100%");
  EXPECT_EQ(progress_bar(50, 4), "[##--] 50%");
}

TEST(AgeText, UsesTheLargestWholeUnit) {
  EXPECT_EQ(age_text(milliseconds(12'900)), "12s");
  EXPECT_EQ(age_text(seconds(59)), "59s");
  EXPECT_EQ(age_text(seconds(3 * 60 + 40)), "3m");
  EXPECT_EQ(age_text(std::chrono::hours(5)), "5h");
  EXPECT_EQ(age_text(std::chrono::hours(47)), "47h");
  EXPECT_EQ(age_text(std::chrono::hours(50)), "2d");
  EXPECT_EQ(age_text(seconds(-30)), "0s");
}

TEST(AgeCell, MeasuresMillisecondsAgainstNowAndToleratesGarbage) {
  const Json site{{"since", kStartedMs}, {"bad", "yesterday"}, {"negative", -5}};
  EXPECT_EQ(age_cell(site, "since", at_millis(kStartedMs + 90'000)), "1m");
  EXPECT_EQ(age_cell(site, "bad", at_millis(kStartedMs)), "-");
  EXPECT_EQ(age_cell(site, "negative", at_millis(kStartedMs)), "-");
  EXPECT_EQ(age_cell(site, "absent", at_millis(kStartedMs)), "-");
  EXPECT_EQ(age_cell(Json::array(), "since", at_millis(kStartedMs)), "-");
}

TEST(RolloutHeader, NamesVersionsPhaseAndAge) {
  EXPECT_EQ(rollout_header(rollout_document(), at_millis(kStartedMs + 180'000)),
            "Deployment:   web\n"
            "Application:  demo\n"
            "Version:      1.0.0 → 2.0.0\n"
            "Phase:        canary for 3m\n"
            "Started:      3m ago\n");
}

TEST(RolloutHeader, ShowsThePausedReason) {
  Json rollout = rollout_document("paused");
  rollout["paused-reason"] = "canary site shop-1 failed: probe timed out";
  rollout["phase-since"] = kStartedMs + 120'000;
  const std::string header = rollout_header(rollout, at_millis(kStartedMs + 180'000));
  EXPECT_NE(header.find("Phase:        paused for 1m (canary site shop-1 failed: probe timed out)\n"),
            std::string::npos)
      << header;
}

TEST(ProgressLine, ShowsTheBarHealthyOfTotalAndOtherNonZeroStates) {
  EXPECT_EQ(progress_line(rollout_document()), "[#####---------------] 25%  1/4 sites healthy, 2 waiting, 1 upgrading");
}

TEST(ProgressLine, ListsStatesItDoesNotKnowAfterTheKnownOnes) {
  const Json rollout = Json::parse(
      R"({"progress":{"sites":{"failed":1,"quarantined":2,"healthy":3},"total":6,"done":3,"percent":50}})");
  EXPECT_EQ(progress_line(rollout), "[##########----------] 50%  3/6 sites healthy, 1 failed, 2 quarantined");
}

TEST(RolloutSitesTable, HasOneRowPerSiteWithAges) {
  EXPECT_EQ(render_table(rollout_sites_table(rollout_document(), at_millis(kStartedMs + 72'000))),
            "SITE     STATE       VERSION   CANARY   SINCE   REASON\n"
            "shop-1   healthy     2.0.0     yes      42s     healthy on 2.0.0\n"
            "shop-2   upgrading   2.0.0     no       12s     told to run 2.0.0\n");
}

TEST(RolloutEventsTable, KeepsTheNewestInOrder) {
  Json rollout{{"events", Json::array()}};
  for (int i = 1; i <= 5; ++i) rollout["events"].push_back(event(kStartedMs + i * 1000, "e" + std::to_string(i), "r"));
  const Table table = rollout_events_table(rollout, 2);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0][2], "e4");
  EXPECT_EQ(table.rows[1][2], "e5");
  EXPECT_EQ(rollout_events_table(rollout, 10).rows.size(), 5u);
  EXPECT_TRUE(rollout_events_table(rollout, 0).rows.empty());
}

TEST(RolloutEventsTable, PrintsUtcTimesAndDashesForRolloutWideEvents) {
  EXPECT_EQ(render_table(rollout_events_table(rollout_document(), 10)),
            "TIME                   SITE     EVENT             REASON\n"
            "2025-11-23T12:13:20Z   -        rollout-started   from 1.0.0 to 2.0.0 over 4 site(s)\n"
            "2025-11-23T12:13:21Z   shop-1   site-upgrading    told to run 2.0.0\n");
}

TEST(RolloutStatusText, SaysHowManyEventsItLeftOut) {
  const std::string text = rollout_status_text(rollout_document(), at_millis(kStartedMs), 1);
  EXPECT_NE(text.find("\nEvents (newest 1 of 2):\n  TIME"), std::string::npos) << text;
  EXPECT_EQ(text.find("rollout-started"), std::string::npos) << text;
  EXPECT_NE(text.find("site-upgrading"), std::string::npos) << text;
}

TEST(RolloutStatusText, ToleratesADocumentWithNothingUsable) {
  const std::string expected =
      "Deployment:   -\n"
      "Application:  -\n"
      "Version:      - → -\n"
      "Phase:        -\n"
      "Started:      -\n"
      "\n"
      "[--------------------] 0%  0/0 sites healthy\n"
      "\n"
      "No sites.\n";
  for (const Json& garbage : {Json::object(), Json::array({1, 2}), Json("rollout"), Json()}) {
    EXPECT_EQ(rollout_status_text(garbage, at_millis(kStartedMs), 10), expected) << garbage.dump();
  }
}

TEST(RolloutStatusText, ToleratesMistypedMembers) {
  const Json rollout = Json::parse(R"({"phase":7,"progress":{"percent":"half","sites":[1]},
      "sites":{"a":"not an object","b":{"canary":"yes","since":"now"}},
      "events":[3,{"at":99999999999999999,"kind":["x"]},{"at":-1}]})");
  const std::string text = rollout_status_text(rollout, at_millis(kStartedMs), 10);
  EXPECT_NE(text.find("Phase:        7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("a      -       -         -        -       -\n"
                      "b      -       -         -        -       -\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  TIME   SITE   EVENT   REASON\n"
                      "  -      -      -       -\n"
                      "  -      -      [\"x\"]   -\n"
                      "  -      -      -       -\n"),
            std::string::npos)
      << text;
}

TEST(RolloutEndReason, PrefersTheNewestRolloutWideCauseOverTheRollbackFinishing) {
  Json rollout = rollout_document("rolled-back");
  rollout["events"].push_back(event(kStartedMs + 5000, "rollout-failed", "canary site shop-1 failed; rolling back"));
  rollout["events"].push_back(event(kStartedMs + 6000, "site-rolled-back", "sent back to 1.0.0", "shop-1"));
  rollout["events"].push_back(event(kStartedMs + 7000, "rollback-complete", "every connected site runs 1.0.0"));
  EXPECT_EQ(rollout_end_reason(rollout), "canary site shop-1 failed; rolling back");
}

TEST(RolloutEndReason, FallsBackToThePausedReason) {
  EXPECT_EQ(rollout_end_reason(Json{{"paused-reason", "paused by a person"}}), "paused by a person");
  EXPECT_EQ(rollout_end_reason(Json{{"events", "none"}}), "");
}

// Each fetch hands out the next queued document (the last repeats); sleeping advances the clock.
struct WatchHarness {
  explicit WatchHarness(std::vector<Result<Json>> queued) : answers(std::move(queued)) {}

  std::vector<Result<Json>> answers;
  std::size_t fetches = 0;
  std::vector<std::string> shown;
  std::vector<milliseconds> sleeps;
  ManualClock clock{at_millis(kStartedMs)};

  Status run(milliseconds interval, milliseconds timeout) {
    return watch_rollout(RolloutWatch{
        .name = "web",
        .interval = interval,
        .timeout = timeout,
        .fetch = [this] { return answers.at(std::min(fetches++, answers.size() - 1)); },
        .show = [this](const Json& rollout) { shown.push_back(rollout_phase(rollout)); },
        .sleep =
            [this](milliseconds pause) {
              sleeps.push_back(pause);
              clock.advance(pause);
            },
        .clock = clock,
    });
  }
};

TEST(WatchRollout, StopsWithSuccessWhenTheRolloutCompletes) {
  WatchHarness harness({rollout_document("canary"), rollout_document("batches"), rollout_document("complete")});
  EXPECT_TRUE(harness.run(seconds(2), std::chrono::minutes(30)));
  EXPECT_EQ(harness.shown, (std::vector<std::string>{"canary", "batches", "complete"}));
  EXPECT_EQ(harness.sleeps, (std::vector<milliseconds>{seconds(2), seconds(2)}));
}

TEST(WatchRollout, KeepsWatchingThroughAPauseAndFailsOnRollbackSayingWhy) {
  Json rolled_back = rollout_document("rolled-back");
  rolled_back["events"].push_back(event(kStartedMs + 9000, "rollout-failed", "canary site shop-1 failed"));
  WatchHarness harness({rollout_document("paused"), rollout_document("rolling-back"), rolled_back});
  const Status status = harness.run(seconds(1), std::chrono::minutes(30));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "rollout/web was rolled back: canary site shop-1 failed");
  EXPECT_EQ(harness.fetches, 3u);
}

TEST(WatchRollout, FailsWhenAborted) {
  Json aborted = rollout_document("aborted");
  aborted["events"].push_back(event(kStartedMs + 9000, "rollout-aborted", "aborted by a person"));
  WatchHarness harness({aborted});
  const Status status = harness.run(seconds(1), std::chrono::minutes(30));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "rollout/web was aborted: aborted by a person");
  EXPECT_TRUE(harness.sleeps.empty());
}

TEST(WatchRollout, TimesOutNamingThePhaseWithoutSleepingPastTheTimeout) {
  WatchHarness harness({rollout_document("batches")});
  const Status status = harness.run(seconds(2), seconds(5));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "timed out after 5s waiting for rollout/web to finish; its phase is batches");
  EXPECT_EQ(harness.sleeps, (std::vector<milliseconds>{seconds(2), seconds(2), seconds(1)}));
  EXPECT_EQ(harness.fetches, 4u);  // the last one at the timeout, so the final screen is current
}

TEST(WatchRollout, StopsOnAFetchError) {
  WatchHarness harness({rollout_document(), fail(0, "unreachable", "connection refused")});
  const Status status = harness.run(seconds(1), std::chrono::minutes(30));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, "unreachable");
  EXPECT_EQ(harness.shown.size(), 1u);
}

// ---- the verbs, end to end ----

class RolloutVerbs : public ::testing::Test {
 protected:
  RolloutVerbs()
      : environment{.in = in,
                    .out = out,
                    .err = err,
                    .outpost_config = (directory.path() / "config.json").string(),
                    .home = std::nullopt,
                    .connect = [this](const std::string&, const std::string&) -> Result<Transport> {
                      return tower.transport();
                    },
                    .fetch_ca_unverified = {},
                    .certificate_fingerprint = {},
                    .run_tower = {},
                    .run_agent = {}} {
    EXPECT_TRUE(save_config(directory.path() / "config.json", CliConfig{"https://t:7443", "tok", "CA-PEM"}));
  }

  int run(std::vector<std::string> arguments) { return run_cli(arguments, environment); }

  testing::TemporaryDirectory directory;
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  testing::FakeTower tower;
  Environment environment;
};

TEST_F(RolloutVerbs, StatusPrintsHeaderProgressSitesAndEvents) {
  tower.on("GET", "/v1/deployments/web/rollout", 200, rollout_document().dump());
  EXPECT_EQ(run({"rollout", "status", "web"}), 0) << err.str();
  const std::string text = out.str();
  EXPECT_NE(text.find("Version:      1.0.0 → 2.0.0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[#####---------------] 25%  1/4 sites healthy, 2 waiting, 1 upgrading\n"), std::string::npos);
  EXPECT_NE(text.find("SITE     STATE       VERSION   CANARY   SINCE"), std::string::npos) << text;
  EXPECT_NE(text.find("site-upgrading"), std::string::npos) << text;
  ASSERT_EQ(tower.requests.size(), 1u);
  EXPECT_EQ(tower.requests[0].method, "GET");
}

TEST_F(RolloutVerbs, StatusExitsZeroWhateverThePhaseWithoutWatch) {
  tower.on("GET", "/v1/deployments/web/rollout", 200, rollout_document("aborted").dump());
  EXPECT_EQ(run({"rollout", "status", "web"}), 0) << err.str();
}

TEST_F(RolloutVerbs, StatusJsonPrintsTheDocumentAsIs) {
  tower.on("GET", "/v1/deployments/web/rollout", 200, rollout_document().dump());
  EXPECT_EQ(run({"rollout", "status", "web", "-o", "json"}), 0) << err.str();
  EXPECT_EQ(Json::parse(out.str()), rollout_document());
}

TEST_F(RolloutVerbs, StatusOfAnUnknownDeploymentExitsOne) {
  tower.on("GET", "/v1/deployments/nope/rollout", 404,
           R"({"error":{"code":"not_found","message":"deployment \"nope\" has no rollout"}})");
  EXPECT_EQ(run({"rollout", "status", "nope"}), 1);
  EXPECT_EQ(err.str(), "error: deployment \"nope\" has no rollout\n");
}

TEST_F(RolloutVerbs, CommandsPostAnEmptyObjectAndPrintThePhase) {
  tower.on("POST", "/v1/deployments/web/rollout/pause", 200, rollout_document("paused").dump());
  EXPECT_EQ(run({"rollout", "pause", "web"}), 0) << err.str();
  EXPECT_EQ(out.str(), "rollout/web: paused\n");
  ASSERT_EQ(tower.requests.size(), 1u);
  EXPECT_EQ(tower.requests[0].method, "POST");
  EXPECT_EQ(tower.requests[0].target, "/v1/deployments/web/rollout/pause");
  EXPECT_EQ(Json::parse(tower.requests[0].body), Json::object());
}

TEST_F(RolloutVerbs, EveryCommandHasItsOwnRoute) {
  for (const std::string command : {"promote", "pause", "resume", "abort", "rollback"}) {
    tower.on("POST", "/v1/deployments/web/rollout/" + command, 200, rollout_document().dump());
    EXPECT_EQ(run({"rollout", command, "web"}), 0) << command << ": " << err.str();
    EXPECT_EQ(tower.requests.back().target, "/v1/deployments/web/rollout/" + command);
  }
}

TEST_F(RolloutVerbs, CommandYamlPrintsTheDocument) {
  tower.on("POST", "/v1/deployments/web/rollout/promote", 200, rollout_document("batches").dump());
  EXPECT_EQ(run({"rollout", "promote", "web", "-o", "yaml"}), 0) << err.str();
  EXPECT_NE(out.str().find("phase: batches\n"), std::string::npos) << out.str();
}

TEST_F(RolloutVerbs, ARefusedCommandPrintsTheTowersMessageAndExitsOne) {
  tower.on("POST", "/v1/deployments/web/rollout/promote", 409,
           R"({"error":{"code":"conflict","message":"promote applies only during the canary; the rollout is batches"}})");
  EXPECT_EQ(run({"rollout", "promote", "web"}), 1);
  EXPECT_EQ(err.str(), "error: promote applies only during the canary; the rollout is batches\n");
  EXPECT_EQ(out.str(), "");
}

TEST_F(RolloutVerbs, WatchStopsWhenTheRolloutCompletes) {
  tower.on("GET", "/v1/deployments/web/rollout", 200, rollout_document("canary").dump());
  tower.on("GET", "/v1/deployments/web/rollout", 200, rollout_document("complete").dump());
  EXPECT_EQ(run({"rollout", "status", "web", "--watch", "--interval", "0s"}), 0) << err.str();
  EXPECT_EQ(tower.requests.size(), 2u);
  const std::string text = out.str();
  const auto separator = text.find("---\n");
  ASSERT_NE(separator, std::string::npos) << text;
  EXPECT_LT(text.find("Phase:        canary"), separator);
  EXPECT_GT(text.find("Phase:        complete"), separator);
}

TEST_F(RolloutVerbs, WatchExitsOneWhenTheRolloutIsRolledBack) {
  Json rolled_back = rollout_document("rolled-back");
  rolled_back["events"].push_back(event(kStartedMs + 9000, "rollout-failed", "canary site shop-1 failed"));
  tower.on("GET", "/v1/deployments/web/rollout", 200, rolled_back.dump());
  EXPECT_EQ(run({"rollout", "status", "web", "-w"}), 1);
  EXPECT_EQ(err.str(), "error: rollout/web was rolled back: canary site shop-1 failed\n");
}

TEST_F(RolloutVerbs, WatchRejectsABadInterval) {
  EXPECT_EQ(run({"rollout", "status", "web", "--watch", "--interval", "soon"}), 1);
  EXPECT_NE(err.str().find("--interval"), std::string::npos) << err.str();
  EXPECT_TRUE(tower.requests.empty());
}

TEST_F(RolloutVerbs, RolloutNeedsASubcommand) {
  EXPECT_EQ(run({"rollout"}), 1);
  EXPECT_EQ(run({"rollout", "status"}), 1);  // NAME is required
  EXPECT_EQ(run({"rollout", "status", "web", "--events", "-1"}), 1);
  EXPECT_TRUE(tower.requests.empty());
}

}  // namespace
}  // namespace outpost::cli

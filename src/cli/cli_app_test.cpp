// Whole command lines through run_cli(), with an in-memory tower and a temporary config file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "cli/cli_app_fixture.hpp"
#include "cli/config.hpp"

namespace outpost::cli {
namespace {

using testing::CliApp;
using testing::kFingerprint;


TEST_F(CliApp, VerbsNeedALogin) {
  EXPECT_EQ(run({"get", "sites"}), 1);
  EXPECT_EQ(err.str(), "error: not logged in: run `outpost login URL ...` first\n");
}

TEST_F(CliApp, ParseErrorsExitOne) {
  EXPECT_EQ(run({"get"}), 1);
  EXPECT_FALSE(err.str().empty());
  EXPECT_EQ(run({"frobnicate"}), 1);
  EXPECT_EQ(run({"get", "sites", "-o", "xml"}), 1);
}

TEST_F(CliApp, HelpExitsZero) { EXPECT_EQ(run({"--help"}), 0); }

TEST_F(CliApp, TowerReceivesItsOptions) {
  EXPECT_EQ(run({"tower", "--data", "/d", "--listen", "0.0.0.0:9443", "--advertise", "tower.example",
                 "--log-level", "debug"}),
            0);
  EXPECT_EQ(tower_options.data_dir, "/d");
  EXPECT_EQ(tower_options.listen, "0.0.0.0:9443");
  EXPECT_EQ(tower_options.advertise, "tower.example");
  EXPECT_EQ(tower_options.log_level, "debug");
}

TEST_F(CliApp, AgentReceivesItsOptionsAndKeepsDefaults) {
  EXPECT_EQ(run({"agent", "--tower", "https://t:7443", "--join", "J", "--data", "/a", "--host", "h1"}), 0);
  EXPECT_EQ(agent_options.tower_url, "https://t:7443");
  EXPECT_EQ(agent_options.join_token, "J");
  EXPECT_EQ(agent_options.data_dir, "/a");
  EXPECT_EQ(agent_options.host_name, "h1");
  EXPECT_EQ(agent_options.engine, agent::AgentOptions{}.engine);
  EXPECT_EQ(run({"agent", "--tower", "https://t:7443"}), 1);  // --data is required
}

TEST_F(CliApp, LoginChecksTheFingerprintTheTokenAndSavesTheConfig) {
  tower.on("GET", "/v1/sites?limit=1", 200, R"({"items":[]})");
  EXPECT_EQ(run({"login", "https://t:7443", "--token", "tok", "--ca-fingerprint",
                 "AB:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"}),
            0)
      << err.str();
  EXPECT_EQ(out.str(), "Logged in to https://t:7443\n");
  EXPECT_EQ(connected_ca, "CA-PEM");
  EXPECT_EQ(tower.requests.at(0).headers.at("Authorization"), "Bearer tok");
  const auto saved = load_config(directory.path() / "config.json");
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->tower, "https://t:7443");
  EXPECT_EQ(saved->token, "tok");
  EXPECT_EQ(saved->ca, "CA-PEM");
}

TEST_F(CliApp, LoginRefusesACaWithAnotherFingerprint) {
  served_fingerprint = "cd" + std::string(62, '0');
  EXPECT_EQ(run({"login", "https://t:7443", "--token", "tok", "--ca-fingerprint", kFingerprint}), 1);
  EXPECT_NE(err.str().find("refusing to trust"), std::string::npos);
  EXPECT_TRUE(tower.requests.empty());
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "config.json"));
}

TEST_F(CliApp, LoginReportsARefusedToken) {
  tower.on("GET", "/v1/sites?limit=1", 401, R"({"error":{"code":"unauthorized","message":"bad token"}})");
  EXPECT_EQ(run({"login", "https://t:7443", "--token", "bad", "--ca-fingerprint", kFingerprint}), 1);
  EXPECT_EQ(err.str(), "error: the tower refused the token\n");
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "config.json"));
}

TEST_F(CliApp, LoginExitsTwoWhenTheTowerIsUnreachable) {
  ca_unreachable = true;
  EXPECT_EQ(run({"login", "https://t:7443", "--token", "tok", "--ca-fingerprint", kFingerprint}), 2);
  EXPECT_EQ(err.str(), "error: cannot reach the tower at https://t:7443: connection refused\n");
}

TEST_F(CliApp, LoginFromTheTowersDataDirectoryReadsTokenAndCa) {
  const auto data = directory.path() / "tower";
  std::filesystem::create_directories(data / "pki");
  std::ofstream(data / "admin.token") << "admin-token\n";
  std::ofstream(data / "pki" / "ca.pem") << "LOCAL-CA";
  tower.on("GET", "/v1/sites?limit=1", 200, R"({"items":[]})");
  EXPECT_EQ(run({"login", "https://t:7443", "--data", data.string()}), 0) << err.str();
  EXPECT_EQ(connected_ca, "LOCAL-CA");
  EXPECT_EQ(load_config(directory.path() / "config.json")->token, "admin-token");
}

TEST_F(CliApp, GetSitesPrintsATableFollowingCursors) {
  log_in();
  tower.on("GET", "/v1/sites?selector=region%20%3D%20north", 200,
           R"({"items":[{"name":"a","labels":{"region":"north"},"hosts":[{"connected":true}],
                "connection":{"state":"connected","alert":"none"}}],"next":"n1"})");
  tower.on("GET", "/v1/sites?selector=region%20%3D%20north&continue=n1", 200,
           R"({"items":[{"name":"b","labels":{"region":"north"},"hosts":[]}]})");
  EXPECT_EQ(run({"get", "sites", "-l", "region = north"}), 0) << err.str();
  EXPECT_EQ(out.str(),
            "NAME   LABELS         HOSTS   CONNECTED   CONNECTION   ALERT\n"
            "a      region=north   1       1/1         connected    none\n"
            "b      region=north   0       0/0         -            -\n");
}

TEST_F(CliApp, GetPrintsJsonAsAnItemsList) {
  log_in();
  tower.on("GET", "/v1/deployments", 200, R"({"items":[{"name":"d"}]})");
  EXPECT_EQ(run({"get", "deploy", "-o", "json"}), 0) << err.str();
  EXPECT_EQ(Json::parse(out.str()), Json::parse(R"({"items":[{"name":"d"}]})"));
}

TEST_F(CliApp, GetOneByNamePrintsTheObject) {
  log_in();
  tower.on("GET", "/v1/sites/a", 200, R"({"name":"a","revision":3})");
  EXPECT_EQ(run({"-o", "json", "get", "site", "a"}), 0) << err.str();
  EXPECT_EQ(Json::parse(out.str()), Json::parse(R"({"name":"a","revision":3})"));
}

TEST_F(CliApp, GetApplicationsFetchesVersionListsForTheTable) {
  log_in();
  tower.on("GET", "/v1/applications", 200, R"({"items":[{"name":"pos","version":"2.0","services":[{"name":"api"}]}]})");
  tower.on("GET", "/v1/applications/pos", 200, R"({"name":"pos","version":"2.0","versions":["2.0","1.0"]})");
  EXPECT_EQ(run({"get", "apps"}), 0) << err.str();
  EXPECT_EQ(out.str(),
            "NAME   VERSION   VERSIONS   SERVICES\n"
            "pos    2.0       2          api\n");
}

TEST_F(CliApp, GetInstancesOfOneSiteUsesTheSiteRoute) {
  log_in();
  tower.on("GET", "/v1/sites/s1/instances", 200, R"({"items":[{"site":"s1","instance":"api-0","state":"running"}]})");
  EXPECT_EQ(run({"get", "inst", "--site", "s1"}), 0) << err.str();
  EXPECT_NE(out.str().find("api-0"), std::string::npos);
}

TEST_F(CliApp, GetHostsNeedsASite) {
  log_in();
  EXPECT_EQ(run({"get", "hosts"}), 1);
  EXPECT_EQ(err.str(), "error: get hosts needs --site SITE\n");
}

TEST_F(CliApp, GetVersionsListsTheApplicationsVersions) {
  log_in();
  tower.on("GET", "/v1/applications/pos/versions", 200, R"({"items":[{"name":"pos","version":"2.0"}]})");
  EXPECT_EQ(run({"get", "versions", "pos"}), 0) << err.str();
  EXPECT_EQ(out.str(), "NAME   VERSION   SERVICES\npos    2.0       -\n");
}

TEST_F(CliApp, ServerErrorsPrintMessageAndField) {
  log_in();
  tower.on("POST", "/v1/apply", 422,
           R"({"error":{"code":"invalid","message":"must be a string","field":"services[0].image"}})");
  in.str("kind: application\n");
  EXPECT_EQ(run({"apply", "-f", "-"}), 1);
  EXPECT_EQ(err.str(), "error: must be a string (field: services[0].image)\n");
}

TEST_F(CliApp, UnreachableTowerExitsTwo) {
  log_in();
  tower.unreachable("connection refused");
  EXPECT_EQ(run({"get", "sites"}), 2);
  EXPECT_EQ(err.str(), "error: cannot reach the tower at https://t:7443: connection refused\n");
}

TEST_F(CliApp, ApplyPostsTheRawFileAndPrintsOneLinePerResult) {
  log_in();
  const auto file = directory.path() / "spec.yaml";
  std::ofstream(file) << "kind: application\nname: pos\n";
  tower.on("POST", "/v1/apply", 200, R"({"results":[
      {"kind":"application","name":"pos","version":"1.4.0","action":"created"},
      {"kind":"deployment","name":"pos","action":"configured"},
      {"kind":"site","name":"s1","action":"unchanged"}]})");
  EXPECT_EQ(run({"apply", "-f", file.string()}), 0) << err.str();
  EXPECT_EQ(out.str(),
            "application/pos 1.4.0 created\n"
            "deployment/pos configured\n"
            "site/s1 unchanged\n");
  EXPECT_EQ(tower.requests.at(0).body, "kind: application\nname: pos\n");
  EXPECT_EQ(tower.requests.at(0).headers.at("Content-Type"), "application/yaml");
}

TEST_F(CliApp, ApplyRejectsAnEmptyInput) {
  log_in();
  in.str("\n  \n");
  EXPECT_EQ(run({"apply", "-f", "-"}), 1);
  EXPECT_TRUE(tower.requests.empty());
}

TEST_F(CliApp, DeleteApplicationVersionUsesTheVersionRoute) {
  log_in();
  tower.on("DELETE", "/v1/applications/pos/versions/1.0.0", 200, R"({"deleted":"pos"})");
  EXPECT_EQ(run({"delete", "app", "pos", "--version", "1.0.0"}), 0) << err.str();
  EXPECT_EQ(out.str(), "application/pos 1.0.0 deleted\n");
}

TEST_F(CliApp, DeleteSitePrintsKindSlashName) {
  log_in();
  tower.on("DELETE", "/v1/sites/s1", 200, R"({"deleted":"s1"})");
  EXPECT_EQ(run({"delete", "sites", "s1"}), 0) << err.str();
  EXPECT_EQ(out.str(), "site/s1 deleted\n");
}

TEST_F(CliApp, DeleteRefusesKindsWithoutADeleteRoute) {
  log_in();
  EXPECT_EQ(run({"delete", "instance", "x"}), 1);
  EXPECT_TRUE(tower.requests.empty());
}

TEST_F(CliApp, SitesCreateSendsLabelsAndVars) {
  log_in();
  tower.on("POST", "/v1/sites", 201, R"({"name":"s1"})");
  EXPECT_EQ(run({"sites", "create", "s1", "--label", "region=north", "--label", "canary=true", "--var", "LANE=3"}), 0)
      << err.str();
  EXPECT_EQ(out.str(), "site/s1 created\n");
  EXPECT_EQ(Json::parse(tower.requests.at(0).body),
            Json::parse(R"({"name":"s1","labels":{"region":"north","canary":"true"},"vars":{"LANE":"3"}})"));
}

TEST_F(CliApp, SitesTokenPrintsTheTokenAloneOnTheLastLine) {
  log_in();
  tower.on("POST", "/v1/sites/s1/tokens", 201,
           R"({"token":"JOIN-123","site":"s1","expires_at":1800000000,"uses":2})");
  EXPECT_EQ(run({"sites", "token", "s1", "--ttl", "1h", "--uses", "2"}), 0) << err.str();
  EXPECT_EQ(out.str(), "Join token for site s1, valid until 2027-01-15T08:00:00Z for 2 uses:\nJOIN-123\n");
  EXPECT_EQ(Json::parse(tower.requests.at(0).body), Json::parse(R"({"ttl":"1h","uses":2})"));
}

TEST_F(CliApp, SitesLabelPatchesWithNullForRemovals) {
  log_in();
  tower.on("PATCH", "/v1/sites/s1", 200, R"({"name":"s1"})");
  EXPECT_EQ(run({"sites", "label", "s1", "region=west", "canary-"}), 0) << err.str();
  EXPECT_EQ(out.str(), "site/s1 labeled\n");
  EXPECT_EQ(Json::parse(tower.requests.at(0).body), Json::parse(R"({"labels":{"region":"west","canary":null}})"));
}

TEST_F(CliApp, SitesListIsGetSites) {
  log_in();
  tower.on("GET", "/v1/sites", 200, R"({"items":[{"name":"a"}]})");
  EXPECT_EQ(run({"sites", "list", "-o", "yaml"}), 0) << err.str();
  EXPECT_NE(out.str().find("name: a"), std::string::npos);
}

TEST_F(CliApp, DescribeDeploymentCombinesSpecAndStatus) {
  log_in();
  tower.on("GET", "/v1/deployments/pos", 200, R"({"name":"pos","application":"pos","version":"1.0"})");
  tower.on("GET", "/v1/deployments/pos/status", 200,
           R"({"deployment":"pos","version":"1.0","sites":[{"site":"s1","connected":true,"version":"1.0",
               "state":"running","instances":[]}]})");
  EXPECT_EQ(run({"describe", "deployment", "pos"}), 0) << err.str();
  EXPECT_NE(out.str().find("  s1     yes         1.0       running\n"), std::string::npos) << out.str();
  out.str("");
  EXPECT_EQ(run({"describe", "deployment", "pos", "-o", "json"}), 0);
  EXPECT_EQ(Json::parse(out.str())["status"]["sites"][0]["state"], "running");
}

}  // namespace
}  // namespace outpost::cli

#include "cli/describe_views.hpp"

#include <gtest/gtest.h>

namespace outpost::cli {
namespace {

TEST(DescribeSite, ShowsLabelsVarsHostsAndInstances) {
  const auto site = Json::parse(R"({"name":"shop-1","labels":{"region":"north"},"vars":{"LANE":"3"},"revision":4,
      "hosts":[{"name":"h1","connected":true,"since":1800000000,"revision":9}]})");
  const auto instance = Json::parse(R"({"site":"shop-1","host":"h1","app":"pos","version":"1.0","instance":"api-0",
      "container":"api","state":"running","health":"ready","restarts":0,"message":""})");
  EXPECT_EQ(describe_site(site, {instance}),
            "Name:          shop-1\n"
            "Labels:        region=north\n"
            "Vars:          LANE=3\n"
            "Revision:      4\n"
            "Connected:     1/1\n"
            "Hosts:\n"
            "  NAME   CONNECTED   SINCE                  REVISION\n"
            "  h1     yes         2027-01-15T08:00:00Z   9\n"
            "Instances:\n"
            "  HOST   APP   VERSION   INSTANCE   CONTAINER   STATE     HEALTH   RESTARTS   MESSAGE\n"
            "  h1     pos   1.0       api-0      api         running   ready    0          -\n");
}

TEST(DescribeSite, SaysNoneForASiteWithoutHostsOrInstances) {
  const std::string text = describe_site(Json::parse(R"({"name":"empty","labels":{},"vars":{}})"), {});
  EXPECT_NE(text.find("Hosts:         -\n"), std::string::npos);
  EXPECT_NE(text.find("Instances:     -\n"), std::string::npos);
}

TEST(DescribeSite, ListsTheProblemsHostsReportedBeneathTheHosts) {
  const auto site = Json::parse(R"({"name":"shop-1","labels":{},"vars":{},"revision":4,"hosts":[
      {"name":"h1","connected":true,"since":1800000000,"revision":9,"problems":[]},
      {"name":"h2","connected":false,"since":1800000000,"revision":9,
       "problems":["disk full: the checkpoint could not be written\nrunning revision 7 from memory","engine unreachable",3]}]})");
  const std::string text = describe_site(site, {});
  EXPECT_NE(text.find("  h2     no          2027-01-15T08:00:00Z   9\n"
                      "Problems:\n"
                      "  h2: disk full: the checkpoint could not be written running revision 7 from memory\n"
                      "  h2: engine unreachable\n"
                      "Instances:"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("h1:"), std::string::npos);
}

TEST(DescribeApplication, ListsServicesContainersImagesAndPorts) {
  const auto application = Json::parse(R"({"kind":"application","name":"pos","version":"1.4.0",
      "versions":["1.4.0","1.3.0"],"revision":12,
      "services":[{"name":"api","replicas":2,"containers":[{"name":"api","image":"reg/pos/api:1.4.0",
        "ports":[{"container":8080,"host":80,"protocol":"tcp"},{"container":9090}]}]},
        {"name":"agent","mode":"one-per-host","containers":[{"name":"agent","image":"reg/agent:1"}]}]})");
  EXPECT_EQ(describe_application(application),
            "Name:          pos\n"
            "Version:       1.4.0\n"
            "Versions:      1.4.0, 1.3.0\n"
            "Revision:      12\n"
            "Services:\n"
            "  api (replicas: 2)\n"
            "    CONTAINER   IMAGE               PORTS\n"
            "    api         reg/pos/api:1.4.0   80:8080/tcp,9090/tcp\n"
            "  agent (mode: one-per-host)\n"
            "    CONTAINER   IMAGE         PORTS\n"
            "    agent       reg/agent:1   -\n");
}

TEST(DescribeDeployment, PutsEachSitesInstancesBeneathItsRow) {
  const auto deployment = Json::parse(R"({"kind":"deployment","name":"pos","application":"pos","version":"*",
      "placement":{"sites":"region = north"},"rollout":{"sites-in-parallel":10},"revision":3})");
  const auto status = Json::parse(R"({"deployment":"pos","application":"pos","version":"1.4.0","sites":[
      {"site":"shop-1","connected":true,"version":"1.4.0","state":"running","instances":[
        {"instance":"api-0","container":"api","state":"running","health":"ready","restarts":2,"message":""}]},
      {"site":"shop-22","connected":false,"version":"1.3.0","state":"pending","instances":[]}]})");
  EXPECT_EQ(describe_deployment(deployment, status),
            "Name:          pos\n"
            "Application:   pos\n"
            "Version:       *\n"
            "Resolved:      1.4.0\n"
            "Placement:     region = north\n"
            "Rollout:       sites-in-parallel=10\n"
            "Revision:      3\n"
            "Sites:\n"
            "  SITE      CONNECTED   VERSION   STATE\n"
            "  shop-1    yes         1.4.0     running\n"
            "      INSTANCE   CONTAINER   STATE     HEALTH   RESTARTS   MESSAGE\n"
            "      api-0      api         running   ready    2          -\n"
            "  shop-22   no          1.3.0     pending\n");
}

}  // namespace
}  // namespace outpost::cli

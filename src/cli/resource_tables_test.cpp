#include "cli/resource_tables.hpp"

#include <gtest/gtest.h>

#include "cli/cell_text.hpp"

namespace outpost::cli {
namespace {

TEST(SitesTable, ShowsLabelsHostCountAndConnectedHosts) {
  const auto site = Json::parse(R"({"name":"shop-1","labels":{"region":"north","canary":"true"},
      "hosts":[{"name":"h1","connected":true},{"name":"h2","connected":false},{"name":"h3","connected":true}],
      "connection":{"state":"partly-connected","alert":"warning"}})");
  EXPECT_EQ(render_table(sites_table({site, Json::parse(R"({"name":"lab"})")})),
            "NAME     LABELS                     HOSTS   CONNECTED   CONNECTION         ALERT\n"
            "shop-1   canary=true,region=north   3       2/3         partly-connected   warning\n"
            "lab      -                          0       0/0         -                  -\n");
}

TEST(ApplicationsTable, CountsVersionsAndListsServices) {
  const auto application = Json::parse(R"({"name":"pos","version":"1.4.0","versions":["1.4.0","1.3.0"],
      "services":[{"name":"api"},{"name":"worker"}]})");
  EXPECT_EQ(render_table(applications_table({application})),
            "NAME   VERSION   VERSIONS   SERVICES\n"
            "pos    1.4.0     2          api,worker\n");
}

TEST(DeploymentsTable, ShowsThePlacementExpression) {
  const auto deployment = Json::parse(
      R"j({"name":"pos","application":"pos","version":"*","placement":{"sites":"region in (north)"}})j");
  EXPECT_EQ(render_table(deployments_table({deployment})),
            "NAME   APPLICATION   VERSION   PLACEMENT\n"
            "pos    pos           *         region in (north)\n");
}

TEST(InstancesTable, HasTheDocumentedColumns) {
  const auto instance = Json::parse(R"({"site":"s1","host":"h1","app":"pos","version":"1.0","service":"api",
      "instance":"api-0","container":"api","state":"running","health":"ready","restarts":0,"message":""})");
  EXPECT_EQ(render_table(instances_table({instance})),
            "SITE   HOST   APP   VERSION   INSTANCE   CONTAINER   STATE     HEALTH   RESTARTS   MESSAGE\n"
            "s1     h1     pos   1.0       api-0      api         running   ready    0          -\n");
}

TEST(InstancesTable, MessageSaysWhyACrashLoopingOrUnreadyInstanceIsUnwell) {
  const auto looping = Json::parse(R"({"state":"exited","health":"crash-loop","restarts":4,"message":"",
      "crash_loop":{"reason":"exited with code 2","last_output":["starting","config missing"]}})");
  EXPECT_EQ(instance_note(looping), "crash loop: exited with code 2: config missing");
  const auto unready = Json::parse(R"({"state":"running","health":"running","message":"",
      "last_probe":{"probe":"readiness","ok":false,"message":"HTTP 503"}})");
  EXPECT_EQ(instance_note(unready), "readiness probe: HTTP 503");
  const auto engine_error = Json::parse(R"({"state":"error","message":"no such image","last_probe":{"ok":false}})");
  EXPECT_EQ(instance_note(engine_error), "no such image");
  EXPECT_EQ(instance_note(Json::parse(R"({"last_probe":{"probe":"liveness","ok":true,"message":"port 80 open"}})")), "-");
}

TEST(HostsTable, ShowsConnectionAndSinceAsUtcTime) {
  const auto host = Json::parse(R"({"site":"s1","name":"h1","connected":true,"since":1800000000,"revision":7,
      "labels":{"arch":"amd64"}})");
  EXPECT_EQ(render_table(hosts_table({host})),
            "SITE   NAME   CONNECTED   SINCE                  REVISION   LABELS\n"
            "s1     h1     yes         2027-01-15T08:00:00Z   7          arch=amd64\n");
}

TEST(CellText, PrintsMissingAndEmptyValuesAsDash) {
  const auto object = Json::parse(R"({"a":"","b":null,"c":3,"d":true})");
  EXPECT_EQ(cell(object, "a"), "-");
  EXPECT_EQ(cell(object, "b"), "-");
  EXPECT_EQ(cell(object, "missing"), "-");
  EXPECT_EQ(cell(object, "c"), "3");
  EXPECT_EQ(cell(object, "d"), "true");
  EXPECT_EQ(time_text(0), "-");
}

TEST(CellText, CountsOnlyHostsWhoseConnectedFlagIsTrue) {
  EXPECT_EQ(connected_hosts_text(Json::parse(R"({"hosts":[{"connected":"yes"},{"connected":true},{}]})")), "1/3");
}

}  // namespace
}  // namespace outpost::cli

// What a rollout sees of a site: the version every expected container runs and whether each is
// ready, from the instance reports of the site's agents.
#include "tower/deployment_status.hpp"

#include <gtest/gtest.h>

namespace outpost::tower {
namespace {

SiteApp two_instances(const std::string& version) {
  auto doc = parse_document("name: shop\nversion: " + version +
                            "\nservices:\n  - name: web\n    replicas: 2\n    containers:\n"
                            "      - {name: web, image: busybox}\n      - {name: sidecar, image: busybox}\n");
  return SiteApp{"shop", Application::from_json(doc.value()).value(), {{"web", "web-0", "h1"}, {"web", "web-1", "h2"}}};
}

Json report(const std::string& instance, const std::string& container, const std::string& version,
            bool ready = true, const std::string& state = "running") {
  return {{"app", "shop"}, {"instance", instance}, {"container", container}, {"version", version},
          {"state", state},  {"ready", ready}};
}

Json all_reports(const std::string& version) {
  return Json::array({report("web-0", "web", version), report("web-0", "sidecar", version),
                      report("web-1", "web", version), report("web-1", "sidecar", version)});
}

TEST(SiteAppHealth, HealthyWhenEveryExpectedContainerRunsTheVersionAndIsReady) {
  SiteAppHealth health = site_app_health(two_instances("2.0.0"), all_reports("2.0.0"));
  EXPECT_EQ(health.running_version, "2.0.0");
  EXPECT_TRUE(health.healthy);
}

TEST(SiteAppHealth, OneUnreadyContainerMakesTheSiteUnhealthyButStillOnItsVersion) {
  Json reports = all_reports("2.0.0");
  reports[3]["ready"] = false;
  SiteAppHealth health = site_app_health(two_instances("2.0.0"), reports);
  EXPECT_EQ(health.running_version, "2.0.0");
  EXPECT_FALSE(health.healthy);
}

TEST(SiteAppHealth, AMissingOrStoppedContainerOrMixedVersionsIsNoVersionAtAll) {
  Json missing = all_reports("2.0.0");
  missing.erase(missing.begin() + 2);
  EXPECT_EQ(site_app_health(two_instances("2.0.0"), missing).running_version, "");

  Json stopped = all_reports("2.0.0");
  stopped[0]["state"] = "exited";
  EXPECT_EQ(site_app_health(two_instances("2.0.0"), stopped).running_version, "");

  Json mixed = all_reports("2.0.0");
  mixed[1]["version"] = "1.0.0";
  SiteAppHealth health = site_app_health(two_instances("2.0.0"), mixed);
  EXPECT_EQ(health.running_version, "");
  EXPECT_FALSE(health.healthy);
}

TEST(SiteAppHealth, RunningTheOldVersionReadyIsNotHealthyOnTheNewOne) {
  SiteAppHealth health = site_app_health(two_instances("2.0.0"), all_reports("1.0.0"));
  EXPECT_EQ(health.running_version, "1.0.0");
  EXPECT_FALSE(health.healthy);
}

TEST(SiteAppHealth, ReportsOfOtherAppsDoNotCount) {
  Json reports = all_reports("2.0.0");
  for (auto& item : reports) item["app"] = "other";
  EXPECT_FALSE(site_app_health(two_instances("2.0.0"), reports).healthy);
}

}  // namespace
}  // namespace outpost::tower

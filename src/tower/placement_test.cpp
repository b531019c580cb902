#include "tower/placement.hpp"

#include <gtest/gtest.h>

namespace outpost::tower {
namespace {

Application app_with(std::vector<std::pair<std::string, int>> services, bool one_per_host = false) {
  Application app;
  app.name = "pos";
  app.version = "1.0.0";
  for (auto& [name, replicas] : services) {
    ServiceSpec service;
    service.name = name;
    service.replicas = replicas;
    service.one_per_host = one_per_host;
    ContainerSpec container;
    container.name = name;
    container.image = "registry.local/pos/" + name + ":1";
    service.containers.push_back(container);
    app.services.push_back(service);
  }
  return app;
}

Site site_with(std::string name, Labels labels) {
  Site site;
  site.name = std::move(name);
  site.labels = std::move(labels);
  return site;
}

Deployment deployment_on(const std::string& expression) {
  Deployment d;
  d.name = "pos";
  d.application = "pos";
  d.placement = LabelExpr::parse(expression).value();
  return d;
}

TEST(AssignInstances, SpreadsReplicasOverHostsInNameOrder) {
  auto assignments = assign_instances(app_with({{"api", 3}}), {"h2", "h1"});
  ASSERT_EQ(assignments.size(), 3u);
  EXPECT_EQ(assignments[0], (InstanceAssignment{"api", "api-0", "h1"}));
  EXPECT_EQ(assignments[1], (InstanceAssignment{"api", "api-1", "h2"}));
  EXPECT_EQ(assignments[2], (InstanceAssignment{"api", "api-2", "h1"}));
}

TEST(AssignInstances, OnePerHostPutsOneOnEveryHost) {
  auto assignments = assign_instances(app_with({{"agent", 1}}, true), {"a", "b", "c"});
  ASSERT_EQ(assignments.size(), 3u);
  EXPECT_EQ(assignments[2].host, "c");
}

TEST(AssignInstances, SiteWithoutHostsGetsNoInstancesAndZeroReplicasNone) {
  EXPECT_TRUE(assign_instances(app_with({{"api", 2}}), {}).empty());
  EXPECT_TRUE(assign_instances(app_with({{"api", 0}}), {"h1"}).empty());
}

TEST(PlaceOnSite, OnlyMatchingDeploymentsLand) {
  Application app = app_with({{"api", 1}});
  std::vector<ResolvedDeployment> deployments{{deployment_on("region = north"), &app}};
  EXPECT_EQ(place_on_site(site_with("n1", {{"region", "north"}}), {"h1"}, deployments).size(), 1u);
  EXPECT_TRUE(place_on_site(site_with("s1", {{"region", "south"}}), {"h1"}, deployments).empty());
}

TEST(PlaceOnSite, BuiltInNameLabelSelectsASite) {
  Application app = app_with({{"api", 1}});
  std::vector<ResolvedDeployment> deployments{{deployment_on("not name = lab-1"), &app}};
  EXPECT_TRUE(place_on_site(site_with("lab-1", {}), {"h1"}, deployments).empty());
  EXPECT_EQ(place_on_site(site_with("shop-1", {}), {"h1"}, deployments).size(), 1u);
}

TEST(PlaceOnSite, UnresolvedApplicationIsSkipped) {
  std::vector<ResolvedDeployment> deployments{{deployment_on(""), nullptr}};
  EXPECT_TRUE(place_on_site(site_with("n1", {}), {"h1"}, deployments).empty());
}

TEST(SiteVariables, AddsSysSiteToTheSiteVars) {
  Site site = site_with("shop-7", {});
  site.vars["WEB_PORT"] = "18080";
  auto vars = site_variables(site);
  EXPECT_EQ(vars.at("SYS_SITE"), "shop-7");
  EXPECT_EQ(vars.at("WEB_PORT"), "18080");
}

}  // namespace
}  // namespace outpost::tower

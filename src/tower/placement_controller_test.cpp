#include "tower/placement_controller.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>

#include "tower/keys.hpp"
#include "tower/tower_test_fixture.hpp"

namespace outpost::tower {
namespace {

FleetIndex::SiteEntry site_entry(const std::string& name, const std::string& region) {
  Site site;
  site.name = name;
  site.labels = {{"region", region}};
  Labels labels = site.effective_labels();
  return {std::move(site), std::move(labels), 1};
}

Stored<Deployment> deployment(const std::string& name, const std::string& application, const std::string& selector) {
  Deployment d;
  d.name = name;
  d.application = application;
  d.placement = LabelExpr::parse(selector).value();
  return {d, 1};
}

SiteDesired desired_with(const std::string& site, const std::string& deployment_name, const std::string& application) {
  SiteDesired desired;
  desired.site = site;
  SiteApp app;
  app.deployment = deployment_name;
  app.application.name = application;
  desired.update({{application, app}}, {});
  return desired;
}

class ConcernedSites : public ::testing::Test {
 protected:
  void SetUp() override {
    sites = {{"n1", site_entry("n1", "north")}, {"n2", site_entry("n2", "north")}, {"s1", site_entry("s1", "south")}};
    deployments = {deployment("pos", "pos", "region = north"), deployment("kiosk", "kiosk", "region = south")};
  }
  std::map<std::string, FleetIndex::SiteEntry> sites;
  std::map<std::string, SiteDesired> desired;
  std::vector<Stored<Deployment>> deployments;
};

TEST_F(ConcernedSites, ASiteChangeConcernsThatSiteOnly) {
  PlacementChanges changes;
  changes.sites = {"n2"};
  EXPECT_EQ(concerned_sites(changes, sites, desired, deployments), (std::set<std::string>{"n2"}));
}

TEST_F(ConcernedSites, ADeploymentChangeConcernsTheSitesItSelectsNow) {
  PlacementChanges changes;
  changes.deployments = {"pos"};
  EXPECT_EQ(concerned_sites(changes, sites, desired, deployments), (std::set<std::string>{"n1", "n2"}));
}

TEST_F(ConcernedSites, ADeploymentChangeAlsoConcernsTheSitesItPlacedBefore) {
  // pos moved from south to north: s1 still holds it and must lose it.
  desired["s1"] = desired_with("s1", "pos", "pos");
  PlacementChanges changes;
  changes.deployments = {"pos"};
  EXPECT_EQ(concerned_sites(changes, sites, desired, deployments), (std::set<std::string>{"n1", "n2", "s1"}));
}

TEST_F(ConcernedSites, AnApplicationChangeConcernsTheSitesOfItsDeployments) {
  PlacementChanges changes;
  changes.applications = {"kiosk"};
  EXPECT_EQ(concerned_sites(changes, sites, desired, deployments), (std::set<std::string>{"s1"}));
}

TEST_F(ConcernedSites, EverythingIncludesSitesKnownOnlyByTheirDesiredState) {
  desired["gone"] = desired_with("gone", "pos", "pos");
  PlacementChanges changes;
  changes.everything = true;
  EXPECT_EQ(concerned_sites(changes, sites, desired, deployments), (std::set<std::string>{"gone", "n1", "n2", "s1"}));
}

class PlacementControllerTest : public TowerFixture {
 protected:
  // Names of the sites whose desired state is written from now on.
  std::shared_ptr<std::vector<std::string>> record_desired_writes() {
    auto written = std::make_shared<std::vector<std::string>>();
    watch_ = store_->watch(keys::desired_prefix, [written](const std::vector<WatchEvent>& events) {
      for (const auto& event : events) written->push_back(event.kv.key.substr(keys::desired_prefix.size()));
    });
    return written;
  }
  void TearDown() override {
    if (watch_) store_->unwatch(*watch_);
    TowerFixture::TearDown();
  }
  std::optional<Store::WatchId> watch_;
};

TEST_F(PlacementControllerTest, CreatingASiteWritesOnlyThatSitesDesiredState) {
  for (const char* name : {"n1", "n2", "n3"})
    ASSERT_EQ(call("POST", "/v1/sites", std::string(R"({"name":")") + name + R"(","labels":{"region":"north"}})").status, 201);
  ASSERT_EQ(call("POST", "/v1/apply", std::string(two_service_app) + "---\n" + north_deployment).status, 200);
  auto written = record_desired_writes();
  ASSERT_EQ(call("POST", "/v1/sites", R"({"name":"n4","labels":{"region":"north"}})").status, 201);
  EXPECT_EQ(*written, (std::vector<std::string>{"n4"}));
  ASSERT_NE(placement_->desired("n4"), nullptr);
  EXPECT_EQ(placement_->desired("n4")->live().count("shop"), 1u);
}

TEST_F(PlacementControllerTest, ADeploymentChangeWritesOnlyTheSitesItPlaces) {
  ASSERT_EQ(call("POST", "/v1/sites", R"({"name":"n1","labels":{"region":"north"}})").status, 201);
  ASSERT_EQ(call("POST", "/v1/sites", R"({"name":"s1","labels":{"region":"south"}})").status, 201);
  ASSERT_EQ(call("POST", "/v1/sites", R"({"name":"s2","labels":{"region":"south"}})").status, 201);
  auto written = record_desired_writes();
  ASSERT_EQ(call("POST", "/v1/apply", std::string(two_service_app) + "---\n" + north_deployment).status, 200);
  EXPECT_EQ(*written, (std::vector<std::string>{"n1"}));

  written->clear();
  ASSERT_EQ(call("PUT", "/v1/deployments/shop",
                 R"({"application":"shop","version":"1.0.0","placement":{"sites":"region = south"}})").status, 200);
  EXPECT_EQ(*written, (std::vector<std::string>{"n1", "s1", "s2"})) << "n1 loses shop, s1 and s2 gain it";
  EXPECT_EQ(placement_->desired("n1")->live().count("shop"), 0u);
  EXPECT_EQ(placement_->desired("s2")->live().count("shop"), 1u);
}

TEST_F(PlacementControllerTest, ManyChangedSitesAreWrittenInBatchedTransactions) {
  std::string documents;
  const int sites = static_cast<int>(store_->operations_per_transaction()) * 2 + 5;
  for (int i = 0; i < sites; ++i)
    documents += "---\nkind: site\nname: n" + std::to_string(i) + "\nlabels: {region: north}\n";
  ASSERT_EQ(call("POST", "/v1/apply", documents).status, 200);
  int transactions = 0;
  std::size_t states = 0;
  watch_ = store_->watch(keys::desired_prefix, [&](const std::vector<WatchEvent>& events) {
    ++transactions;  // one call per transaction
    states += events.size();
  });
  ASSERT_EQ(call("POST", "/v1/apply", std::string(two_service_app) + "---\n" + north_deployment).status, 200);
  EXPECT_EQ(states, static_cast<std::size_t>(sites));
  EXPECT_EQ(transactions, 3);
  for (int i = 0; i < sites; ++i) EXPECT_EQ(placement_->desired("n" + std::to_string(i))->live().count("shop"), 1u);
}

class PlacementPassInBatches : public PlacementControllerTest {
 protected:
  // More sites than two transactions hold, all in the north, and the shop application.
  void SetUp() override {
    PlacementControllerTest::SetUp();
    std::string documents;
    for (int i = 0; i < sites; ++i) documents += "---\nkind: site\nname: n" + std::to_string(i) + "\nlabels: {region: north}\n";
    documents += std::string("---\n") + two_service_app;
    ASSERT_EQ(call("POST", "/v1/apply", documents).status, 200);
  }
  bool has_shop(const std::string& site) const {
    const SiteDesired* desired = placement_->desired(site);
    return desired && desired->live().count("shop") == 1;
  }
  // Runs `once` on the io_context right after the first site's new desired state is pushed.
  void after_first_push(std::function<void()> once) {
    subscription_ = placement_->subscribe([this, once = std::move(once)](const std::string&) {
      if (std::exchange(fired_, true)) return;
      boost::asio::post(io_, once);
    });
  }
  void TearDown() override {
    placement_->unsubscribe(subscription_);
    PlacementControllerTest::TearDown();
  }
  const int sites = static_cast<int>(Store::etcd_operations_per_transaction) * 2 + 5;
  const std::string last_site = "n99";  // the last name in order
  std::uint64_t subscription_ = 0;
  bool fired_ = false;
};

TEST_F(PlacementPassInBatches, TheFirstBatchIsPushedBeforeTheLastIsComputed) {
  std::optional<bool> last_had_shop;
  after_first_push([&] { last_had_shop = has_shop(last_site); });
  ASSERT_EQ(call("POST", "/v1/apply", north_deployment).status, 200);
  ASSERT_TRUE(last_had_shop.has_value());
  EXPECT_FALSE(*last_had_shop) << "other work ran only after the whole pass";
  for (int i = 0; i < sites; ++i) EXPECT_TRUE(has_shop("n" + std::to_string(i))) << "n" << i;
}

TEST_F(PlacementPassInBatches, ADeploymentChangedDuringAPassIsPlacedAgainAfterIt) {
  // The pass under way read the deployment before it moved south; the sites it had yet to place
  // get shop from that stale copy, and the next pass must take it from every one of them.
  after_first_push([&] {
    auto request = parse_target("PUT", "/v1/deployments/shop").value();
    request.headers["authorization"] = std::string("Bearer ") + admin_token;
    request.body = R"({"application":"shop","version":"1.0.0","placement":{"sites":"region = south"}})";
    ASSERT_EQ(handle_request(*context_, request).status, 200);
  });
  ASSERT_EQ(call("POST", "/v1/apply", north_deployment).status, 200);
  ASSERT_TRUE(fired_);
  for (int i = 0; i < sites; ++i) EXPECT_FALSE(has_shop("n" + std::to_string(i))) << "n" << i;
}

}  // namespace
}  // namespace outpost::tower

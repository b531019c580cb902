#include "tower/fleet_index.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tower/keys.hpp"

namespace outpost::tower {
namespace {

class FleetIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("outpost-fleet-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    store_ = open_sqlite_store(dir_ / "store.db").value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void put_site(const std::string& name, const std::string& region) {
    Site site;
    site.name = name;
    site.labels = {{"region", region}};
    ASSERT_TRUE(store_->put(keys::site(name), site.to_json().dump()).has_value());
  }
  void put_host(const std::string& site, const std::string& host) {
    ASSERT_TRUE(store_->put(keys::host(site, host), R"({"site":")" + site + R"(","name":")" + host + R"("})").has_value());
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(FleetIndexTest, LoadsWhatTheStoreHoldsWithEffectiveLabelsAndSortedHosts) {
  put_site("s1", "north");
  put_host("s1", "h2");
  put_host("s1", "h1");
  FleetIndex index(*store_);
  ASSERT_TRUE(index.start().has_value());
  ASSERT_NE(index.site("s1"), nullptr);
  EXPECT_EQ(index.site("s1")->labels.at("region"), "north");
  EXPECT_EQ(index.site("s1")->labels.at("name"), "s1");
  EXPECT_EQ(index.hosts("s1"), (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(index.site("s2"), nullptr);
  EXPECT_TRUE(index.hosts("s2").empty());
}

TEST_F(FleetIndexTest, FollowsWritesAndTellsWhichSitesChanged) {
  FleetIndex index(*store_);
  ASSERT_TRUE(index.start().has_value());
  std::vector<std::set<std::string>> told;
  index.subscribe([&](const std::set<std::string>& sites) { told.push_back(sites); });

  put_site("s1", "north");
  put_site("s1", "west");
  put_host("s1", "h1");
  ASSERT_EQ(told.size(), 3u);
  EXPECT_EQ(told[0], (std::set<std::string>{"s1"}));
  EXPECT_EQ(index.site("s1")->labels.at("region"), "west");
  EXPECT_EQ(index.hosts("s1"), (std::vector<std::string>{"h1"}));

  // One transaction touching two sites is one call naming both.
  ASSERT_TRUE(store_->commit({{TxnOp::Kind::remove, keys::host("s1", "h1"), "", std::nullopt},
                              {TxnOp::Kind::put, keys::host("s2", "h1"), "{}", std::nullopt}})
                  .has_value());
  ASSERT_EQ(told.size(), 4u);
  EXPECT_EQ(told[3], (std::set<std::string>{"s1", "s2"}));
  EXPECT_TRUE(index.hosts("s1").empty());
  EXPECT_EQ(index.hosts("s2"), (std::vector<std::string>{"h1"}));

  ASSERT_TRUE(store_->remove(keys::site("s1")).has_value());
  EXPECT_EQ(index.site("s1"), nullptr);
  EXPECT_EQ(told.back(), (std::set<std::string>{"s1"}));
}

TEST_F(FleetIndexTest, AnInvalidStoredSiteIsLeftOutAndChangesNothing) {
  FleetIndex index(*store_);
  ASSERT_TRUE(index.start().has_value());
  int calls = 0;
  index.subscribe([&](const std::set<std::string>&) { ++calls; });
  ASSERT_TRUE(store_->put(keys::site("bad"), "not json").has_value());
  EXPECT_EQ(index.site("bad"), nullptr);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace outpost::tower

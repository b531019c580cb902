// The rollout store over a real SQLite store, with every transaction recorded and some made to
// fail: a save writes only the sites that changed, a large one spans transactions with the
// header last, a save cut short leaves the stored rollout as it was, the earlier single-value
// layout is read and rewritten, and a removal leaves no key behind.
#include "tower/rollout_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "store/forwarding_store.hpp"
#include "tower/keys.hpp"

namespace outpost::tower {
namespace {

using namespace std::chrono_literals;

// Passes everything to the store it wraps, recording the keys of each write; the write after
// `succeed_before_failing` more succeeded fails instead.
class RecordingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  Result<std::int64_t> commit(const std::vector<TxnOp>& ops) override {
    if (succeed_before_failing && (*succeed_before_failing)-- == 0) {
      succeed_before_failing.reset();
      return fail(503, "unavailable", "the store is unavailable");
    }
    std::vector<std::string> written;
    for (const auto& op : ops) written.push_back((op.kind == TxnOp::Kind::put ? "" : "-") + op.key);
    transactions.push_back(std::move(written));
    return ForwardingStore::commit(ops);
  }

  std::vector<std::vector<std::string>> transactions;  // keys of each committed write; "-" marks a removal
  std::optional<int> succeed_before_failing;
};

const RolloutTime t0 = RolloutTime(std::chrono::milliseconds(1'800'000'000'000));

StoredRollout rollout_over(int sites, const std::string& version = "1.0.0") {
  StoredRollout rollout{"shop", {}};
  rollout.state.from_version = "1.0.0";
  rollout.state.to_version = "2.0.0";
  rollout.state.started_at = rollout.state.phase_since = t0;
  for (int i = 0; i < sites; ++i)
    rollout.state.sites["s" + std::to_string(i)] = SiteRollout{SiteRolloutState::waiting, t0, "waiting for its turn", version, i == 0};
  rollout.state.record({t0, "rollout-started", "", "from 1.0.0 to 2.0.0"});
  return rollout;
}

// The next step as the engine would take it: `site` moves, with its event.
void upgrade(StoredRollout& rollout, const std::string& site) {
  rollout.state.sites.at(site) = SiteRollout{SiteRolloutState::upgrading, t0 + 1s, "told to run 2.0.0", "2.0.0", false};
  rollout.state.record({t0 + 1s, "site-upgrading", site, "told to run 2.0.0"});
}

class RolloutStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("outpost-rollout-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    sqlite_ = open_sqlite_store(dir_ / "store.db").value();
    store_ = std::make_unique<RecordingStore>(*sqlite_);
  }
  void TearDown() override {
    store_.reset();
    sqlite_.reset();
    std::filesystem::remove_all(dir_);
  }

  // What a tower starting now would find.
  std::map<std::string, StoredRollout> reload() { return RolloutStore(*store_).load().value(); }
  std::vector<std::string> stored_keys() {
    std::vector<std::string> names;
    const ListPage page = sqlite_->list(keys::rollouts_prefix).value();
    for (const auto& kv : page.items) names.push_back(kv.key);
    return names;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> sqlite_;
  std::unique_ptr<RecordingStore> store_;
};

TEST_F(RolloutStoreTest, ASaveWritesOnlyTheSitesThatChangedAndTheHeader) {
  RolloutStore rollouts(*store_);
  StoredRollout before = rollout_over(5);
  ASSERT_TRUE(rollouts.save("shop", nullptr, before).has_value());
  ASSERT_EQ(store_->transactions.size(), 1u);
  EXPECT_EQ(store_->transactions[0].size(), 6u) << "five sites and the header";

  store_->transactions.clear();
  StoredRollout after = before;
  upgrade(after, "s3");
  ASSERT_TRUE(rollouts.save("shop", &before, after).has_value());
  EXPECT_EQ(store_->transactions, (std::vector<std::vector<std::string>>{{"/rollouts/shop/sites/s3", "/rollouts/shop"}}));
  EXPECT_EQ(reload().at("shop"), after);
}

TEST_F(RolloutStoreTest, TheHeaderHoldsNoSites) {
  RolloutStore rollouts(*store_);
  ASSERT_TRUE(rollouts.save("shop", nullptr, rollout_over(3)).has_value());
  const Json header = Json::parse(sqlite_->get(keys::rollout("shop")).value()->value);
  EXPECT_FALSE(header["state"].contains("sites"));
  EXPECT_EQ(header["state"]["to-version"], "2.0.0");
  const Json site = Json::parse(sqlite_->get(keys::rollout_site("shop", "s1")).value()->value);
  EXPECT_EQ(site["entry"]["state"], "waiting");
}

TEST_F(RolloutStoreTest, ALargeSaveSpansTransactionsWithTheHeaderLast) {
  RolloutStore rollouts(*store_, 4);
  const StoredRollout rollout = rollout_over(10);
  ASSERT_TRUE(rollouts.save("shop", nullptr, rollout).has_value());
  ASSERT_EQ(store_->transactions.size(), 3u);
  for (const auto& written : store_->transactions) EXPECT_LE(written.size(), 4u);
  EXPECT_EQ(store_->transactions.back().back(), "/rollouts/shop");
  EXPECT_EQ(reload().at("shop"), rollout);
}

TEST_F(RolloutStoreTest, ASaveCutShortLeavesTheStoredRolloutAsItWas) {
  RolloutStore rollouts(*store_, 4);
  const StoredRollout before = rollout_over(10);
  ASSERT_TRUE(rollouts.save("shop", nullptr, before).has_value());

  StoredRollout all_moved = before;
  for (int i = 0; i < 10; ++i) upgrade(all_moved, "s" + std::to_string(i));
  store_->succeed_before_failing = 1;  // the first 4 sites land, the rest and the header do not
  EXPECT_FALSE(rollouts.save("shop", &before, all_moved).has_value());
  EXPECT_EQ(reload().at("shop"), before) << "a tower starting now sees the rollout as before the save";

  // The next save moves one other site only; the entries the failed save left must not count.
  StoredRollout next = before;
  upgrade(next, "s9");
  ASSERT_TRUE(rollouts.save("shop", &before, next).has_value());
  EXPECT_EQ(reload().at("shop"), next);
}

TEST_F(RolloutStoreTest, ASiteThatLeftHasItsKeyDeleted) {
  RolloutStore rollouts(*store_);
  const StoredRollout before = rollout_over(3);
  ASSERT_TRUE(rollouts.save("shop", nullptr, before).has_value());
  StoredRollout after = before;
  after.state.sites.erase("s1");
  ASSERT_TRUE(rollouts.save("shop", &before, after).has_value());
  EXPECT_EQ(stored_keys(), (std::vector<std::string>{"/rollouts/shop", "/rollouts/shop/sites/s0", "/rollouts/shop/sites/s2"}));
  EXPECT_EQ(reload().at("shop"), after);
}

TEST_F(RolloutStoreTest, TheSingleValueLayoutIsReadAndRewrittenOnePerSite) {
  const StoredRollout old = rollout_over(3);
  const Json value = {{"deployment", "shop"}, {"application", "shop"}, {"state", old.state.to_json()}};
  ASSERT_TRUE(sqlite_->put(keys::rollout("shop"), value.dump()).has_value());

  auto loaded = RolloutStore(*store_).load();
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(loaded->at("shop"), old);
  EXPECT_EQ(stored_keys(), (std::vector<std::string>{"/rollouts/shop", "/rollouts/shop/sites/s0", "/rollouts/shop/sites/s1",
                                                     "/rollouts/shop/sites/s2"}));
  EXPECT_FALSE(Json::parse(sqlite_->get(keys::rollout("shop")).value()->value)["state"].contains("sites"));
  EXPECT_EQ(reload().at("shop"), old);
}

TEST_F(RolloutStoreTest, ASingleValueRolloutThatCouldNotBeRewrittenIsRewrittenByTheNextSave) {
  const StoredRollout old = rollout_over(3);
  const Json value = {{"deployment", "shop"}, {"application", "shop"}, {"state", old.state.to_json()}};
  ASSERT_TRUE(sqlite_->put(keys::rollout("shop"), value.dump()).has_value());
  RolloutStore rollouts(*store_);
  store_->succeed_before_failing = 0;
  auto loaded = rollouts.load();
  ASSERT_TRUE(loaded.has_value()) << "a failed rewrite does not stop the tower";
  EXPECT_EQ(loaded->at("shop"), old);
  EXPECT_TRUE(Json::parse(sqlite_->get(keys::rollout("shop")).value()->value)["state"].contains("sites"))
      << "still in the earlier layout";

  StoredRollout next = old;
  upgrade(next, "s1");
  ASSERT_TRUE(rollouts.save("shop", &old, next).has_value());
  EXPECT_EQ(store_->transactions.back().size(), 4u) << "every site, not only the one that changed";
  EXPECT_EQ(reload().at("shop"), next);
}

TEST_F(RolloutStoreTest, RemovingARolloutLeavesNoKeyAndSparesItsNeighbours) {
  RolloutStore rollouts(*store_, 4);
  ASSERT_TRUE(rollouts.save("shop", nullptr, rollout_over(10)).has_value());
  ASSERT_TRUE(rollouts.save("shop-2", nullptr, rollout_over(2)).has_value());
  ASSERT_TRUE(rollouts.remove("shop").has_value());
  EXPECT_EQ(stored_keys(), (std::vector<std::string>{"/rollouts/shop-2", "/rollouts/shop-2/sites/s0", "/rollouts/shop-2/sites/s1"}));
  EXPECT_EQ(rollouts.deployments(), (std::vector<std::string>{"shop-2"}));
}

TEST_F(RolloutStoreTest, ARemovalIsOneTransactionAndARefusedOneLeavesTheRolloutWhole) {
  RolloutStore rollouts(*store_, 4);
  const StoredRollout saved = rollout_over(10);
  ASSERT_TRUE(rollouts.save("shop", nullptr, saved).has_value());
  store_->succeed_before_failing = 0;
  EXPECT_FALSE(rollouts.remove("shop").has_value());
  EXPECT_EQ(reload().at("shop"), saved) << "nothing of it was deleted";
  EXPECT_EQ(stored_keys().size(), 11u);

  const std::size_t before = store_->transactions.size();
  ASSERT_TRUE(rollouts.remove("shop").has_value());
  EXPECT_EQ(store_->transactions.size(), before + 1) << "ten sites and the header, one transaction";
  EXPECT_TRUE(stored_keys().empty());
  EXPECT_TRUE(rollouts.deployments().empty());
}

TEST_F(RolloutStoreTest, SiteKeysWithoutAHeaderAreNotARolloutAndGoWithTheNextRemoval) {
  ASSERT_TRUE(sqlite_->put(keys::rollout_site("shop", "s0"), R"({"epoch": 2, "entry": {}})").has_value());
  ASSERT_TRUE(sqlite_->put(keys::rollout_site("shop", "s1"), R"({"epoch": 2, "entry": {}})").has_value());
  RolloutStore restarted(*store_, 4);
  auto loaded = restarted.load();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_TRUE(loaded->empty());
  EXPECT_EQ(restarted.deployments(), (std::vector<std::string>{"shop"})) << "the leftovers are known";
  ASSERT_TRUE(restarted.remove("shop").has_value());
  EXPECT_TRUE(stored_keys().empty());
}

TEST_F(RolloutStoreTest, ASaveOverLeftoversOfAnEarlierRolloutKeepsNoneOfThem) {
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(sqlite_->put(keys::rollout_site("shop", "s" + std::to_string(i)), R"({"epoch": 1, "entry": {}})").has_value());
  RolloutStore rollouts(*store_, 4);
  ASSERT_TRUE(rollouts.load().has_value());
  const StoredRollout fresh = rollout_over(2);
  ASSERT_TRUE(rollouts.save("shop", nullptr, fresh).has_value());
  EXPECT_EQ(reload().at("shop"), fresh);
  EXPECT_EQ(stored_keys().size(), 3u);
}

TEST_F(RolloutStoreTest, AnUnreadableRolloutIsLeftOutAndOverwrittenByTheNextSave) {
  ASSERT_TRUE(sqlite_->put(keys::rollout("shop"), R"({"epoch": 3, "state": {"phase": "sideways"}})").has_value());
  ASSERT_TRUE(sqlite_->put(keys::rollout_site("shop", "old"), R"({"epoch": 2, "entry": {}})").has_value());
  RolloutStore rollouts(*store_);
  auto loaded = rollouts.load();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_TRUE(loaded->empty());
  const StoredRollout fresh = rollout_over(1);
  ASSERT_TRUE(rollouts.save("shop", nullptr, fresh).has_value());
  EXPECT_EQ(reload().at("shop"), fresh);
  EXPECT_EQ(stored_keys(), (std::vector<std::string>{"/rollouts/shop", "/rollouts/shop/sites/s0"}));
}

}  // namespace
}  // namespace outpost::tower

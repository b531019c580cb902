// The conformance suite's range removals (TxnOp::Kind::remove_range); backends instantiate the
// suite in their own *_test.cpp.
#include "store/store_conformance.hpp"

namespace outpost {
namespace {

using Keys = std::vector<std::string>;

Keys all_keys(Store& store) {
  Keys keys;
  const ListPage page = store.list("").value();
  for (const auto& item : page.items) keys.push_back(item.key);
  return keys;
}

TxnOp remove_range(std::string from, std::string to) { return TxnOp::range_removal(std::move(from), std::move(to)); }

void put_all(Store& store, const Keys& keys) {
  for (const auto& key : keys) ASSERT_TRUE(store.put(key, "v").has_value()) << key;
}

TEST_P(StoreConformance, RemoveRangeRemovesTheHalfOpenRangeWithTheRestOfItsTransaction) {
  put_all(*store_, {"/r/a", "/r/b", "/r/b/1", "/r/c", "/r/d", "/s"});
  const auto before = current_revision();
  auto committed = store_->commit({{TxnOp::Kind::put, "/x", "1", {}}, remove_range("/r/b", "/r/d")});
  ASSERT_TRUE(committed.has_value()) << committed.error().message;
  EXPECT_EQ(*committed, before + 1) << "one revision for the whole transaction";
  EXPECT_EQ(current_revision(), before + 1);
  EXPECT_EQ(all_keys(*store_), (Keys{"/r/a", "/r/d", "/s", "/x"})) << "the end of the range is kept";
}

TEST_P(StoreConformance, RemoveRangeOverNoKeysIsNotAnErrorAndAloneWritesNothing) {
  put_all(*store_, {"/r/a"});
  const auto before = current_revision();
  auto empty = store_->commit({remove_range("/q/", "/q0")});
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_EQ(*empty, before);
  EXPECT_EQ(current_revision(), before) << "a transaction that changed nothing takes no revision";

  auto with_put = store_->commit({remove_range("/q/", "/q0"), {TxnOp::Kind::put, "/r/b", "1", {}}});
  ASSERT_TRUE(with_put.has_value());
  EXPECT_EQ(*with_put, before + 1);
  EXPECT_EQ(all_keys(*store_), (Keys{"/r/a", "/r/b"}));
}

TEST_P(StoreConformance, RemoveRangeTakesNoConditionAndNeedsAnEnd) {
  put_all(*store_, {"/r/a"});
  const auto before = current_revision();
  TxnOp conditional = remove_range("/r/", "/r0");
  conditional.expected_revision = before;
  auto refused = store_->commit({conditional});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().status, 400);
  auto unbounded = store_->commit({remove_range("/r/", "")});
  ASSERT_FALSE(unbounded.has_value());
  EXPECT_EQ(unbounded.error().status, 400);
  EXPECT_EQ(all_keys(*store_), (Keys{"/r/a"}));
  EXPECT_EQ(current_revision(), before);
}

TEST_P(StoreConformance, KeyInsideARangeRemovedByItsTransactionIsRejected) {
  put_all(*store_, {"/r/a", "/r/b"});
  const auto before = current_revision();
  for (auto kind : {TxnOp::Kind::put, TxnOp::Kind::remove}) {
    auto refused = store_->commit({remove_range("/r/", "/r0"), {kind, "/r/b", "x", {}}});
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().status, 400);
  }
  EXPECT_EQ(all_keys(*store_), (Keys{"/r/a", "/r/b"}));
  EXPECT_EQ(current_revision(), before);

  auto at_the_end = store_->commit({remove_range("/r/a", "/r/b"), {TxnOp::Kind::put, "/r/b", "x", {}}});
  ASSERT_TRUE(at_the_end.has_value()) << "the end is outside the range";
  EXPECT_EQ(store_->get("/r/b")->value().value, "x");
  EXPECT_FALSE(store_->get("/r/a")->has_value());
}

TEST_P(StoreConformance, RemoveRangeIsUndoneWhenAnotherOpFails) {
  put_all(*store_, {"/r/a", "/r/b", "/taken"});
  auto committed = store_->commit({remove_range("/r/", "/r0"), {TxnOp::Kind::put, "/taken", "x", 0}});
  ASSERT_FALSE(committed.has_value());
  EXPECT_EQ(committed.error().code, "already_exists");
  EXPECT_EQ(all_keys(*store_), (Keys{"/r/a", "/r/b", "/taken"}));
}

TEST_P(StoreConformance, WatchSeesEveryKeyARangeRemovesAndNothingForAnEmptyRange) {
  put_all(*store_, {"/r/a", "/r/b", "/r/c"});
  WatchRecorder recorder;
  store_->watch("/r/", recorder.callback());
  auto removed = store_->commit({remove_range("/r/a", "/r/c")});
  ASSERT_TRUE(removed.has_value());
  ASSERT_TRUE(store_->commit({remove_range("/r/x", "/r/z")}).has_value());
  ASSERT_TRUE(store_->put("/r/d", "v").has_value());
  ASSERT_TRUE(recorder.wait_for_events(3));

  auto batches = recorder.batches();
  ASSERT_EQ(batches.size(), 2u) << "the empty range is not delivered";
  ASSERT_EQ(batches[0].size(), 2u);
  for (const auto& event : batches[0]) {
    EXPECT_EQ(event.type, WatchEvent::Type::remove);
    EXPECT_EQ(event.kv.mod_revision, *removed);
  }
  EXPECT_EQ(batches[0][0].kv.key, "/r/a");
  EXPECT_EQ(batches[0][1].kv.key, "/r/b");
  ASSERT_EQ(batches[1].size(), 1u);
  EXPECT_EQ(batches[1][0].kv.key, "/r/d");
}

}  // namespace
}  // namespace outpost

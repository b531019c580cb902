// The conformance suite itself; backends instantiate it in their own *_test.cpp.
#include "store/store_conformance.hpp"

#include <algorithm>
#include <set>
#include <thread>

namespace outpost {
namespace {

std::vector<std::string> keys_of(const std::vector<KeyValue>& items) {
  std::vector<std::string> keys;
  for (const auto& item : items) keys.push_back(item.key);
  return keys;
}

std::vector<std::string> keys_of(const std::vector<WatchEvent>& events) {
  std::vector<std::string> keys;
  for (const auto& event : events) keys.push_back(event.kv.key);
  return keys;
}

using Keys = std::vector<std::string>;

// ---- get / put / list / remove --------------------------------------------------------------

TEST_P(StoreConformance, GetOfMissingKeyIsEmpty) {
  auto got = store_->get("/nothing/here");
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->has_value());
}

TEST_P(StoreConformance, PutThenGetReturnsValueAndRevisions) {
  auto revision = store_->put("/apps/pos", "v1");
  ASSERT_TRUE(revision.has_value());
  auto got = store_->get("/apps/pos");
  ASSERT_TRUE(got.has_value() && got->has_value());
  EXPECT_EQ((*got)->key, "/apps/pos");
  EXPECT_EQ((*got)->value, "v1");
  EXPECT_EQ((*got)->create_revision, *revision);
  EXPECT_EQ((*got)->mod_revision, *revision);
}

TEST_P(StoreConformance, EmptyAndBinaryValuesRoundTrip) {
  const std::string binary("\0\x01\xff{\"json\":true}\n", 17);
  ASSERT_TRUE(store_->put("/empty", "").has_value());
  ASSERT_TRUE(store_->put("/binary", binary).has_value());
  auto empty = store_->get("/empty");
  ASSERT_TRUE(empty.has_value() && empty->has_value());
  EXPECT_EQ((*empty)->value, "");
  auto got = store_->get("/binary");
  ASSERT_TRUE(got.has_value() && got->has_value());
  EXPECT_EQ((*got)->value, binary);
}

TEST_P(StoreConformance, KeysWithNulAndHighBytesAreDistinct) {
  const std::string with_nul("/k\0a", 4);
  ASSERT_TRUE(store_->put("/k", "plain").has_value());
  ASSERT_TRUE(store_->put(with_nul, "nul").has_value());
  ASSERT_TRUE(store_->put("/k\xff", "high").has_value());
  EXPECT_EQ(store_->get("/k")->value().value, "plain");
  EXPECT_EQ(store_->get(with_nul)->value().value, "nul");
  EXPECT_EQ(store_->get("/k\xff")->value().value, "high");
  auto page = store_->list("/k");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(keys_of(page->items), (Keys{"/k", with_nul, "/k\xff"}));  // bytewise order
}

TEST_P(StoreConformance, EmptyKeyIsRejected) {
  auto put = store_->put("", "x");
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().status, 400);
  auto got = store_->get("");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().status, 400);
}

TEST_P(StoreConformance, PutOverwritesValue) {
  ASSERT_TRUE(store_->put("/a", "1").has_value());
  ASSERT_TRUE(store_->put("/a", "2").has_value());
  EXPECT_EQ(store_->get("/a")->value().value, "2");
}

TEST_P(StoreConformance, ListReturnsKeysUnderPrefixInAscendingOrder) {
  for (const char* key : {"/s/c", "/s/a", "/t/a", "/s/b", "/r"}) {
    ASSERT_TRUE(store_->put(key, std::string("value of ") + key).has_value());
  }
  auto page = store_->list("/s/");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(keys_of(page->items), (Keys{"/s/a", "/s/b", "/s/c"}));
  EXPECT_EQ(page->items[1].value, "value of /s/b");
  EXPECT_TRUE(page->next_after.empty());
}

TEST_P(StoreConformance, ListWithEmptyPrefixReturnsEverything) {
  for (const char* key : {"/b", "/a", "z"}) ASSERT_TRUE(store_->put(key, "x").has_value());
  auto page = store_->list("");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(keys_of(page->items), (Keys{"/a", "/b", "z"}));
}

TEST_P(StoreConformance, RemoveDeletesKey) {
  ASSERT_TRUE(store_->put("/a", "1").has_value());
  ASSERT_TRUE(store_->put("/b", "2").has_value());
  ASSERT_TRUE(store_->remove("/a").has_value());
  EXPECT_FALSE(store_->get("/a")->has_value());
  EXPECT_EQ(keys_of(store_->list("/")->items), (Keys{"/b"}));
}

TEST_P(StoreConformance, RemoveOfMissingKeyIsNotFound) {
  auto before = current_revision();
  auto removed = store_->remove("/missing");
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().status, 404);
  EXPECT_EQ(removed.error().code, "not_found");
  EXPECT_EQ(current_revision(), before);
}

TEST_P(StoreConformance, RecreatedKeyGetsNewCreateRevision) {
  auto first = store_->put("/a", "1");
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(store_->remove("/a").has_value());
  auto second = store_->put("/a", "2");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(store_->get("/a")->value().create_revision, *second);
  EXPECT_GT(*second, *first);
}

// ---- revisions ---------------------------------------------------------------------------------

TEST_P(StoreConformance, EveryWriteAdvancesRevisionByOne) {
  auto start = current_revision();
  EXPECT_EQ(store_->put("/a", "1").value_or(-1), start + 1);
  EXPECT_EQ(store_->put("/b", "1").value_or(-1), start + 2);
  EXPECT_EQ(store_->remove("/a").value_or(-1), start + 3);
  EXPECT_EQ(store_->commit({{TxnOp::Kind::put, "/c", "1", {}}, {TxnOp::Kind::put, "/d", "1", {}}})
                .value_or(-1),
            start + 4);
  EXPECT_EQ(current_revision(), start + 4);
}

TEST_P(StoreConformance, CreateRevisionStaysWhileModRevisionMoves) {
  auto created = store_->put("/a", "1");
  ASSERT_TRUE(created.has_value());
  ASSERT_TRUE(store_->put("/other", "x").has_value());
  auto modified = store_->put("/a", "2");
  ASSERT_TRUE(modified.has_value());
  auto got = store_->get("/a");
  ASSERT_TRUE(got.has_value() && got->has_value());
  EXPECT_EQ((*got)->create_revision, *created);
  EXPECT_EQ((*got)->mod_revision, *modified);
  EXPECT_GT(*modified, *created);
}

TEST_P(StoreConformance, FailedWriteDoesNotAdvanceRevision) {
  ASSERT_TRUE(store_->put("/a", "1").has_value());
  auto before = current_revision();
  EXPECT_FALSE(store_->put("/a", "2", 0).has_value());
  EXPECT_FALSE(store_->put("/a", "2", before + 100).has_value());
  EXPECT_EQ(current_revision(), before);
  EXPECT_EQ(store_->put("/b", "1").value_or(-1), before + 1);
}

// ---- conditional writes ------------------------------------------------------------------------

TEST_P(StoreConformance, PutExpectingAbsenceCreatesMissingKey) {
  auto created = store_->put("/a", "1", 0);
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(store_->get("/a")->value().value, "1");
}

TEST_P(StoreConformance, PutExpectingAbsenceOfExistingKeyIsAlreadyExists) {
  ASSERT_TRUE(store_->put("/a", "1").has_value());
  auto again = store_->put("/a", "2", 0);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().status, 409);
  EXPECT_EQ(again.error().code, "already_exists");
  EXPECT_EQ(store_->get("/a")->value().value, "1");
}

TEST_P(StoreConformance, PutExpectingCurrentRevisionSucceeds) {
  auto first = store_->put("/a", "1");
  ASSERT_TRUE(first.has_value());
  auto second = store_->put("/a", "2", *first);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(store_->get("/a")->value().value, "2");
  EXPECT_EQ(store_->get("/a")->value().mod_revision, *second);
}

TEST_P(StoreConformance, PutExpectingStaleRevisionIsMismatch) {
  auto first = store_->put("/a", "1");
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(store_->put("/a", "2").has_value());
  auto stale = store_->put("/a", "3", *first);
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().status, 412);
  EXPECT_EQ(stale.error().code, "revision_mismatch");
  EXPECT_EQ(store_->get("/a")->value().value, "2");
}

TEST_P(StoreConformance, PutExpectingRevisionOfMissingKeyIsNotFound) {
  auto written = store_->put("/a", "1", 5);
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().status, 404);
  EXPECT_EQ(written.error().code, "not_found");
  EXPECT_FALSE(store_->get("/a")->has_value());
}

TEST_P(StoreConformance, RemoveExpectingCurrentRevisionSucceeds) {
  auto put = store_->put("/a", "1");
  ASSERT_TRUE(put.has_value());
  ASSERT_TRUE(store_->remove("/a", *put).has_value());
  EXPECT_FALSE(store_->get("/a")->has_value());
}

TEST_P(StoreConformance, RemoveExpectingStaleRevisionIsMismatch) {
  auto first = store_->put("/a", "1");
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(store_->put("/a", "2").has_value());
  auto removed = store_->remove("/a", *first);
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().status, 412);
  EXPECT_EQ(removed.error().code, "revision_mismatch");
  EXPECT_TRUE(store_->get("/a")->has_value());
}

TEST_P(StoreConformance, RemoveExpectingRevisionOfMissingKeyIsNotFound) {
  auto removed = store_->remove("/a", 3);
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().status, 404);
  EXPECT_EQ(removed.error().code, "not_found");
}

TEST_P(StoreConformance, RemoveExpectingAbsenceOfExistingKeyIsAlreadyExists) {
  ASSERT_TRUE(store_->put("/a", "1").has_value());
  auto removed = store_->remove("/a", 0);
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().status, 409);
  EXPECT_EQ(removed.error().code, "already_exists");
  EXPECT_TRUE(store_->get("/a")->has_value());
}

TEST_P(StoreConformance, NegativeExpectedRevisionIsRejected) {
  ASSERT_TRUE(store_->put("/a", "1").has_value());
  auto written = store_->put("/a", "2", -1);
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().status, 400);
  EXPECT_EQ(store_->get("/a")->value().value, "1");
}

// ---- transactions ------------------------------------------------------------------------------

TEST_P(StoreConformance, TransactionAppliesAllOpsAtOneRevision) {
  ASSERT_TRUE(store_->put("/old", "x").has_value());
  auto start = current_revision();
  auto committed = store_->commit({{TxnOp::Kind::put, "/a", "1", 0},
                                   {TxnOp::Kind::remove, "/old", {}, {}},
                                   {TxnOp::Kind::put, "/b", "2", {}}});
  ASSERT_TRUE(committed.has_value());
  EXPECT_EQ(*committed, start + 1);
  EXPECT_EQ(store_->get("/a")->value().mod_revision, *committed);
  EXPECT_EQ(store_->get("/b")->value().mod_revision, *committed);
  EXPECT_FALSE(store_->get("/old")->has_value());
}

TEST_P(StoreConformance, FailingOpInTheMiddleLeavesNothingWritten) {
  auto existing = store_->put("/taken", "original");
  ASSERT_TRUE(existing.has_value());
  ASSERT_TRUE(store_->put("/doomed", "kept").has_value());
  auto before = current_revision();
  auto committed = store_->commit({{TxnOp::Kind::put, "/first", "1", {}},
                                   {TxnOp::Kind::remove, "/doomed", {}, {}},
                                   {TxnOp::Kind::put, "/taken", "changed", 0},
                                   {TxnOp::Kind::put, "/last", "1", {}}});
  ASSERT_FALSE(committed.has_value());
  EXPECT_EQ(committed.error().code, "already_exists");
  EXPECT_EQ(current_revision(), before);
  EXPECT_FALSE(store_->get("/first")->has_value());
  EXPECT_FALSE(store_->get("/last")->has_value());
  EXPECT_EQ(store_->get("/doomed")->value().value, "kept");
  EXPECT_EQ(store_->get("/taken")->value().value, "original");
}

TEST_P(StoreConformance, TransactionReportsFirstFailingCondition) {
  ASSERT_TRUE(store_->put("/exists", "x").has_value());
  auto committed = store_->commit({{TxnOp::Kind::put, "/fine", "1", {}},
                                   {TxnOp::Kind::remove, "/absent", {}, {}},
                                   {TxnOp::Kind::put, "/exists", "y", 0}});
  ASSERT_FALSE(committed.has_value());
  EXPECT_EQ(committed.error().status, 404);
}

TEST_P(StoreConformance, EmptyTransactionReturnsCurrentRevisionAndWritesNothing) {
  ASSERT_TRUE(store_->put("/a", "1").has_value());
  auto before = current_revision();
  auto committed = store_->commit({});
  ASSERT_TRUE(committed.has_value());
  EXPECT_EQ(*committed, before);
  EXPECT_EQ(current_revision(), before);
}

TEST_P(StoreConformance, KeyNamedTwiceInOneTransactionIsRejected) {
  auto before = current_revision();
  auto committed = store_->commit({{TxnOp::Kind::put, "/a", "1", {}}, {TxnOp::Kind::put, "/a", "2", {}}});
  ASSERT_FALSE(committed.has_value());
  EXPECT_EQ(committed.error().status, 400);
  EXPECT_FALSE(store_->get("/a")->has_value());
  EXPECT_EQ(current_revision(), before);
}

// ---- pagination and prefixes -------------------------------------------------------------------

TEST_P(StoreConformance, ListPagesThroughMoreKeysThanTheLimit) {
  Keys expected;
  for (int i = 0; i < 25; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "/p/%02d", i);
    expected.push_back(key);
    ASSERT_TRUE(store_->put(key, "x").has_value());
  }
  ASSERT_TRUE(store_->put("/q/after", "x").has_value());
  Keys seen;
  std::vector<std::size_t> page_sizes;
  std::string after;
  do {
    auto page = store_->list("/p/", after, 10);
    ASSERT_TRUE(page.has_value());
    page_sizes.push_back(page->items.size());
    for (auto& key : keys_of(page->items)) seen.push_back(key);
    if (!page->next_after.empty()) {
      ASSERT_FALSE(page->items.empty());
      EXPECT_EQ(page->next_after, page->items.back().key);
    }
    after = page->next_after;
  } while (!after.empty() && page_sizes.size() < 10);
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{10, 10, 5}));
}

TEST_P(StoreConformance, PageThatEndsExactlyAtTheLastKeyHasNoNextAfter) {
  for (const char* key : {"/p/a", "/p/b", "/p/c"}) ASSERT_TRUE(store_->put(key, "x").has_value());
  auto page = store_->list("/p/", {}, 3);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->items.size(), 3u);
  EXPECT_TRUE(page->next_after.empty());
}

TEST_P(StoreConformance, StartAfterSkipsUpToAndIncludingThatKey) {
  for (const char* key : {"/p/a", "/p/b", "/p/c"}) ASSERT_TRUE(store_->put(key, "x").has_value());
  EXPECT_EQ(keys_of(store_->list("/p/", "/p/a")->items), (Keys{"/p/b", "/p/c"}));
  EXPECT_EQ(keys_of(store_->list("/p/", "/p/bb")->items), (Keys{"/p/c"}));
  EXPECT_TRUE(store_->list("/p/", "/p/c")->items.empty());
}

TEST_P(StoreConformance, PrefixesAreIsolatedBytewise) {
  for (const char* key : {"/sites/a", "/sites/a/hosts/h1", "/sites/ab", "/sitesx", "/sites"}) {
    ASSERT_TRUE(store_->put(key, "x").has_value());
  }
  EXPECT_EQ(keys_of(store_->list("/sites/a/")->items), (Keys{"/sites/a/hosts/h1"}));
  EXPECT_EQ(keys_of(store_->list("/sites/a")->items),
            (Keys{"/sites/a", "/sites/a/hosts/h1", "/sites/ab"}));
  EXPECT_EQ(keys_of(store_->list("/sites/")->items),
            (Keys{"/sites/a", "/sites/a/hosts/h1", "/sites/ab"}));
  EXPECT_EQ(keys_of(store_->list("/sitesx")->items), (Keys{"/sitesx"}));
}

TEST_P(StoreConformance, PrefixWithWildcardCharactersMatchesLiterally) {
  for (const char* key : {"/a%/1", "/a_/1", "/ab/1", "/a%b/1"}) {
    ASSERT_TRUE(store_->put(key, "x").has_value());
  }
  EXPECT_EQ(keys_of(store_->list("/a%/")->items), (Keys{"/a%/1"}));
  EXPECT_EQ(keys_of(store_->list("/a_")->items), (Keys{"/a_/1"}));
}

TEST_P(StoreConformance, PrefixEndingInHighBytesHasCorrectUpperBound) {
  for (const char* key : {"/x\xff", "/x\xff\xff/1", "/x\xff\x01", "/y"}) {
    ASSERT_TRUE(store_->put(key, "x").has_value());
  }
  EXPECT_EQ(keys_of(store_->list("/x\xff")->items), (Keys{"/x\xff", "/x\xff\x01", "/x\xff\xff/1"}));
  EXPECT_EQ(keys_of(store_->list("/x\xff\xff")->items), (Keys{"/x\xff\xff/1"}));
}

// ---- watch -------------------------------------------------------------------------------------

TEST_P(StoreConformance, WatchDeliversOneCallPerTransactionInRevisionOrder) {
  WatchRecorder recorder;
  store_->watch("/w/", recorder.callback());
  auto first = store_->put("/w/a", "1");
  auto second = store_->commit({{TxnOp::Kind::put, "/w/b", "2", {}}, {TxnOp::Kind::put, "/w/c", "3", {}}});
  auto third = store_->remove("/w/a");
  ASSERT_TRUE(first && second && third);
  ASSERT_TRUE(recorder.wait_for_events(4));

  auto batches = recorder.batches();
  ASSERT_EQ(batches.size(), 3u);
  ASSERT_EQ(batches[0].size(), 1u);
  EXPECT_EQ(batches[0][0].type, WatchEvent::Type::put);
  EXPECT_EQ(batches[0][0].kv.key, "/w/a");
  EXPECT_EQ(batches[0][0].kv.value, "1");
  EXPECT_EQ(batches[0][0].kv.create_revision, *first);
  EXPECT_EQ(batches[0][0].kv.mod_revision, *first);
  EXPECT_EQ(keys_of(batches[1]), (Keys{"/w/b", "/w/c"}));
  for (const auto& event : batches[1]) EXPECT_EQ(event.kv.mod_revision, *second);
  ASSERT_EQ(batches[2].size(), 1u);
  EXPECT_EQ(batches[2][0].type, WatchEvent::Type::remove);
  EXPECT_EQ(batches[2][0].kv.key, "/w/a");
  EXPECT_EQ(batches[2][0].kv.value, "");
  EXPECT_EQ(batches[2][0].kv.mod_revision, *third);
}

TEST_P(StoreConformance, WatchUpdateCarriesOriginalCreateRevision) {
  auto created = store_->put("/w/a", "1");
  ASSERT_TRUE(created.has_value());
  WatchRecorder recorder;
  store_->watch("/w/", recorder.callback());
  auto updated = store_->put("/w/a", "2");
  ASSERT_TRUE(updated.has_value());
  ASSERT_TRUE(recorder.wait_for_events(1));
  auto events = recorder.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kv.create_revision, *created);
  EXPECT_EQ(events[0].kv.mod_revision, *updated);
}

TEST_P(StoreConformance, WatchSeesOnlyKeysUnderItsPrefix) {
  WatchRecorder narrow;
  WatchRecorder everything;
  store_->watch("/sites/a/", narrow.callback());
  store_->watch("", everything.callback());
  ASSERT_TRUE(store_->put("/sites/ab", "x").has_value());
  ASSERT_TRUE(store_->put("/other", "x").has_value());
  ASSERT_TRUE(store_->commit({{TxnOp::Kind::put, "/sites/b/x", "1", {}},
                              {TxnOp::Kind::put, "/sites/a/x", "1", {}},
                              {TxnOp::Kind::put, "/sites/a/y", "1", {}}})
                  .has_value());
  ASSERT_TRUE(store_->put("/sites/a/z", "x").has_value());
  ASSERT_TRUE(everything.wait_for_events(6));
  ASSERT_TRUE(narrow.wait_for_events(3));

  auto batches = narrow.batches();
  ASSERT_EQ(batches.size(), 2u);  // transactions with nothing under the prefix are not delivered
  EXPECT_EQ(keys_of(batches[0]), (Keys{"/sites/a/x", "/sites/a/y"}));
  EXPECT_EQ(keys_of(batches[1]), (Keys{"/sites/a/z"}));
}

TEST_P(StoreConformance, WatchDoesNotReplayWritesMadeBeforeIt) {
  ASSERT_TRUE(store_->put("/w/before", "x").has_value());
  WatchRecorder recorder;
  store_->watch("/w/", recorder.callback());
  ASSERT_TRUE(store_->put("/w/after", "x").has_value());
  ASSERT_TRUE(recorder.wait_for_events(1));
  EXPECT_EQ(keys_of(recorder.events()), (Keys{"/w/after"}));
}

TEST_P(StoreConformance, UnwatchStopsDelivery) {
  WatchRecorder stopped;
  WatchRecorder witness;  // proves the later write was delivered to watchers that remained
  auto id = store_->watch("/w/", stopped.callback());
  store_->watch("/w/", witness.callback());
  ASSERT_TRUE(store_->put("/w/a", "1").has_value());
  ASSERT_TRUE(stopped.wait_for_events(1));
  store_->unwatch(id);
  ASSERT_TRUE(store_->put("/w/b", "2").has_value());
  ASSERT_TRUE(witness.wait_for_events(2));
  EXPECT_EQ(keys_of(stopped.events()), (Keys{"/w/a"}));
}

TEST_P(StoreConformance, CallbackCanReadTheStoreWithoutDeadlock) {
  struct Seen {
    std::string value;
    std::size_t listed = 0;
    std::int64_t revision = 0;
  };
  std::mutex mutex;
  std::vector<Seen> seen;
  WatchRecorder done;
  auto signal = done.callback();
  store_->watch("/w/", [&](const std::vector<WatchEvent>& events) {
    Seen observation;
    auto got = store_->get(events.front().kv.key);
    if (got && *got) observation.value = (*got)->value;
    auto page = store_->list("/w/");
    if (page) observation.listed = page->items.size();
    observation.revision = store_->revision().value_or(-1);
    {
      std::lock_guard lock(mutex);
      seen.push_back(observation);
    }
    signal(events);
  });
  auto written = store_->put("/w/a", "hello");
  ASSERT_TRUE(written.has_value());
  ASSERT_TRUE(done.wait_for_events(1));
  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].value, "hello");
  EXPECT_EQ(seen[0].listed, 1u);
  EXPECT_GE(seen[0].revision, *written);
}

TEST_P(StoreConformance, CallbackCanWriteTheStoreWithoutDeadlock) {
  WatchRecorder mirrored;
  store_->watch("/mirror/", mirrored.callback());
  store_->watch("/source/", [&](const std::vector<WatchEvent>& events) {
    for (const auto& event : events) {
      (void)store_->put("/mirror/" + event.kv.key.substr(8), event.kv.value);
    }
  });
  ASSERT_TRUE(store_->put("/source/a", "1").has_value());
  ASSERT_TRUE(store_->put("/source/b", "2").has_value());
  ASSERT_TRUE(mirrored.wait_for_events(2));
  EXPECT_EQ(keys_of(mirrored.events()), (Keys{"/mirror/a", "/mirror/b"}));
  EXPECT_EQ(store_->get("/mirror/b")->value().value, "2");
}

TEST_P(StoreConformance, ConcurrentWritersGetDistinctRevisionsAndWatchSeesAllInOrder) {
  constexpr int kThreads = 4;
  constexpr int kWritesPerThread = 200;
  WatchRecorder recorder;
  store_->watch("/c/", recorder.callback());
  auto start = current_revision();

  std::vector<std::vector<std::int64_t>> revisions(kThreads);
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        auto written = store_->put("/c/" + std::to_string(t) + "/" + std::to_string(i), "x");
        if (written) {
          revisions[t].push_back(*written);
        } else {
          ++failures[t];
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();

  std::set<std::int64_t> distinct;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failures[t], 0) << "thread " << t;
    EXPECT_TRUE(std::ranges::is_sorted(revisions[t])) << "thread " << t;
    distinct.insert(revisions[t].begin(), revisions[t].end());
  }
  constexpr std::size_t kTotal = kThreads * kWritesPerThread;
  ASSERT_EQ(distinct.size(), kTotal);
  EXPECT_EQ(*distinct.begin(), start + 1);
  EXPECT_EQ(*distinct.rbegin(), start + static_cast<std::int64_t>(kTotal));
  EXPECT_EQ(current_revision(), start + static_cast<std::int64_t>(kTotal));

  ASSERT_TRUE(recorder.wait_for_events(kTotal));
  auto events = recorder.events();
  ASSERT_EQ(events.size(), kTotal);
  std::vector<std::int64_t> watched;
  for (const auto& event : events) watched.push_back(event.kv.mod_revision);
  EXPECT_TRUE(std::ranges::is_sorted(watched));
  EXPECT_EQ(std::set<std::int64_t>(watched.begin(), watched.end()), distinct);
}

// ---- durability --------------------------------------------------------------------------------

TEST_P(StoreConformance, DataAndRevisionSurviveReopen) {
  auto created = store_->put("/d/a", "1");
  ASSERT_TRUE(created.has_value());
  ASSERT_TRUE(store_->put("/d/b", "2").has_value());
  ASSERT_TRUE(store_->put("/d/a", "3").has_value());
  ASSERT_TRUE(store_->put("/d/newest", "x").has_value());
  // Removing the newest key leaves no key carrying the latest revision.
  ASSERT_TRUE(store_->remove("/d/newest").has_value());
  auto before = current_revision();
  auto a_before = store_->get("/d/a")->value();

  ASSERT_NO_FATAL_FAILURE(reopen());

  EXPECT_EQ(current_revision(), before);
  auto a_after = store_->get("/d/a");
  ASSERT_TRUE(a_after.has_value() && a_after->has_value());
  EXPECT_EQ((*a_after)->value, "3");
  EXPECT_EQ((*a_after)->create_revision, *created);
  EXPECT_EQ((*a_after)->mod_revision, a_before.mod_revision);
  EXPECT_EQ(store_->get("/d/b")->value().value, "2");
  EXPECT_FALSE(store_->get("/d/newest")->has_value());
  EXPECT_EQ(store_->put("/d/c", "x").value_or(-1), before + 1);
}

}  // namespace
}  // namespace outpost

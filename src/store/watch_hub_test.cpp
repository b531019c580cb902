#include "store/watch_hub.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

WatchEvent put_event(std::string key, std::int64_t revision) {
  return WatchEvent{WatchEvent::Type::put, KeyValue{std::move(key), "v", revision, revision}};
}

std::vector<std::int64_t> revisions_of(const std::vector<std::vector<WatchEvent>>& batches) {
  std::vector<std::int64_t> revisions;
  for (const auto& batch : batches) revisions.push_back(batch.front().kv.mod_revision);
  return revisions;
}

TEST(WatchHub, SkipsBatchesQueuedBeforeTheWatcherWasAdded) {
  WatchHub hub;
  std::vector<std::vector<WatchEvent>> seen;
  hub.enqueue(5, {put_event("/a", 5)});  // committed, not yet delivered
  hub.add("/", [&](const std::vector<WatchEvent>& events) { seen.push_back(events); }, 5);
  hub.enqueue(6, {put_event("/a", 6)});
  hub.drain();
  EXPECT_EQ(revisions_of(seen), (std::vector<std::int64_t>{6}));
}

TEST(WatchHub, WriteFromInsideACallbackIsDeliveredAfterTheCurrentBatch) {
  WatchHub hub;
  std::vector<std::vector<WatchEvent>> seen;
  hub.add("/", [&](const std::vector<WatchEvent>& events) {
    seen.push_back(events);
    std::int64_t revision = events.front().kv.mod_revision;
    if (revision < 3) {
      // What a store write from a callback does: queue its batch, then try to drain.
      hub.enqueue(revision + 1, {put_event("/a", revision + 1)});
      hub.drain();
      EXPECT_EQ(seen.size(), static_cast<std::size_t>(revision));  // not delivered re-entrantly
    }
  }, 0);
  hub.enqueue(1, {put_event("/a", 1)});
  hub.drain();
  EXPECT_EQ(revisions_of(seen), (std::vector<std::int64_t>{1, 2, 3}));
}

TEST(WatchHub, RemovingAWatcherFromItsOwnCallbackStopsLaterDeliveries) {
  WatchHub hub;
  int calls = 0;
  Store::WatchId id = 0;
  id = hub.add("/", [&](const std::vector<WatchEvent>&) {
    ++calls;
    hub.remove(id);
  }, 0);
  hub.enqueue(1, {put_event("/a", 1)});
  hub.enqueue(2, {put_event("/a", 2)});
  hub.drain();
  EXPECT_EQ(calls, 1);
}

TEST(WatchHub, DeliversOnlyEventsUnderThePrefix) {
  WatchHub hub;
  std::vector<std::vector<WatchEvent>> seen;
  hub.add("/x/", [&](const std::vector<WatchEvent>& events) { seen.push_back(events); }, 0);
  hub.enqueue(1, {put_event("/y/a", 1)});
  hub.enqueue(2, {put_event("/y/b", 2), put_event("/x/b", 2)});
  hub.drain();
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_EQ(seen[0].size(), 1u);
  EXPECT_EQ(seen[0][0].kv.key, "/x/b");
}

}  // namespace
}  // namespace outpost

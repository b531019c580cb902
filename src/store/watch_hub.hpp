#pragma once
// Fans committed transactions out to watchers, in revision order, outside any store lock.
//
// Writers enqueue a transaction's events while still holding their write lock (so the queue is
// in revision order) and call drain() after releasing it. Only one thread drains at a time;
// a writer that finds another thread draining returns at once and leaves its batch to that
// thread. So a callback may read from — or even write to — the store without deadlocking, and
// every watcher still sees transactions one at a time and in order.
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace outpost {

class WatchHub {
 public:
  // The watcher sees only transactions with a revision above `after_revision` (the store's
  // revision when watch() was called), even if older ones are still waiting in the queue.
  Store::WatchId add(std::string prefix, Store::WatchCallback callback, std::int64_t after_revision);
  // No delivery starts for the watcher after this returns; one already running on another thread
  // is not waited for (the caller may itself be inside a callback).
  void remove(Store::WatchId id);

  void enqueue(std::int64_t revision, std::vector<WatchEvent> events);
  void drain();

 private:
  struct Watcher {
    std::string prefix;
    Store::WatchCallback callback;
    std::int64_t after_revision = 0;
    std::atomic<bool> active{true};
  };
  struct Batch {
    std::int64_t revision = 0;
    std::vector<WatchEvent> events;
  };

  void deliver(const Batch& batch);

  std::mutex watchers_mutex_;
  std::vector<std::pair<Store::WatchId, std::shared_ptr<Watcher>>> watchers_;
  Store::WatchId next_id_ = 1;

  std::mutex queue_mutex_;
  std::deque<Batch> queue_;
  bool draining_ = false;
};

}  // namespace outpost

#include "store/watch_hub.hpp"

#include <algorithm>
#include <utility>

namespace outpost {

Store::WatchId WatchHub::add(std::string prefix, Store::WatchCallback callback,
                             std::int64_t after_revision) {
  auto watcher = std::make_shared<Watcher>();
  watcher->prefix = std::move(prefix);
  watcher->callback = std::move(callback);
  watcher->after_revision = after_revision;
  std::lock_guard lock(watchers_mutex_);
  Store::WatchId id = next_id_++;
  watchers_.emplace_back(id, std::move(watcher));
  return id;
}

void WatchHub::remove(Store::WatchId id) {
  std::lock_guard lock(watchers_mutex_);
  auto found = std::ranges::find(watchers_, id, &decltype(watchers_)::value_type::first);
  if (found == watchers_.end()) return;
  // A drain may hold a copy of this watcher; the flag stops it before its next call.
  found->second->active = false;
  watchers_.erase(found);
}

void WatchHub::enqueue(std::int64_t revision, std::vector<WatchEvent> events) {
  if (events.empty()) return;
  std::lock_guard lock(queue_mutex_);
  queue_.push_back(Batch{revision, std::move(events)});
}

void WatchHub::drain() {
  std::unique_lock lock(queue_mutex_);
  if (draining_) return;
  draining_ = true;
  while (!queue_.empty()) {
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    deliver(batch);
    lock.lock();
  }
  draining_ = false;
}

void WatchHub::deliver(const Batch& batch) {
  std::vector<std::shared_ptr<Watcher>> snapshot;
  {
    std::lock_guard lock(watchers_mutex_);
    snapshot.reserve(watchers_.size());
    for (const auto& entry : watchers_) snapshot.push_back(entry.second);
  }
  for (const auto& watcher : snapshot) {
    if (batch.revision <= watcher->after_revision) continue;
    std::vector<WatchEvent> matching;
    for (const auto& event : batch.events) {
      if (event.kv.key.starts_with(watcher->prefix)) matching.push_back(event);
    }
    if (matching.empty() || !watcher->active) continue;
    watcher->callback(matching);
  }
}

}  // namespace outpost

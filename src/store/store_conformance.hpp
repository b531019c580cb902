#pragma once
// The behaviour every Store backend must show, as one parametrised GoogleTest suite. A backend
// joins with one line in its own test file:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance, ::testing::Values(StoreFactory(...)));
//
// The factory opens the backend's store for a directory; calling it again for the same directory
// after the first store is destroyed must reopen the same data (the durability test does this).
// Watch delivery may be asynchronous, so tests wait for events (bounded) instead of assuming they
// arrived when the write returned. Tests assume only that revisions grow by one per write, never
// an absolute starting revision.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace outpost {

using StoreFactory = std::function<std::unique_ptr<Store>(const std::filesystem::path& dir)>;

// Found by argument-dependent lookup (Store is in this namespace), so failure messages name the
// parameter instead of dumping the std::function's bytes; the instance prefix names the backend.
inline void PrintTo(const StoreFactory&, std::ostream* out) { *out << "store factory"; }

// Collects watch deliveries from whichever thread makes them.
class WatchRecorder {
 public:
  Store::WatchCallback callback() {
    return [this](const std::vector<WatchEvent>& events) {
      std::lock_guard lock(mutex_);
      batches_.push_back(events);
      changed_.notify_all();
    };
  }

  // Waits until at least `count` events arrived. The deadline only keeps a broken backend from
  // hanging the suite; a healthy one delivers in milliseconds.
  bool wait_for_events(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(30),
                             [&] { return event_count_locked() >= count; });
  }

  std::vector<std::vector<WatchEvent>> batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
  }

  std::vector<WatchEvent> events() const {
    std::lock_guard lock(mutex_);
    std::vector<WatchEvent> all;
    for (const auto& batch : batches_) all.insert(all.end(), batch.begin(), batch.end());
    return all;
  }

 private:
  std::size_t event_count_locked() const {
    std::size_t count = 0;
    for (const auto& batch : batches_) count += batch.size();
    return count;
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::vector<WatchEvent>> batches_;
};

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "outpost-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    open();
  }

  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void open() {
    store_ = GetParam()(dir_);
    ASSERT_NE(store_, nullptr) << "the factory could not open a store in " << dir_;
  }

  // Closes the store and opens the same directory again.
  void reopen() {
    store_.reset();
    open();
  }

  std::int64_t current_revision() {
    auto revision = store_->revision();
    EXPECT_TRUE(revision.has_value());
    return revision.value_or(-1);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace outpost

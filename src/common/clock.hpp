#pragma once
// Time is injected so reconcilers, the rollout engine and session logic run under simulated
// time in tests. Production code takes a Clock&; tests pass a ManualClock.
#include <chrono>
#include <cstdint>

namespace outpost {

class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;
};

class SystemClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::system_clock::now(); }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(time_point start = time_point{std::chrono::seconds{1'800'000'000}}) : now_(start) {}
  time_point now() const override { return now_; }
  void advance(std::chrono::milliseconds d) { now_ += d; }
  void set(time_point t) { now_ = t; }

 private:
  time_point now_;
};

// Seconds since the epoch, the form timestamps take in stored objects and on the wire.
inline std::int64_t unix_seconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace outpost

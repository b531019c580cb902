#pragma once
// Randomness is injected like time: token secrets and backoff jitter take a Random&.
#include <cstdint>
#include <string>

namespace outpost {

class Random {
 public:
  virtual ~Random() = default;
  virtual std::uint64_t next_u64() = 0;
  // Uniform in [0, 1).
  double next_unit() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
};

// Cryptographically secure (OpenSSL RAND_bytes); use for secrets.
class SecureRandom final : public Random {
 public:
  std::uint64_t next_u64() override;
};

// Deterministic, for tests and the simulator.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed ? seed : 0x9E3779B97F4A7C15ull) {}
  std::uint64_t next_u64() override;

 private:
  std::uint64_t state_;
};

// n random bytes as lowercase hex (2n characters).
std::string random_hex(Random& random, std::size_t bytes);

}  // namespace outpost

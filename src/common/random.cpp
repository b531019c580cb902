#include "common/random.hpp"

#include <openssl/rand.h>

#include <stdexcept>

namespace outpost {

std::uint64_t SecureRandom::next_u64() {
  std::uint64_t value = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof value) != 1)
    throw std::runtime_error("OpenSSL RAND_bytes failed");  // no entropy: nothing safe to do
  return value;
}

std::uint64_t SeededRandom::next_u64() {
  // splitmix64: small, fast, good enough for jitter and simulations.
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string random_hex(Random& random, std::size_t bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  std::uint64_t pool = 0;
  for (std::size_t i = 0; i < bytes; ++i) {
    if (i % 8 == 0) pool = random.next_u64();
    auto byte = static_cast<unsigned>(pool & 0xFF);
    pool >>= 8;
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 0xF]);
  }
  return out;
}

}  // namespace outpost

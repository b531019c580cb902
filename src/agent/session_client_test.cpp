#include "agent/session_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace outpost::agent {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, DoublesFromHalfASecondUpToThirtySecondsWithinTheJitter) {
  SeededRandom random(11);
  Backoff backoff;
  for (unsigned failures = 1; failures <= 20; ++failures) {
    const double base = std::min(500.0 * (1u << std::min(failures - 1, 15u)), 30'000.0);
    for (int sample = 0; sample < 50; ++sample) {
      auto delay = static_cast<double>(backoff.delay(failures, random).count());
      EXPECT_GE(delay, base * 0.5 - 1) << "failures " << failures;
      EXPECT_LE(delay, base * 1.5 + 1) << "failures " << failures;
    }
  }
}

// When the tower comes back after an outage, when does each of `agents` sites, all cut off at
// the same moment, try again successfully? Each attempt while the tower is down fails at once.
std::vector<double> arrival_seconds(const Backoff& backoff, int agents, double outage_seconds, Random& random) {
  std::vector<double> arrivals;
  for (int agent = 0; agent < agents; ++agent) {
    double t = 0;
    unsigned failures = 1;  // the session that was established just ended
    for (int attempt = 0; attempt < 1000; ++attempt) {
      t += static_cast<double>(backoff.delay(failures, random).count()) / 1000.0;
      if (t >= outage_seconds) break;
      ++failures;
    }
    arrivals.push_back(t);
  }
  return arrivals;
}

std::size_t busiest_second(const std::vector<double>& arrivals) {
  std::map<long, std::size_t> per_second;
  for (double t : arrivals) ++per_second[static_cast<long>(t)];
  std::size_t most = 0;
  for (const auto& [second, count] : per_second) most = std::max(most, count);
  return most;
}

TEST(Backoff, AThousandSitesDoNotReturnInTheSameSecond) {
  SeededRandom random(5);
  for (double outage : {10.0, 60.0, 600.0}) {
    auto arrivals = arrival_seconds(Backoff{}, 1000, outage, random);
    const auto [first, last] = std::ranges::minmax(arrivals);
    // The retry after the outage falls anywhere in ±50 % of its base delay (≥ 4 s once the
    // outage outlasts the first few attempts), so no second sees more than about 15 % of them.
    EXPECT_LE(busiest_second(arrivals), 150u) << "outage " << outage << " s";
    EXPECT_GE(last - first, 5.0) << "outage " << outage << " s";
    EXPECT_LE(last - outage, 45.0) << "every site is back within the longest backoff";
  }
  // Without jitter they would all arrive together: what the jitter is there to prevent.
  auto lockstep = arrival_seconds(Backoff{.initial = 500ms, .max = 30'000ms, .jitter = 0}, 1000, 60.0, random);
  EXPECT_EQ(busiest_second(lockstep), 1000u);
}

}  // namespace
}  // namespace outpost::agent

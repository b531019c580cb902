#pragma once
// The agent's end of the session: dials the tower (never the other way round), authenticates
// with the host certificate, and keeps the session up with jittered exponential backoff.
#include <boost/asio/awaitable.hpp>

#include <chrono>

#include "agent/identity.hpp"
#include "agent/runtime.hpp"
#include "common/random.hpp"

namespace outpost::agent {

struct Backoff {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{30'000};
  double jitter = 0.5;  // ±50 %

  // The delay before attempt `failures` (1 = after the first failure).
  std::chrono::milliseconds delay(unsigned failures, Random& random) const;
};

boost::asio::awaitable<void> run_session_loop(AgentIdentity identity, AgentRuntime& runtime, Random& random,
                                              Backoff backoff = {});

}  // namespace outpost::agent

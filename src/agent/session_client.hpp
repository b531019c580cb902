#pragma once
// The agent's end of the session: dials the tower (never the other way round), authenticates
// with the host certificate (or, right after enrolling, by the enrollment on the same
// connection), and keeps the session up with jittered exponential backoff.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <functional>
#include <optional>

#include "agent/event_journal.hpp"
#include "agent/identity.hpp"
#include "agent/runtime.hpp"
#include "common/random.hpp"
#include "common/tls_socket.hpp"

namespace outpost::agent {

struct Backoff {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{30'000};
  double jitter = 0.5;  // ±50 %

  // The delay before attempt `failures` (1 = after the first failure).
  std::chrono::milliseconds delay(unsigned failures, Random& random) const;
};

struct SessionSettings {
  Backoff backoff;
  // A session with no traffic for this long is given up; pings go out at half of it.
  std::chrono::seconds idle_timeout{30};
  std::size_t events_per_message = 100;
  // Status changes and new events wait this long for the rest of what one change brings, then go
  // in one status report and one events message (zero: each goes at once).
  std::chrono::milliseconds report_delay{100};
  // Told true when a session is established and false when it ends (the simulator counts them).
  std::function<void(bool)> on_session;
  // A context trusting the identity's CA, shared by a caller running many sessions (the
  // simulator); without one the session loop builds its own. Either way each connection
  // presents the host's certificate itself.
  std::shared_ptr<boost::asio::ssl::context> trust;
};

// Sends status, problems and the journal's events; records "session-lost" and
// "session-restored" in the journal so an outage is part of the site's history. The first
// session opens on `enrolled_on`, the connection the host just enrolled on, when given one;
// every later one on a new connection presenting the host's certificate.
boost::asio::awaitable<void> run_session_loop(AgentIdentity identity, AgentRuntime& runtime, EventJournal& journal,
                                              const Clock& clock, Random& random, SessionSettings settings = {},
                                              std::optional<TlsSocket> enrolled_on = std::nullopt);

}  // namespace outpost::agent

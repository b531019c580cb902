#include "agent/agent.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cctype>
#include <iostream>

#include "agent/enrollment.hpp"
#include "agent/runtime.hpp"
#include "agent/session_client.hpp"
#include "common/files.hpp"
#include "common/random.hpp"
#include "engine/docker_engine.hpp"

namespace outpost::agent {

namespace {

std::string machine_host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "host";
  std::string out;
  for (char c : std::string(name)) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == '.') break;
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '-');
  }
  return out.empty() ? "host" : out;
}

// The stored identity, or a new one from enrolling with the join token, with the connection it
// enrolled on (the first session opens on it).
Result<Enrolled> identity_for(const AgentOptions& options, boost::asio::io_context& io) {
  auto existing = load_identity(options.data_dir);
  if (existing) {
    if (!options.join_token.empty()) spdlog::info("already enrolled as {}/{}; ignoring --join", existing->site, existing->host);
    if (!options.tower_url.empty() && options.tower_url != existing->tower_url) existing->tower_url = options.tower_url;
    return Enrolled{std::move(*existing), std::nullopt, nullptr};
  }
  if (existing.error().code != "not_found") return std::unexpected(existing.error());
  if (options.tower_url.empty() || options.join_token.empty())
    return fail(1, "not_enrolled", "this host is not enrolled yet: start it once with --tower URL --join TOKEN");
  auto request = prepare_enrollment(options.tower_url, options.join_token,
                                    options.host_name.empty() ? machine_host_name() : options.host_name);
  if (!request) return std::unexpected(request.error());
  auto enrolled = boost::asio::co_spawn(io, enroll(std::move(*request), options.data_dir, FileSync::durable),
                                        boost::asio::use_future);
  io.run();  // until the enrollment is done: nothing else runs yet
  io.restart();
  return enrolled.get();
}

}  // namespace

int run_agent(const AgentOptions& options) {
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  if (auto made = ensure_directory(options.data_dir); !made) {
    std::cerr << "error: " << made.error().message << "\n";
    return 1;
  }
  auto socket = parse_engine_url(options.engine);
  if (!socket) {
    std::cerr << "error: " << socket.error().message << "\n";
    return 1;
  }
  boost::asio::io_context io(1);
  auto enrolled = identity_for(options, io);
  if (!enrolled) {
    std::cerr << "error: " << enrolled.error().message << "\n";
    return enrolled.error().code == "unreachable" ? 2 : 1;
  }
  const AgentIdentity* identity = &enrolled->identity;

  SystemClock clock;
  SecureRandom random;
  DockerEngine engine(io.get_executor(), *socket);
  FileJournalStorage journal_file(options.data_dir / "events");
  JournalLimits limits;
  limits.max_events = options.event_buffer;
  EventJournal journal(journal_file, limits, clock, random);
  journal.load();
  AgentRuntime runtime(io.get_executor(), engine, Checkpoint(options.data_dir / "checkpoint"), identity->site,
                       identity->host, clock);
  runtime.set_journal(&journal);
  (void)runtime.load_checkpoint();  // a damaged checkpoint is logged; the tower resends everything

  SessionSettings session;
  session.idle_timeout = std::chrono::seconds(options.session_timeout);
  session.trust = enrolled->trust;
  boost::asio::co_spawn(io, runtime.run(), boost::asio::detached);
  boost::asio::co_spawn(io, run_session_loop(*identity, runtime, journal, clock, random, session, std::move(enrolled->connection)),
                        boost::asio::detached);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    spdlog::info("signal {} received, stopping (containers keep running)", signal);
    io.stop();
  });
  spdlog::info("agent {}/{} running; engine {}", identity->site, identity->host, options.engine);
  // Objects declared after `io` go first; `io` then destroys the suspended coroutine frames,
  // which never run again (the loop has stopped) and only refer to those objects.
  io.run();
  return 0;
}

}  // namespace outpost::agent

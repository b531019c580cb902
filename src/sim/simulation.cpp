#include "sim/simulation.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <functional>
#include <memory>
#include <ostream>

#include "agent/event_journal.hpp"
#include "agent/runtime.hpp"
#include "agent/session_client.hpp"
#include "common/random.hpp"
#include "engine/fake_engine.hpp"

namespace outpost::sim {

namespace asio = boost::asio;

namespace {

// One simulated host: the agent's parts as `outpost agent` wires them, over a fake engine and
// an in-memory journal; the checkpoint lives in the host's enrolled data directory.
struct SimulatedHost {
  SimulatedHost(asio::io_context& io, const agent::AgentIdentity& identity, const std::filesystem::path& checkpoint,
                const Clock& clock, Random& random)
      : engine(clock),
        journal(journal_storage, agent::JournalLimits{}, clock, random),
        runtime(io.get_executor(), engine, agent::Checkpoint(checkpoint), identity.site, identity.host, clock) {
    journal.load();
    runtime.set_journal(&journal);
    (void)runtime.load_checkpoint();
  }
  FakeEngine engine;
  agent::DiscardingJournalStorage journal_storage;
  agent::EventJournal journal;
  agent::AgentRuntime runtime;
};

}  // namespace

int run_hosts(const std::vector<SimHost>& hosts, std::chrono::seconds duration, std::ostream& out,
              std::chrono::seconds report_every) {
  asio::io_context io(1);
  SystemClock clock;
  SeededRandom random(20261123);
  std::size_t sessions = 0;
  std::vector<std::unique_ptr<SimulatedHost>> simulated;
  simulated.reserve(hosts.size());
  for (const auto& [identity, data_dir] : hosts) {
    simulated.push_back(std::make_unique<SimulatedHost>(io, identity, data_dir / "checkpoint", clock, random));
    agent::SessionSettings settings;
    settings.on_session = [&sessions](bool up) { up ? ++sessions : --sessions; };
    asio::co_spawn(io, simulated.back()->runtime.run(), asio::detached);
    asio::co_spawn(io, agent::run_session_loop(identity, simulated.back()->runtime, simulated.back()->journal, clock,
                                               random, settings),
                   asio::detached);
  }

  const auto started = std::chrono::steady_clock::now();
  auto print_progress = [&] {
    std::size_t running = 0;
    for (const auto& host : simulated)
      for (const auto& container : host->engine.containers()) running += container.state == "running";
    const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
    out << "t=" << elapsed.count() << "s sessions " << sessions << "/" << simulated.size() << ", containers running "
        << running << std::endl;
  };
  asio::steady_timer report(io);
  std::function<void()> tick = [&] {
    report.expires_after(report_every);
    report.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      print_progress();
      tick();
    });
  };
  tick();
  asio::steady_timer end(io);
  end.expires_after(duration);
  end.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;
    print_progress();
    io.stop();
  });
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  io.run();
  out << "simulation ended after " << duration.count() << " s" << std::endl;
  return 0;
}

}  // namespace outpost::sim

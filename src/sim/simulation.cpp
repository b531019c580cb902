#include "sim/simulation.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <future>
#include <optional>
#include <ostream>

#include "agent/event_journal.hpp"
#include "agent/runtime.hpp"
#include "agent/session_client.hpp"
#include "common/random.hpp"
#include "engine/fake_engine.hpp"

namespace outpost::sim {

namespace asio = boost::asio;

namespace {

// Stamps are taken when things happen, so looking less often costs only how soon a line is written;
// looking at 10,000 hosts a hundred times a second took 5 % of the simulator's CPU.
constexpr auto observe_every = std::chrono::milliseconds(50);

// One simulated host: the agent's parts as `outpost agent` wires them, over a fake engine and
// an in-memory journal; the checkpoint is held in memory and written to the host's enrolled data
// directory when the host is destroyed (agent/checkpoint.hpp).
struct SimulatedHost {
  SimulatedHost(asio::io_context& io, const SimHost& host, const Clock& clock, Random& random)
      : name(host.identity.site + "/" + host.identity.host),
        engine(clock),
        journal(journal_storage, agent::JournalLimits{}, clock, random),
        runtime(io.get_executor(), engine, agent::Checkpoint::held_until_destroyed(host.data_dir / "checkpoint"), host.identity.site,
                host.identity.host, clock) {
    journal.load();
    runtime.set_journal(&journal);
    (void)runtime.load_checkpoint();
    if (host.failing) engine.fail_every_start("simulated failure: this host fails every container start");
  }
  std::string name;
  FakeEngine engine;
  agent::DiscardingJournalStorage journal_storage;
  agent::EventJournal journal;
  agent::AgentRuntime runtime;
  // What the observer saw last.
  std::uint64_t seen_revision = 0;
  std::uint64_t seen_changes = 0;
  std::vector<std::string> running_images;
};

std::vector<std::string> running_images(const FakeEngine& engine) {
  std::vector<std::string> images;
  for (const auto& container : engine.containers())
    if (container.state == "running") images.push_back(container.image);
  std::sort(images.begin(), images.end());
  return images;
}

}  // namespace

// An io thread and the hosts it runs; its hosts are touched only on its thread.
class SimulationThread {
 public:
  SimulationThread(Simulation& simulation, std::uint64_t seed)
      : simulation_(simulation), random_(seed), observe_(io_), work_(io_.get_executor()) {
    thread_ = std::thread([this] { io_.run(); });
    asio::post(io_, [this] { observe(); });
  }
  ~SimulationThread() {
    io_.stop();
    thread_.join();
  }

  void add(SimHost host) {
    asio::post(io_, [this, host = std::move(host)]() mutable { start(std::move(host), std::nullopt); });
  }

  void enroll(agent::EnrollmentRequest request, std::filesystem::path data_dir, bool failing, std::function<void(Status)> done) {
    asio::co_spawn(io_, enroll_and_start(std::move(request), std::move(data_dir), failing, std::move(done)), asio::detached);
  }

 private:
  asio::awaitable<void> enroll_and_start(agent::EnrollmentRequest request, std::filesystem::path data_dir, bool failing,
                                         std::function<void(Status)> done) {
    // Cached like the checkpoint (agent/checkpoint.hpp): the simulator's disk is not what is measured.
    auto enrolled = co_await agent::enroll(std::move(request), data_dir, FileSync::cached);
    if (!enrolled) {
      done(std::unexpected(enrolled.error()));
      co_return;
    }
    start(SimHost{std::move(enrolled->identity), std::move(data_dir), failing}, std::move(enrolled->connection));
    done({});
  }

  void start(SimHost host, std::optional<TlsSocket> enrolled_on) {
    hosts_.push_back(std::make_unique<SimulatedHost>(io_, host, clock_, random_));
    auto& added = *hosts_.back();
    agent::SessionSettings settings;
    settings.on_session = [this](bool up) { simulation_.sessions_ += up ? 1 : -1; };
    settings.trust = simulation_.options_.session_tls;
    asio::co_spawn(io_, added.runtime.run(), asio::detached);
    asio::co_spawn(io_, agent::run_session_loop(host.identity, added.runtime, added.journal, clock_, random_, settings,
                                                std::move(enrolled_on)),
                   asio::detached);
  }

 private:
  void observe() {
    // Stamped with when it happened (the checkpoint, the engine's change), not when this loop
    // got to look: a busy thread looks late.
    auto ns = [](Clock::time_point t) {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    };
    std::string lines;
    for (auto& host : hosts_) {
      const std::uint64_t revision = host->runtime.checkpointed_revision();
      const std::uint64_t changes = host->engine.changes();
      if (revision == host->seen_revision && changes == host->seen_changes) continue;
      auto images = changes == host->seen_changes ? host->running_images : running_images(host->engine);
      simulation_.running_ += static_cast<long>(images.size()) - static_cast<long>(host->running_images.size());
      if (simulation_.timing_) {
        if (revision != host->seen_revision)
          lines += Simulation::timing_line(ns(host->runtime.checkpointed_at()), host->name, revision, host->running_images);
        if (images != host->running_images)
          lines += Simulation::timing_line(ns(host->engine.changed_at()), host->name, revision, images);
      }
      host->seen_revision = revision;
      host->seen_changes = changes;
      host->running_images = std::move(images);
    }
    if (!lines.empty()) simulation_.write_timing(lines);
    observe_.expires_after(observe_every);
    observe_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) observe();
    });
  }

  Simulation& simulation_;
  asio::io_context io_{1};
  SystemClock clock_;
  SeededRandom random_;
  asio::steady_timer observe_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::vector<std::unique_ptr<SimulatedHost>> hosts_;
  std::thread thread_;
};

bool failing_site(int index, int percent) {
  if (percent <= 0 || index < 1) return false;
  // The N·percent/100 failing sites of 1..N are spread evenly: index i fails when the running
  // count floor(i·percent/100) steps up at it.
  return (index * percent) / 100 != ((index - 1) * percent) / 100;
}

Simulation::Simulation(SimOptions options, std::ostream& out) : options_(std::move(options)), out_(out) {}

Simulation::~Simulation() {
  stop_threads();
  if (timing_) std::fclose(timing_);
}

void Simulation::stop_threads() {
  std::lock_guard lock(threads_lock_);
  stopping_ = true;
  threads_.clear();
}

std::string Simulation::timing_line(std::int64_t unix_ns, const std::string& host, std::uint64_t revision,
                                    std::vector<std::string> running_images) {
  std::sort(running_images.begin(), running_images.end());
  return fmt::format("{}\t{}\t{}\t{}\n", unix_ns, host, revision,
                     running_images.empty() ? std::string("-") : fmt::format("{}", fmt::join(running_images, ",")));
}

Status Simulation::start() {
  if (!options_.timing_file.empty()) {
    timing_ = std::fopen(options_.timing_file.c_str(), "w");
    if (!timing_)
      return invalid("timing_file", "cannot write the timing file " + options_.timing_file.string() + ": " +
                                        std::strerror(errno));
  }
  started_ = std::chrono::steady_clock::now();
  for (unsigned i = 0; i < std::max(1u, options_.threads); ++i)
    threads_.push_back(std::make_unique<SimulationThread>(*this, 20261123 + i));
  return {};
}

void Simulation::add(SimHost host) {
  std::lock_guard lock(threads_lock_);
  if (stopping_ || threads_.empty()) return;
  ++hosts_;
  threads_[next_thread_++ % threads_.size()]->add(std::move(host));
}

Status Simulation::enroll(agent::EnrollmentRequest request, std::filesystem::path data_dir, bool failing) {
  auto outcome = std::make_shared<std::promise<Status>>();
  auto done = outcome->get_future();
  {
    std::lock_guard lock(threads_lock_);
    if (stopping_ || threads_.empty()) return fail(503, "stopping", "the simulation is stopping");
    threads_[next_thread_++ % threads_.size()]->enroll(std::move(request), std::move(data_dir), failing,
                                                       [this, outcome](Status status) {
                                                         if (status) ++hosts_;
                                                         outcome->set_value(std::move(status));
                                                       });
  }
  // An enrollment under way when the simulation stops never finishes, and its coroutine may not
  // be destroyed with the threads either (the promise would then never break): look at stopping_.
  while (done.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready)
    if (stopping_) return fail(503, "stopping", "the simulation stopped before the enrollment finished");
  try {
    return done.get();
  } catch (const std::future_error&) {
    return fail(503, "stopping", "the simulation stopped before the enrollment finished");
  }
}

void Simulation::write_timing(const std::string& lines) {
  std::lock_guard lock(timing_lock_);
  std::fwrite(lines.data(), 1, lines.size(), timing_);
  std::fflush(timing_);
}

void Simulation::print_progress() {
  const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
  out_ << "t=" << elapsed.count() << "s sessions " << sessions_ << "/" << hosts_ << ", containers running " << running_
       << std::endl;
}

void Simulation::stop() {
  stopping_ = true;
  control_.stop();
}

void Simulation::wait() {
  auto& control = control_;
  asio::steady_timer report(control);
  std::function<void()> tick = [&] {
    report.expires_after(options_.report_every);
    report.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      print_progress();
      tick();
    });
  };
  tick();
  asio::steady_timer end(control);
  end.expires_at(started_ + options_.duration);
  end.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;
    print_progress();
    control.stop();
  });
  asio::signal_set signals(control, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { control.stop(); });
  control.run();
  stop_threads();
}

}  // namespace outpost::sim

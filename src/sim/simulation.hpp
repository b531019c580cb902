#pragma once
// `outpost sim`: many simulated edge hosts in one process. Each is the real agent code (its
// runtime, reconciler, event journal and mTLS session) over the fake engine, which "runs"
// containers at once; only the container engine is simulated. Bounded: it stops by itself.
//
// Hosts are spread over a few io threads (a real fleet's agents each have their own machine; one
// thread for 10,000 of them fell behind on pings), and each starts as soon as it is added, so
// sessions come up while the rest of the fleet is still enrolling.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "agent/enrollment.hpp"
#include "agent/identity.hpp"
#include "common/result.hpp"

namespace outpost::sim {

// An enrolled simulated host and its data directory, where its checkpoint goes as a real
// agent's would (a later run on the same directory resumes from it).
struct SimHost {
  agent::AgentIdentity identity;
  std::filesystem::path data_dir;
  bool failing = false;  // its engine fails every container start
};

// Whether site number `index` (1-based) is one of the `percent` per cent told to fail: exactly
// floor(N·percent/100) of sites 1..N, spread evenly.
bool failing_site(int index, int percent);

struct SimOptions {
  unsigned threads = 1;  // `outpost sim` gives one per core
  std::chrono::seconds duration{60};  // from start()
  std::chrono::seconds report_every{5};
  // When set, one line per change a host sees, for benchmarks that time a fan-out on the agents'
  // side: "UNIX_NS<TAB>SITE/HOST<TAB>CHECKPOINTED_REVISION<TAB>RUNNING_IMAGES" (images sorted,
  // comma-separated, "-" for none). Hosts are looked at every 50 ms; a line carries the time the
  // checkpoint was written or the engine changed, not the time it was seen.
  std::filesystem::path timing_file;
  // A context trusting the tower's CA for every host's session (each connection presents its
  // own host's certificate); without one each host builds its own.
  std::shared_ptr<boost::asio::ssl::context> session_tls;
};

class SimulationThread;

class Simulation {
 public:
  Simulation(SimOptions options, std::ostream& out);
  ~Simulation();  // stops and joins the threads
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Opens the timing file and starts the io threads, the progress lines and the duration.
  Status start();
  // Starts one enrolled host on one of the threads. Safe from any thread.
  void add(SimHost host);
  // Enrolls one host on one of the threads, as `outpost agent --join` does, and starts it there
  // with its first session on the connection it enrolled on. Blocks until the enrollment is done
  // and returns its error, if any. Safe from any thread.
  Status enroll(agent::EnrollmentRequest request, std::filesystem::path data_dir, bool failing);
  // Blocks until the duration has passed, SIGINT/SIGTERM arrived or stop() was called; prints
  // the last progress and stops every host.
  void wait();
  // Ends wait() early (enrollment failed). Safe from any thread.
  void stop();
  // True once the simulation is ending: enrollment should give up.
  bool stopping() const { return stopping_; }

  // What a timing line records when a host's checkpointed revision or running images change.
  static std::string timing_line(std::int64_t unix_ns, const std::string& host, std::uint64_t revision,
                                 std::vector<std::string> running_images);

 private:
  void stop_threads();  // ends add() and joins the io threads
  friend class SimulationThread;
  void print_progress();
  void write_timing(const std::string& line);

  SimOptions options_;
  std::ostream& out_;
  std::mutex threads_lock_;  // add() against the end of the simulation
  std::vector<std::unique_ptr<SimulationThread>> threads_;
  std::atomic<std::size_t> next_thread_{0};
  std::atomic<std::size_t> hosts_{0};
  std::atomic<long> sessions_{0};
  std::atomic<long> running_{0};
  std::atomic<bool> stopping_{false};
  std::chrono::steady_clock::time_point started_;
  boost::asio::io_context control_{1};
  std::mutex timing_lock_;
  std::FILE* timing_ = nullptr;
};

}  // namespace outpost::sim

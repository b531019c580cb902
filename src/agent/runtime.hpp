#pragma once
// The agent's heart: holds the checkpointed desired state of its site, reconciles this host's
// containers against it (on every change and every resync period) and keeps the per-container
// status it reports. Runs on the agent's io_context; works the same with or without a session.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "agent/checkpoint.hpp"
#include "agent/container_status.hpp"
#include "agent/event_journal.hpp"
#include "agent/health.hpp"
#include "agent/runtime_events.hpp"
#include "agent/supervisor.hpp"
#include "common/clock.hpp"
#include "engine/engine.hpp"
#include "model/desired_state.hpp"
#include "model/render.hpp"

namespace outpost::agent {

class AgentRuntime {
 public:
  AgentRuntime(boost::asio::any_io_executor executor, Engine& engine, Checkpoint checkpoint, std::string site,
               std::string host, const Clock& clock, std::chrono::milliseconds resync = std::chrono::seconds(5));

  // Where events go; without a journal (some tests) nothing is recorded.
  void set_journal(EventJournal* journal) { journal_ = journal; }

  // Loads the checkpoint. A damaged checkpoint is reported and the agent starts from revision 0,
  // so the tower sends the whole state again.
  Status load_checkpoint();

  // Applies a `desired` message, checkpoints the result and wakes the reconciler. Returns the
  // revision to acknowledge: the one on disk. When the disk refuses the checkpoint the new state
  // is still run from memory, reported as a problem and written again on every reconcile pass.
  // A revision gap leaves the state as it was (the caller reconnects).
  Result<std::uint64_t> apply_desired(const Json& delta);

  std::uint64_t revision() const { return desired_.revision; }
  std::uint64_t checkpointed_revision() const { return checkpointed_revision_; }
  // When the last checkpoint was written (the epoch before any): the simulator times fan-outs by it.
  Clock::time_point checkpointed_at() const { return checkpointed_at_; }
  // Conditions on this host a person should know about (the checkpoint cannot be written,
  // events are kept in memory only, the engine does not answer), for the status report.
  std::vector<std::string> problems() const;
  // The reported status of every container this host should run (protocol.md "status").
  Json instances() const;
  // Per application on this host: its instances, how many are ready and whether every one has
  // been ready without a break (protocol.md "status").
  Json apps() const;
  // Called whenever instances(), problems() or checkpointed_revision() change.
  void set_status_listener(std::function<void()> listener) { listener_ = std::move(listener); }

  // The reconcile loop, with the probe loop beside it; runs until the io_context stops.
  boost::asio::awaitable<void> run();
  void wake();
  // One pass of the probe loop: starts the probes that are due and wakes the reconciler when a
  // restart is. The loop calls it; tests drive it under a manual clock.
  void probe_pass();

 private:
  // Makes the probe loop look again now: what is due may have changed.
  void look_at_health();
  boost::asio::awaitable<void> reconcile_once();
  // Feeds the supervisor what the engine lists (fetching the output of containers that exited)
  // and restarts, stopping first, the running containers whose liveness failed.
  boost::asio::awaitable<void> supervise(const std::vector<PlannedContainer>& plan,
                                         const std::vector<ContainerInfo>& actual);
  boost::asio::awaitable<bool> restart_failed_liveness();  // true when it restarted any
  boost::asio::awaitable<void> probe_loop();
  boost::asio::awaitable<void> run_one_probe(DueProbe probe);
  // Re-reads the health of every container into the status and publishes it if it changed.
  // Takes each container's health into its status; `time_only` looks only at those whose
  // health can change with time alone (what changes otherwise is taken in where it changes).
  void refresh_health(bool time_only);
  // Copies what identifies a planned container (app, version, service, ...) into its status.
  static void describe(ContainerStatus& status, const PlannedContainer& planned);
  void publish(StatusMap next);
  void record(const EventDraft& draft);
  void save_checkpoint();  // retries a checkpoint the disk refused
  void set_problem(std::string& slot, std::string problem);

  boost::asio::any_io_executor executor_;
  Engine& engine_;
  Checkpoint checkpoint_;
  std::string site_, host_;
  const Clock& clock_;
  std::chrono::milliseconds resync_;
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer probe_timer_;
  bool dirty_ = true;
  bool knows_desired_ = false;  // a valid checkpoint was loaded or the tower sent a state
  HealthSupervisor supervisor_;
  std::map<std::string, ReadinessHistory> readiness_;  // by "app/instance"
  SiteDesired desired_;
  // render_host(desired_, host_), rendered again only after desired_ changes: a reconcile runs
  // every resync period, and the plan is the same until the tower sends a new state. Shared so
  // that a reconcile suspended across a new state keeps the plan it started with.
  std::shared_ptr<const HostPlan> plan_;
  StatusMap status_;
  std::function<void()> listener_;
  EventJournal* journal_ = nullptr;
  ReadinessEvents readiness_events_;
  std::uint64_t checkpointed_revision_ = 0;
  Clock::time_point checkpointed_at_{};
  bool checkpoint_dirty_ = false;   // desired_ differs from what is on disk
  std::string checkpoint_problem_;  // the disk refused the checkpoint
  std::string damaged_problem_;     // the checkpoint was damaged and the tower has not resent yet
  std::string engine_problem_;      // the engine does not answer
  Clock::time_point next_waiting_log_{};
};

}  // namespace outpost::agent

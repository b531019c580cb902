#include "agent/runtime.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <set>

#include "agent/executor.hpp"
#include "agent/probe_runner.hpp"
#include "agent/reconciler.hpp"
#include "model/render.hpp"

namespace outpost::agent {

namespace asio = boost::asio;

AgentRuntime::AgentRuntime(asio::any_io_executor executor, Engine& engine, Checkpoint checkpoint, std::string site,
                           std::string host, const Clock& clock, std::chrono::milliseconds resync)
    : executor_(executor),
      engine_(engine),
      checkpoint_(std::move(checkpoint)),
      site_(std::move(site)),
      host_(std::move(host)),
      clock_(clock),
      resync_(resync),
      wake_(executor),
      probe_timer_(executor) {
  desired_.site = site_;
}

Status AgentRuntime::load_checkpoint() {
  auto loaded = checkpoint_.load();
  if (!loaded) {
    spdlog::error("{}; starting empty and asking the tower for the full desired state", loaded.error().message);
    damaged_problem_ = loaded.error().message +
                       "; nothing is changed on this host until the tower sends the desired state again";
    record({"checkpoint-damaged", "error", damaged_problem_, {}, {}, {}});
    return std::unexpected(loaded.error());
  }
  if (*loaded && (*loaded)->site != site_) {
    spdlog::warn("checkpoint belongs to site {}, not {}; ignoring it", (*loaded)->site, site_);
  } else if (*loaded) {
    desired_ = std::move(**loaded);
    plan_.reset();
    checkpointed_revision_ = desired_.revision;
    knows_desired_ = true;
    spdlog::info("checkpoint loaded: revision {} with {} applications", desired_.revision, desired_.live().size());
  }
  return {};
}

Result<std::uint64_t> AgentRuntime::apply_desired(const Json& delta) {
  SiteDesired next = desired_;
  if (auto applied = next.apply_delta(delta); !applied) return std::unexpected(applied.error());
  const bool changed = next.revision != desired_.revision || !knows_desired_;
  desired_ = std::move(next);
  plan_.reset();
  knows_desired_ = true;
  if (!damaged_problem_.empty()) {
    record({"checkpoint-restored", "info", "the tower sent the full desired state (revision " +
                                               std::to_string(desired_.revision) + ")", {}, {}, {}});
    set_problem(damaged_problem_, {});
  }
  // Checkpoint before acting: what the agent acknowledges must survive a crash.
  checkpoint_dirty_ = true;
  save_checkpoint();
  if (changed) {
    spdlog::info("desired state revision {} received", desired_.revision);
    record({"desired", "info", "desired state revision " + std::to_string(desired_.revision) + " received", {}, {}, {}});
    wake();
  }
  return checkpointed_revision_;
}

void AgentRuntime::save_checkpoint() {
  if (!knows_desired_ || !checkpoint_dirty_) return;
  if (auto saved = checkpoint_.save(desired_); !saved) {
    if (checkpoint_problem_.empty()) {
      record({"checkpoint-failed", "error", "cannot write the checkpoint: " + saved.error().message, {}, {}, {}});
      spdlog::error("cannot write the checkpoint: {}; running revision {} from memory and retrying",
                    saved.error().message, desired_.revision);
    }
    set_problem(checkpoint_problem_, "the checkpoint cannot be written (" + saved.error().message + "); running revision " +
                                         std::to_string(desired_.revision) + " from memory, revision " +
                                         std::to_string(checkpointed_revision_) + " is on disk");
    return;
  }
  checkpoint_dirty_ = false;
  checkpointed_revision_ = desired_.revision;
  checkpointed_at_ = clock_.now();
  spdlog::info("desired state revision {} checkpointed", desired_.revision);
  if (!checkpoint_problem_.empty()) {
    record({"checkpoint-saved", "info", "the checkpoint is written again (revision " + std::to_string(desired_.revision) + ")",
            {}, {}, {}});
    set_problem(checkpoint_problem_, {});
  } else if (listener_) {
    listener_();
  }
}

void AgentRuntime::set_problem(std::string& slot, std::string problem) {
  if (slot == problem) return;
  slot = std::move(problem);
  if (listener_) listener_();
}

std::vector<std::string> AgentRuntime::problems() const {
  std::vector<std::string> out;
  for (const std::string* problem : {&damaged_problem_, &checkpoint_problem_, &engine_problem_})
    if (!problem->empty()) out.push_back(*problem);
  if (journal_ && !journal_->disk_problem().empty()) out.push_back(journal_->disk_problem());
  return out;
}

void AgentRuntime::record(const EventDraft& draft) {
  if (journal_) journal_->record(draft.kind, draft.level, draft.message, draft.app, draft.instance, draft.container);
}

void AgentRuntime::wake() {
  dirty_ = true;
  wake_.cancel();
}

asio::awaitable<void> AgentRuntime::run() {
  asio::co_spawn(executor_, probe_loop(), asio::detached);
  for (;;) {
    dirty_ = false;
    // Without a checkpoint (first start, or a damaged one) the agent does not know what this
    // host should run: reconciling would remove every container it owns. It waits for the
    // tower's full state instead, and what still runs is adopted then.
    save_checkpoint();
    if (journal_) journal_->retry_disk();
    if (knows_desired_) co_await reconcile_once();
    else if (!damaged_problem_.empty() && clock_.now() >= next_waiting_log_) {
      // Said again and again: whoever looks at this host must learn why nothing is repaired.
      spdlog::warn("{}; still waiting for the tower", damaged_problem_);
      next_waiting_log_ = clock_.now() + std::chrono::minutes(1);
    }
    if (dirty_) continue;
    wake_.expires_after(resync_);
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void AgentRuntime::describe(ContainerStatus& status, const PlannedContainer& planned) {
  status.app = planned.app;
  status.version = planned.version;
  status.service = planned.service;
  status.instance = planned.instance;
  status.container = planned.container;
  status.image = planned.image;
}

asio::awaitable<void> AgentRuntime::reconcile_once() {
  if (!plan_) plan_ = std::make_shared<const HostPlan>(render_host(desired_, host_));
  const std::shared_ptr<const HostPlan> held = plan_;
  const HostPlan& plan = *held;
  StatusMap next;
  std::set<std::string> unrenderable_apps;
  for (const auto& failure : plan.errors) {
    unrenderable_apps.insert(failure.app);
    ContainerStatus s;
    s.app = failure.app;
    s.instance = failure.instance;
    s.state = "error";
    s.message = failure.error.message;
    next["render/" + failure.app + "/" + failure.instance] = s;
  }

  // Built outside the co_await: g++ 12 miscompiles brace-initialised string literals there.
  const std::map<std::string, std::string> ours{{std::string(labels::site), site_}, {std::string(labels::host), host_}};
  auto actual = co_await engine_.list(ours);
  if (!actual) {
    spdlog::warn("cannot list containers: {}", actual.error().message);
    if (engine_problem_.empty())
      record({"engine-unavailable", "error", "the container engine does not answer: " + actual.error().message, {}, {}, {}});
    set_problem(engine_problem_, "the container engine does not answer (" + actual.error().message +
                                     "); containers are left as they are");
    for (const auto& c : plan.containers) {
      ContainerStatus s = status_.contains(c.name) ? status_[c.name] : ContainerStatus{};
      describe(s, c);
      s.message = "container engine unavailable: " + actual.error().message;
      next[c.name] = s;
    }
    publish(std::move(next));
    co_return;
  }
  if (!engine_problem_.empty()) {
    record({"engine-available", "info", "the container engine answers again", {}, {}, {}});
    set_problem(engine_problem_, {});
  }
  // An application whose spec cannot be rendered here keeps what it already runs rather than
  // being torn down by a reconcile that does not know it.
  std::erase_if(*actual, [&](const ContainerInfo& c) {
    auto app = c.labels.find(std::string(labels::app));
    return app != c.labels.end() && unrenderable_apps.contains(app->second);
  });

  std::set<std::string> local_images;
  for (const auto& c : plan.containers) {
    if (local_images.contains(c.image)) continue;
    if (auto present = co_await engine_.has_image(c.image); present && *present) local_images.insert(c.image);
  }

  co_await supervise(plan.containers, *actual);
  const std::set<std::string> restarts_due = supervisor_.exited_restarts_due(clock_.now());
  auto actions = reconcile(plan.containers, *actual, local_images, site_, host_, &restarts_due);
  StatusMap progress_view = status_;
  ExecutionReport report;
  if (!actions.empty()) {
    for (const auto& action : actions)
      spdlog::info("{} {}{}", to_string(action.kind), action.kind == Action::Kind::pull ? action.image : action.name,
                   action.reason.empty() ? "" : " (" + action.reason + ")");
    for (const auto& c : plan.containers) {
      describe(progress_view[c.name], c);
    }
    report = co_await execute(engine_, actions, [this, &progress_view](const std::string& name, std::string state, std::string message) {
      auto it = progress_view.find(name);
      if (it == progress_view.end()) return;
      it->second.state = std::move(state);
      it->second.message = std::move(message);
      publish(progress_view);
    });
    for (const auto& draft : action_events(actions, report, status_)) record(draft);
  }
  const bool restarted = co_await restart_failed_liveness();
  if (!actions.empty() || restarted) {
    actual = co_await engine_.list(ours);
    if (!actual) actual = std::vector<ContainerInfo>{};
    co_await supervise(plan.containers, *actual);
  }

  std::map<std::string, const ContainerInfo*> by_name;
  for (const auto& c : *actual) by_name[c.name] = &c;
  for (const auto& c : plan.containers) {
    ContainerStatus s;
    describe(s, c);
    auto outcome = report.outcomes.find(c.name);
    auto found = by_name.find(c.name);
    if (outcome != report.outcomes.end() && !outcome->second) {
      s.state = "error";
      s.message = outcome->second.error().message;
    } else if (found == by_name.end()) {
      s.state = "pending";
    } else {
      const ContainerInfo& info = *found->second;
      s.container_id = info.id;
      s.exit_code = info.exit_code;
      if (info.state == "running") s.state = "running";
      else if (info.state == "exited" || info.state == "dead") {
        s.state = "exited";
        s.message = info.error;
      } else s.state = "creating";
      s.health = supervisor_.status(c.name, clock_.now());
    }
    next[c.name] = s;
  }
  publish(std::move(next));
}

asio::awaitable<void> AgentRuntime::supervise(const std::vector<PlannedContainer>& plan,
                                              const std::vector<ContainerInfo>& actual) {
  // What the probe loop's sleep depends on, to wake it only when that changes.
  auto due = [this] { return std::pair{supervisor_.next_due(clock_.now()), supervisor_.any_status_changes_with_time()}; };
  const auto due_before = due();
  for (const auto& exit : supervisor_.observe(plan, actual, clock_.now())) {
    auto lines = co_await engine_.logs(exit.container_id, 20);
    if (!lines) spdlog::warn("{}: cannot read its output: {}", exit.name, lines.error().message);
    spdlog::info("{} exited with code {}", exit.name, exit.exit_code);
    if (auto known = status_.find(exit.name); known != status_.end())
      record(exit_event(known->second, exit.exit_code, lines ? *lines : std::vector<std::string>{}));
    supervisor_.record_exit(exit.name, exit.exit_code, lines ? std::move(*lines) : std::vector<std::string>{},
                            clock_.now());
  }
  if (due() != due_before) look_at_health();  // containers came or went, or exited
}

asio::awaitable<bool> AgentRuntime::restart_failed_liveness() {
  bool restarted = false;
  for (const auto& due : supervisor_.due_restarts(clock_.now())) {
    if (!due.still_running) continue;
    spdlog::warn("restarting {}: {}", due.name, due.reason);
    if (auto known = status_.find(due.name); known != status_.end())
      record({"restarted", "warning", "restarted: " + due.reason, known->second.app, known->second.instance, due.name});
    if (auto stopped = co_await engine_.stop(due.container_id, 10); !stopped)
      spdlog::warn("{}: stop failed: {}", due.name, stopped.error().message);
    if (auto started = co_await engine_.start(due.container_id); !started)
      spdlog::warn("{}: start failed: {}", due.name, started.error().message);
    restarted = true;
  }
  co_return restarted;
}

asio::awaitable<void> AgentRuntime::probe_loop() {
  using namespace std::chrono_literals;
  for (;;) {
    probe_pass();
    const auto now = clock_.now();
    // Sleeps until the next probe or restart falls due, looking again at least every second
    // while one is, or while a health status changes with time alone. With none of these the
    // loop waits for a reconcile pass or a finished probe to wake it (look_at_health): 10,000
    // simulated hosts each waking every second for nothing took a fifth of a core.
    std::optional<TimePoint> next = supervisor_.next_due(now);
    if (!next && supervisor_.any_status_changes_with_time()) next = now + 1s;
    if (next) {
      auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*next - now);
      probe_timer_.expires_after(std::clamp<std::chrono::milliseconds>(delay, 20ms, 1s));
    } else {
      probe_timer_.expires_at(asio::steady_timer::time_point::max());
    }
    auto [ec] = co_await probe_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;
  }
}

void AgentRuntime::probe_pass() {
  const auto now = clock_.now();
  for (auto& probe : supervisor_.start_due_probes(now))
    asio::co_spawn(executor_, run_one_probe(std::move(probe)), asio::detached);
  if (!supervisor_.due_restarts(now).empty()) wake();
  refresh_health(/*time_only=*/true);
}

asio::awaitable<void> AgentRuntime::run_one_probe(DueProbe probe) {
  ProbeResult result = co_await run_probe(engine_, probe.spec, probe.container, probe.ports);
  if (!supervisor_.probe_finished(probe.name, probe.generation, probe.kind, result.ok, result.message, clock_.now()))
    co_return;
  if (!result.ok) spdlog::debug("{} {} probe failed: {}", probe.name, probe_kind_name(probe.kind), result.message);
  if (!supervisor_.due_restarts(clock_.now()).empty()) wake();
  refresh_health(/*time_only=*/false);
  look_at_health();  // when its next run falls due
}

void AgentRuntime::look_at_health() { probe_timer_.cancel(); }

void AgentRuntime::refresh_health(bool time_only) {
  // Runs every second on every host (10,000 times a second in the simulator): a healthy
  // container's health is not built again to find nothing new, and the status is copied only
  // when some container's health did change.
  const auto now = clock_.now();
  std::optional<StatusMap> next;
  for (const auto& [name, s] : status_) {
    if (s.container_id.empty()) continue;
    if (time_only && !supervisor_.status_changes_with_time(name)) continue;
    Json health = supervisor_.status(name, now);
    if (health == s.health) continue;
    if (!next) next = status_;
    (*next)[name].health = std::move(health);
  }
  if (next) publish(std::move(*next));
}

void AgentRuntime::publish(StatusMap next) {
  if (next == status_) return;
  for (const auto& draft : status_events(status_, next)) record(draft);
  for (const auto& draft : readiness_events_.observe(next)) record(draft);
  status_ = std::move(next);
  // An instance is ready when every one of its containers is; its history says since when.
  std::map<std::string, bool> instance_ready;
  for (const auto& [name, s] : status_) {
    if (s.container.empty()) continue;  // a render error, not a container
    const std::string key = s.app + "/" + s.instance;
    const bool ready = s.ready() && s.state == "running";
    auto [it, inserted] = instance_ready.emplace(key, ready);
    if (!inserted) it->second = it->second && ready;
  }
  std::erase_if(readiness_, [&](const auto& entry) { return !instance_ready.contains(entry.first); });
  for (const auto& [key, ready] : instance_ready) readiness_[key].observe(ready, clock_.now());
  if (listener_) listener_();
}

Json AgentRuntime::instances() const {
  Json out = Json::array();
  for (const auto& [name, s] : status_) {
    Json item = {{"app", s.app},         {"version", s.version},   {"service", s.service}, {"instance", s.instance},
                 {"container", s.container}, {"state", s.state},   {"image", s.image},     {"container_id", s.container_id},
                 {"exit_code", s.exit_code}, {"message", s.message}, {"updated_at", unix_seconds(clock_.now())}};
    item["ready"] = s.ready();
    item["restarts"] = s.health.is_object() ? s.health.value("restarts", 0) : 0;
    item["health"] = s.health.is_object() ? s.health.value("state", "pending") : "pending";
    for (const char* key : {"last_probe", "last_exit", "crash_loop", "next_restart_at", "ready_since"})
      if (s.health.is_object() && s.health.contains(key)) item[key] = s.health[key];
    out.push_back(std::move(item));
  }
  return out;
}

Json AgentRuntime::apps() const {
  struct Summary {
    std::string version;
    std::vector<ReadinessHistory> instances;
    int ready = 0;
  };
  std::map<std::string, Summary> by_app;
  std::set<std::string> counted;
  for (const auto& [name, s] : status_) {
    if (s.container.empty()) {
      by_app[s.app];  // a render error: the app is here and not healthy
      continue;
    }
    Summary& summary = by_app[s.app];
    summary.version = s.version;
    const std::string key = s.app + "/" + s.instance;
    if (!counted.insert(key).second) continue;
    auto history = readiness_.find(key);
    summary.instances.push_back(history != readiness_.end() ? history->second : ReadinessHistory{});
    if (summary.instances.back().ready_since()) ++summary.ready;
  }
  Json out = Json::array();
  const auto now = clock_.now();
  for (const auto& [app, summary] : by_app) {
    Json item = {{"app", app},
                 {"version", summary.version},
                 {"instances", summary.instances.size()},
                 {"ready", summary.ready},
                 {"healthy", app_healthy(summary.instances, now)}};
    std::optional<TimePoint> since;
    for (const auto& history : summary.instances)
      if (history.ready_since() && (!since || *history.ready_since() > *since)) since = history.ready_since();
    if (item["healthy"].get<bool>() && since) item["healthy_since"] = unix_seconds(*since);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace outpost::agent

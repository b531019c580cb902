#include "agent/runtime.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <set>

#include "agent/executor.hpp"
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
      wake_(executor) {
  desired_.site = site_;
}

Status AgentRuntime::load_checkpoint() {
  auto loaded = checkpoint_.load();
  if (!loaded) {
    spdlog::error("{}; starting empty and asking the tower for the full desired state", loaded.error().message);
    return std::unexpected(loaded.error());
  }
  if (*loaded && (*loaded)->site != site_) {
    spdlog::warn("checkpoint belongs to site {}, not {}; ignoring it", (*loaded)->site, site_);
  } else if (*loaded) {
    desired_ = std::move(**loaded);
    spdlog::info("checkpoint loaded: revision {} with {} applications", desired_.revision, desired_.live().size());
  }
  return {};
}

Result<std::uint64_t> AgentRuntime::apply_desired(const Json& delta) {
  SiteDesired next = desired_;
  if (auto applied = next.apply_delta(delta); !applied) return std::unexpected(applied.error());
  // Checkpoint before acting: what the agent acknowledges must survive a crash.
  if (auto saved = checkpoint_.save(next); !saved) return std::unexpected(saved.error());
  const bool changed = next.revision != desired_.revision;
  desired_ = std::move(next);
  if (changed) {
    spdlog::info("desired state revision {} checkpointed", desired_.revision);
    wake();
  }
  return desired_.revision;
}

void AgentRuntime::wake() {
  dirty_ = true;
  wake_.cancel();
}

asio::awaitable<void> AgentRuntime::run() {
  for (;;) {
    dirty_ = false;
    co_await reconcile_once();
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
  HostPlan plan = render_host(desired_, host_);
  std::map<std::string, ContainerStatus> next;
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
    for (const auto& c : plan.containers) {
      ContainerStatus s = status_.contains(c.name) ? status_[c.name] : ContainerStatus{};
      describe(s, c);
      s.message = "container engine unavailable: " + actual.error().message;
      next[c.name] = s;
    }
    publish(std::move(next));
    co_return;
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

  auto actions = reconcile(plan.containers, *actual, local_images, site_, host_);
  std::map<std::string, ContainerStatus> progress_view = status_;
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
    actual = co_await engine_.list(ours);
    if (!actual) actual = std::vector<ContainerInfo>{};
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
    }
    next[c.name] = s;
  }
  publish(std::move(next));
}

void AgentRuntime::publish(std::map<std::string, ContainerStatus> next) {
  if (next == status_) return;
  status_ = std::move(next);
  if (listener_) listener_();
}

Json AgentRuntime::instances() const {
  Json out = Json::array();
  for (const auto& [name, s] : status_) {
    Json item = {{"app", s.app},         {"version", s.version},   {"service", s.service}, {"instance", s.instance},
                 {"container", s.container}, {"state", s.state},   {"image", s.image},     {"container_id", s.container_id},
                 {"exit_code", s.exit_code}, {"message", s.message}, {"updated_at", unix_seconds(clock_.now())}};
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace outpost::agent

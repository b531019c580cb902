#include "agent/executor.hpp"

#include <algorithm>

namespace outpost {

using boost::asio::awaitable;

bool ExecutionReport::ok() const {
  return failures() == 0 &&
         std::ranges::all_of(pulls, [](const auto& pull) { return pull.second.has_value(); });
}

std::size_t ExecutionReport::failures() const {
  return static_cast<std::size_t>(
      std::ranges::count_if(outcomes, [](const auto& outcome) { return !outcome.second; }));
}

namespace {

class Run {
 public:
  Run(Engine& engine, ProgressCallback progress) : engine_(engine), progress_(std::move(progress)) {}

  awaitable<void> apply(const Action& action) {
    switch (action.kind) {
      case Action::Kind::remove: co_await remove(action); break;
      case Action::Kind::pull: co_await pull(action); break;
      case Action::Kind::create_and_start: co_await create_and_start(action); break;
      case Action::Kind::start: co_await start(action.name, action.container_id); break;
    }
  }

  void expect_image(const std::string& image, const std::string& container_name) {
    waiting_on_image_[image].push_back(container_name);
  }

  ExecutionReport take_report() { return std::move(report_); }

 private:
  awaitable<void> remove(const Action& action) {
    Status removed = co_await engine_.remove(action.container_id);
    if (!removed) {
      failed_removals_.emplace(action.name, removed.error());
      fail_container(action.name, removed.error());
      co_return;
    }
    record(action.name, Status{});
  }

  awaitable<void> pull(const Action& action) {
    for (const std::string& name : waiting_on_image_[action.image]) notify(name, "pulling", {});
    Status pulled = co_await engine_.pull(action.image);
    if (!pulled) failed_pulls_.emplace(action.image, pulled.error());
    report_.pulls[action.image] = std::move(pulled);
  }

  awaitable<void> create_and_start(const Action& action) {
    if (auto failed = failed_pulls_.find(action.image); failed != failed_pulls_.end()) {
      fail_container(action.name, failed->second);
      co_return;
    }
    // The old container still holds the name (and likely its ports): creating would only fail
    // with a less helpful message. Its error was already reported.
    if (failed_removals_.contains(action.name)) co_return;

    notify(action.name, "creating", {});
    Result<std::string> id = co_await engine_.create(action.planned);
    if (!id) {
      fail_container(action.name, id.error());
      co_return;
    }
    co_await start(action.name, *id);
  }

  awaitable<void> start(const std::string& name, const std::string& id) {
    Status started = co_await engine_.start(id);
    if (!started) {
      fail_container(name, started.error());
      co_return;
    }
    record(name, Status{});
    notify(name, "running", {});
  }

  void fail_container(const std::string& name, const Error& error) {
    record(name, std::unexpected(error));
    notify(name, "error", error.message);
  }

  // The first error a container meets is its outcome; later successes do not hide it.
  void record(const std::string& name, Status status) {
    auto [it, inserted] = report_.outcomes.emplace(name, status);
    if (!inserted && it->second) it->second = std::move(status);
  }

  void notify(const std::string& name, std::string state, std::string message) {
    if (progress_) progress_(name, std::move(state), std::move(message));
  }

  Engine& engine_;
  ProgressCallback progress_;
  ExecutionReport report_;
  std::map<std::string, std::vector<std::string>> waiting_on_image_;
  std::map<std::string, Error> failed_pulls_;
  std::map<std::string, Error> failed_removals_;
};

}  // namespace

awaitable<ExecutionReport> execute(Engine& engine, std::vector<Action> actions,
                                   ProgressCallback progress) {
  Run run(engine, std::move(progress));
  for (const Action& action : actions) {
    if (action.kind == Action::Kind::create_and_start) run.expect_image(action.image, action.name);
  }
  for (const Action& action : actions) co_await run.apply(action);
  co_return run.take_report();
}

}  // namespace outpost

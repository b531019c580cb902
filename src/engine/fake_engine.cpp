#include "engine/fake_engine.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace outpost {

using boost::asio::awaitable;

namespace {

// What real engines report for a container that never started or never finished.
constexpr std::string_view never = "0001-01-01T00:00:00Z";

std::unexpected<Error> unreachable_error() {
  return fail(503, "engine_unreachable", "cannot talk to the container engine (fake): unreachable");
}

std::unexpected<Error> no_such_container(const std::string& id) {
  return not_found(fmt::format("no such container: {}", id));
}

// Addresses in creation order on Podman's default network: 10.88.0.2, 10.88.0.3, … then on into
// 10.88.1.x, so a long simulation never hands out one address twice.
std::string fake_address(std::uint32_t ordinal) {
  return fmt::format("10.88.{}.{}", (ordinal >> 8) & 0xFF, ordinal & 0xFF);
}

bool has_labels(const ContainerInfo& container, const std::map<std::string, std::string>& wanted) {
  for (const auto& [key, value] : wanted) {
    auto it = container.labels.find(key);
    if (it == container.labels.end() || it->second != value) return false;
  }
  return true;
}

}  // namespace

FakeEngine::FakeEngine(const Clock& clock) : clock_(clock) {}

std::string FakeEngine::timestamp() const {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(clock_.now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(seconds));
}

ContainerInfo* FakeEngine::find(const std::string& id) {
  auto it = containers_.find(id);
  return it == containers_.end() ? nullptr : &it->second;
}

awaitable<Result<std::vector<ContainerInfo>>> FakeEngine::list(
    std::map<std::string, std::string> label_filter) {
  ++calls_.list;
  if (unreachable_) co_return unreachable_error();
  std::vector<ContainerInfo> result;
  for (const auto& [id, container] : containers_) {
    if (has_labels(container, label_filter)) result.push_back(container);
  }
  co_return result;
}

awaitable<Result<bool>> FakeEngine::has_image(std::string image) {
  ++calls_.has_image;
  if (unreachable_) co_return unreachable_error();
  co_return images_.contains(image);
}

awaitable<Status> FakeEngine::pull(std::string image) {
  ++calls_.pull;
  if (unreachable_) co_return unreachable_error();
  if (auto it = pull_failures_.find(image); it != pull_failures_.end()) {
    co_return fail(502, "engine", fmt::format("pulling {} failed: {}", image, it->second));
  }
  images_.insert(std::move(image));
  co_return Status{};
}

awaitable<Result<std::string>> FakeEngine::create(PlannedContainer spec) {
  ++calls_.create;
  if (unreachable_) co_return unreachable_error();
  for (const std::string* key : {&spec.name, &spec.image}) {
    if (auto it = create_failures_.find(*key); it != create_failures_.end()) {
      co_return fail(500, "engine", it->second);
    }
  }
  if (!images_.contains(spec.image)) {
    co_return not_found(fmt::format("no such image: {}", spec.image));
  }
  if (ids_by_name_.contains(spec.name)) {
    co_return fail(409, "engine", fmt::format("the container name \"{}\" is already in use", spec.name));
  }
  ContainerInfo container;
  container.id = fmt::format("fake-{}", next_id_++);
  container.name = spec.name;
  container.image = spec.image;
  container.state = "created";
  container.started_at = never;
  container.finished_at = never;
  container.labels = owned_labels(spec);
  container.ip_address = fake_address(next_address_++);
  ids_by_name_.emplace(container.name, container.id);
  std::string id = container.id;
  containers_.emplace(id, std::move(container));
  note_change();
  co_return id;
}

awaitable<Status> FakeEngine::start(std::string id) {
  ++calls_.start;
  if (unreachable_) co_return unreachable_error();
  ContainerInfo* container = find(id);
  if (!container) co_return no_such_container(id);
  if (container->state == "running") co_return Status{};
  note_change();
  const auto failure = start_failures_.find(container->name);
  if (failure != start_failures_.end() || every_start_failure_) {
    const std::string message = failure != start_failures_.end() ? failure->second : *every_start_failure_;
    container->state = "exited";
    container->exit_code = 127;
    container->error = message;
    co_return fail(500, "engine", message);
  }
  container->state = "running";
  container->exit_code = 0;
  container->error.clear();
  container->started_at = timestamp();
  container->finished_at = never;
  co_return Status{};
}

awaitable<Status> FakeEngine::stop(std::string id, int /*timeout_seconds*/) {
  ++calls_.stop;
  if (unreachable_) co_return unreachable_error();
  ContainerInfo* container = find(id);
  if (!container) co_return no_such_container(id);
  if (container->state != "running") co_return Status{};
  note_change();
  container->state = "exited";
  container->exit_code = 143;  // ended by SIGTERM, as a well-behaved process would
  container->finished_at = timestamp();
  co_return Status{};
}

awaitable<Status> FakeEngine::remove(std::string id) {
  ++calls_.remove;
  if (unreachable_) co_return unreachable_error();
  auto it = containers_.find(id);
  if (it == containers_.end()) co_return Status{};
  if (auto failure = remove_failures_.find(it->second.name); failure != remove_failures_.end()) {
    co_return fail(500, "engine", failure->second);
  }
  ids_by_name_.erase(it->second.name);
  containers_.erase(it);
  note_change();
  co_return Status{};
}

awaitable<Result<ContainerInfo>> FakeEngine::inspect(std::string id) {
  ++calls_.inspect;
  if (unreachable_) co_return unreachable_error();
  const ContainerInfo* container = find(id);
  if (!container) co_return no_such_container(id);
  co_return *container;
}

awaitable<Result<ExecResult>> FakeEngine::exec(std::string id, std::vector<std::string> command,
                                               std::chrono::milliseconds /*timeout*/) {
  ++calls_.exec;
  if (unreachable_) co_return unreachable_error();
  const ContainerInfo* container = find(id);
  if (!container) co_return no_such_container(id);
  if (container->state != "running") {
    co_return conflict(fmt::format("container {} is not running", container->name));
  }
  Result<ExecResult> result = ExecResult{};
  if (auto it = exec_results_.find(container->name); it != exec_results_.end()) {
    result = it->second;
  } else if (exec_handler_) {
    result = exec_handler_(container->name, command);
  }
  if (result) result->output = output_tail(result->output);
  co_return result;
}

awaitable<Result<std::vector<std::string>>> FakeEngine::logs(std::string id, int tail_lines) {
  ++calls_.logs;
  if (unreachable_) co_return unreachable_error();
  if (tail_lines < 0) co_return invalid("tail_lines", "the number of log lines cannot be negative");
  const ContainerInfo* container = find(id);
  if (!container) co_return no_such_container(id);
  auto it = logs_.find(container->name);
  if (it == logs_.end()) co_return std::vector<std::string>{};
  const std::vector<std::string>& lines = it->second;
  const std::size_t kept = std::min(lines.size(), static_cast<std::size_t>(tail_lines));
  co_return std::vector<std::string>(lines.end() - static_cast<std::ptrdiff_t>(kept), lines.end());
}

void FakeEngine::add_image(std::string image) { images_.insert(std::move(image)); }

void FakeEngine::set_pull_failure(std::string image, std::string message) {
  pull_failures_[std::move(image)] = std::move(message);
}
void FakeEngine::clear_pull_failure(const std::string& image) { pull_failures_.erase(image); }

void FakeEngine::set_create_failure(std::string name_or_image, std::string message) {
  create_failures_[std::move(name_or_image)] = std::move(message);
}
void FakeEngine::clear_create_failure(const std::string& name_or_image) {
  create_failures_.erase(name_or_image);
}

void FakeEngine::set_start_failure(std::string name, std::string message) {
  start_failures_[std::move(name)] = std::move(message);
}
void FakeEngine::clear_start_failure(const std::string& name) { start_failures_.erase(name); }

void FakeEngine::set_remove_failure(std::string name, std::string message) {
  remove_failures_[std::move(name)] = std::move(message);
}
void FakeEngine::clear_remove_failure(const std::string& name) { remove_failures_.erase(name); }

void FakeEngine::set_exec_result(std::string name, ExecResult result) {
  exec_results_[std::move(name)] = std::move(result);
}
void FakeEngine::clear_exec_result(const std::string& name) { exec_results_.erase(name); }

void FakeEngine::set_logs(std::string name, std::vector<std::string> lines) {
  logs_[std::move(name)] = std::move(lines);
}

bool FakeEngine::crash(const std::string& id, int exit_code) {
  ContainerInfo* container = find(id);
  if (!container) return false;
  container->state = "exited";
  container->exit_code = exit_code;
  container->finished_at = timestamp();
  note_change();
  return true;
}

std::string FakeEngine::add_container(ContainerInfo container) {
  if (container.id.empty()) container.id = fmt::format("fake-{}", next_id_++);
  if (container.state.empty()) container.state = "created";
  ids_by_name_[container.name] = container.id;
  std::string id = container.id;
  containers_[id] = std::move(container);
  note_change();
  return id;
}

std::vector<ContainerInfo> FakeEngine::containers() const {
  std::vector<ContainerInfo> result;
  result.reserve(containers_.size());
  for (const auto& [id, container] : containers_) result.push_back(container);
  return result;
}

std::optional<ContainerInfo> FakeEngine::find_by_name(const std::string& name) const {
  auto by_name = ids_by_name_.find(name);
  if (by_name == ids_by_name_.end()) return std::nullopt;
  return containers_.at(by_name->second);
}

}  // namespace outpost

#pragma once
// An in-memory Engine for unit tests and `outpost sim`. It behaves like a real engine where the
// agent can tell the difference (unique names, "no such image" on create before a pull, removal
// of a missing container succeeds) and offers knobs to inject failures and crashes. Every call
// completes without suspending, and the state is a few small maps, so a simulator can hold
// thousands of them.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "engine/engine.hpp"

namespace outpost {

class FakeEngine final : public Engine {
 public:
  // How often each operation was called, to assert e.g. that nothing was restarted.
  struct CallCounts {
    int list = 0;
    int has_image = 0;
    int pull = 0;
    int create = 0;
    int start = 0;
    int stop = 0;
    int remove = 0;
    int inspect = 0;
    int exec = 0;
    int logs = 0;
    bool operator==(const CallCounts&) const = default;
  };

  // Decides what a command run in the container named `name` returns.
  using ExecHandler = std::function<Result<ExecResult>(const std::string& name,
                                                       const std::vector<std::string>& command)>;

  explicit FakeEngine(const Clock& clock);

  boost::asio::awaitable<Result<std::vector<ContainerInfo>>> list(
      std::map<std::string, std::string> label_filter) override;
  boost::asio::awaitable<Result<bool>> has_image(std::string image) override;
  boost::asio::awaitable<Status> pull(std::string image) override;
  boost::asio::awaitable<Result<std::string>> create(PlannedContainer spec) override;
  boost::asio::awaitable<Status> start(std::string id) override;
  boost::asio::awaitable<Status> stop(std::string id, int timeout_seconds) override;
  boost::asio::awaitable<Status> remove(std::string id) override;
  boost::asio::awaitable<Result<ContainerInfo>> inspect(std::string id) override;
  // Ignores `timeout`: a handler that wants a timeout returns that error itself.
  boost::asio::awaitable<Result<ExecResult>> exec(std::string id, std::vector<std::string> command,
                                                  std::chrono::milliseconds timeout) override;
  boost::asio::awaitable<Result<std::vector<std::string>>> logs(std::string id,
                                                                int tail_lines) override;

  // --- knobs ---
  void add_image(std::string image);
  // Every pull of `image` fails with `message` until cleared.
  void set_pull_failure(std::string image, std::string message);
  void clear_pull_failure(const std::string& image);
  // Every create whose container name or image equals `name_or_image` fails until cleared.
  void set_create_failure(std::string name_or_image, std::string message);
  void clear_create_failure(const std::string& name_or_image);
  // Every start of the container named `name` fails until cleared; like a real engine, the
  // container is left "exited" with the message as its error.
  void set_start_failure(std::string name, std::string message);
  void clear_start_failure(const std::string& name);
  // Every start of any container fails with `message` (a broken host); nullopt clears it.
  void fail_every_start(std::optional<std::string> message) { every_start_failure_ = std::move(message); }
  // Every removal of the container named `name` fails until cleared (e.g. "device busy").
  void set_remove_failure(std::string name, std::string message);
  void clear_remove_failure(const std::string& name);
  // While unreachable, every call fails with "engine_unreachable" (an engine restart or outage).
  void set_unreachable(bool unreachable) { unreachable_ = unreachable; }
  // The container's process ends with `exit_code`: it becomes "exited" with its finish time
  // from the clock. False if no such id.
  bool crash(const std::string& id, int exit_code);
  // Every exec in the container named `name`, whatever the command, returns `result` until
  // cleared. It takes precedence over the handler.
  void set_exec_result(std::string name, ExecResult result);
  void clear_exec_result(const std::string& name);
  // Decides the execs no set_exec_result covers; an empty function removes it. With neither, a
  // command exits 0 and prints nothing.
  void set_exec_handler(ExecHandler handler) { exec_handler_ = std::move(handler); }
  // Everything the container named `name` has printed so far, oldest first.
  void set_logs(std::string name, std::vector<std::string> lines);
  // Puts a container into the engine as if someone else had created it (foreign containers,
  // state left from before an agent restart). An empty id gets a fresh "fake-N" id; the
  // ip_address is kept as given.
  std::string add_container(ContainerInfo container);

  // --- observation (synchronous, for tests and the simulator) ---
  const std::set<std::string>& images() const { return images_; }
  std::vector<ContainerInfo> containers() const;
  std::optional<ContainerInfo> find_by_name(const std::string& name) const;
  const CallCounts& calls() const { return calls_; }
  // Moves whenever a container is created, started, stopped, removed or crashes, so an observer
  // can tell cheaply whether anything changed since it last looked.
  std::uint64_t changes() const { return changes_; }
  // The clock's time at the last of those changes.
  Clock::time_point changed_at() const { return changed_at_; }
  void reset_calls() { calls_ = {}; }

 private:
  std::string timestamp() const;
  ContainerInfo* find(const std::string& id);

  const Clock& clock_;
  std::uint64_t next_id_ = 1;
  std::uint32_t next_address_ = 2;  // 10.88.0.1 is the fake network's gateway, as in Podman's
  bool unreachable_ = false;
  std::map<std::string, ContainerInfo> containers_;  // by id
  std::map<std::string, std::string> ids_by_name_;
  std::set<std::string> images_;
  std::map<std::string, std::string> pull_failures_;
  std::map<std::string, std::string> create_failures_;
  std::map<std::string, std::string> start_failures_;
  std::map<std::string, std::string> remove_failures_;
  std::map<std::string, ExecResult> exec_results_;
  ExecHandler exec_handler_;
  std::map<std::string, std::vector<std::string>> logs_;
  std::optional<std::string> every_start_failure_;
  CallCounts calls_;
  std::uint64_t changes_ = 0;
  Clock::time_point changed_at_{};
  void note_change() {
    ++changes_;
    changed_at_ = clock_.now();
  }
};

}  // namespace outpost

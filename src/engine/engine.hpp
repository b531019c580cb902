#pragma once
// The agent's view of a container engine: the subset of the Docker-compatible Engine API that
// Outpost needs. DockerEngine speaks it over a unix socket (Podman or Docker); FakeEngine serves
// unit tests and the simulator. All calls are coroutines on the agent's io_context.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "model/render.hpp"

namespace outpost {

struct ContainerInfo {
  std::string id;
  std::string name;  // without the leading '/'
  std::string image;
  std::string state;  // created | running | paused | restarting | exited | dead | removing
  int exit_code = 0;
  std::string started_at;   // engine timestamp text, as reported
  std::string finished_at;
  std::string error;        // engine's error for the last start, if any
  std::map<std::string, std::string> labels;
  // IPv4 address on the container's first network (probes reach it there); empty if none.
  std::string ip_address;
};

// What a command run inside a container printed and how it ended.
struct ExecResult {
  int exit_code = 0;
  std::string output;  // stdout and stderr interleaved; only the last exec_output_limit bytes
  bool operator==(const ExecResult&) const = default;
};

// A probe only needs the end of what a command printed; a chatty command must not make the
// agent hold megabytes per call.
inline constexpr std::size_t exec_output_limit = 64 * 1024;

// The last `limit` bytes of `output`, moved forward past any UTF-8 continuation bytes so the
// cut never splits a character (the output ends up in JSON).
std::string output_tail(std::string_view output, std::size_t limit = exec_output_limit);

// The labels a container created from `planned` carries: its ownership labels, with the spec hash
// always present because the reconciler compares it to decide on replacement.
std::map<std::string, std::string> owned_labels(const PlannedContainer& planned);

// The value of one of the container's labels, empty when it has none.
std::string label_of(const ContainerInfo& container, std::string_view key);

class Engine {
 public:
  virtual ~Engine() = default;

  // Containers whose labels include every pair in `label_filter` (all states).
  virtual boost::asio::awaitable<Result<std::vector<ContainerInfo>>> list(
      std::map<std::string, std::string> label_filter) = 0;
  virtual boost::asio::awaitable<Result<bool>> has_image(std::string image) = 0;
  // Pulls from the image's registry; the error carries the engine's message.
  virtual boost::asio::awaitable<Status> pull(std::string image) = 0;
  // Creates (not starts) the container; returns its id.
  virtual boost::asio::awaitable<Result<std::string>> create(PlannedContainer spec) = 0;
  virtual boost::asio::awaitable<Status> start(std::string id) = 0;
  virtual boost::asio::awaitable<Status> stop(std::string id, int timeout_seconds) = 0;
  // Force-removes (stopping if needed). Removing a missing container is not an error.
  virtual boost::asio::awaitable<Status> remove(std::string id) = 0;
  virtual boost::asio::awaitable<Result<ContainerInfo>> inspect(std::string id) = 0;
  // Runs `command` (argv, no shell) inside the running container and waits at most `timeout`
  // for it to finish. Timeout → 504 "timeout" ("… timed out after Ns"); a container that is not
  // running → 409 "conflict" with the engine's message. A timed-out command is not killed: the
  // Engine API has no way to, so it ends with its container.
  virtual boost::asio::awaitable<Result<ExecResult>> exec(std::string id,
                                                          std::vector<std::string> command,
                                                          std::chrono::milliseconds timeout) = 0;
  // The last `tail_lines` lines of the container's stdout and stderr, oldest first, without
  // line terminators. A negative count is 422 "invalid" on field "tail_lines".
  virtual boost::asio::awaitable<Result<std::vector<std::string>>> logs(std::string id,
                                                                        int tail_lines) = 0;
};

}  // namespace outpost

#pragma once
// The agent's view of a container engine: the subset of the Docker-compatible Engine API that
// Outpost needs. DockerEngine speaks it over a unix socket (Podman or Docker); FakeEngine serves
// unit tests and the simulator. All calls are coroutines on the agent's io_context.
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <map>
#include <string>
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
};

// The labels a container created from `planned` carries: its ownership labels, with the spec hash
// always present because the reconciler compares it to decide on replacement.
std::map<std::string, std::string> owned_labels(const PlannedContainer& planned);

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
};

}  // namespace outpost

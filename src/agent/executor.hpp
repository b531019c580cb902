#pragma once
// Applies the reconciler's actions to an engine, in order. Failures are contained: a failed pull
// fails (and skips) only the creates of that image, a failed removal only the re-creation under
// the same name; everything unrelated still runs.
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "agent/reconciler.hpp"
#include "common/result.hpp"
#include "engine/engine.hpp"

namespace outpost {

// Per container, as work proceeds: "pulling" (its image is being pulled), "creating",
// "running" (started), or "error" with the reason in `message`; empty message otherwise.
using ProgressCallback =
    std::function<void(const std::string& container_name, std::string state, std::string message)>;

struct ExecutionReport {
  // Per container name touched by any action: ok, or the first error met on its way.
  std::map<std::string, Status> outcomes;
  // Per image pulled: ok or the engine's error.
  std::map<std::string, Status> pulls;

  bool ok() const;
  std::size_t failures() const;  // containers whose outcome is an error
};

// `actions` is taken by value so a spawned execution never outlives what it works on.
// `progress` may be empty.
boost::asio::awaitable<ExecutionReport> execute(Engine& engine, std::vector<Action> actions,
                                                ProgressCallback progress);

}  // namespace outpost

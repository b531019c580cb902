#pragma once
// Typed form of a container's `probes` as the tower validated them (model/application_parts),
// so the agent's health logic never re-reads JSON. Defaults are those the spec documents.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/json.hpp"
#include "common/result.hpp"

namespace outpost::agent {

enum class ProbeKind { startup, readiness, liveness };
inline constexpr ProbeKind all_probe_kinds[] = {ProbeKind::startup, ProbeKind::readiness, ProbeKind::liveness};
std::string_view probe_kind_name(ProbeKind kind);

struct HttpCheck {
  std::string path = "/";
  int port = 0;
  // Sent with every request; the tower validated the names and values.
  std::vector<std::pair<std::string, std::string>> headers;
  // The status codes that count as healthy; the spec's default is any 2xx or 3xx.
  int status_min = 200;
  int status_max = 399;
};

struct TcpCheck {
  int port = 0;
};

struct ExecCheck {
  std::vector<std::string> command;  // argv, run inside the container
};

struct ProbeSpec {
  std::variant<HttpCheck, TcpCheck, ExecCheck> check;
  std::chrono::milliseconds initial_delay{0};
  std::chrono::milliseconds period{std::chrono::seconds{10}};
  std::chrono::milliseconds timeout{std::chrono::seconds{1}};
  int success_threshold = 1;
  int failure_threshold = 3;
};

struct ProbeSet {
  std::optional<ProbeSpec> startup;
  std::optional<ProbeSpec> readiness;
  std::optional<ProbeSpec> liveness;

  const std::optional<ProbeSpec>& get(ProbeKind kind) const;
};

enum class RestartPolicy { always, on_failure, never };

// Reads the validated `probes` object. Ports must be resolved numbers by now: a ${VAR} left in
// one means the spec was not rendered for this host, which is reported rather than guessed.
Result<ProbeSet> parse_probe_set(const Json& probes, const std::string& field = "probes");

// "always" | "on-failure" | "never"; empty means "always", the spec's default.
Result<RestartPolicy> parse_restart_policy(std::string_view text, const std::string& field = "restart");

}  // namespace outpost::agent

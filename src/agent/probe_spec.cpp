#include "agent/probe_spec.hpp"

#include <charconv>

#include "common/duration.hpp"
#include "model/application_parts.hpp"

namespace outpost::agent {
namespace {

std::string join(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

Result<int> read_port(const Json& check, const std::string& field) {
  const std::string port_field = join(field, "port");
  auto it = check.find("port");
  if (it == check.end()) return invalid(port_field, "is required");
  if (it->is_number_integer()) {
    auto port = it->get<std::int64_t>();
    if (port >= 1 && port <= 65535) return static_cast<int>(port);
  } else if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    int port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec == std::errc{} && end == text.data() + text.size() && port >= 1 && port <= 65535) return port;
    return invalid(port_field, "must be a resolved port number, got \"" + text + "\"");
  }
  return invalid(port_field, "must be a port number from 1 to 65535");
}

Result<std::chrono::milliseconds> read_duration(const Json& probe, std::string_view key,
                                                std::chrono::milliseconds fallback, const std::string& field) {
  auto it = probe.find(key);
  if (it == probe.end() || it->is_null()) return fallback;
  const std::string key_field = join(field, key);
  // A bare number is seconds, as everywhere else in specs.
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0) return std::chrono::seconds{it->get<std::int64_t>()};
  if (it->is_string()) return parse_duration(it->get_ref<const std::string&>(), key_field);
  return invalid(key_field, "must be a duration such as 30s or 10m");
}

Result<int> read_threshold(const Json& probe, std::string_view key, int fallback, const std::string& field) {
  auto it = probe.find(key);
  if (it == probe.end() || it->is_null()) return fallback;
  if (it->is_number_integer() && it->get<std::int64_t>() >= 1 && it->get<std::int64_t>() <= 1000)
    return static_cast<int>(it->get<std::int64_t>());
  return invalid(join(field, key), "must be an integer from 1 to 1000");
}

Result<std::variant<HttpCheck, TcpCheck, ExecCheck>> read_check(const Json& probe, const std::string& field) {
  if (auto http = probe.find("http"); http != probe.end() && http->is_object()) {
    const std::string http_field = join(field, "http");
    auto port = read_port(*http, http_field);
    if (!port) return std::unexpected(port.error());
    HttpCheck check;
    check.port = *port;
    check.path = string_or(*http, "path", "/");
    if (auto headers = http->find("headers"); headers != http->end() && headers->is_object())
      for (const auto& [name, value] : headers->items())
        if (value.is_string()) check.headers.emplace_back(name, value.get<std::string>());
    auto range = spec::parse_status_range(string_or(*http, "status", "200-399"), join(http_field, "status"));
    if (!range) return std::unexpected(range.error());
    const auto [low, high] = *range;
    check.status_min = low;
    check.status_max = high;
    return check;
  }
  if (auto tcp = probe.find("tcp"); tcp != probe.end() && tcp->is_object()) {
    auto port = read_port(*tcp, join(field, "tcp"));
    if (!port) return std::unexpected(port.error());
    return TcpCheck{*port};
  }
  if (auto exec = probe.find("exec"); exec != probe.end() && exec->is_object()) {
    const std::string command_field = join(join(field, "exec"), "command");
    auto command = exec->find("command");
    if (command == exec->end() || !command->is_array() || command->empty())
      return invalid(command_field, "must be a non-empty list of strings");
    ExecCheck check;
    for (const Json& word : *command) {
      if (!word.is_string()) return invalid(command_field, "must be a non-empty list of strings");
      check.command.push_back(word.get<std::string>());
    }
    return check;
  }
  return invalid(field, "needs exactly one of http, tcp or exec");
}

Result<ProbeSpec> read_probe(const Json& probe, const std::string& field) {
  if (!probe.is_object()) return invalid(field, "must be an object");
  ProbeSpec spec;
  auto check = read_check(probe, field);
  if (!check) return std::unexpected(check.error());
  spec.check = std::move(*check);
  auto initial_delay = read_duration(probe, "initial-delay", spec.initial_delay, field);
  if (!initial_delay) return std::unexpected(initial_delay.error());
  auto period = read_duration(probe, "period", spec.period, field);
  if (!period) return std::unexpected(period.error());
  if (*period <= std::chrono::milliseconds::zero()) return invalid(join(field, "period"), "must be positive");
  auto timeout = read_duration(probe, "timeout", spec.timeout, field);
  if (!timeout) return std::unexpected(timeout.error());
  auto success = read_threshold(probe, "success-threshold", spec.success_threshold, field);
  if (!success) return std::unexpected(success.error());
  auto failure = read_threshold(probe, "failure-threshold", spec.failure_threshold, field);
  if (!failure) return std::unexpected(failure.error());
  spec.initial_delay = *initial_delay;
  spec.period = *period;
  spec.timeout = *timeout;
  spec.success_threshold = *success;
  spec.failure_threshold = *failure;
  return spec;
}

}  // namespace

std::string_view probe_kind_name(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::startup: return "startup";
    case ProbeKind::readiness: return "readiness";
    case ProbeKind::liveness: return "liveness";
  }
  return "unknown";
}

const std::optional<ProbeSpec>& ProbeSet::get(ProbeKind kind) const {
  switch (kind) {
    case ProbeKind::startup: return startup;
    case ProbeKind::readiness: return readiness;
    case ProbeKind::liveness: break;
  }
  return liveness;
}

Result<ProbeSet> parse_probe_set(const Json& probes, const std::string& field) {
  ProbeSet set;
  if (probes.is_null()) return set;
  if (!probes.is_object()) return invalid(field, "must be an object");
  for (ProbeKind kind : all_probe_kinds) {
    auto it = probes.find(probe_kind_name(kind));
    if (it == probes.end() || it->is_null()) continue;
    auto spec = read_probe(*it, join(field, probe_kind_name(kind)));
    if (!spec) return std::unexpected(spec.error());
    if (kind == ProbeKind::startup) set.startup = std::move(*spec);
    if (kind == ProbeKind::readiness) set.readiness = std::move(*spec);
    if (kind == ProbeKind::liveness) set.liveness = std::move(*spec);
  }
  return set;
}

Result<RestartPolicy> parse_restart_policy(std::string_view text, const std::string& field) {
  if (text.empty() || text == "always") return RestartPolicy::always;
  if (text == "on-failure") return RestartPolicy::on_failure;
  if (text == "never") return RestartPolicy::never;
  return invalid(field, "must be one of always, on-failure, never, got \"" + std::string(text) + "\"");
}

}  // namespace outpost::agent

#include "agent/agent_options.hpp"

namespace outpost::agent {

void add_agent_options(CLI::App& command, AgentOptions& options) {
  command.add_option("--tower", options.tower_url, "Tower URL https://HOST:PORT (needed to enroll)");
  command.add_option("--join", options.join_token, "Join token (first start only)");
  command.add_option("--data", options.data_dir, "Data directory (certificate, checkpoint)")->required();
  command.add_option("--engine", options.engine, "Container engine socket, unix:///PATH")->capture_default_str();
  command.add_option("--host", options.host_name, "Host name (default: this machine's)");
  command.add_option("--session-timeout", options.session_timeout,
                     "Give up a tower session after this many seconds without traffic; pings go out at half of it")
      ->check(CLI::Range(2, 3600))
      ->capture_default_str();
  command.add_option("--event-buffer", options.event_buffer,
                     "Events kept for the tower while it is unreachable; the oldest are dropped beyond this")
      ->check(CLI::Range(10, 100000))
      ->capture_default_str();
  command.add_option("--log-level", options.log_level, "Log level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
}

}  // namespace outpost::agent

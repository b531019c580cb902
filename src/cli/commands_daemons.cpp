#include <memory>

#include "cli/commands.hpp"

namespace outpost::cli {
namespace {

const std::vector<std::string> kLogLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};

void add_tower(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  auto options = std::make_shared<tower::TowerOptions>();
  auto* command = app.add_subcommand("tower", "Run the control plane (REST API, store, rollouts, site sessions)");
  command->add_option("--data", options->data_dir, "Data directory (store, PKI, admin token)")->required();
  command->add_option("--listen", options->listen, "HOST:PORT to serve HTTPS on")->capture_default_str();
  command->add_option("--advertise", options->advertise,
                      "Extra names/addresses for the server certificate (comma separated)");
  command
      ->add_option_function<unsigned>(
          "--session-timeout",
          [options](unsigned seconds) { options->session_timeout = std::chrono::seconds(seconds); },
          "Drop an agent session after this long without any traffic; pings are sent at half of it")
      ->check(CLI::Range(2, 3600))
      ->default_str(std::to_string(options->session_timeout.count()));
  command->add_option("--log-level", options->log_level, "Log level")
      ->check(CLI::IsMember(kLogLevels))
      ->capture_default_str();
  verbs.push_back({command, [&invocation, options] { return invocation.environment.run_tower(*options); }});
}

void add_agent(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  auto options = std::make_shared<agent::AgentOptions>();
  auto* command = app.add_subcommand("agent", "Run the agent of an edge host");
  command->add_option("--tower", options->tower_url, "Tower URL https://HOST:PORT (needed to enroll)");
  command->add_option("--join", options->join_token, "Join token (first start only)");
  command->add_option("--data", options->data_dir, "Data directory (certificate, checkpoint)")->required();
  command->add_option("--engine", options->engine, "Container engine socket, unix:///PATH")->capture_default_str();
  command->add_option("--host", options->host_name, "Host name (default: this machine's)");
  command->add_option("--session-timeout", options->session_timeout,
                      "Give up a tower session after this many seconds without traffic; pings go out at half of it")
      ->check(CLI::Range(2, 3600))
      ->capture_default_str();
  command->add_option("--event-buffer", options->event_buffer,
                      "Events kept for the tower while it is unreachable; the oldest are dropped beyond this")
      ->check(CLI::Range(10, 100000))
      ->capture_default_str();
  command->add_option("--log-level", options->log_level, "Log level")
      ->check(CLI::IsMember(kLogLevels))
      ->capture_default_str();
  verbs.push_back({command, [&invocation, options] { return invocation.environment.run_agent(*options); }});
}

}  // namespace

void add_daemon_commands(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  add_tower(app, invocation, verbs);
  add_agent(app, invocation, verbs);
}

}  // namespace outpost::cli

#include <memory>

#include "agent/agent_options.hpp"
#include "cli/commands.hpp"
#include "common/process_limits.hpp"

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
  options->handshake_threads = available_cores();
  command->add_option("--handshake-threads", options->handshake_threads,
                      "Threads for TLS handshakes (0: on the one thread that runs everything else)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  command->add_option("--log-level", options->log_level, "Log level")
      ->check(CLI::IsMember(kLogLevels))
      ->capture_default_str();
  verbs.push_back({command, [&invocation, options] { return invocation.environment.run_tower(*options); }});
}

void add_agent(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  auto options = std::make_shared<agent::AgentOptions>();
  auto* command = app.add_subcommand("agent", "Run the agent of an edge host");
  agent::add_agent_options(*command, *options);
  verbs.push_back({command, [&invocation, options] { return invocation.environment.run_agent(*options); }});
}

}  // namespace

void add_daemon_commands(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  add_tower(app, invocation, verbs);
  add_agent(app, invocation, verbs);
}

}  // namespace outpost::cli

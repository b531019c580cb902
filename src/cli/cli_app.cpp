#include <algorithm>
#include <exception>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/environment.hpp"

namespace outpost::cli {
namespace {

int run_parsed(const std::vector<std::string>& arguments, Environment& environment) {
  CLI::App app{"Outpost: run container applications on many edge sites from one tower", "outpost"};
  app.require_subcommand(1);
  // Subcommands hand options they do not know to the top level, so -o works after any verb.
  app.fallthrough();
  Invocation invocation{environment};
  app.add_option("-o,--output", invocation.output, "Output format: table, json or yaml")
      ->check(CLI::IsMember({"table", "json", "yaml"}))
      ->capture_default_str();

  Verbs verbs;
  add_daemon_commands(app, invocation, verbs);
  add_login_command(app, invocation, verbs);
  add_apply_command(app, invocation, verbs);
  add_get_command(app, invocation, verbs);
  add_describe_command(app, invocation, verbs);
  add_delete_command(app, invocation, verbs);
  add_sites_commands(app, invocation, verbs);
  add_rollout_commands(app, invocation, verbs);
  add_events_command(app, invocation, verbs);
  add_sim_command(app, invocation, verbs);

  // CLI11 takes its argument list in reverse order.
  std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error, environment.out, environment.err);
    return code == 0 ? kExitOk : kExitUserError;  // help and version are successes
  }
  for (const auto& verb : verbs) {
    if (verb.command->parsed()) return verb.run();
  }
  environment.err << "error: no command given (see outpost --help)\n";
  return kExitUserError;
}

}  // namespace

int run_cli(const std::vector<std::string>& arguments, Environment& environment) {
  // The last line of defence: a library that throws must still end in a message, not a crash.
  try {
    return run_parsed(arguments, environment);
  } catch (const std::exception& error) {
    environment.err << "error: " << error.what() << '\n';
  } catch (...) {
    environment.err << "error: unexpected failure\n";
  }
  return kExitUserError;
}

}  // namespace outpost::cli

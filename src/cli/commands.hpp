#pragma once
// Shared plumbing of the verbs. Each commands_*.cpp adds its subcommands to the one CLI11 App and
// registers what to run when one of them is chosen; run_cli() parses and runs the chosen one.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "cli/api_client.hpp"
#include "cli/environment.hpp"
#include "cli/output.hpp"
#include "common/result.hpp"

namespace outpost::cli {

struct Invocation {
  Environment& environment;
  std::string output = "table";  // the global -o/--output
};

struct Verb {
  CLI::App* command;
  std::function<int()> run;
};
using Verbs = std::vector<Verb>;

void add_daemon_commands(CLI::App& app, Invocation& invocation, Verbs& verbs);  // tower, agent
void add_login_command(CLI::App& app, Invocation& invocation, Verbs& verbs);
void add_apply_command(CLI::App& app, Invocation& invocation, Verbs& verbs);
void add_get_command(CLI::App& app, Invocation& invocation, Verbs& verbs);
void add_describe_command(CLI::App& app, Invocation& invocation, Verbs& verbs);
void add_delete_command(CLI::App& app, Invocation& invocation, Verbs& verbs);
void add_sites_commands(CLI::App& app, Invocation& invocation, Verbs& verbs);
void add_rollout_commands(CLI::App& app, Invocation& invocation, Verbs& verbs);
void add_sim_command(CLI::App& app, Invocation& invocation, Verbs& verbs);
void add_events_command(CLI::App& app, Invocation& invocation, Verbs& verbs);

// What a verb that talks to the tower is given: the logged-in client, the output format and
// the streams.
struct VerbContext {
  const ApiClient& api;
  OutputFormat format;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};
using ClientVerb = std::function<Status(const VerbContext&)>;

// Loads the saved login, connects, runs `verb`, prints any error, returns the exit code.
int run_with_client(Invocation& invocation, const ClientVerb& verb);

// Prints the error (if any) and maps it to the exit code.
int report(Invocation& invocation, const Status& status);

// `get` for one kind; also behind `sites list`.
struct GetArgs {
  std::string kind;
  std::string name;
  std::string selector;
  std::string site;
};
Status get_objects(const VerbContext& context, const GetArgs& args);

}  // namespace outpost::cli

// `outpost rollout status|pause|resume|promote|abort|rollback NAME`: watch and steer the rollout of
// one deployment through /v1/deployments/{name}/rollout.
#include <unistd.h>

#include <array>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "cli/request_target.hpp"
#include "cli/rollout_view.hpp"
#include "common/clock.hpp"
#include "common/duration.hpp"

namespace outpost::cli {
namespace {

struct StatusArgs {
  std::string name;
  bool watch = false;
  std::string interval = "2s";
  std::string timeout = "30m";
  std::size_t events = 10;
};

struct CommandArgs {
  std::string name;
  std::string command;  // promote, pause, resume, abort or rollback
};

std::string rollout_path(const std::string& name) { return path_join("/v1/deployments", name) + "/rollout"; }

// Clearing the screen only makes sense on the terminal itself; a pipe or a file gets separators.
bool writes_to_terminal(const std::ostream& out) {
  return out.rdbuf() == std::cout.rdbuf() && ::isatty(STDOUT_FILENO) == 1;
}

Status show_once(const VerbContext& context, const StatusArgs& args, const Clock& clock) {
  auto rollout = context.api.get(rollout_path(args.name));
  if (!rollout) return std::unexpected(rollout.error());
  if (context.format == OutputFormat::table) {
    context.out << rollout_status_text(*rollout, clock.now(), args.events);
  } else {
    print_document(context.out, *rollout, context.format);
  }
  return {};
}

Status watch(const VerbContext& context, const StatusArgs& args, const Clock& clock) {
  const auto interval = parse_duration(args.interval, "--interval");
  if (!interval) return std::unexpected(interval.error());
  const auto timeout = parse_duration(args.timeout, "--timeout");
  if (!timeout) return std::unexpected(timeout.error());

  const bool terminal = writes_to_terminal(context.out);
  bool first = true;
  const auto show = [&](const Json& rollout) {
    if (context.format == OutputFormat::table) {
      if (terminal) {
        context.out << "\x1b[H\x1b[2J";  // cursor home, clear screen
      } else if (!first) {
        context.out << "---\n";
      }
      context.out << rollout_status_text(rollout, clock.now(), args.events);
    } else {
      // Consecutive YAML documents need the marker; JSON documents follow one another as a stream.
      if (!first && context.format == OutputFormat::yaml) context.out << "---\n";
      print_document(context.out, rollout, context.format);
    }
    context.out.flush();
    first = false;
  };
  return watch_rollout(RolloutWatch{
      .name = args.name,
      .interval = *interval,
      .timeout = *timeout,
      .fetch = [&] { return context.api.get(rollout_path(args.name)); },
      .show = show,
      .sleep = [](std::chrono::milliseconds pause) { std::this_thread::sleep_for(pause); },
      .clock = clock,
  });
}

Status rollout_status(const VerbContext& context, const StatusArgs& args) {
  const SystemClock clock;
  return args.watch ? watch(context, args, clock) : show_once(context, args, clock);
}

Status rollout_command(const VerbContext& context, const CommandArgs& args) {
  auto rollout = context.api.send_json("POST", rollout_path(args.name) + "/" + args.command, Json::object());
  if (!rollout) return std::unexpected(rollout.error());
  if (context.format == OutputFormat::table) {
    const std::string phase = rollout_phase(*rollout);
    context.out << "rollout/" << args.name << ": " << (phase.empty() ? "-" : phase) << '\n';
  } else {
    print_document(context.out, *rollout, context.format);
  }
  return {};
}

template <class Args, class Action>
void add_client_verb(Invocation& invocation, Verbs& verbs, CLI::App* command, std::shared_ptr<Args> args,
                     Action action) {
  verbs.push_back({command, [&invocation, args, action] {
                     return run_with_client(invocation,
                                            [args, action](const VerbContext& context) { return action(context, *args); });
                   }});
}

struct CommandHelp {
  const char* name;
  const char* description;
};

constexpr std::array<CommandHelp, 5> kCommands{{
    {"promote", "End the canary early and start the batches"},
    {"pause", "Stop starting new sites; sites already upgrading carry on"},
    {"resume", "Continue a paused rollout, accepting the sites that failed so far"},
    {"abort", "Stop the rollout for good; every site keeps the version it runs"},
    {"rollback", "Send every site back to the previous version"},
}};

}  // namespace

void add_rollout_commands(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  auto* rollout = app.add_subcommand("rollout", "Watch and steer the rollout of a deployment");
  rollout->require_subcommand(1);

  auto status = std::make_shared<StatusArgs>();
  auto* status_command = rollout->add_subcommand("status", "Show a rollout's phase, progress, sites and events");
  status_command->add_option("name", status->name, "Deployment name")->required();
  status_command->add_flag("-w,--watch", status->watch, "Re-show every interval until the rollout ends");
  status_command->add_option("--interval", status->interval, "How often --watch fetches, e.g. 5s")
      ->capture_default_str();
  status_command->add_option("--timeout", status->timeout, "How long --watch waits for the end")
      ->capture_default_str();
  status_command->add_option("--events", status->events, "How many of the newest events to show")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  add_client_verb(invocation, verbs, status_command, status, rollout_status);

  for (const auto& [name, description] : kCommands) {
    auto args = std::make_shared<CommandArgs>();
    args->command = name;
    auto* command = rollout->add_subcommand(name, description);
    command->add_option("name", args->name, "Deployment name")->required();
    add_client_verb(invocation, verbs, command, args, rollout_command);
  }
}

}  // namespace outpost::cli

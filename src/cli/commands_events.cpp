// `outpost events SITE [--host H] [--limit N]`: what the agents of a site reported happening,
// from GET /v1/sites/{site}/events.
#include <memory>

#include "cli/commands.hpp"
#include "cli/events_view.hpp"
#include "cli/request_target.hpp"

namespace outpost::cli {
namespace {

struct EventsArgs {
  std::string site;
  std::string host;
  int limit = 100;
};

Status show_events(const VerbContext& context, const EventsArgs& args) {
  Query query;
  if (!args.host.empty()) query.emplace_back("host", args.host);
  query.emplace_back("limit", std::to_string(args.limit));
  auto body = context.api.get(request_target(path_join("/v1/sites", args.site) + "/events", query));
  if (!body) return std::unexpected(body.error());
  if (context.format == OutputFormat::table) {
    context.out << events_text(*body);
  } else {
    print_document(context.out, *body, context.format);
  }
  return {};
}

}  // namespace

void add_events_command(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  auto args = std::make_shared<EventsArgs>();
  auto* command = app.add_subcommand("events", "Show what happened on a site's hosts, oldest first");
  command->add_option("site", args->site, "Site name")->required();
  command->add_option("--host", args->host, "Only this host's events");
  command->add_option("--limit", args->limit, "Show the newest N events")->check(CLI::Range(1, 500))->capture_default_str();
  verbs.push_back({command, [&invocation, args] {
                     return run_with_client(invocation,
                                            [args](const VerbContext& context) { return show_events(context, *args); });
                   }});
}

}  // namespace outpost::cli

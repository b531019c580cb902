#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/kinds.hpp"
#include "cli/request_target.hpp"

namespace outpost::cli {
namespace {

struct DeleteArgs {
  std::string kind;
  std::string name;
  std::string version;
};

Status delete_object(const VerbContext& context, const DeleteArgs& args) {
  const auto kind = resolve_kind(args.kind);
  if (!kind) return std::unexpected(kind.error());
  if (!args.version.empty() && *kind != Kind::application) {
    return user_error("--version applies to applications only");
  }
  std::string path;
  switch (*kind) {
    case Kind::site: path = path_join("/v1/sites", args.name); break;
    case Kind::deployment: path = path_join("/v1/deployments", args.name); break;
    case Kind::application:
      path = path_join("/v1/applications", args.name);
      if (!args.version.empty()) path = path_join(path + "/versions", args.version);
      break;
    default: return user_error("delete works on sites, applications and deployments, not " + args.kind);
  }
  auto response = context.api.remove(path);
  if (!response) return std::unexpected(response.error());
  if (context.format != OutputFormat::table) {
    print_document(context.out, *response, context.format);
    return {};
  }
  context.out << kind_name(*kind) << "/" << args.name;
  if (!args.version.empty()) context.out << " " << args.version;
  context.out << " deleted\n";
  return {};
}

}  // namespace

void add_delete_command(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  auto args = std::make_shared<DeleteArgs>();
  auto* command = app.add_subcommand("delete", "Delete a site, an application (or one version) or a deployment");
  command->add_option("kind", args->kind, "site, application or deployment")->required();
  command->add_option("name", args->name, "Object name")->required();
  command->add_option("--version", args->version, "Delete only this version of the application");
  verbs.push_back({command, [&invocation, args] {
                     return run_with_client(invocation,
                                            [args](const VerbContext& context) { return delete_object(context, *args); });
                   }});
}

}  // namespace outpost::cli

#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/describe_views.hpp"
#include "cli/kinds.hpp"
#include "cli/request_target.hpp"

namespace outpost::cli {
namespace {

struct DescribeArgs {
  std::string kind;
  std::string name;
};

// -o json|yaml prints what the view was built from: the object, plus for a site its
// "instances" and for a deployment its "status".
Status describe_site_verb(const VerbContext& context, const std::string& name) {
  const auto path = path_join("/v1/sites", name);
  auto site = context.api.get(path);
  if (!site) return std::unexpected(site.error());
  auto instances = context.api.list_all(path + "/instances");
  if (!instances) return std::unexpected(instances.error());
  if (context.format == OutputFormat::table) {
    context.out << describe_site(*site, *instances);
  } else {
    (*site)["instances"] = Json(std::move(*instances));
    print_document(context.out, *site, context.format);
  }
  return {};
}

Status describe_application_verb(const VerbContext& context, const std::string& name) {
  auto application = context.api.get(path_join("/v1/applications", name));
  if (!application) return std::unexpected(application.error());
  if (context.format == OutputFormat::table) {
    context.out << describe_application(*application);
  } else {
    print_document(context.out, *application, context.format);
  }
  return {};
}

Status describe_deployment_verb(const VerbContext& context, const std::string& name) {
  const auto path = path_join("/v1/deployments", name);
  auto deployment = context.api.get(path);
  if (!deployment) return std::unexpected(deployment.error());
  auto status = context.api.get(path + "/status");
  if (!status) return std::unexpected(status.error());
  if (context.format == OutputFormat::table) {
    context.out << describe_deployment(*deployment, *status);
  } else {
    (*deployment)["status"] = std::move(*status);
    print_document(context.out, *deployment, context.format);
  }
  return {};
}

Status describe(const VerbContext& context, const DescribeArgs& args) {
  const auto kind = resolve_kind(args.kind);
  if (!kind) return std::unexpected(kind.error());
  switch (*kind) {
    case Kind::site: return describe_site_verb(context, args.name);
    case Kind::application: return describe_application_verb(context, args.name);
    case Kind::deployment: return describe_deployment_verb(context, args.name);
    default: return user_error("describe works on sites, applications and deployments, not " + args.kind);
  }
}

}  // namespace

void add_describe_command(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  auto args = std::make_shared<DescribeArgs>();
  auto* command = app.add_subcommand("describe", "Show one site, application or deployment in detail");
  command->add_option("kind", args->kind, "site, application or deployment")->required();
  command->add_option("name", args->name, "Object name")->required();
  verbs.push_back({command, [&invocation, args] {
                     return run_with_client(invocation,
                                            [args](const VerbContext& context) { return describe(context, *args); });
                   }});
}

}  // namespace outpost::cli

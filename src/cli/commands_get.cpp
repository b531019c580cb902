#include <algorithm>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/kinds.hpp"
#include "cli/request_target.hpp"
#include "cli/resource_tables.hpp"

namespace outpost::cli {
namespace {

std::string plural(Kind kind) { return kind_name(kind) + "s"; }

Query selector_query(const GetArgs& args) {
  if (args.selector.empty()) return {};
  return {{"selector", args.selector}};
}

// Collections without a GET-one route (hosts, instances) are narrowed to NAME here.
Result<std::vector<Json>> keep_named(std::vector<Json> items, const char* key, const std::string& name,
                                     Kind kind) {
  if (name.empty()) return items;
  std::erase_if(items, [&](const Json& item) {
    const auto it = item.find(key);
    return it == item.end() || !it->is_string() || it->get_ref<const std::string&>() != name;
  });
  if (items.empty()) return fail(404, "not_found", kind_name(kind) + " \"" + name + "\" not found");
  return items;
}

// The list of applications carries the newest version of each; the VERSIONS column needs the
// version list, which only GET /v1/applications/{app} returns.
Status add_version_lists(const ApiClient& api, std::vector<Json>& applications) {
  for (auto& application : applications) {
    const auto name = application.find("name");
    if (application.contains("versions") || name == application.end() || !name->is_string()) continue;
    auto full = api.get(path_join("/v1/applications", name->get<std::string>()));
    if (!full) return std::unexpected(full.error());
    if (const auto versions = full->find("versions"); versions != full->end()) {
      application["versions"] = *versions;
    }
  }
  return {};
}

struct Fetched {
  std::vector<Json> items;
  bool single = false;  // one object asked for by name: -o json prints it, not a list
};

Result<Fetched> fetch(const ApiClient& api, Kind kind, const GetArgs& args) {
  const auto list = [&](const std::string& path) -> Result<Fetched> {
    auto items = api.list_all(path, selector_query(args));
    if (!items) return std::unexpected(items.error());
    return Fetched{std::move(*items), false};
  };
  const auto one = [&](const std::string& path) -> Result<Fetched> {
    auto object = api.get(path);
    if (!object) return std::unexpected(object.error());
    return Fetched{{std::move(*object)}, true};
  };
  const auto narrowed = [&](Result<Fetched> fetched, const char* key) -> Result<Fetched> {
    if (!fetched || args.name.empty()) return fetched;
    auto items = keep_named(std::move(fetched->items), key, args.name, kind);
    if (!items) return std::unexpected(items.error());
    return Fetched{std::move(*items), false};
  };

  switch (kind) {
    case Kind::site:
      return args.name.empty() ? list("/v1/sites") : one(path_join("/v1/sites", args.name));
    case Kind::application:
      return args.name.empty() ? list("/v1/applications") : one(path_join("/v1/applications", args.name));
    case Kind::deployment:
      return args.name.empty() ? list("/v1/deployments") : one(path_join("/v1/deployments", args.name));
    case Kind::version:
      if (args.name.empty()) return user_error("get versions needs the application: outpost get versions APP");
      return list(path_join("/v1/applications", args.name) + "/versions");
    case Kind::host:
      if (args.site.empty()) return user_error("get hosts needs --site SITE");
      return narrowed(list(path_join("/v1/sites", args.site) + "/hosts"), "name");
    case Kind::instance:
      return narrowed(list(args.site.empty() ? std::string("/v1/instances")
                                             : path_join("/v1/sites", args.site) + "/instances"),
                      "instance");
  }
  return user_error("unsupported kind");
}

}  // namespace

Status get_objects(const VerbContext& context, const GetArgs& args) {
  const auto kind = resolve_kind(args.kind);
  if (!kind) return std::unexpected(kind.error());
  if (!args.site.empty() && *kind != Kind::host && *kind != Kind::instance) {
    return user_error("--site applies to hosts and instances only");
  }
  auto fetched = fetch(context.api, *kind, args);
  if (!fetched) return std::unexpected(fetched.error());

  if (context.format != OutputFormat::table) {
    if (fetched->single) {
      print_document(context.out, fetched->items.front(), context.format);
    } else {
      print_items(context.out, fetched->items, context.format);
    }
    return {};
  }
  if (fetched->items.empty()) {
    context.err << "No " << plural(*kind) << " found.\n";
    return {};
  }
  if (*kind == Kind::application) {
    if (auto added = add_version_lists(context.api, fetched->items); !added) return added;
  }
  context.out << render_table(table_for(*kind, fetched->items));
  return {};
}

void add_get_command(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  auto args = std::make_shared<GetArgs>();
  auto* command = app.add_subcommand("get", "List objects of a kind, or show one by name");
  command->add_option("kind", args->kind,
                      "sites, applications (apps), deployments (deploy), instances (inst), hosts, versions")
      ->required();
  command->add_option("name", args->name, "Object name (for versions: the application)");
  command->add_option("-l,--selector", args->selector, "Label expression selecting sites, e.g. 'region = north'");
  command->add_option("--site", args->site, "The site (required for hosts; narrows instances)");
  verbs.push_back({command, [&invocation, args] {
                     return run_with_client(invocation,
                                            [args](const VerbContext& context) { return get_objects(context, *args); });
                   }});
}

}  // namespace outpost::cli

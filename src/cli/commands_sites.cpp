#include <memory>

#include "cli/cell_text.hpp"
#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/label_edits.hpp"
#include "cli/request_target.hpp"

namespace outpost::cli {
namespace {

struct CreateArgs {
  std::string name;
  std::vector<std::string> labels;
  std::vector<std::string> vars;
};

struct TokenArgs {
  std::string name;
  std::string ttl;
  int uses = 0;  // 0: the tower's default
};

struct LabelArgs {
  std::string name;
  std::vector<std::string> edits;
};

Status print_or(const VerbContext& context, const Json& response, const std::string& line) {
  if (context.format == OutputFormat::table) {
    context.out << line << '\n';
  } else {
    print_document(context.out, response, context.format);
  }
  return {};
}

Status create_site(const VerbContext& context, const CreateArgs& args) {
  Json body{{"name", args.name}};
  auto labels = parse_assignments(args.labels, "--label");
  if (!labels) return std::unexpected(labels.error());
  auto vars = parse_assignments(args.vars, "--var");
  if (!vars) return std::unexpected(vars.error());
  if (!labels->empty()) body["labels"] = std::move(*labels);
  if (!vars->empty()) body["vars"] = std::move(*vars);
  auto site = context.api.send_json("POST", "/v1/sites", body);
  if (!site) return std::unexpected(site.error());
  return print_or(context, *site, "site/" + args.name + " created");
}

// expires_at is unix seconds on the wire; an RFC 3339 string is shown as it comes.
std::string expiry_text(const Json& token) { return time_cell(token, "expires_at"); }

Status create_token(const VerbContext& context, const TokenArgs& args) {
  Json body = Json::object();
  if (!args.ttl.empty()) body["ttl"] = args.ttl;
  if (args.uses > 0) body["uses"] = args.uses;
  auto token = context.api.send_json("POST", path_join("/v1/sites", args.name) + "/tokens", body);
  if (!token) return std::unexpected(token.error());
  if (context.format != OutputFormat::table) {
    print_document(context.out, *token, context.format);
    return {};
  }
  const std::string uses = cell(*token, "uses");
  context.out << "Join token for site " << args.name << ", valid until " << expiry_text(*token) << " for "
              << uses << (uses == "1" ? " use" : " uses") << ":\n";
  // Alone on the last line, so scripts can take it with `tail -n 1`.
  context.out << cell(*token, "token") << '\n';
  return {};
}

Status label_site(const VerbContext& context, const LabelArgs& args) {
  auto edits = parse_label_edits(args.edits);
  if (!edits) return std::unexpected(edits.error());
  auto site = context.api.send_json("PATCH", path_join("/v1/sites", args.name), Json{{"labels", std::move(*edits)}});
  if (!site) return std::unexpected(site.error());
  return print_or(context, *site, "site/" + args.name + " labeled");
}

template <class Args, class Action>
void add_client_verb(Invocation& invocation, Verbs& verbs, CLI::App* command, std::shared_ptr<Args> args,
                     Action action) {
  verbs.push_back({command, [&invocation, args, action] {
                     return run_with_client(invocation,
                                            [args, action](const VerbContext& context) { return action(context, *args); });
                   }});
}

}  // namespace

void add_sites_commands(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  auto* sites = app.add_subcommand("sites", "Enroll and organise sites");
  sites->require_subcommand(1);

  auto create = std::make_shared<CreateArgs>();
  auto* create_command = sites->add_subcommand("create", "Create a site");
  create_command->add_option("name", create->name, "Site name")->required();
  create_command->add_option("--label", create->labels, "Label KEY=VALUE (repeatable)")->allow_extra_args(false);
  create_command->add_option("--var", create->vars, "Variable KEY=VALUE (repeatable)")->allow_extra_args(false);
  add_client_verb(invocation, verbs, create_command, create, create_site);

  auto token = std::make_shared<TokenArgs>();
  auto* token_command = sites->add_subcommand("token", "Create a join token for a site's hosts");
  token_command->add_option("name", token->name, "Site name")->required();
  token_command->add_option("--ttl", token->ttl, "How long the token is valid, e.g. 24h (default 24h)");
  token_command->add_option("--uses", token->uses, "How many hosts may join with it (default 1)")
      ->check(CLI::PositiveNumber);
  add_client_verb(invocation, verbs, token_command, token, create_token);

  auto label = std::make_shared<LabelArgs>();
  auto* label_command = sites->add_subcommand("label", "Set (KEY=VALUE) or remove (KEY-) labels of a site");
  label_command->add_option("name", label->name, "Site name")->required();
  label_command->add_option("edits", label->edits, "KEY=VALUE or KEY-")->required();
  add_client_verb(invocation, verbs, label_command, label, label_site);

  auto list = std::make_shared<GetArgs>();
  list->kind = "sites";
  auto* list_command = sites->add_subcommand("list", "List sites (same as get sites)");
  list_command->add_option("-l,--selector", list->selector, "Label expression selecting sites");
  add_client_verb(invocation, verbs, list_command, list, get_objects);
}

}  // namespace outpost::cli

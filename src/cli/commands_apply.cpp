#include <fstream>
#include <memory>
#include <sstream>

#include "cli/cell_text.hpp"
#include "cli/cli_error.hpp"
#include "cli/commands.hpp"

namespace outpost::cli {
namespace {

Result<std::string> read_spec(const std::string& file, std::istream& in) {
  std::stringstream text;
  if (file == "-") {
    text << in.rdbuf();
  } else {
    std::ifstream stream(file);
    if (!stream) return user_error("cannot read " + file);
    text << stream.rdbuf();
  }
  std::string spec = text.str();
  if (spec.find_first_not_of(" \t\r\n") == std::string::npos) {
    return user_error((file == "-" ? std::string("standard input") : file) + " holds no specification");
  }
  return spec;
}

// "application/pos 1.4.0 created", "deployment/pos configured".
std::string result_line(const Json& result) {
  std::string line = cell(result, "kind") + "/" + cell(result, "name");
  const auto version = result.find("version");
  if (version != result.end() && version->is_string() && !version->get_ref<const std::string&>().empty()) {
    line += " " + version->get<std::string>();
  }
  return line + " " + cell(result, "action");
}

Status apply_specs(const VerbContext& context, const std::string& file) {
  auto spec = read_spec(file, context.in);
  if (!spec) return std::unexpected(spec.error());
  // The tower sniffs JSON from YAML itself; the raw text goes as written so its error
  // positions match the user's file.
  auto response = context.api.send_text("POST", "/v1/apply", *spec, "application/yaml");
  if (!response) return std::unexpected(response.error());
  if (context.format != OutputFormat::table) {
    print_document(context.out, *response, context.format);
    return {};
  }
  const auto results = response->find("results");
  if (results == response->end() || !results->is_array()) return {};
  for (const auto& result : *results) context.out << result_line(result) << '\n';
  return {};
}

}  // namespace

void add_apply_command(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  auto file = std::make_shared<std::string>();
  auto* command = app.add_subcommand("apply", "Create or update applications, deployments and sites from a file");
  command->add_option("-f,--filename", *file, "YAML/JSON file with one or more documents, - for stdin")->required();
  verbs.push_back({command, [&invocation, file] {
                     return run_with_client(invocation, [file](const VerbContext& context) {
                       return apply_specs(context, *file);
                     });
                   }});
}

}  // namespace outpost::cli

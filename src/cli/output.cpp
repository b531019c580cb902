#include "cli/output.hpp"

#include "cli/cli_error.hpp"

namespace outpost::cli {

Result<OutputFormat> parse_output_format(const std::string& text) {
  if (text == "table") return OutputFormat::table;
  if (text == "json") return OutputFormat::json;
  if (text == "yaml") return OutputFormat::yaml;
  return user_error("unknown output format \"" + text + "\" (expected table, json or yaml)");
}

void print_document(std::ostream& out, const Json& document, OutputFormat format) {
  if (format == OutputFormat::yaml) {
    std::string yaml = to_yaml(document);
    if (!yaml.empty() && yaml.back() != '\n') yaml += '\n';
    out << yaml;
    return;
  }
  out << document.dump(2) << '\n';
}

void print_items(std::ostream& out, const std::vector<Json>& items, OutputFormat format) {
  print_document(out, Json{{"items", Json(items)}}, format);
}

}  // namespace outpost::cli

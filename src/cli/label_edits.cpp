#include "cli/label_edits.hpp"

#include "cli/cli_error.hpp"

namespace outpost::cli {
namespace {

Status add_unique(Json& edits, const std::string& key, Json value, const std::string& argument) {
  if (edits.contains(key)) return user_error("label \"" + key + "\" is edited twice (at \"" + argument + "\")");
  edits[key] = std::move(value);
  return {};
}

}  // namespace

Result<Json> parse_assignments(const std::vector<std::string>& arguments, const std::string& what) {
  Json values = Json::object();
  for (const auto& argument : arguments) {
    const auto equals = argument.find('=');
    if (equals == std::string::npos || equals == 0) {
      return user_error(what + " expects KEY=VALUE, got \"" + argument + "\"");
    }
    values[argument.substr(0, equals)] = argument.substr(equals + 1);
  }
  return values;
}

Result<Json> parse_label_edits(const std::vector<std::string>& arguments) {
  Json edits = Json::object();
  for (const auto& argument : arguments) {
    const auto equals = argument.find('=');
    if (equals != std::string::npos && equals > 0) {
      auto added = add_unique(edits, argument.substr(0, equals), argument.substr(equals + 1), argument);
      if (!added) return std::unexpected(std::move(added.error()));
    } else if (equals == std::string::npos && argument.size() > 1 && argument.back() == '-') {
      auto added = add_unique(edits, argument.substr(0, argument.size() - 1), nullptr, argument);
      if (!added) return std::unexpected(std::move(added.error()));
    } else {
      return user_error("expected KEY=VALUE to set a label or KEY- to remove it, got \"" + argument + "\"");
    }
  }
  if (edits.empty()) return user_error("no label edits given (KEY=VALUE sets a label, KEY- removes it)");
  return edits;
}

}  // namespace outpost::cli

// ${VAR} substitution, shared by spec validation (syntax only) and rendering (values).
#include <functional>

#include "model/render.hpp"

namespace outpost {
namespace {

// Walks `text`, handing literal runs and variable names to the callbacks; the one place that
// knows the syntax, so validation and substitution cannot disagree about it.
Status scan(std::string_view text, const std::function<void(std::string_view)>& literal,
            const std::function<Status(std::string_view)>& variable) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto dollar = text.find('$', i);
    if (dollar == std::string_view::npos || dollar + 1 >= text.size()) {
      literal(text.substr(i));
      break;
    }
    literal(text.substr(i, dollar - i));
    char next = text[dollar + 1];
    if (next == '$') {
      literal("$");
      i = dollar + 2;
    } else if (next == '{') {
      auto close = text.find('}', dollar + 2);
      if (close == std::string_view::npos)
        return invalid("", "unclosed \"${\" at character " + std::to_string(dollar + 1));
      std::string_view name = text.substr(dollar + 2, close - dollar - 2);
      if (name.empty())
        return invalid("", "empty variable name \"${}\" at character " + std::to_string(dollar + 1));
      if (Status ok = variable(name); !ok) return ok;
      i = close + 1;
    } else {
      literal("$");  // a lone '$' (as in "cost: 5$ each") is just a character
      i = dollar + 1;
    }
  }
  return {};
}

}  // namespace

Result<std::string> substitute(std::string_view text, const std::map<std::string, std::string>& vars) {
  std::string out;
  auto status = scan(
      text, [&](std::string_view part) { out += part; },
      [&](std::string_view name) -> Status {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return invalid("", "unknown variable ${" + std::string(name) + "}");
        out += it->second;
        return {};
      });
  if (!status) return std::unexpected(status.error());
  return out;
}

Result<std::vector<std::string>> referenced_variables(std::string_view text) {
  std::vector<std::string> names;
  auto status = scan(
      text, [](std::string_view) {},
      [&](std::string_view name) -> Status {
        names.emplace_back(name);
        return {};
      });
  if (!status) return std::unexpected(status.error());
  return names;
}

}  // namespace outpost

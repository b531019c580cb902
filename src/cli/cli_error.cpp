#include "cli/cli_error.hpp"

#include "common/json.hpp"

namespace outpost::cli {
namespace {

std::string string_member(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

Error error_from_response(int status, std::string_view body) {
  Error error{status, "http_" + std::to_string(status), "", ""};
  const Json document = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!document.is_discarded() && document.is_object()) {
    const auto it = document.find("error");
    if (it != document.end() && it->is_object()) {
      if (auto code = string_member(*it, "code"); !code.empty()) error.code = std::move(code);
      error.message = string_member(*it, "message");
      error.field = string_member(*it, "field");
    }
  }
  if (error.message.empty()) {
    error.message = "the tower answered HTTP " + std::to_string(status);
    if (!error.code.starts_with("http_")) error.message += " (" + error.code + ")";
  }
  return error;
}

Error name_unreachable_tower(const std::string& tower_url, Error error) {
  if (error.code != "unreachable") return error;
  // The HTTPS client may already lead with "cannot reach ENDPOINT: "; keep only the cause.
  std::string cause = error.message;
  if (const auto colon = cause.find(": "); cause.starts_with("cannot reach ") && colon != std::string::npos) {
    cause.erase(0, colon + 2);
  }
  error.message = "cannot reach the tower at " + tower_url + ": " + cause;
  return error;
}

std::string format_error(const Error& error) {
  std::string line = "error: " + error.message;
  if (!error.field.empty()) line += " (field: " + error.field + ")";
  return line;
}

int exit_code_for(const Error& error) {
  return error.code == "unreachable" ? kExitUnreachable : kExitUserError;
}

}  // namespace outpost::cli

#pragma once
// Strict reading of spec documents. Every error is 422 "invalid" and names the full path of the
// offending field ("services[0].containers[1].image"), so the user can find it in her file.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.hpp"

namespace outpost::spec {

// "a" + "b" → "a.b"; "" + "b" → "b".
std::string join(const std::string& path, std::string_view key);
// "a" + 3 → "a[3]".
std::string index(const std::string& path, std::size_t position);

std::unexpected<Error> wrong_type(const std::string& field, std::string_view expected, const Json& got);

Result<std::string> as_string(const Json& value, const std::string& field);
// Strings, numbers and booleans as text: YAML reads `8080` and `true` as a number and a boolean
// where the user meant text (env values, labels, command arguments).
Result<std::string> as_text(const Json& value, const std::string& field);
Result<std::int64_t> as_integer(const Json& value, const std::string& field, std::int64_t min,
                                std::int64_t max);
Result<std::vector<std::string>> as_text_list(const Json& value, const std::string& field);
// A map of text values; each key is checked by `check_key(key, field_of_key)`.
template <class CheckKey>
Result<std::map<std::string, std::string>> as_text_map(const Json& value, const std::string& field,
                                                       CheckKey check_key);

// ${VAR} names and environment variable names: [A-Za-z_][A-Za-z0-9_]*, at most 128 characters.
Status validate_variable_name(std::string_view name, const std::string& field);
// A port as written in a spec: 1–65535, as a number or digits, or text containing ${VAR}.
// Returns its text form.
Result<std::string> port_text(const Json& value, const std::string& field);
// IPv4 or IPv6 address text.
bool is_ip_address(const std::string& text);
// The JSON form of port_text()'s result: a number when it is one, so output reads naturally.
Json port_json(const std::string& text);
// `command: "x y"` means what a shell makes of it: ["/bin/sh", "-c", "x y"]. A list is the argv
// as written (numbers and booleans taken as text).
Result<std::vector<std::string>> as_command(const Json& value, const std::string& field);
// "256Mi", "1Gi", "512M", "1000000" or a plain number of bytes.
Status validate_quantity(const Json& value, const std::string& field);
// "30s", "10m" or a number of seconds; returns the value unchanged.
Status validate_duration(const Json& value, const std::string& field);

// The keys of one JSON object, checked against the allowed set when opened.
class Fields {
 public:
  static Result<Fields> open(const Json& value, std::string path,
                             std::initializer_list<std::string_view> allowed);

  // nullptr when absent or null: YAML's `key:` with nothing after it means "not given".
  const Json* find(std::string_view key) const;
  std::string path(std::string_view key) const { return join(path_, key); }

  Result<const Json*> required(std::string_view key) const;
  Result<std::string> string(std::string_view key, std::string fallback) const;
  Result<std::string> required_string(std::string_view key) const;
  Result<std::string> required_name(std::string_view key) const;  // validate_name'd
  Result<std::int64_t> integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                               std::int64_t max) const;
  Result<bool> boolean(std::string_view key, bool fallback) const;
  // Optional text that must be one of `choices`.
  Result<std::string> choice(std::string_view key, std::string fallback,
                             std::initializer_list<std::string_view> choices) const;
  // `kind`, when present, must equal `expected`.
  Status kind(std::string_view expected) const;

 private:
  Fields(const Json& object, std::string path) : object_(&object), path_(std::move(path)) {}
  const Json* object_;
  std::string path_;
};

// Puts the field path in front of the message, so the message reads on its own at the API edge:
// "services[0].containers[0].image: must be a string, got number".
Error explained(Error error);

// An error from a nested public from_json (whose message already starts with its own field),
// moved under `prefix`: ("application", "name: bad") → field "application.name".
Error nested(const std::string& prefix, Error error);

template <class T>
Result<T> explained(Result<T> result) {
  if (!result) return std::unexpected(explained(std::move(result.error())));
  return result;
}

template <class CheckKey>
Result<std::map<std::string, std::string>> as_text_map(const Json& value, const std::string& field,
                                                       CheckKey check_key) {
  if (!value.is_object()) return wrong_type(field, "an object", value);
  std::map<std::string, std::string> out;
  for (const auto& [key, item] : value.items()) {
    std::string item_field = join(field, key);
    if (Status ok = check_key(key, item_field); !ok) return std::unexpected(ok.error());
    auto text = as_text(item, item_field);
    if (!text) return std::unexpected(text.error());
    out.emplace(key, std::move(*text));
  }
  return out;
}

}  // namespace outpost::spec

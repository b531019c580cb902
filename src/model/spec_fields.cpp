#include "model/spec_fields.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "common/duration.hpp"
#include "common/names.hpp"
#include "model/render.hpp"

namespace outpost::spec {
namespace {

std::string quoted_list(std::initializer_list<std::string_view> items) {
  std::string out;
  for (auto item : items) out += (out.empty() ? "" : ", ") + std::string(item);
  return out;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index(const std::string& path, std::size_t position) {
  return path + "[" + std::to_string(position) + "]";
}

std::unexpected<Error> wrong_type(const std::string& field, std::string_view expected, const Json& got) {
  return invalid(field, "must be " + std::string(expected) + ", got " + json_type_name(got));
}

Result<std::string> as_string(const Json& value, const std::string& field) {
  if (!value.is_string()) return wrong_type(field, "a string", value);
  return value.get<std::string>();
}

Result<std::string> as_text(const Json& value, const std::string& field) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return std::string(value.get<bool>() ? "true" : "false");
  if (value.is_number()) return value.dump();
  return wrong_type(field, "a string, number or boolean", value);
}

Result<std::int64_t> as_integer(const Json& value, const std::string& field, std::int64_t min,
                                std::int64_t max) {
  if (!value.is_number_integer()) return wrong_type(field, "an integer", value);
  bool too_big = value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(max);
  std::int64_t number = too_big ? max : value.get<std::int64_t>();
  if (too_big || number < min || number > max)
    return invalid(field, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                              ", got " + value.dump());
  return number;
}

Result<std::vector<std::string>> as_text_list(const Json& value, const std::string& field) {
  if (!value.is_array()) return wrong_type(field, "a list", value);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto text = as_text(value[i], index(field, i));
    if (!text) return std::unexpected(text.error());
    out.push_back(std::move(*text));
  }
  return out;
}

Status validate_variable_name(std::string_view name, const std::string& field) {
  auto word = [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  bool ok = !name.empty() && name.size() <= 128 && !(name.front() >= '0' && name.front() <= '9') &&
            std::ranges::all_of(name, word);
  if (!ok)
    return invalid(field, "invalid variable name \"" + std::string(name.substr(0, 80)) +
                              "\": use letters, digits and '_', not starting with a digit");
  return {};
}

Result<std::string> port_text(const Json& value, const std::string& field) {
  static const std::string expected = "must be a port number from 1 to 65535 or text containing ${VARIABLE}";
  std::string text;
  if (value.is_number_integer()) {
    text = value.dump();
  } else if (value.is_string()) {
    text = value.get<std::string>();
  } else {
    return invalid(field, expected + ", got " + json_type_name(value));
  }
  if (all_digits(text)) {
    int port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc{} || end != text.data() + text.size() || port < 1 || port > 65535)
      return invalid(field, expected + ", got " + text);
    return std::to_string(port);  // "08080" and 8080 are the same port
  }
  auto variables = referenced_variables(text);
  if (!variables) return invalid(field, variables.error().message);
  if (variables->empty()) return invalid(field, expected + ", got \"" + text + "\"");
  return text;
}

bool is_ip_address(const std::string& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

Json port_json(const std::string& text) {
  int port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (all_digits(text) && ec == std::errc{} && end == text.data() + text.size()) return port;
  return text;
}

Result<std::vector<std::string>> as_command(const Json& value, const std::string& field) {
  if (value.is_string()) return std::vector<std::string>{"/bin/sh", "-c", value.get<std::string>()};
  return as_text_list(value, field);
}

Status validate_quantity(const Json& value, const std::string& field) {
  static const std::string expected = "must be a size such as 256Mi, 1Gi, 500M or a number of bytes";
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) return {};
  if (!value.is_string()) return invalid(field, expected + ", got " + json_type_name(value));
  std::string_view text = value.get_ref<const std::string&>();
  auto digits_end = text.find_first_not_of("0123456789.");
  std::string_view number = text.substr(0, digits_end);
  std::string_view unit = digits_end == std::string_view::npos ? "" : text.substr(digits_end);
  double parsed = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), parsed);
  bool number_ok = !number.empty() && ec == std::errc{} && end == number.data() + number.size();
  static constexpr std::string_view units[] = {"", "k", "K", "M", "G", "T", "Ki", "Mi", "Gi", "Ti"};
  bool unit_ok = std::ranges::find(units, unit) != std::end(units);
  if (!number_ok || !unit_ok) return invalid(field, expected + ", got \"" + std::string(text) + "\"");
  return {};
}

Status validate_duration(const Json& value, const std::string& field) {
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) return {};
  if (!value.is_string()) return wrong_type(field, "a duration such as 30s or 10m", value);
  auto parsed = parse_duration(value.get_ref<const std::string&>(), field);
  if (!parsed) return std::unexpected(parsed.error());
  return {};
}

Result<Fields> Fields::open(const Json& value, std::string path,
                            std::initializer_list<std::string_view> allowed) {
  if (!value.is_object()) return wrong_type(path, "an object", value);
  for (const auto& [key, item] : value.items()) {
    if (std::ranges::find(allowed, std::string_view(key)) == allowed.end())
      return invalid(join(path, key), "unknown field; allowed here: " + quoted_list(allowed));
  }
  return Fields(value, std::move(path));
}

const Json* Fields::find(std::string_view key) const {
  auto it = object_->find(key);
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

Result<const Json*> Fields::required(std::string_view key) const {
  const Json* value = find(key);
  if (!value) return invalid(path(key), "is required");
  return value;
}

Result<std::string> Fields::string(std::string_view key, std::string fallback) const {
  const Json* value = find(key);
  if (!value) return fallback;
  return as_string(*value, path(key));
}

Result<std::string> Fields::required_string(std::string_view key) const {
  auto value = required(key);
  if (!value) return std::unexpected(value.error());
  return as_string(**value, path(key));
}

Result<std::string> Fields::required_name(std::string_view key) const {
  auto name = required_string(key);
  if (!name) return name;
  if (Status ok = validate_name(*name, path(key)); !ok) return std::unexpected(ok.error());
  return name;
}

Result<std::int64_t> Fields::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                     std::int64_t max) const {
  const Json* value = find(key);
  if (!value) return fallback;
  return as_integer(*value, path(key), min, max);
}

Result<bool> Fields::boolean(std::string_view key, bool fallback) const {
  const Json* value = find(key);
  if (!value) return fallback;
  if (!value->is_boolean()) return wrong_type(path(key), "true or false", *value);
  return value->get<bool>();
}

Result<std::string> Fields::choice(std::string_view key, std::string fallback,
                                   std::initializer_list<std::string_view> choices) const {
  auto text = string(key, std::move(fallback));
  if (!text) return text;
  if (std::ranges::find(choices, std::string_view(*text)) == choices.end())
    return invalid(path(key), "must be one of " + quoted_list(choices) + ", got \"" + *text + "\"");
  return text;
}

Status Fields::kind(std::string_view expected) const {
  const Json* value = find("kind");
  if (!value) return {};
  if (!value->is_string() || value->get_ref<const std::string&>() != expected)
    return invalid(path("kind"), "must be \"" + std::string(expected) + "\", got " + value->dump());
  return {};
}

Error explained(Error error) {
  if (!error.field.empty() && !error.message.starts_with(error.field + ": "))
    error.message = error.field + ": " + error.message;
  return error;
}

Error nested(const std::string& prefix, Error error) {
  if (!error.field.empty() && error.message.starts_with(error.field + ": "))
    error.message.erase(0, error.field.size() + 2);
  return at(prefix, std::move(error));
}

}  // namespace outpost::spec

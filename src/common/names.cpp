#include "common/names.hpp"

#include <algorithm>

namespace outpost {
namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_letter(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_of(std::string_view text, auto allowed) { return std::ranges::all_of(text, allowed); }

// The offending text, shortened so a huge or binary value cannot flood an error message.
std::string quoted(std::string_view text) {
  constexpr std::size_t limit = 80;
  std::string shown;
  for (char c : text.substr(0, limit)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
  return "\"" + shown + (text.size() > limit ? "...\"" : "\"");
}

}  // namespace

Status validate_name(std::string_view name, const std::string& field) {
  bool ok = !name.empty() && name.size() <= 63 && is_lower(name.front()) && name.back() != '-' &&
            all_of(name, [](char c) { return is_lower(c) || is_digit(c) || c == '-'; });
  if (!ok)
    return invalid(field, "invalid name " + quoted(name) +
                              ": use 1 to 63 characters of a-z, 0-9 and '-', starting with a "
                              "letter and not ending with '-'");
  return {};
}

Status validate_label_key(std::string_view key, const std::string& field) {
  bool ok = !key.empty() && key.size() <= 63 && (is_letter(key.front()) || is_digit(key.front())) &&
            all_of(key, [](char c) {
              return is_letter(c) || is_digit(c) || c == '.' || c == '_' || c == '/' || c == '-';
            });
  if (!ok)
    return invalid(field, "invalid label key " + quoted(key) +
                              ": use 1 to 63 characters of a-z, A-Z, 0-9, '.', '_', '/' and '-', "
                              "starting with a letter or digit");
  return {};
}

Status validate_label_value(std::string_view value, const std::string& field) {
  bool ok = value.size() <= 63 && all_of(value, [](char c) {
              return is_letter(c) || is_digit(c) || c == '.' || c == '_' || c == '-';
            });
  if (!ok)
    return invalid(field, "invalid label value " + quoted(value) +
                              ": use at most 63 characters of a-z, A-Z, 0-9, '.', '_' and '-'");
  return {};
}

Status validate_version(std::string_view version, const std::string& field) {
  bool ok = !version.empty() && version.size() <= 64 && all_of(version, [](char c) {
    return is_letter(c) || is_digit(c) || c == '.' || c == '_' || c == '+' || c == '-';
  });
  if (!ok)
    return invalid(field, "invalid version " + quoted(version) +
                              ": use 1 to 64 characters of a-z, A-Z, 0-9, '.', '_', '+' and '-'");
  return {};
}

}  // namespace outpost

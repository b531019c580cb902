#include "common/duration.hpp"

#include <cctype>
#include <charconv>

namespace outpost {

Result<std::chrono::milliseconds> parse_duration(std::string_view text, const std::string& field) {
  auto fail_with = [&](const std::string& why) {
    return invalid(field, "'" + std::string(text) + "' is not a duration (" + why +
                              "; write e.g. 30s, 10m, 2h, 7d or 1h30m)");
  };
  if (text.empty()) return fail_with("empty");
  std::int64_t total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t number_start = i;
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), number);
    if (ec != std::errc{} || number < 0) return fail_with("expected a number");
    i = static_cast<std::size_t>(end - text.data());
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    std::int64_t scale = 0;
    if (unit.empty()) {
      if (number_start != 0 || unit_start != text.size()) return fail_with("a number without a unit");
      scale = 1000;
    } else if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60'000;
    } else if (unit == "h") {
      scale = 3'600'000;
    } else if (unit == "d") {
      scale = 86'400'000;
    } else {
      return fail_with("unknown unit '" + std::string(unit) + "'");
    }
    if (number > (std::int64_t{1} << 40)) return fail_with("too large");
    total_ms += number * scale;
  }
  return std::chrono::milliseconds(total_ms);
}

std::string format_duration(std::chrono::milliseconds duration) {
  auto ms = duration.count();
  if (ms % 86'400'000 == 0 && ms != 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms % 3'600'000 == 0 && ms != 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0 && ms != 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace outpost

#include "rollout/upgrade_window.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "common/duration.hpp"

namespace outpost {
namespace {

constexpr std::array<std::string_view, 7> day_names{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
constexpr auto one_day = std::chrono::minutes(24 * 60);

// "HH:MM" with an optional sign; returns minutes.
Result<std::chrono::minutes> parse_clock(const Json& value, const std::string& field, bool signed_form) {
  if (!value.is_string()) return invalid(field, "must be a string like " + std::string(signed_form ? "\"+02:00\"" : "\"22:00\""));
  const std::string& text = value.get_ref<const std::string&>();
  std::string_view rest = text;
  int sign = 1;
  if (signed_form) {
    if (rest.empty() || (rest.front() != '+' && rest.front() != '-'))
      return invalid(field, "must start with + or -, like \"+02:00\"");
    sign = rest.front() == '-' ? -1 : 1;
    rest.remove_prefix(1);
  }
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (rest.size() != 5 || rest[2] != ':' || !digit(rest[0]) || !digit(rest[1]) || !digit(rest[3]) || !digit(rest[4]))
    return invalid(field, "must be HH:MM, got \"" + text + "\"");
  int hours = (rest[0] - '0') * 10 + (rest[1] - '0');
  int minutes = (rest[3] - '0') * 10 + (rest[4] - '0');
  if (hours > (signed_form ? 14 : 23) || minutes > 59) return invalid(field, "is out of range: \"" + text + "\"");
  return std::chrono::minutes(sign * (hours * 60 + minutes));
}

std::string format_clock(std::chrono::minutes value, bool signed_form) {
  char buffer[48];
  long total = value.count();
  const char* sign = signed_form ? (total < 0 ? "-" : "+") : "";
  total = total < 0 ? -total : total;
  std::snprintf(buffer, sizeof buffer, "%s%02ld:%02ld", sign, total / 60, total % 60);
  return buffer;
}

Result<std::vector<int>> parse_days(const Json& value, const std::string& field) {
  if (!value.is_array() || value.empty()) return invalid(field, "must be a non-empty list of days like [\"mon\", \"sat\"]");
  std::vector<int> days;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string item = value[i].is_string() ? value[i].get<std::string>() : std::string();
    auto found = std::find(day_names.begin(), day_names.end(), item);
    if (found == day_names.end())
      return invalid(field + "[" + std::to_string(i) + "]", "must be one of sun, mon, tue, wed, thu, fri, sat");
    int day = static_cast<int>(found - day_names.begin());
    if (std::find(days.begin(), days.end(), day) == days.end()) days.push_back(day);
  }
  std::sort(days.begin(), days.end());
  return days;
}

}  // namespace

Result<UpgradeWindow> UpgradeWindow::from_json(const Json& value, const std::string& field) {
  if (!value.is_object()) return invalid(field, "must be an object with start and duration");
  for (const auto& [key, _] : value.items())
    if (key != "days" && key != "start" && key != "duration" && key != "utc-offset")
      return invalid(field + "." + key, "is not a field of an upgrade window (days, start, duration, utc-offset)");
  UpgradeWindow window;
  if (auto days = value.find("days"); days != value.end()) {
    auto parsed = parse_days(*days, field + ".days");
    if (!parsed) return std::unexpected(parsed.error());
    window.days_of_week = std::move(*parsed);
  } else {
    window.days_of_week = {0, 1, 2, 3, 4, 5, 6};
  }
  if (!value.contains("start")) return invalid(field + ".start", "is required, like \"22:00\"");
  auto start = parse_clock(value["start"], field + ".start", false);
  if (!start) return std::unexpected(start.error());
  window.start = *start;
  if (!value.contains("duration") || !value["duration"].is_string())
    return invalid(field + ".duration", "is required, like \"4h\"");
  auto duration = parse_duration(value["duration"].get<std::string>(), field + ".duration");
  if (!duration) return std::unexpected(duration.error());
  window.duration = std::chrono::duration_cast<std::chrono::minutes>(*duration);
  if (window.duration <= std::chrono::minutes::zero() || window.duration > one_day)
    return invalid(field + ".duration", "must be between 1m and 24h");
  if (auto offset = value.find("utc-offset"); offset != value.end()) {
    auto parsed = parse_clock(*offset, field + ".utc-offset", true);
    if (!parsed) return std::unexpected(parsed.error());
    window.utc_offset = *parsed;
  }
  return window;
}

Json UpgradeWindow::to_json() const {
  Json days = Json::array();
  for (int day : days_of_week) days.push_back(day_names.at(static_cast<std::size_t>(day)));
  return {{"days", days},
          {"start", format_clock(start, false)},
          {"duration", format_duration(duration)},
          {"utc-offset", format_clock(utc_offset, true)}};
}

bool UpgradeWindow::open_at(std::chrono::system_clock::time_point when) const {
  using namespace std::chrono;
  const auto local = floor<minutes>(when) + utc_offset;
  const auto today = floor<days>(local);
  // A window that started yesterday may still be open, since a window is at most one day long.
  for (auto day = today - days(1); day <= today; day += days(1)) {
    const int weekday = static_cast<int>(std::chrono::weekday(sys_days(day)).c_encoding());
    if (std::find(days_of_week.begin(), days_of_week.end(), weekday) == days_of_week.end()) continue;
    const auto opens = day + start;
    if (local >= opens && local < opens + duration) return true;
  }
  return false;
}

}  // namespace outpost

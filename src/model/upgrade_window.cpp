#include "model/upgrade_window.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <optional>

#include "common/duration.hpp"
#include "model/spec_fields.hpp"

namespace outpost {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Indexed by ISO weekday - 1.
constexpr std::array<std::string_view, 7> short_day_names{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> full_day_names{"monday", "tuesday", "wednesday", "thursday",
                                                         "friday",  "saturday", "sunday"};
constexpr minutes one_day{24 * 60};
constexpr minutes longest_window = 7 * one_day;
// The widest offset any place on Earth uses (Kiribati, UTC+14).
constexpr minutes widest_offset{14 * 60};

// User text inside an error message, bounded so a huge value cannot flood the response.
std::string quote_user_text(std::string_view text) {
  constexpr std::size_t shown = 80;
  return "\"" + std::string(text.substr(0, shown)) + (text.size() > shown ? "…\"" : "\"");
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "HH:MM" with minutes below 60; the caller bounds the hours.
std::optional<minutes> parse_hours_minutes(std::string_view text) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(text[0]) || !digit(text[1]) || !digit(text[3]) || !digit(text[4]))
    return std::nullopt;
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int mins = (text[3] - '0') * 10 + (text[4] - '0');
  if (mins > 59) return std::nullopt;
  return minutes(hours * 60 + mins);
}

std::string format_hours_minutes(minutes value) {
  return fmt::format("{:02}:{:02}", value.count() / 60, value.count() % 60);
}

bool looks_like_fixed_offset(std::string_view zone) {
  return !zone.empty() && (zone.front() == '+' || zone.front() == '-');
}

// "+HH:MM" / "-HH:MM" → minutes east of UTC.
std::optional<minutes> parse_fixed_offset(std::string_view text) {
  if (!looks_like_fixed_offset(text)) return std::nullopt;
  auto magnitude = parse_hours_minutes(text.substr(1));
  if (!magnitude || *magnitude > widest_offset) return std::nullopt;
  return text.front() == '-' ? -*magnitude : *magnitude;
}

std::string format_fixed_offset(minutes offset) {
  return (offset < minutes::zero() ? "-" : "+") + format_hours_minutes(offset < minutes::zero() ? -offset : offset);
}

// date::locate_zone reports an unknown name (or a missing tz database) by throwing; this is the
// edge where that becomes a value.
const date::time_zone* find_zone(const std::string& name) {
  // The database lists "localtime", but it is whatever zone the tower's host is set to, not a
  // name that means the same on every tower.
  if (name == "localtime") return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

// The site's wall clock: a tz database zone, or a fixed offset from UTC.
class WallClock {
 public:
  static std::optional<WallClock> of(const std::string& time_zone) {
    if (auto offset = parse_fixed_offset(time_zone)) return WallClock(nullptr, *offset);
    if (const date::time_zone* zone = find_zone(time_zone)) return WallClock(zone, seconds::zero());
    return std::nullopt;
  }

  date::local_seconds reading_at(date::sys_seconds instant) const {
    if (zone_) return zone_->to_local(instant);
    return date::local_seconds(instant.time_since_epoch() + offset_);
  }

  // The first instant the clock reads `reading` or later: a reading repeated when clocks go
  // back is its first occurrence, one skipped when they go forward is the jump.
  date::sys_seconds first_reaching(date::local_seconds reading) const {
    if (zone_) return zone_->to_sys(reading, date::choose::earliest);
    return date::sys_seconds(reading.time_since_epoch() - offset_);
  }

 private:
  WallClock(const date::time_zone* zone, seconds offset) : zone_(zone), offset_(offset) {}
  const date::time_zone* zone_;
  seconds offset_;
};

Result<std::vector<int>> parse_days(const Json& value, const std::string& field) {
  if (!value.is_array()) return spec::wrong_type(field, "a list of days like [\"mon\", \"sat\"]", value);
  if (value.empty()) return invalid(field, "must name at least one day; leave it out for every day");
  std::vector<int> days;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string item_field = spec::index(field, i);
    if (!value[i].is_string()) return spec::wrong_type(item_field, "a day such as \"mon\" or \"monday\"", value[i]);
    const std::string& text = value[i].get_ref<const std::string&>();
    const std::string name = lower(text);
    auto matches = [&](const auto& names) { return std::ranges::find(names, name) - names.begin(); };
    auto position = std::min(matches(short_day_names), matches(full_day_names));
    if (position == static_cast<std::ptrdiff_t>(short_day_names.size()))
      return invalid(item_field, "must be a day of the week (mon … sun or monday … sunday), got " + quote_user_text(text));
    const int day = static_cast<int>(position) + 1;
    if (std::ranges::find(days, day) != days.end())
      return invalid(item_field, "repeats " + std::string(short_day_names[static_cast<std::size_t>(position)]));
    days.push_back(day);
  }
  std::ranges::sort(days);
  return days;
}

Result<minutes> parse_start(const spec::Fields& fields) {
  auto text = fields.required_string("start");
  if (!text) return std::unexpected(text.error());
  auto start = parse_hours_minutes(*text);
  if (!start || *start >= one_day)
    return invalid(fields.path("start"), "must be a time of day from 00:00 to 23:59, got " + quote_user_text(*text));
  return *start;
}

Result<minutes> parse_length(const spec::Fields& fields) {
  auto value = fields.required("duration");
  if (!value) return std::unexpected(value.error());
  const std::string field = fields.path("duration");
  Result<std::chrono::milliseconds> length = std::chrono::milliseconds::zero();
  if ((*value)->is_number_integer() && (*value)->get<std::int64_t>() >= 0) {
    length = parse_duration((*value)->dump(), field);  // a bare number is seconds, as in every duration
  } else if ((*value)->is_string()) {
    length = parse_duration((*value)->get_ref<const std::string&>(), field);
  } else {
    return spec::wrong_type(field, "a duration such as \"4h\"", **value);
  }
  if (!length) return std::unexpected(length.error());
  if (*length <= std::chrono::milliseconds::zero() || *length > longest_window)
    return invalid(field, "must be more than 0 and at most 7d, got " + format_duration(*length));
  if (*length % minutes(1) != std::chrono::milliseconds::zero())
    return invalid(field, "must be whole minutes, got " + format_duration(*length));
  return std::chrono::duration_cast<minutes>(*length);
}

Result<std::string> parse_time_zone(const spec::Fields& fields) {
  auto text = fields.string("time-zone", "UTC");
  if (!text) return text;
  const std::string field = fields.path("time-zone");
  if (looks_like_fixed_offset(*text)) {
    auto offset = parse_fixed_offset(*text);
    if (!offset) return invalid(field, "must be a fixed offset from -14:00 to +14:00 like \"+02:00\", got " + quote_user_text(*text));
    return format_fixed_offset(*offset);
  }
  if (!find_zone(*text))
    return invalid(field, "unknown time zone " + quote_user_text(*text) +
                              ": use a tz database name such as \"Europe/Stockholm\" or a fixed offset such as \"+02:00\"");
  return text;
}

Result<UpgradeWindow> parse_window(const Json& value, const std::string& field) {
  auto fields = spec::Fields::open(value, field, {"days-of-week", "start", "duration", "time-zone"});
  if (!fields) return std::unexpected(fields.error());
  UpgradeWindow window;
  if (const Json* days = fields->find("days-of-week")) {
    auto parsed = parse_days(*days, fields->path("days-of-week"));
    if (!parsed) return std::unexpected(parsed.error());
    window.days_of_week = std::move(*parsed);
  }
  auto start = parse_start(*fields);
  if (!start) return std::unexpected(start.error());
  window.start = *start;
  auto length = parse_length(*fields);
  if (!length) return std::unexpected(length.error());
  window.duration = *length;
  auto zone = parse_time_zone(*fields);
  if (!zone) return std::unexpected(zone.error());
  window.time_zone = std::move(*zone);
  return window;
}

}  // namespace

Result<UpgradeWindow> UpgradeWindow::from_json(const Json& value, const std::string& field) {
  return spec::explained(parse_window(value, field));
}

Json UpgradeWindow::to_json() const {
  Json days = Json::array();
  for (int day : days_of_week) days.push_back(short_day_names.at(static_cast<std::size_t>(day - 1)));
  return {{"days-of-week", std::move(days)},
          {"start", format_hours_minutes(start)},
          {"duration", format_duration(duration)},
          {"time-zone", time_zone}};
}

bool UpgradeWindow::open_at(std::chrono::system_clock::time_point when) const {
  auto clock = WallClock::of(time_zone);
  if (!clock) return false;
  const auto now = std::chrono::floor<seconds>(when);
  const auto today = std::chrono::floor<date::days>(clock->reading_at(now));
  // An occurrence lasts at most 7 days, so one that started 8 local days ago (a clock change
  // moves the local date by under a day) may still be open. One starting on the next local date
  // may be too, where clocks were once set back across midnight after reaching its start.
  for (auto day = today - date::days(8); day <= today + date::days(1); day += date::days(1)) {
    const int weekday = static_cast<int>(date::weekday(day).iso_encoding());
    if (std::ranges::find(days_of_week, weekday) == days_of_week.end()) continue;
    const auto opens = clock->first_reaching(day + start);
    if (opens <= now && now < opens + duration) return true;
  }
  return false;
}

}  // namespace outpost

#pragma once
// When a site accepts upgrades: on some days of the week, from a start time on the site's own
// wall clock, for a while.
//
// JSON: {"days-of-week": ["mon", "tue"], "start": "22:00", "duration": "4h",
//        "time-zone": "Europe/Stockholm"}
// `days-of-week` defaults to every day, `time-zone` to "UTC". The zone is a name from the tz
// database, whose rules (daylight saving time included) apply to each instant, or a fixed
// offset "+02:00" for a site that keeps one all year.
//
// Rule across midnight and clock changes: the start is a wall-clock time, the duration is
// elapsed time. A window opens the first instant the site's clock reaches `start` on one of its
// days and stays open for exactly `duration`, whatever the clocks do meanwhile, so it never
// shrinks to nothing, never opens twice and always gives the upgrade the same time:
// - a start the clocks skip when they go forward opens at the jump (as date::choose does for a
//   nonexistent local time: 02:30 on the spring-forward night in Stockholm opens at 03:00);
// - a start the clocks repeat when they go back opens at its first occurrence;
// - a window that runs past midnight belongs to the day it started on.
#include <chrono>
#include <string>
#include <vector>

#include "common/json.hpp"

namespace outpost {

struct UpgradeWindow {
  std::vector<int> days_of_week{1, 2, 3, 4, 5, 6, 7};  // ISO 8601: 1 = Monday ... 7 = Sunday, ascending
  std::chrono::minutes start{0};                        // on the local wall clock, since midnight
  std::chrono::minutes duration{0};                     // elapsed time, more than 0 and at most 7 days
  std::string time_zone = "UTC";                        // a tz database name or a fixed offset "+02:00"

  // Strict: unknown fields and bad values are 422 naming the field under `field`
  // ("upgrade-window.start").
  static Result<UpgradeWindow> from_json(const Json& value, const std::string& field = "upgrade-window");
  // Canonical: every field written, days as "mon".."sun" in week order, offsets as "+HH:MM".
  Json to_json() const;
  // Whether `when` falls inside one of the window's occurrences. A zone the tz database does
  // not know (only possible for a window not made by from_json) is never open: an upgrade is
  // better late than at a time nobody chose.
  bool open_at(std::chrono::system_clock::time_point when) const;

  friend bool operator==(const UpgradeWindow&, const UpgradeWindow&) = default;
};

}  // namespace outpost

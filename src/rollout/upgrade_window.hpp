#pragma once
// When a site accepts upgrades: on some days of the week, from a local start time, for a while.
// The site's time zone is a fixed UTC offset because the standard library we build with
// (libstdc++ 12) has no time-zone database API; a site whose zone observes daylight saving time
// adjusts its offset when the clocks change.
//
// JSON: {"days": ["mon", "tue"], "start": "22:00", "duration": "4h", "utc-offset": "+02:00"}
// `days` defaults to every day, `utc-offset` to "+00:00". A window may run past midnight into
// the next day; its day is the day it starts.
#include <chrono>
#include <string>
#include <vector>

#include "common/json.hpp"

namespace outpost {

struct UpgradeWindow {
  std::vector<int> days_of_week;  // 0 = Sunday ... 6 = Saturday
  std::chrono::minutes start{0};  // since local midnight
  std::chrono::minutes duration{0};
  std::chrono::minutes utc_offset{0};

  static Result<UpgradeWindow> from_json(const Json& value, const std::string& field = "upgrade-window");
  Json to_json() const;
  bool open_at(std::chrono::system_clock::time_point when) const;

  friend bool operator==(const UpgradeWindow&, const UpgradeWindow&) = default;
};

}  // namespace outpost

#include "rollout/upgrade_window.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// 2026-11-23 is a Monday.
system_clock::time_point utc(int day_of_november, minutes time_of_day) {
  return sys_days{year{2026} / 11 / day_of_november} + time_of_day;
}

UpgradeWindow window(const char* json) {
  auto parsed = UpgradeWindow::from_json(Json::parse(json));
  EXPECT_TRUE(parsed) << parsed.error().field << ": " << parsed.error().message;
  return parsed.value_or(UpgradeWindow{});
}

TEST(UpgradeWindow, OpensOnItsDaysFromStartForItsDuration) {
  UpgradeWindow w = window(R"({"days": ["mon", "wed"], "start": "22:00", "duration": "2h"})");
  EXPECT_FALSE(w.open_at(utc(23, 21h + 59min)));
  EXPECT_TRUE(w.open_at(utc(23, 22h)));
  EXPECT_TRUE(w.open_at(utc(23, 23h + 59min)));
  EXPECT_FALSE(w.open_at(utc(24, 0h))) << "Monday's window has closed and Tuesday has none";
  EXPECT_FALSE(w.open_at(utc(24, 22h + 30min)));
  EXPECT_TRUE(w.open_at(utc(25, 22h + 30min)));
}

TEST(UpgradeWindow, RunsPastMidnightIntoTheNextDay) {
  UpgradeWindow w = window(R"({"days": ["sat"], "start": "23:00", "duration": "3h"})");
  EXPECT_TRUE(w.open_at(utc(29, 1h + 30min))) << "Sunday 01:30 is inside Saturday's window";
  EXPECT_FALSE(w.open_at(utc(29, 2h)));
  EXPECT_FALSE(w.open_at(utc(28, 1h))) << "Saturday 01:00 belongs to Friday, which has no window";
}

TEST(UpgradeWindow, UsesTheSiteUtcOffset) {
  UpgradeWindow w = window(R"({"start": "02:00", "duration": "1h", "utc-offset": "+05:30"})");
  EXPECT_TRUE(w.open_at(utc(23, 20h + 30min))) << "20:30 UTC is 02:00 at +05:30 the next day";
  EXPECT_FALSE(w.open_at(utc(23, 2h)));
  UpgradeWindow west = window(R"({"start": "22:00", "duration": "1h", "utc-offset": "-08:00", "days": ["sun"]})");
  EXPECT_TRUE(west.open_at(utc(30, 6h + 10min))) << "Monday 06:10 UTC is Sunday 22:10 at -08:00";
}

TEST(UpgradeWindow, DefaultsToEveryDayAndRoundTrips) {
  UpgradeWindow w = window(R"({"start": "03:15", "duration": "90m"})");
  EXPECT_EQ(w.days_of_week, (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(w.to_json(), Json::parse(R"({"days": ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
                                         "start": "03:15", "duration": "90m", "utc-offset": "+00:00"})"));
  UpgradeWindow east = window(R"({"days": ["fri", "mon", "fri"], "start": "00:00", "duration": "24h", "utc-offset": "-03:30"})");
  EXPECT_EQ(east.days_of_week, (std::vector<int>{1, 5}));
  auto again = UpgradeWindow::from_json(east.to_json());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, east);
}

TEST(UpgradeWindow, RejectsBadInputNamingTheField) {
  auto field_of = [](const char* json) {
    auto parsed = UpgradeWindow::from_json(Json::parse(json), "window");
    return parsed ? std::string("accepted") : parsed.error().field;
  };
  EXPECT_EQ(field_of(R"({"duration": "1h"})"), "window.start");
  EXPECT_EQ(field_of(R"({"start": "24:00", "duration": "1h"})"), "window.start");
  EXPECT_EQ(field_of(R"({"start": "2:00", "duration": "1h"})"), "window.start");
  EXPECT_EQ(field_of(R"({"start": "02:00"})"), "window.duration");
  EXPECT_EQ(field_of(R"({"start": "02:00", "duration": "25h"})"), "window.duration");
  EXPECT_EQ(field_of(R"({"start": "02:00", "duration": "1h", "days": ["funday"]})"), "window.days[0]");
  EXPECT_EQ(field_of(R"({"start": "02:00", "duration": "1h", "days": []})"), "window.days");
  EXPECT_EQ(field_of(R"({"start": "02:00", "duration": "1h", "utc-offset": "05:00"})"), "window.utc-offset");
  EXPECT_EQ(field_of(R"({"start": "02:00", "duration": "1h", "zone": "UTC"})"), "window.zone");
  EXPECT_EQ(field_of(R"("02:00")"), "window");
}

}  // namespace
}  // namespace outpost

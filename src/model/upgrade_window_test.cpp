#include "model/upgrade_window.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// Stockholm keeps CET (+01:00) in winter and CEST (+02:00) in summer. In 2026 its clocks go
// forward on Sunday 29 March at 01:00 UTC (02:00 → 03:00) and back on Sunday 25 October at
// 01:00 UTC (03:00 → 02:00). 2026-01-12 and 2026-07-13 are Mondays.
system_clock::time_point utc(int month, int day, minutes time_of_day) {
  return sys_days{year{2026} / month / day} + time_of_day;
}

UpgradeWindow window(const std::string& json) {
  auto parsed = UpgradeWindow::from_json(Json::parse(json));
  EXPECT_TRUE(parsed) << json << " → " << (parsed ? "" : parsed.error().message);
  return parsed.value_or(UpgradeWindow{});
}

TEST(UpgradeWindow, FollowsTheZonesSummerAndWinterTime) {
  UpgradeWindow w = window(R"({"start": "22:00", "duration": "1h", "time-zone": "Europe/Stockholm"})");
  EXPECT_TRUE(w.open_at(utc(7, 15, 20h + 30min))) << "20:30 UTC in July is 22:30 CEST";
  EXPECT_FALSE(w.open_at(utc(1, 14, 20h + 30min))) << "20:30 UTC in January is 21:30 CET";
  EXPECT_TRUE(w.open_at(utc(1, 14, 21h + 30min))) << "21:30 UTC in January is 22:30 CET";
  EXPECT_FALSE(w.open_at(utc(7, 15, 21h + 30min))) << "21:30 UTC in July is 23:30 CEST";
}

TEST(UpgradeWindow, OpensOnlyOnItsDays) {
  UpgradeWindow w = window(R"({"days-of-week": ["WED", "Monday"], "start": "09:00", "duration": "1h"})");
  EXPECT_EQ(w.days_of_week, (std::vector<int>{1, 3}));
  EXPECT_FALSE(w.open_at(utc(1, 12, 8h + 59min)));
  EXPECT_TRUE(w.open_at(utc(1, 12, 9h)));
  EXPECT_TRUE(w.open_at(utc(1, 12, 9h + 59min)));
  EXPECT_FALSE(w.open_at(utc(1, 12, 10h)));
  EXPECT_FALSE(w.open_at(utc(1, 13, 9h + 30min))) << "Tuesday";
  EXPECT_TRUE(w.open_at(utc(1, 14, 9h + 30min))) << "Wednesday";
  EXPECT_FALSE(w.open_at(utc(1, 18, 9h + 30min))) << "Sunday";
}

TEST(UpgradeWindow, RunsPastMidnightAndBelongsToTheDayItStarts) {
  // Saturday 17 January 23:00 CET is 22:00 UTC.
  UpgradeWindow w =
      window(R"({"days-of-week": ["sat"], "start": "23:00", "duration": "3h", "time-zone": "Europe/Stockholm"})");
  EXPECT_FALSE(w.open_at(utc(1, 17, 21h + 59min)));
  EXPECT_TRUE(w.open_at(utc(1, 17, 22h)));
  EXPECT_TRUE(w.open_at(utc(1, 18, 0h + 59min))) << "Sunday 01:59 CET is inside Saturday's window";
  EXPECT_FALSE(w.open_at(utc(1, 18, 1h))) << "Sunday 02:00 CET: closed";
  EXPECT_FALSE(w.open_at(utc(1, 17, 0h + 30min))) << "Saturday 01:30 CET belongs to Friday, which has no window";
  EXPECT_FALSE(w.open_at(utc(1, 18, 22h + 30min))) << "Sunday 23:30 CET: Sunday has no window";
}

TEST(UpgradeWindow, AWeekLongWindowStaysOpenUntilItsNextStart) {
  UpgradeWindow w = window(R"({"days-of-week": ["mon"], "start": "00:00", "duration": "7d", "time-zone": "+03:00"})");
  EXPECT_TRUE(w.open_at(utc(1, 18, 20h + 59min))) << "Sunday 23:59 at +03:00, six days into Monday's window";
  EXPECT_TRUE(w.open_at(utc(1, 18, 21h))) << "the next Monday's window";
  UpgradeWindow shorter = window(R"({"days-of-week": ["mon"], "start": "00:00", "duration": "6d", "time-zone": "+03:00"})");
  EXPECT_FALSE(shorter.open_at(utc(1, 18, 20h + 59min)));
}

TEST(UpgradeWindow, FixedOffsetsShiftTheLocalDay) {
  UpgradeWindow east = window(R"({"start": "02:00", "duration": "1h", "time-zone": "+05:30"})");
  EXPECT_TRUE(east.open_at(utc(1, 12, 20h + 30min))) << "20:30 UTC is 02:00 the next day at +05:30";
  EXPECT_FALSE(east.open_at(utc(1, 12, 2h)));
  UpgradeWindow west = window(R"({"days-of-week": ["sun"], "start": "22:00", "duration": "1h", "time-zone": "-08:00"})");
  EXPECT_TRUE(west.open_at(utc(1, 19, 6h + 10min))) << "Monday 06:10 UTC is Sunday 22:10 at -08:00";
  EXPECT_FALSE(west.open_at(utc(1, 18, 6h + 10min))) << "Sunday 06:10 UTC is Saturday 22:10 at -08:00";
}

TEST(UpgradeWindow, StartSkippedByTheSpringChangeOpensAtTheJumpForItsFullLength) {
  // 02:30 does not exist on 29 March: the window opens when the clocks jump to 03:00 CEST.
  UpgradeWindow w = window(R"({"start": "02:30", "duration": "1h", "time-zone": "Europe/Stockholm"})");
  EXPECT_TRUE(w.open_at(utc(3, 28, 1h + 30min))) << "the day before: 02:30 CET";
  EXPECT_FALSE(w.open_at(utc(3, 29, 0h + 59min))) << "01:59 CET";
  EXPECT_TRUE(w.open_at(utc(3, 29, 1h))) << "03:00 CEST, the jump";
  EXPECT_TRUE(w.open_at(utc(3, 29, 1h + 59min))) << "03:59 CEST";
  EXPECT_FALSE(w.open_at(utc(3, 29, 2h))) << "04:00 CEST: an hour has passed";
  EXPECT_TRUE(w.open_at(utc(3, 30, 0h + 30min))) << "the day after: 02:30 CEST";
}

TEST(UpgradeWindow, WindowAcrossAClockChangeLastsItsDurationInElapsedTime) {
  UpgradeWindow w = window(R"({"start": "01:00", "duration": "4h", "time-zone": "Europe/Stockholm"})");
  // Spring: opens 01:00 CET (00:00 UTC), closes four hours later at 06:00 CEST.
  EXPECT_TRUE(w.open_at(utc(3, 29, 3h + 59min)));
  EXPECT_FALSE(w.open_at(utc(3, 29, 4h)));
  // Autumn: opens 01:00 CEST (23:00 UTC on the 24th), closes four hours later at 04:00 CET.
  EXPECT_FALSE(w.open_at(utc(10, 24, 22h + 59min)));
  EXPECT_TRUE(w.open_at(utc(10, 24, 23h)));
  EXPECT_TRUE(w.open_at(utc(10, 25, 2h + 59min)));
  EXPECT_FALSE(w.open_at(utc(10, 25, 3h)));
}

TEST(UpgradeWindow, StartRepeatedByTheAutumnChangeOpensOnceAtItsFirstOccurrence) {
  // 02:30 happens twice on 25 October: at 00:30 UTC (CEST) and at 01:30 UTC (CET).
  UpgradeWindow w = window(R"({"start": "02:30", "duration": "1h", "time-zone": "Europe/Stockholm"})");
  EXPECT_FALSE(w.open_at(utc(10, 25, 0h + 29min)));
  EXPECT_TRUE(w.open_at(utc(10, 25, 0h + 30min)));
  EXPECT_TRUE(w.open_at(utc(10, 25, 1h + 29min)));
  EXPECT_FALSE(w.open_at(utc(10, 25, 1h + 30min))) << "the second 02:30 does not reopen it";
  EXPECT_FALSE(w.open_at(utc(10, 25, 2h)));
}

TEST(UpgradeWindow, MidnightStartWhereClocksFallBackAtMidnightOpensWhenTheDayReallyBegins) {
  // Santiago goes from -03 to -04 at 00:00 on Sunday 5 April 2026 (03:00 UTC): the clock never
  // reads Sunday 00:00 then, it reads Saturday 23:00 again, and Sunday begins at 04:00 UTC.
  UpgradeWindow w = window(R"({"days-of-week": ["sun"], "start": "00:00", "duration": "1h", "time-zone": "America/Santiago"})");
  EXPECT_FALSE(w.open_at(utc(4, 5, 3h + 30min))) << "the clock reads Saturday 23:30";
  EXPECT_TRUE(w.open_at(utc(4, 5, 4h)));
  EXPECT_TRUE(w.open_at(utc(4, 5, 4h + 59min)));
  EXPECT_FALSE(w.open_at(utc(4, 5, 5h)));
}

TEST(UpgradeWindow, DefaultsToEveryDayInUtcAndWritesEveryField) {
  UpgradeWindow w = window(R"({"start": "03:15", "duration": "90m"})");
  EXPECT_EQ(w.to_json(), Json::parse(R"({"days-of-week": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                         "start": "03:15", "duration": "90m", "time-zone": "UTC"})"));
  EXPECT_TRUE(w.open_at(utc(1, 18, 3h + 15min)));
  EXPECT_FALSE(w.open_at(utc(1, 18, 4h + 45min)));
}

TEST(UpgradeWindow, RoundTripsThroughItsCanonicalJson) {
  for (const char* json : {R"({"days-of-week": ["Sunday", "fri", "MON"], "start": "00:00", "duration": "7d", "time-zone": "-03:30"})",
                           R"({"days-of-week": ["sat"], "start": "23:59", "duration": 5400, "time-zone": "America/New_York"})",
                           R"({"start": "12:00", "duration": "1h30m", "time-zone": "-00:00"})"}) {
    UpgradeWindow original = window(json);
    auto again = UpgradeWindow::from_json(original.to_json());
    ASSERT_TRUE(again) << json;
    EXPECT_EQ(*again, original) << json;
    EXPECT_EQ(again->to_json(), original.to_json()) << json;
  }
  EXPECT_EQ(window(R"({"days-of-week": ["Sunday", "fri", "MON"], "start": "00:00", "duration": "7d"})").to_json()["days-of-week"],
            Json::parse(R"(["mon", "fri", "sun"])"));
  EXPECT_EQ(window(R"({"start": "12:00", "duration": 5400})").to_json()["duration"], "90m");
  EXPECT_EQ(window(R"({"start": "12:00", "duration": "1h", "time-zone": "-00:00"})").time_zone, "+00:00");
}

TEST(UpgradeWindow, EveryBadInputNamesItsField) {
  struct Case {
    const char* json;
    const char* field;
  };
  for (const auto& c : {
           Case{R"("22:00")", "upgrade-window"},
           Case{R"({"start": "02:00", "duration": "1h", "zone": "UTC"})", "upgrade-window.zone"},
           Case{R"({"duration": "1h"})", "upgrade-window.start"},
           Case{R"({"start": "24:00", "duration": "1h"})", "upgrade-window.start"},
           Case{R"({"start": "2:00", "duration": "1h"})", "upgrade-window.start"},
           Case{R"({"start": "12:60", "duration": "1h"})", "upgrade-window.start"},
           Case{R"({"start": 1200, "duration": "1h"})", "upgrade-window.start"},
           Case{R"({"start": "02:00"})", "upgrade-window.duration"},
           Case{R"({"start": "02:00", "duration": "0s"})", "upgrade-window.duration"},
           Case{R"({"start": "02:00", "duration": "7d1m"})", "upgrade-window.duration"},
           Case{R"({"start": "02:00", "duration": "90s"})", "upgrade-window.duration"},
           Case{R"({"start": "02:00", "duration": "soon"})", "upgrade-window.duration"},
           Case{R"({"start": "02:00", "duration": true})", "upgrade-window.duration"},
           Case{R"({"start": "02:00", "duration": "1h", "days-of-week": "mon"})", "upgrade-window.days-of-week"},
           Case{R"({"start": "02:00", "duration": "1h", "days-of-week": []})", "upgrade-window.days-of-week"},
           Case{R"({"start": "02:00", "duration": "1h", "days-of-week": ["funday"]})", "upgrade-window.days-of-week[0]"},
           Case{R"({"start": "02:00", "duration": "1h", "days-of-week": ["mon", 2]})", "upgrade-window.days-of-week[1]"},
           Case{R"({"start": "02:00", "duration": "1h", "days-of-week": ["mon", "Monday"]})", "upgrade-window.days-of-week[1]"},
           Case{R"({"start": "02:00", "duration": "1h", "time-zone": 2})", "upgrade-window.time-zone"},
           Case{R"({"start": "02:00", "duration": "1h", "time-zone": "+2:00"})", "upgrade-window.time-zone"},
           Case{R"({"start": "02:00", "duration": "1h", "time-zone": "+14:30"})", "upgrade-window.time-zone"},
           Case{R"({"start": "02:00", "duration": "1h", "time-zone": "02:00"})", "upgrade-window.time-zone"},
           Case{R"({"start": "02:00", "duration": "1h", "time-zone": "localtime"})", "upgrade-window.time-zone"},
           Case{R"({"start": "02:00", "duration": "1h", "time-zone": "europe/stockholm"})", "upgrade-window.time-zone"},
       }) {
    auto parsed = UpgradeWindow::from_json(Json::parse(c.json));
    ASSERT_FALSE(parsed) << c.json;
    EXPECT_EQ(parsed.error().status, 422) << c.json;
    EXPECT_EQ(parsed.error().code, "invalid") << c.json;
    EXPECT_EQ(parsed.error().field, c.field) << c.json << " → " << parsed.error().message;
    EXPECT_TRUE(parsed.error().message.starts_with(std::string(c.field) + ": ")) << parsed.error().message;
  }
}

TEST(UpgradeWindow, UnknownZoneIsRejectedByName) {
  auto parsed = UpgradeWindow::from_json(Json::parse(R"({"start": "02:00", "duration": "1h", "time-zone": "Mars/Olympus_Mons"})"),
                                         "sites[3].upgrade-window");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().field, "sites[3].upgrade-window.time-zone");
  EXPECT_NE(parsed.error().message.find("\"Mars/Olympus_Mons\""), std::string::npos) << parsed.error().message;
}

TEST(UpgradeWindow, FixedOffsetsUpToFourteenHoursAreAccepted) {
  EXPECT_EQ(window(R"({"start": "02:00", "duration": "1h", "time-zone": "+14:00"})").time_zone, "+14:00");
  EXPECT_EQ(window(R"({"start": "02:00", "duration": "1h", "time-zone": "-12:00"})").time_zone, "-12:00");
}

TEST(UpgradeWindow, AHandBuiltWindowInAnUnknownZoneNeverOpens) {
  UpgradeWindow w{{1, 2, 3, 4, 5, 6, 7}, 0min, 24h, "Nowhere/Special"};
  EXPECT_FALSE(w.open_at(utc(1, 12, 12h)));
  w.time_zone = "UTC";
  EXPECT_TRUE(w.open_at(utc(1, 12, 12h)));
}

}  // namespace
}  // namespace outpost

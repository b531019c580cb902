#include "common/duration.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesUnitsAndCombinations) {
  EXPECT_EQ(parse_duration("500ms", "f").value(), 500ms);
  EXPECT_EQ(parse_duration("30s", "f").value(), 30s);
  EXPECT_EQ(parse_duration("10m", "f").value(), 10min);
  EXPECT_EQ(parse_duration("2h", "f").value(), 2h);
  EXPECT_EQ(parse_duration("7d", "f").value(), 168h);
  EXPECT_EQ(parse_duration("1h30m", "f").value(), 90min);
  EXPECT_EQ(parse_duration("45", "f").value(), 45s);
}

TEST(Duration, RejectsMalformedTextNamingTheField) {
  for (auto text : {"", "abc", "10x", "1h30", "-5s", "s"}) {
    auto parsed = parse_duration(text, "rollout.healthy-for");
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().field, "rollout.healthy-for");
    EXPECT_EQ(parsed.error().status, 422);
  }
}

TEST(Duration, FormatsInTheLargestWholeUnit) {
  EXPECT_EQ(format_duration(90min), "90m");
  EXPECT_EQ(format_duration(2h), "2h");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(0ms), "0s");
}

}  // namespace
}  // namespace outpost

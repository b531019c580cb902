#include "model/version.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace outpost {
namespace {

TEST(CompareVersions, NumericPartsCompareByValue) {
  EXPECT_GT(compare_versions("1.10.0", "1.9.2"), 0);
  EXPECT_LT(compare_versions("1.9.2", "1.10.0"), 0);
  EXPECT_GT(compare_versions("2.0.0", "1.99.99"), 0);
  EXPECT_EQ(compare_versions("1.4.0", "1.4.0"), 0);
}

TEST(CompareVersions, ResultIsASign) {
  EXPECT_EQ(compare_versions("1.10", "1.9"), 1);
  EXPECT_EQ(compare_versions("1.9", "1.10"), -1);
  EXPECT_EQ(compare_versions("a", "z"), -1);
}

TEST(CompareVersions, NonNumericPartsCompareLexically) {
  EXPECT_LT(compare_versions("1.0.0-alpha", "1.0.0-beta"), 0);
  EXPECT_GT(compare_versions("1.0.0-rc2", "1.0.0-rc10"), 0);  // "rc2" > "rc10" as text
  EXPECT_LT(compare_versions("1.0.x", "1.0.y"), 0);
}

TEST(CompareVersions, DashSeparatesLikeDot) { EXPECT_GT(compare_versions("1.0-10", "1.0-9"), 0); }

TEST(CompareVersions, LongerWinsWhenOnePrefixesTheOther) {
  EXPECT_LT(compare_versions("1.4", "1.4.1"), 0);
  EXPECT_GT(compare_versions("1.4.0", "1.4"), 0);
}

TEST(CompareVersions, HugeNumbersDoNotOverflow) {
  EXPECT_GT(compare_versions("1.123456789012345678901234567890", "1.99999999999999999999"), 0);
}

TEST(CompareVersions, OnlyIdenticalTextIsEqual) {
  EXPECT_NE(compare_versions("1.07", "1.7"), 0);
  EXPECT_EQ(compare_versions("1.07", "1.7"), -compare_versions("1.7", "1.07"));
  EXPECT_NE(compare_versions("1-0", "1.0"), 0);
}

TEST(CompareVersions, SortsAListAsPeopleExpect) {
  std::vector<std::string> versions = {"1.10.0", "1.2.0", "0.9", "1.9.2", "1.2.0-rc1", "10.0", "1.2"};
  std::ranges::sort(versions, [](const auto& a, const auto& b) { return compare_versions(a, b) < 0; });
  EXPECT_EQ(versions,
            (std::vector<std::string>{"0.9", "1.2", "1.2.0", "1.2.0-rc1", "1.9.2", "1.10.0", "10.0"}));
}

}  // namespace
}  // namespace outpost

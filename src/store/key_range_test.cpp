#include "store/key_range.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

TEST(PrefixSuccessor, IncrementsTheLastByte) {
  EXPECT_EQ(prefix_successor("/sites/"), "/sites0");
  EXPECT_EQ(prefix_successor("a"), "b");
}

TEST(PrefixSuccessor, DropsTrailingFfBytesBeforeIncrementing) {
  EXPECT_EQ(prefix_successor("a\xff"), "b");
  EXPECT_EQ(prefix_successor("a\x7f\xff\xff"), "a\x80");
}

TEST(PrefixSuccessor, HasNoBoundForEmptyOrAllFfPrefix) {
  EXPECT_EQ(prefix_successor(""), std::nullopt);
  EXPECT_EQ(prefix_successor("\xff\xff"), std::nullopt);
}

TEST(PrefixSuccessor, BoundIsAboveEveryKeyWithThePrefix) {
  const std::string prefix = "p\xfe\xff";
  auto bound = prefix_successor(prefix);
  ASSERT_TRUE(bound.has_value());
  for (std::string key : {prefix, prefix + "\xff\xff\xff", prefix + "zzz"}) {
    EXPECT_LT(key, *bound) << "key of length " << key.size();
  }
  EXPECT_GE(std::string("p\xff"), *bound);
}

}  // namespace
}  // namespace outpost

#include "common/names.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace outpost {
namespace {

TEST(ValidateName, AcceptsDnsLabels) {
  EXPECT_TRUE(validate_name("a", "name"));
  EXPECT_TRUE(validate_name("pos-terminal", "name"));
  EXPECT_TRUE(validate_name("web1", "name"));
  EXPECT_TRUE(validate_name(std::string(63, 'a'), "name"));
}

TEST(ValidateName, RejectsWithInvalidAndTheGivenField) {
  for (const std::string& bad : std::vector<std::string>{"", "1abc", "-abc", "abc-", "Abc", "a_b", "a.b",
                                                         "a b", std::string(64, 'a')}) {
    auto status = validate_name(bad, "services[0].name");
    ASSERT_FALSE(status) << bad;
    EXPECT_EQ(status.error().status, 422);
    EXPECT_EQ(status.error().code, "invalid");
    EXPECT_EQ(status.error().field, "services[0].name");
    EXPECT_NE(status.error().message.find("a-z"), std::string::npos);
  }
}

TEST(ValidateName, MessageQuotesTheValueButNotTooMuchOfIt) {
  auto status = validate_name(std::string(500, 'Q'), "name");
  ASSERT_FALSE(status);
  EXPECT_LT(status.error().message.size(), 300u);
  EXPECT_NE(status.error().message.find("\"QQQ"), std::string::npos);
}

TEST(ValidateLabelKey, AcceptsAndRejects) {
  EXPECT_TRUE(validate_label_key("region", "k"));
  EXPECT_TRUE(validate_label_key("example.com/tier_1-A", "k"));
  EXPECT_TRUE(validate_label_key("9lives", "k"));
  EXPECT_FALSE(validate_label_key("", "k"));
  EXPECT_FALSE(validate_label_key(".hidden", "k"));
  EXPECT_FALSE(validate_label_key("a b", "k"));
  EXPECT_FALSE(validate_label_key("a=b", "k"));
  EXPECT_FALSE(validate_label_key(std::string(64, 'k'), "k"));
  auto status = validate_label_key("-x", "labels.-x");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().field, "labels.-x");
  EXPECT_EQ(status.error().status, 422);
}

TEST(ValidateLabelValue, AllowsEmptyAndLimitsCharacters) {
  EXPECT_TRUE(validate_label_value("", "v"));
  EXPECT_TRUE(validate_label_value("North_1.b-2", "v"));
  EXPECT_TRUE(validate_label_value(std::string(63, 'v'), "v"));
  EXPECT_FALSE(validate_label_value(std::string(64, 'v'), "v"));
  EXPECT_FALSE(validate_label_value("a/b", "v"));
  EXPECT_FALSE(validate_label_value("a b", "v"));
}

TEST(ValidateVersion, AllowsSemverLikeText) {
  EXPECT_TRUE(validate_version("1.4.0", "version"));
  EXPECT_TRUE(validate_version("2.0.0-rc.1+build_7", "version"));
  EXPECT_TRUE(validate_version(std::string(64, '1'), "version"));
  EXPECT_FALSE(validate_version("", "version"));
  EXPECT_FALSE(validate_version("1.0 beta", "version"));
  EXPECT_FALSE(validate_version("*", "version"));
  EXPECT_FALSE(validate_version(std::string(65, '1'), "version"));
  auto status = validate_version("a/b", "deployment.version");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().field, "deployment.version");
}

}  // namespace
}  // namespace outpost

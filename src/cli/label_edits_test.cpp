#include "cli/label_edits.hpp"

#include <gtest/gtest.h>

namespace outpost::cli {
namespace {

TEST(ParseLabelEdits, SetsWithKeyEqualsValueAndRemovesWithKeyDash) {
  const auto edits = parse_label_edits({"region=north", "canary-", "empty="});
  ASSERT_TRUE(edits) << edits.error().message;
  EXPECT_EQ(*edits, Json::parse(R"({"region":"north","canary":null,"empty":""})"));
}

TEST(ParseLabelEdits, KeepsDashesInsideKeysAndValues) {
  const auto edits = parse_label_edits({"cell-id=a-1", "rack-b-"});
  ASSERT_TRUE(edits);
  EXPECT_EQ(*edits, Json::parse(R"({"cell-id":"a-1","rack-b":null})"));
}

TEST(ParseLabelEdits, RejectsArgumentsThatAreNeitherForm) {
  for (const char* argument : {"region", "=north", "-", ""}) {
    EXPECT_FALSE(parse_label_edits({argument})) << argument;
  }
}

TEST(ParseLabelEdits, RejectsTheSameKeyEditedTwice) {
  const auto edits = parse_label_edits({"region=north", "region-"});
  ASSERT_FALSE(edits);
  EXPECT_NE(edits.error().message.find("region"), std::string::npos);
}

TEST(ParseLabelEdits, RejectsNoEditsAtAll) { EXPECT_FALSE(parse_label_edits({})); }

TEST(ParseAssignments, BuildsAnObjectAndSplitsAtTheFirstEquals) {
  const auto values = parse_assignments({"a=1", "url=http://x/?q=1"}, "--var");
  ASSERT_TRUE(values);
  EXPECT_EQ(*values, Json::parse(R"({"a":"1","url":"http://x/?q=1"})"));
}

TEST(ParseAssignments, NamesTheOptionWhenAnArgumentHasNoEquals) {
  const auto values = parse_assignments({"region"}, "--label");
  ASSERT_FALSE(values);
  EXPECT_NE(values.error().message.find("--label"), std::string::npos);
}

}  // namespace
}  // namespace outpost::cli

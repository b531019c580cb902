#include "model/label_expr.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

const Labels north_gpu = {{"name", "shop-1"}, {"region", "north"}, {"gpu", "nvidia"}, {"tier", "gold"}};
const Labels west = {{"name", "shop-2"}, {"region", "west"}, {"tier", "silver"}};
const Labels bare = {{"name", "lab-1"}};

bool matches(std::string_view text, const Labels& labels) {
  auto expr = LabelExpr::parse(text);
  EXPECT_TRUE(expr.has_value()) << text << ": " << (expr ? "" : expr.error().message);
  return expr && expr->matches(labels);
}

Error parse_error(std::string_view text, const std::string& field = "selector") {
  auto expr = LabelExpr::parse(text, field);
  EXPECT_FALSE(expr.has_value()) << text;
  return expr ? Error{} : expr.error();
}

TEST(LabelExpr, EmptyTextMatchesEverything) {
  EXPECT_TRUE(matches("", bare));
  EXPECT_TRUE(matches("   ", Labels{}));
  EXPECT_TRUE(LabelExpr::match_all().matches(Labels{}));
  EXPECT_EQ(LabelExpr::match_all().text(), "");
}

TEST(LabelExpr, EqualsNeedsThePresentKeyWithThatValue) {
  EXPECT_TRUE(matches("region = north", north_gpu));
  EXPECT_FALSE(matches("region = north", west));
  EXPECT_FALSE(matches("region = north", bare));
  EXPECT_TRUE(matches("region=north", north_gpu));
}

TEST(LabelExpr, NotEqualsIsTrueWhenTheKeyIsAbsent) {
  EXPECT_FALSE(matches("region != north", north_gpu));
  EXPECT_TRUE(matches("region != north", west));
  EXPECT_TRUE(matches("region != north", bare));
  EXPECT_TRUE(matches("region!=north", west));
}

TEST(LabelExpr, InMatchesAnyListedValue) {
  EXPECT_TRUE(matches("region in (north, west)", north_gpu));
  EXPECT_TRUE(matches("region in (north, west)", west));
  EXPECT_FALSE(matches("region in (south)", west));
  EXPECT_FALSE(matches("region in (north, west)", bare));
  EXPECT_TRUE(matches("region in(west)", west));
}

TEST(LabelExpr, NotInIsTrueWhenAbsentOrUnlisted) {
  EXPECT_FALSE(matches("region notin (north, west)", west));
  EXPECT_TRUE(matches("region notin (north)", west));
  EXPECT_TRUE(matches("region notin (north, west)", bare));
}

TEST(LabelExpr, HasTestsPresenceOnly) {
  EXPECT_TRUE(matches("has(gpu)", north_gpu));
  EXPECT_FALSE(matches("has(gpu)", west));
  EXPECT_TRUE(matches("has( gpu )", north_gpu));
  EXPECT_TRUE(matches("has(empty)", Labels{{"empty", ""}}));
}

TEST(LabelExpr, NotNegates) {
  EXPECT_TRUE(matches("not has(gpu)", west));
  EXPECT_FALSE(matches("not has(gpu)", north_gpu));
  EXPECT_TRUE(matches("not not has(gpu)", north_gpu));
  EXPECT_TRUE(matches("not name = lab-1", north_gpu));
  EXPECT_FALSE(matches("not name = lab-1", bare));
}

TEST(LabelExpr, AndOrCombine) {
  EXPECT_TRUE(matches("region = north and has(gpu)", north_gpu));
  EXPECT_FALSE(matches("region = west and has(gpu)", west));
  EXPECT_TRUE(matches("region = south or tier = silver", west));
  EXPECT_FALSE(matches("region = south or tier = bronze", west));
  EXPECT_TRUE(matches("tier = gold and region = north and has(gpu) and name = shop-1", north_gpu));
  EXPECT_TRUE(matches("a = 1 or b = 2 or tier = silver", west));
}

TEST(LabelExpr, NotBindsTighterThanAndWhichBindsTighterThanOr) {
  // or(and(region=west, tier=gold), has(gpu)): true for north_gpu through the right side.
  EXPECT_TRUE(matches("region = west and tier = gold or has(gpu)", north_gpu));
  // If `or` bound tighter this would be and(region=west, or(...)) and be false for north_gpu.
  EXPECT_TRUE(matches("has(gpu) or region = west and tier = gold", north_gpu));
  EXPECT_FALSE(matches("has(gpu) or region = west and tier = gold", west));
  // not applies to has(gpu) only, not to the whole and.
  EXPECT_TRUE(matches("not has(gpu) and region = west", west));
  EXPECT_FALSE(matches("not has(gpu) and region = north", north_gpu));
}

TEST(LabelExpr, ParenthesesOverridePrecedence) {
  EXPECT_FALSE(matches("region = west and (tier = gold or has(gpu))", north_gpu));
  EXPECT_TRUE(matches("(region = west or region = north) and has(gpu)", north_gpu));
  EXPECT_TRUE(matches("not (region = north and has(gpu))", west));
  EXPECT_FALSE(matches("not (region = north and has(gpu))", north_gpu));
  EXPECT_TRUE(matches("((((region = west))))", west));
}

TEST(LabelExpr, QuotedValuesMayHoldAnything) {
  Labels labels = {{"os", "Debian GNU/Linux 12"}, {"note", "it's"}};
  EXPECT_TRUE(matches("os = \"Debian GNU/Linux 12\"", labels));
  EXPECT_TRUE(matches("note = \"it's\"", labels));
  EXPECT_TRUE(matches("os in ('x', \"Debian GNU/Linux 12\")", labels));
  EXPECT_TRUE(matches("name = ''", Labels{{"name", ""}}));
  EXPECT_FALSE(matches("name = ''", Labels{}));
}

TEST(LabelExpr, BareValuesIncludeDotsSlashesAndKeywords) {
  EXPECT_TRUE(matches("version = 1.4.0-rc_1", Labels{{"version", "1.4.0-rc_1"}}));
  EXPECT_TRUE(matches("example.com/team = a/b", Labels{{"example.com/team", "a/b"}}));
  EXPECT_TRUE(matches("mode = in", Labels{{"mode", "in"}}));
  EXPECT_TRUE(matches("canary = true", Labels{{"canary", "true"}}));
}

TEST(LabelExpr, KeywordsAreCaseSensitive) {
  auto error = parse_error("a = 1 AND b = 2");
  EXPECT_NE(error.message.find("at position 7"), std::string::npos) << error.message;
}

TEST(LabelExpr, KeepsItsText) {
  auto expr = LabelExpr::parse("region = north");
  ASSERT_TRUE(expr);
  EXPECT_EQ(expr->text(), "region = north");
}

TEST(LabelExprErrors, AreInvalidWithTheGivenField) {
  auto error = parse_error("region =", "placement.sites");
  EXPECT_EQ(error.status, 422);
  EXPECT_EQ(error.code, "invalid");
  EXPECT_EQ(error.field, "placement.sites");
}

TEST(LabelExprErrors, MissingCloseParenNamesItsPosition) {
  auto error = parse_error("(region = north");
  EXPECT_EQ(error.message,
            "at position 16: expected ')' to close the '(' at position 1, got the end of the expression");
}

TEST(LabelExprErrors, MissingValue) {
  EXPECT_EQ(parse_error("region =").message,
            "at position 9: expected a value after '=', got the end of the expression");
  EXPECT_EQ(parse_error("region != )").message, "at position 11: expected a value after '!=', got ')'");
}

TEST(LabelExprErrors, MissingOperator) {
  EXPECT_EQ(parse_error("region north").message,
            "at position 8: expected '=', '!=', 'in' or 'notin' after the key 'region', got 'north'");
  EXPECT_NE(parse_error("region").message.find("at position 7"), std::string::npos);
}

TEST(LabelExprErrors, ValueListProblems) {
  EXPECT_EQ(parse_error("region in north").message,
            "at position 11: expected '(' and a value list after 'in', got 'north'");
  EXPECT_EQ(parse_error("region in ()").message, "at position 12: expected a value in the list, got ')'");
  EXPECT_EQ(parse_error("region notin (a,)").message, "at position 17: expected a value after ',', got ')'");
  EXPECT_EQ(parse_error("region in (a b)").message,
            "at position 14: expected ',' or ')' after the value list, got 'b'");
  EXPECT_EQ(parse_error("region in (a, b").message,
            "at position 16: expected ',' or ')' after the value list, got the end of the expression");
}

TEST(LabelExprErrors, HasProblems) {
  EXPECT_EQ(parse_error("has gpu").message, "at position 5: expected '(' after 'has', got 'gpu'");
  EXPECT_EQ(parse_error("has()").message, "at position 5: expected a label key inside has(...), got ')'");
  EXPECT_EQ(parse_error("has(gpu").message,
            "at position 8: expected ')' after the key in has(gpu, got the end of the expression");
}

TEST(LabelExprErrors, TrailingGarbage) {
  EXPECT_EQ(parse_error("region = north west").message,
            "at position 16: expected 'and', 'or' or the end of the expression, got 'west'");
  EXPECT_EQ(parse_error("has(gpu))").message,
            "at position 9: expected 'and', 'or' or the end of the expression, got ')'");
}

TEST(LabelExprErrors, DanglingOperators) {
  EXPECT_EQ(parse_error("region = north and").message,
            "at position 19: expected a label key, 'has(', 'not' or '(', got the end of the expression");
  EXPECT_EQ(parse_error("or region = north").message,
            "at position 1: expected a label key, 'has(', 'not' or '(', got 'or'");
  EXPECT_EQ(parse_error("not").message,
            "at position 4: expected a label key, 'has(', 'not' or '(', got the end of the expression");
  EXPECT_NE(parse_error("= north").message.find("at position 1"), std::string::npos);
}

TEST(LabelExprErrors, UnknownCharactersAndUnclosedQuotes) {
  EXPECT_EQ(parse_error("region = north & has(gpu)").message, "at position 16: unexpected character '&'");
  EXPECT_EQ(parse_error("region == north").message, "at position 9: expected a value after '=', got '='");
  EXPECT_EQ(parse_error("name = \"lab").message, "at position 8: unclosed quote \"");
  EXPECT_EQ(parse_error("!region").message, "at position 1: unexpected character '!'");
}

TEST(LabelExprErrors, NonAsciiIsShownInHexSoTheMessageStaysValidUtf8) {
  EXPECT_EQ(parse_error("r\xc3\xa9gion = x").message, "at position 2: unexpected character byte 0xC3");
}

TEST(LabelExprErrors, QuotedKeyIsRejected) {
  EXPECT_NE(parse_error("\"region\" = north").message.find("expected a label key"), std::string::npos);
}

TEST(LabelExprErrors, DeepNestingIsRefusedNotOverflowingTheStack) {
  std::string deep(10000, '(');
  auto error = parse_error(deep + "a = b" + std::string(10000, ')'));
  EXPECT_NE(error.message.find("nested too deeply"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "not ";
  EXPECT_NE(parse_error(nots + "a = b").message.find("nested too deeply"), std::string::npos);
}

TEST(LabelExpr, LongFlatChainsAreFine) {
  std::string chain = "k = 0";
  for (int i = 1; i < 20000; ++i) chain += " or k = " + std::to_string(i);
  EXPECT_TRUE(matches(chain, Labels{{"k", "19999"}}));
  EXPECT_FALSE(matches(chain, Labels{{"k", "x"}}));
}

}  // namespace
}  // namespace outpost

#include "tower/http_types.hpp"

#include <gtest/gtest.h>

namespace outpost::tower {
namespace {

TEST(ParseTarget, SplitsPathAndDecodesQuery) {
  auto request = parse_target("GET", "/v1/sites/shop%2D1?selector=region+%3D+north&limit=5").value();
  EXPECT_EQ(request.segments, (std::vector<std::string>{"v1", "sites", "shop-1"}));
  EXPECT_EQ(request.param("selector").value(), "region = north");
  EXPECT_EQ(request.param("limit").value(), "5");
  EXPECT_FALSE(request.param("continue").has_value());
}

TEST(ParseTarget, MalformedPercentEncodingIsBadRequest) {
  for (auto target : {"/v1/sites/%zz", "/v1/sites?x=%4", "/v1/%"}) {
    auto request = parse_target("GET", target);
    ASSERT_FALSE(request.has_value()) << target;
    EXPECT_EQ(request.error().status, 400);
  }
}

TEST(IfMatch, AcceptsPlainAndQuotedRevisionsAndRejectsJunk) {
  ApiRequest request;
  EXPECT_FALSE(if_match(request).value().has_value());
  request.headers["if-match"] = "12";
  EXPECT_EQ(if_match(request).value().value(), 12);
  request.headers["if-match"] = "\"7\"";
  EXPECT_EQ(if_match(request).value().value(), 7);
  for (auto junk : {"abc", "-1", "0", "12x", ""}) {
    request.headers["if-match"] = junk;
    auto parsed = if_match(request);
    ASSERT_FALSE(parsed.has_value()) << junk;
    EXPECT_EQ(parsed.error().status, 400);
    EXPECT_EQ(parsed.error().field, "If-Match");
  }
}

TEST(ErrorResponse, HasTheOneErrorShape) {
  auto response = error_response(Error{422, "invalid", "name: too long", "name"});
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.body["error"]["code"], "invalid");
  EXPECT_EQ(response.body["error"]["message"], "name: too long");
  EXPECT_EQ(response.body["error"]["field"], "name");
}

}  // namespace
}  // namespace outpost::tower

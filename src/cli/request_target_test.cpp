#include "cli/request_target.hpp"

#include <gtest/gtest.h>

namespace outpost::cli {
namespace {

TEST(PercentEncode, KeepsUnreservedCharactersAndEncodesTheRest) {
  EXPECT_EQ(percent_encode("a-Z_0.9~"), "a-Z_0.9~");
  EXPECT_EQ(percent_encode("region in (north, west)"), "region%20in%20%28north%2C%20west%29");
  EXPECT_EQ(percent_encode("k=v&x/y"), "k%3Dv%26x%2Fy");
  EXPECT_EQ(percent_encode("\xC3\xA9"), "%C3%A9");
}

TEST(RequestTarget, AppendsEncodedQueryPairsInOrder) {
  EXPECT_EQ(request_target("/v1/sites"), "/v1/sites");
  EXPECT_EQ(request_target("/v1/sites", {{"selector", "a = b"}, {"continue", "c+1"}}),
            "/v1/sites?selector=a%20%3D%20b&continue=c%2B1");
}

TEST(PathJoin, EncodesTheSegment) { EXPECT_EQ(path_join("/v1/sites", "a/b"), "/v1/sites/a%2Fb"); }

}  // namespace
}  // namespace outpost::cli

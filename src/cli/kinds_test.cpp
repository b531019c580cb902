#include "cli/kinds.hpp"

#include <gtest/gtest.h>

namespace outpost::cli {
namespace {

struct Spelling {
  const char* typed;
  Kind kind;
};

class ResolveKind : public ::testing::TestWithParam<Spelling> {};

TEST_P(ResolveKind, AcceptsSingularPluralAndShortForms) {
  const auto resolved = resolve_kind(GetParam().typed);
  ASSERT_TRUE(resolved) << GetParam().typed;
  EXPECT_EQ(*resolved, GetParam().kind);
}

INSTANTIATE_TEST_SUITE_P(
    Spellings, ResolveKind,
    ::testing::Values(Spelling{"site", Kind::site}, Spelling{"sites", Kind::site},
                      Spelling{"application", Kind::application}, Spelling{"applications", Kind::application},
                      Spelling{"app", Kind::application}, Spelling{"apps", Kind::application},
                      Spelling{"deployment", Kind::deployment}, Spelling{"deployments", Kind::deployment},
                      Spelling{"deploy", Kind::deployment}, Spelling{"instance", Kind::instance},
                      Spelling{"instances", Kind::instance}, Spelling{"inst", Kind::instance},
                      Spelling{"host", Kind::host}, Spelling{"hosts", Kind::host},
                      Spelling{"version", Kind::version}, Spelling{"versions", Kind::version},
                      Spelling{"Sites", Kind::site}, Spelling{"DEPLOY", Kind::deployment}));

TEST(ResolveKindErrors, RejectsUnknownKindsNamingWhatWasTyped) {
  const auto resolved = resolve_kind("pods");
  ASSERT_FALSE(resolved);
  EXPECT_NE(resolved.error().message.find("\"pods\""), std::string::npos);
  EXPECT_NE(resolved.error().message.find("deployments"), std::string::npos);
}

TEST(KindName, IsTheSingularCanonicalName) {
  EXPECT_EQ(kind_name(Kind::application), "application");
  EXPECT_EQ(kind_name(Kind::deployment), "deployment");
  EXPECT_EQ(kind_name(Kind::site), "site");
}

}  // namespace
}  // namespace outpost::cli

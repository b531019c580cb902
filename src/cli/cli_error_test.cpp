#include "cli/cli_error.hpp"

#include <gtest/gtest.h>

namespace outpost::cli {
namespace {

TEST(ErrorFromResponse, UsesTheTowersErrorBody) {
  const Error error = error_from_response(
      422, R"({"error":{"code":"invalid","message":"must be a string, got number","field":"services[0].image"}})");
  EXPECT_EQ(error.status, 422);
  EXPECT_EQ(error.code, "invalid");
  EXPECT_EQ(error.message, "must be a string, got number");
  EXPECT_EQ(error.field, "services[0].image");
}

TEST(ErrorFromResponse, NamesTheStatusWhenTheBodyIsNotTheErrorShape) {
  const Error error = error_from_response(502, "<html>Bad Gateway</html>");
  EXPECT_EQ(error.status, 502);
  EXPECT_EQ(error.message, "the tower answered HTTP 502");
}

TEST(ErrorFromResponse, KeepsTheCodeWhenTheMessageIsMissing) {
  const Error error = error_from_response(409, R"({"error":{"code":"conflict"}})");
  EXPECT_EQ(error.code, "conflict");
  EXPECT_EQ(error.message, "the tower answered HTTP 409 (conflict)");
}

TEST(FormatError, AppendsTheFieldWhenTheServerNamedOne) {
  EXPECT_EQ(format_error(Error{422, "invalid", "must be a string", "services[0].image"}),
            "error: must be a string (field: services[0].image)");
  EXPECT_EQ(format_error(Error{404, "not_found", "no such site", ""}), "error: no such site");
}

TEST(ExitCode, IsTwoOnlyWhenTheTowerIsUnreachable) {
  EXPECT_EQ(exit_code_for(Error{0, "unreachable", "connection refused", ""}), 2);
  EXPECT_EQ(exit_code_for(Error{401, "unauthorized", "bad token", ""}), 1);
  EXPECT_EQ(exit_code_for(Error{422, "invalid", "x", "f"}), 1);
  EXPECT_EQ(exit_code_for(Error{400, "usage", "x", ""}), 1);
}

TEST(NameUnreachableTower, RewordsOnlyUnreachableErrors) {
  EXPECT_EQ(name_unreachable_tower("https://t:7443", Error{0, "unreachable", "connection refused", ""}).message,
            "cannot reach the tower at https://t:7443: connection refused");
  EXPECT_EQ(name_unreachable_tower("https://t:7443",
                                   Error{0, "unreachable", "cannot reach https://t:7443: cannot connect: refused", ""})
                .message,
            "cannot reach the tower at https://t:7443: cannot connect: refused");
  EXPECT_EQ(name_unreachable_tower("https://t:7443", Error{404, "not_found", "gone", ""}).message, "gone");
}

}  // namespace
}  // namespace outpost::cli

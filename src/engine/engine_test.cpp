#include "engine/engine.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

TEST(OutputTail, ShortOutputIsKeptWhole) {
  EXPECT_EQ(output_tail("hello\n", 64), "hello\n");
  EXPECT_EQ(output_tail("", 0), "");
}

TEST(OutputTail, LongOutputKeepsItsEnd) {
  EXPECT_EQ(output_tail("0123456789", 4), "6789");
  EXPECT_EQ(output_tail(std::string(exec_output_limit + 10, 'x') + "end").size(), exec_output_limit);
}

TEST(OutputTail, NeverStartsInsideACharacter) {
  // "é" is two bytes (C3 A9); a 3-byte cut of "aéxy" would start on its second byte.
  EXPECT_EQ(output_tail("a\xC3\xA9xy", 3), "xy");
  EXPECT_EQ(output_tail("a\xC3\xA9xy", 4), "\xC3\xA9xy");
}

}  // namespace
}  // namespace outpost

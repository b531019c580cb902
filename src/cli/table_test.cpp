#include "cli/table.hpp"

#include <gtest/gtest.h>

namespace outpost::cli {
namespace {

TEST(RenderTable, AlignsColumnsThreeSpacesApartWithUpperCaseHeaders) {
  const Table table{{"name", "hosts"}, {{"shop-1", "2"}, {"a", "10"}}};
  EXPECT_EQ(render_table(table),
            "NAME     HOSTS\n"
            "shop-1   2\n"
            "a        10\n");
}

TEST(RenderTable, LeavesNoTrailingSpacesWhenTheLastCellIsShort) {
  const Table table{{"a", "message"}, {{"x", ""}, {"y", "long message"}}};
  EXPECT_EQ(render_table(table),
            "A   MESSAGE\n"
            "x\n"
            "y   long message\n");
}

TEST(RenderTable, KeepsOneRowOnOneLineWhenACellHasLineBreaks) {
  const Table table{{"state", "message"}, {{"error", "pull failed:\nno such image"}}};
  EXPECT_EQ(render_table(table),
            "STATE   MESSAGE\n"
            "error   pull failed: no such image\n");
}

TEST(RenderTable, PadsShortRowsAndIndentsEveryLine) {
  const Table table{{"a", "b", "c"}, {{"1"}}};
  EXPECT_EQ(render_table(table, "  "),
            "  A   B   C\n"
            "  1\n");
}

TEST(RenderTable, PrintsOnlyTheHeaderForNoRows) {
  EXPECT_EQ(render_table(Table{{"name"}, {}}), "NAME\n");
}

}  // namespace
}  // namespace outpost::cli

#include "sim/simulation.hpp"

#include <gtest/gtest.h>

namespace outpost::sim {
namespace {

int failing_among(int sites, int percent) {
  int failing = 0;
  for (int i = 1; i <= sites; ++i) failing += failing_site(i, percent);
  return failing;
}

TEST(FailingSite, ExactlyThatShareOfTheSitesFail) {
  EXPECT_EQ(failing_among(100, 5), 5);
  EXPECT_EQ(failing_among(8, 25), 2);
  EXPECT_EQ(failing_among(10000, 1), 100);
  EXPECT_EQ(failing_among(7, 50), 3);  // floor(3.5)
  EXPECT_EQ(failing_among(10, 100), 10);
  EXPECT_EQ(failing_among(10, 0), 0);
}

TEST(FailingSite, TheFailingSitesAreSpreadNotBunchedAtTheStart) {
  EXPECT_FALSE(failing_site(1, 25));
  EXPECT_TRUE(failing_site(4, 25));
  EXPECT_TRUE(failing_site(8, 25));
  EXPECT_FALSE(failing_site(5, 25));
}

TEST(TimingLine, RecordsTimeHostRevisionAndTheSortedRunningImages) {
  EXPECT_EQ(Simulation::timing_line(1700000000123456789, "sim-000001/h1", 7, {"reg/b:2", "reg/a:1"}),
            "1700000000123456789\tsim-000001/h1\t7\treg/a:1,reg/b:2\n");
  EXPECT_EQ(Simulation::timing_line(5, "s/h", 0, {}), "5\ts/h\t0\t-\n");
}

}  // namespace
}  // namespace outpost::sim

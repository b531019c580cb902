#include "agent/report_window.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <vector>

namespace outpost::agent {
namespace {

using namespace std::chrono_literals;

// A window over its own io_context that records what each flush was told.
class ReportWindowTest : public ::testing::Test {
 protected:
  ReportWindow window_of(std::chrono::milliseconds delay) {
    return ReportWindow(io.get_executor(), delay, [this](bool status_changed) { flushes.push_back(status_changed); });
  }
  boost::asio::io_context io;
  std::vector<bool> flushes;
};

TEST_F(ReportWindowTest, WhatChangesWithinTheWindowIsFlushedOnceAtItsEnd) {
  ReportWindow window = window_of(20ms);
  window.note(true);
  window.note(false);
  window.note(true);
  EXPECT_TRUE(flushes.empty()) << "nothing goes before the window ends";
  io.run_for(2s);  // ends when the window's wait completes
  EXPECT_EQ(flushes, std::vector<bool>{true});

  window.note(false);  // only events: the status is not built again
  io.restart();
  io.run_for(2s);
  EXPECT_EQ(flushes, (std::vector<bool>{true, false}));
}

TEST_F(ReportWindowTest, AHeldStatusChangeCanBeFlushedBeforeTheWindowEnds) {
  ReportWindow window = window_of(20ms);
  window.flush_status_now();
  EXPECT_TRUE(flushes.empty()) << "no status change held: nothing to flush";
  window.note(false);
  window.flush_status_now();
  EXPECT_TRUE(flushes.empty()) << "only events held: they wait for the window's end";
  window.note(true);
  window.flush_status_now();
  EXPECT_EQ(flushes, std::vector<bool>{true});
  io.run_for(2s);
  EXPECT_EQ(flushes, (std::vector<bool>{true, false})) << "the window's end sends only what came since";
}

TEST_F(ReportWindowTest, WithoutADelayEachChangeIsFlushedAtOnce) {
  ReportWindow window = window_of(0ms);
  window.note(true);
  window.note(false);
  EXPECT_EQ(flushes, (std::vector<bool>{true, false}));
}

TEST(ReportWindow, NothingIsFlushedOnceClosedEvenFromAnOpenWindow) {
  boost::asio::io_context io;
  int flushes = 0;
  {
    ReportWindow window(io.get_executor(), 20ms, [&](bool) { ++flushes; });
    window.note(true);
    window.close();
    window.note(true);
  }  // the pending wait outlives the window
  io.run_for(2s);
  EXPECT_EQ(flushes, 0);
}

}  // namespace
}  // namespace outpost::agent

#include "agent/event_sender.hpp"

#include <gtest/gtest.h>

namespace outpost::agent {
namespace {

using namespace std::chrono_literals;

class EventSenderTest : public ::testing::Test {
 protected:
  EventSenderTest() { journal_.load(); }

  std::vector<std::uint64_t> sent_seqs(std::size_t message) const {
    std::vector<std::uint64_t> out;
    const Json parsed = Json::parse(sent_.at(message));
    for (const auto& event : parsed["events"]) out.push_back(event["seq"]);
    return out;
  }
  Json ack(std::uint64_t seq) const { return {{"type", "events-ack"}, {"journal", journal_.journal_id()}, {"seq", seq}}; }

  DiscardingJournalStorage disk_;
  ManualClock clock_;
  SeededRandom random_{1};
  EventJournal journal_{disk_, {}, clock_, random_};
  std::vector<std::string> sent_;
  EventSender sender_{journal_, 2, clock_, [this](std::string text) { sent_.push_back(std::move(text)); }};
};

TEST_F(EventSenderTest, OneBatchAtATimeEachAfterTheLastWasStored) {
  for (int i = 0; i < 5; ++i) journal_.record("exited", "warning", "x");
  sender_.send_next();
  sender_.send_next();  // still waiting for the ack
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_seqs(0), (std::vector<std::uint64_t>{1, 2}));
  Json first = Json::parse(sent_[0]);
  EXPECT_EQ(first["type"], "events");
  EXPECT_EQ(first["journal"], journal_.journal_id());
  EXPECT_EQ(first["dropped"], 0);

  sender_.acknowledged(ack(2));
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_seqs(1), (std::vector<std::uint64_t>{3, 4}));
  EXPECT_EQ(journal_.size(), 3u) << "acknowledged events leave the journal";
  sender_.acknowledged(ack(4));
  sender_.acknowledged(ack(5));
  EXPECT_EQ(sent_seqs(2), (std::vector<std::uint64_t>{5}));
  EXPECT_EQ(journal_.size(), 0u);
}

TEST_F(EventSenderTest, AnAckOfAnotherJournalOrOfAnotherShapeChangesNothing) {
  journal_.record("exited", "warning", "x");
  sender_.send_next();
  sender_.acknowledged({{"type", "events-ack"}, {"journal", "elsewhere"}, {"seq", 1}});
  sender_.acknowledged({{"type", "events-ack"}, {"journal", journal_.journal_id()}, {"seq", "1"}});
  sender_.acknowledged({{"type", "events-ack"}, {"journal", 7}, {"seq", 1}});
  sender_.acknowledged({{"type", "events-ack"}, {"journal", journal_.journal_id()}, {"seq", -1}});
  EXPECT_EQ(journal_.size(), 1u);
}

TEST_F(EventSenderTest, AnUnacknowledgedBatchIsSentAgainAfterAWhile) {
  journal_.record("exited", "warning", "x");
  sender_.send_next();
  journal_.record("started", "info", "y");
  sender_.send_next();
  EXPECT_EQ(sent_.size(), 1u);
  clock_.advance(EventSender::resend_after + 1s);
  sender_.send_next();
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_seqs(1), (std::vector<std::uint64_t>{1, 2})) << "from the last acknowledged event";
}

}  // namespace
}  // namespace outpost::agent

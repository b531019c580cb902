#include "tower/events_writer.hpp"

#include <gtest/gtest.h>

#include "tower/keys.hpp"
#include "tower/tower_test_fixture.hpp"

namespace outpost::tower {
namespace {

struct QuietSession : SessionHandle {
  void desired_changed() override {}
  void close(const std::string&) override {}
};

Json events_message(const std::string& journal, std::vector<std::uint64_t> seqs) {
  Json events = Json::array();
  for (auto seq : seqs)
    events.push_back({{"seq", seq}, {"time", 100 + seq}, {"kind", "started"}, {"level", "info"}, {"message", "m"}});
  return {{"type", "events"}, {"journal", journal}, {"dropped", 0}, {"events", events}};
}

class EventsWriterTest : public TowerFixture {
 protected:
  std::shared_ptr<QuietSession> connect(const std::string& site, const std::string& host) {
    auto session = std::make_shared<QuietSession>();
    hub_->attach(site, host, session);
    return session;
  }
  // Counts the store transactions that write events records.
  void count_transactions() {
    watch_ = store_->watch(keys::events_prefix, [this](const std::vector<WatchEvent>&) { ++transactions_; });
  }
  void TearDown() override {
    if (watch_) store_->unwatch(*watch_);
    TowerFixture::TearDown();
  }
  std::optional<Store::WatchId> watch_;
  int transactions_ = 0;
};

TEST_F(EventsWriterTest, MessagesArrivingTogetherShareTransactionsAndAreAckedAfterTheCommit) {
  const int hosts = static_cast<int>(EventsWriter::records_per_transaction) + 20;
  std::vector<std::shared_ptr<QuietSession>> sessions;
  for (int i = 0; i < hosts; ++i) sessions.push_back(connect("ship", "h" + std::to_string(i)));
  count_transactions();
  std::vector<std::optional<Json>> acks(hosts);
  int done = 0;
  for (int i = 0; i < hosts; ++i)
    events_->submit("ship", "h" + std::to_string(i), sessions[i].get(), events_message("j-" + std::to_string(i), {1, 2}),
                    [&, i](std::optional<Json> ack) {
                      // The record is in the store by the time the ack may go out.
                      EXPECT_TRUE(store_->get(keys::events("ship", "h" + std::to_string(i))).value().has_value());
                      acks[i] = std::move(ack);
                      ++done;
                    });
  EXPECT_EQ(done, 0);
  io_.poll();
  EXPECT_EQ(done, hosts);
  EXPECT_EQ(transactions_, 2) << "one per " << EventsWriter::records_per_transaction << " hosts";
  for (int i = 0; i < hosts; ++i) {
    ASSERT_TRUE(acks[i].has_value());
    EXPECT_EQ((*acks[i])["seq"], 2);
  }
}

TEST_F(EventsWriterTest, TwoMessagesOfOneHostInOneBatchAreFoldedInOrder) {
  auto session = connect("ship", "h1");
  count_transactions();
  std::vector<Json> acks;
  auto keep = [&](std::optional<Json> ack) { acks.push_back(ack.value_or(Json())); };
  events_->submit("ship", "h1", session.get(), events_message("j", {1, 2}), keep);
  events_->submit("ship", "h1", session.get(), events_message("j", {3}), keep);
  io_.poll();
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0]["seq"], 2);
  EXPECT_EQ(acks[1]["seq"], 3);
  EXPECT_EQ(transactions_, 1);
  Json record = Json::parse(store_->get(keys::events("ship", "h1")).value()->value);
  EXPECT_EQ(record["last_seq"], 3);
  EXPECT_EQ(record["events"].size(), 3u);
}

TEST_F(EventsWriterTest, AReplacedSessionIsRefusedWithoutHoldingUpTheOthers) {
  auto old_session = connect("ship", "h1");
  auto current = connect("ship", "h1");
  auto other = connect("ship", "h2");
  std::optional<Json> refused = Json("unset"), accepted;
  events_->submit("ship", "h1", old_session.get(), events_message("j", {1}),
                  [&](std::optional<Json> ack) { refused = std::move(ack); });
  events_->submit("ship", "h2", other.get(), events_message("j", {1}), [&](std::optional<Json> ack) { accepted = std::move(ack); });
  io_.poll();
  EXPECT_FALSE(refused.has_value());
  EXPECT_TRUE(accepted.has_value());
  EXPECT_FALSE(store_->get(keys::events("ship", "h1")).value().has_value());
}

TEST_F(EventsWriterTest, DuplicatesAreAcknowledgedWithoutAWrite) {
  auto session = connect("ship", "h1");
  std::optional<Json> first, second;
  events_->submit("ship", "h1", session.get(), events_message("j", {1}), [&](std::optional<Json> ack) { first = ack; });
  io_.poll();
  io_.restart();
  const auto revision = store_revision();
  events_->submit("ship", "h1", session.get(), events_message("j", {1}), [&](std::optional<Json> ack) { second = ack; });
  io_.poll();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(store_revision(), revision);
}

}  // namespace
}  // namespace outpost::tower

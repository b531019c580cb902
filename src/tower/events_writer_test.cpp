#include "tower/events_writer.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "store/forwarding_store.hpp"
#include "tower/keys.hpp"
#include "tower/site_events.hpp"
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

// The fixture's store, refusing every commit while `refuse` is set.
class RefusingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  bool refuse = false;

  Result<std::int64_t> commit(const std::vector<TxnOp>& ops) override {
    if (refuse) return fail(503, "unavailable", "the store refused the write");
    return ForwardingStore::commit(ops);
  }
};

class EventsWriterTest : public TowerFixture {
 protected:
  std::shared_ptr<QuietSession> connect(const std::string& site, const std::string& host) {
    auto session = std::make_shared<QuietSession>();
    hub_->attach(site, host, session);
    return session;
  }
  // Records the store transactions that write events, each as the keys it put and removed.
  void record_transactions() {
    watch_ = store_->watch(keys::events_prefix, [this](const std::vector<WatchEvent>& events) {
      transactions_.emplace_back();
      for (const auto& event : events)
        transactions_.back().push_back((event.type == WatchEvent::Type::put ? "put " : "remove ") + event.kv.key);
    });
  }
  // Submits one message and runs the writer; the ack, or nullopt when there was none.
  std::optional<Json> deliver(const std::string& host, const SessionHandle* session, const Json& message) {
    std::optional<Json> ack;
    bool done = false;
    events_->submit("ship", host, session, message, [&](std::optional<Json> result) {
      ack = std::move(result);
      done = true;
    });
    io_.poll();
    io_.restart();
    EXPECT_TRUE(done);
    return ack;
  }
  std::vector<std::uint64_t> stored_seqs(const std::string& host) {
    std::vector<std::uint64_t> out;
    const ListPage page = store_->list(keys::event_numbers("ship", host)).value();
    for (const auto& kv : page.items)
      out.push_back(Json::parse(kv.value)["seq"].get<std::uint64_t>());
    return out;
  }
  EventsJournal journal_of(const std::string& host) {
    auto stored = store_->get(keys::events_journal("ship", host)).value();
    if (!stored) return {};
    return EventsJournal::from_json(Json::parse(stored->value)).value_or(EventsJournal{});
  }
  void TearDown() override {
    if (watch_) store_->unwatch(*watch_);
    TowerFixture::TearDown();
  }
  std::optional<Store::WatchId> watch_;
  std::vector<std::vector<std::string>> transactions_;
};

TEST_F(EventsWriterTest, MessagesArrivingTogetherShareTransactionsAndAreAckedAfterTheCommit) {
  const int hosts = 120;
  std::vector<std::shared_ptr<QuietSession>> sessions;
  for (int i = 0; i < hosts; ++i) sessions.push_back(connect("ship", "h" + std::to_string(i)));
  record_transactions();
  std::vector<std::optional<Json>> acks(hosts);
  int done = 0;
  for (int i = 0; i < hosts; ++i)
    events_->submit("ship", "h" + std::to_string(i), sessions[i].get(), events_message("j-" + std::to_string(i), {1, 2}),
                    [&, i](std::optional<Json> ack) {
                      // The events are in the store by the time the ack may go out.
                      EXPECT_EQ(stored_seqs("h" + std::to_string(i)), (std::vector<std::uint64_t>{1, 2}));
                      acks[i] = std::move(ack);
                      ++done;
                    });
  EXPECT_EQ(done, 0);
  io_.poll();
  EXPECT_EQ(done, hosts);
  // Three operations a host (two events and its journal), so 42 hosts a transaction.
  const std::size_t hosts_per_transaction = store_->operations_per_transaction() / 3;
  ASSERT_EQ(transactions_.size(), (hosts + hosts_per_transaction - 1) / hosts_per_transaction);
  for (const auto& transaction : transactions_) EXPECT_LE(transaction.size(), store_->operations_per_transaction());
  EXPECT_EQ(transactions_[0].size(), hosts_per_transaction * 3) << "full transactions, not one per host";
  for (int i = 0; i < hosts; ++i) {
    ASSERT_TRUE(acks[i].has_value());
    EXPECT_EQ((*acks[i])["seq"], 2);
  }
}

TEST_F(EventsWriterTest, TwoMessagesOfOneHostInOneBatchAreAppendedInOrder) {
  auto session = connect("ship", "h1");
  record_transactions();
  std::vector<Json> acks;
  auto keep = [&](std::optional<Json> ack) { acks.push_back(ack.value_or(Json())); };
  events_->submit("ship", "h1", session.get(), events_message("j", {1, 2}), keep);
  events_->submit("ship", "h1", session.get(), events_message("j", {3}), keep);
  io_.poll();
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0]["seq"], 2);
  EXPECT_EQ(acks[1]["seq"], 3);
  EXPECT_EQ(transactions_.size(), 1u);
  EXPECT_EQ(journal_of("h1"), (EventsJournal{"j", 3, 0, 4, std::nullopt}));
  EXPECT_EQ(stored_seqs("h1"), (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST_F(EventsWriterTest, AMessageWritesItsNewEventsAndRemovesWhatLeavesTheWindowNothingElse) {
  auto session = connect("ship", "h1");
  for (std::uint64_t from = 1; from <= 500; from += 100) {
    std::vector<std::uint64_t> seqs(100);
    std::iota(seqs.begin(), seqs.end(), from);
    ASSERT_TRUE(deliver("h1", session.get(), events_message("j", seqs)).has_value());
  }
  record_transactions();
  auto ack = deliver("h1", session.get(), events_message("j", {501}));
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ((*ack)["seq"], 501);
  ASSERT_EQ(transactions_.size(), 1u);
  EXPECT_EQ(transactions_[0], (std::vector<std::string>{"put " + keys::event("ship", "h1", 501),
                                                        "put " + keys::events_journal("ship", "h1"),
                                                        "remove " + keys::event("ship", "h1", 1)}));
  auto seqs = stored_seqs("h1");
  ASSERT_EQ(seqs.size(), max_events_per_host);
  EXPECT_EQ(seqs.front(), 2u);
  EXPECT_EQ(seqs.back(), 501u);
}

TEST_F(EventsWriterTest, ALongMessageIsSpreadOverTransactionsAndAcknowledgedOnce) {
  auto session = connect("ship", "h1");
  record_transactions();
  std::vector<std::uint64_t> seqs(300);
  std::iota(seqs.begin(), seqs.end(), 1);
  int calls = 0;
  std::optional<Json> ack;
  events_->submit("ship", "h1", session.get(), events_message("j", seqs), [&](std::optional<Json> result) {
    ++calls;
    ack = std::move(result);
  });
  io_.poll();
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ((*ack)["seq"], 300);
  ASSERT_EQ(transactions_.size(), 3u);
  for (const auto& transaction : transactions_) EXPECT_LE(transaction.size(), store_->operations_per_transaction());
  EXPECT_EQ(stored_seqs("h1"), seqs);
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
  EXPECT_TRUE(store_->list(keys::events_of("ship", "h1")).value().items.empty());
}

TEST_F(EventsWriterTest, DuplicatesAreAcknowledgedWithoutAWrite) {
  auto session = connect("ship", "h1");
  auto first = deliver("h1", session.get(), events_message("j", {1}));
  const auto revision = store_revision();
  auto second = deliver("h1", session.get(), events_message("j", {1}));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(store_revision(), revision);
}

TEST_F(EventsWriterTest, WhatTheStoreRefusesIsNotAcknowledgedAndIsStoredOnceWhenResent) {
  RefusingStore store(*store_);
  EventsWriter writer(store, *hub_, io_.get_executor());
  auto session = connect("ship", "h1");
  auto send = [&](const Json& message) {
    std::optional<Json> ack = Json("unset");
    writer.submit("ship", "h1", session.get(), message, [&](std::optional<Json> result) { ack = std::move(result); });
    io_.poll();
    io_.restart();
    return ack;
  };
  ASSERT_TRUE(send(events_message("j", {1})).has_value());
  store.refuse = true;
  EXPECT_FALSE(send(events_message("j", {2, 3})).has_value());
  EXPECT_EQ(stored_seqs("h1"), (std::vector<std::uint64_t>{1}));
  store.refuse = false;
  auto ack = send(events_message("j", {2, 3}));
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ((*ack)["seq"], 3);
  EXPECT_EQ(send(events_message("j", {2, 3})), ack);
  EXPECT_EQ(stored_seqs("h1"), (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST_F(EventsWriterTest, AnUnreadableJournalIsReplacedAndNewEventsFollowTheStoredOnes) {
  auto session = connect("ship", "h1");
  ASSERT_TRUE(deliver("h1", session.get(), events_message("j", {1, 2})).has_value());
  ASSERT_TRUE(store_->put(keys::events_journal("ship", "h1"), "{not json").has_value());
  auto ack = deliver("h1", session.get(), events_message("j", {3}));
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(stored_seqs("h1"), (std::vector<std::uint64_t>{1, 2, 3})) << "numbered 3, not 1 again";
  EXPECT_EQ(journal_of("h1").next, 4u);
}

}  // namespace
}  // namespace outpost::tower

#include "agent/event_journal.hpp"

#include <gtest/gtest.h>

namespace outpost::agent {
namespace {

using namespace std::chrono_literals;

// Keeps the "file" in a string; can be told to refuse writes like a full disk.
class MemoryStorage final : public JournalStorage {
 public:
  Result<std::string> read_all() override {
    if (unreadable) return fail(500, "io", "cannot read: Input/output error");
    return content;
  }
  Status append(std::string_view lines) override {
    if (full) {
      content += std::string(lines.substr(0, lines.size() / 2));  // a torn write, as ENOSPC leaves
      return fail(500, "io", "cannot append: No space left on device");
    }
    content += lines;
    return {};
  }
  Status set_aside() override {
    aside = content;
    content.clear();
    unreadable = false;
    return {};
  }
  Status replace(std::string_view replacement) override {
    if (full) return fail(500, "io", "cannot write: No space left on device");
    content = replacement;
    ++rewrites;
    return {};
  }
  std::string content;
  std::string aside;
  bool full = false;
  bool unreadable = false;
  int rewrites = 0;
};

std::vector<std::uint64_t> seqs(const std::vector<AgentEvent>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e.seq);
  return out;
}

class EventJournalTest : public ::testing::Test {
 protected:
  EventJournal open(JournalLimits limits = {}) {
    EventJournal journal(storage_, limits, clock_, random_);
    journal.load();
    return journal;
  }
  MemoryStorage storage_;
  ManualClock clock_;
  SeededRandom random_{7};
};

TEST_F(EventJournalTest, EventsAreNumberedInOrderAndKeptUntilAcknowledged) {
  auto journal = open();
  journal.record("exited", "warning", "exited with code 137", "shop", "web-0", "shop-web-0-web");
  journal.record("restarted", "warning", "restart policy always");
  journal.record("ready", "info", "ready");
  auto pending = journal.pending(0, 10);
  ASSERT_EQ(seqs(pending), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(pending[0].kind, "exited");
  EXPECT_EQ(pending[0].app, "shop");
  EXPECT_EQ(pending[0].instance, "web-0");
  EXPECT_EQ(pending[0].time, unix_seconds(clock_.now()));
  EXPECT_EQ(seqs(journal.pending(1, 1)), (std::vector<std::uint64_t>{2}));

  journal.acknowledge(journal.journal_id(), 2);
  EXPECT_EQ(seqs(journal.pending(0, 10)), (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(journal.dropped(), 0u);
}

TEST_F(EventJournalTest, AnotherRunKeepsWhatWasNotDeliveredInAJournalOfItsOwn) {
  std::string id;
  {
    auto journal = open();
    for (int i = 0; i < 4; ++i) journal.record("exited", "warning", "exit " + std::to_string(i));
    journal.acknowledge(journal.journal_id(), 2);
    id = journal.journal_id();
  }
  auto again = open();
  EXPECT_NE(again.journal_id(), id) << "a new run numbers its events afresh";
  auto pending = again.pending(0, 10);
  ASSERT_EQ(seqs(pending), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(pending[0].message, "exit 2");
  EXPECT_EQ(pending[1].message, "exit 3");
  again.record("ready", "info", "ready");
  EXPECT_EQ(again.last_seq(), 3u);
}

TEST_F(EventJournalTest, AfterAPowerLossNewEventsAreNeverTakenForOnesTheTowerHas) {
  std::string id;
  std::string on_disk_before_the_loss;
  {
    auto journal = open();
    journal.record("exited", "warning", "one");
    on_disk_before_the_loss = storage_.content;  // what reached the disk; the rest was in the page cache
    for (int i = 0; i < 5; ++i) journal.record("exited", "warning", "later");
    journal.acknowledge(journal.journal_id(), 6);  // the tower stored all six
    id = journal.journal_id();
  }
  storage_.content = on_disk_before_the_loss;
  auto again = open();
  again.record("started", "info", "after the reboot");
  // Under the old journal the tower would skip seq 1 and 2 as already stored (it holds up to 6).
  EXPECT_NE(again.journal_id(), id);
  EXPECT_EQ(seqs(again.pending(0, 10)), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(again.pending(0, 10)[1].message, "after the reboot");
}

TEST_F(EventJournalTest, AcknowledgementsOfAnotherJournalAreIgnored) {
  auto journal = open();
  journal.record("exited", "warning", "x");
  journal.acknowledge("some-older-journal", 1);
  EXPECT_EQ(journal.size(), 1u);
}

TEST_F(EventJournalTest, WhenFullTheOldestAreDroppedAndCounted) {
  auto journal = open({.max_events = 5});
  for (int i = 0; i < 8; ++i) journal.record("exited", "warning", "exit " + std::to_string(i));
  EXPECT_EQ(journal.size(), 5u);
  EXPECT_EQ(journal.dropped(), 3u);
  EXPECT_EQ(seqs(journal.pending(0, 10)), (std::vector<std::uint64_t>{4, 5, 6, 7, 8}));

  auto again = open({.max_events = 5});
  EXPECT_EQ(again.dropped(), 3u) << "the drop count survives a restart";
  auto pending = again.pending(0, 10);
  ASSERT_EQ(pending.size(), 5u);
  EXPECT_EQ(pending.front().message, "exit 3");
  EXPECT_EQ(pending.back().message, "exit 7");
}

TEST_F(EventJournalTest, MemoryIsBoundedByBytesToo) {
  auto journal = open({.max_events = 1000, .max_bytes = 2000});
  for (int i = 0; i < 100; ++i) journal.record("exited", "warning", std::string(100, 'x'));
  EXPECT_LE(journal.bytes(), 2000u);
  EXPECT_GT(journal.dropped(), 80u);
  EXPECT_EQ(journal.pending(0, 1000).back().seq, 100u) << "the newest are kept";
}

TEST_F(EventJournalTest, TheFileStaysWithinAboutTwiceTheBound) {
  auto journal = open({.max_events = 1000, .max_bytes = 4096});
  std::size_t largest = 0;
  for (int i = 0; i < 2000; ++i) {
    journal.record("ready", "info", "instance ready after its readiness probe passed");
    if (i % 3 == 0) journal.acknowledge(journal.journal_id(), journal.last_seq());
    largest = std::max(largest, storage_.content.size());
  }
  EXPECT_LE(largest, 2 * 4096u + 200u);
  EXPECT_GT(storage_.rewrites, 10);
}

TEST_F(EventJournalTest, TheFileIsRewrittenAfterAsManyLinesAsTheBoundHolds) {
  auto journal = open({.max_events = 10});
  std::size_t most_lines = 0;
  for (int i = 0; i < 100; ++i) {
    journal.record("ready", "info", "ready");
    journal.acknowledge(journal.journal_id(), journal.last_seq());
    most_lines = std::max<std::size_t>(most_lines, std::count(storage_.content.begin(), storage_.content.end(), '\n'));
  }
  EXPECT_LE(most_lines, 2 * 10u + 1);
}

TEST_F(EventJournalTest, ATornLastLineIsSkippedAndCountedAsDropped) {
  {
    auto journal = open();
    journal.record("exited", "warning", "one");
    journal.record("exited", "warning", "two");
  }
  storage_.content += R"({"seq":3,"time":1,"kind":"exi)";  // the process died mid-write
  auto journal = open();
  auto pending = journal.pending(0, 10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[1].message, "two");
  EXPECT_EQ(journal.dropped(), 1u);
}

TEST_F(EventJournalTest, AnEventLargerThanTheWholeBoundIsCutNotFatal) {
  auto journal = open({.max_events = 100, .max_bytes = 4096});
  journal.record("exited", "warning", "before");
  journal.record("exited", "warning", std::string(5000, 'x') + "é");
  auto pending = journal.pending(0, 10);
  ASSERT_EQ(pending.size(), 2u) << "one long output line does not crowd out the others";
  EXPECT_LE(pending[1].message.size(), EventJournal::max_message_bytes + 3);
  EXPECT_LE(journal.bytes(), 4096u);
}

TEST_F(EventJournalTest, TextIsCutAtACharacterBoundary) {
  auto journal = open();
  // The cut falls on the second byte of "é" (the last 3 bytes of the bound go to "...").
  journal.record("exited", "warning", std::string(EventJournal::max_message_bytes - 4, 'x') + "é and more");
  const std::string message = journal.pending(0, 1)[0].message;
  EXPECT_EQ(message, std::string(EventJournal::max_message_bytes - 4, 'x') + "...");
}

TEST_F(EventJournalTest, AFullDiskKeepsEventsInMemoryAndRecoversWhenThereIsRoomAgain) {
  auto journal = open({.max_events = 100, .max_bytes = 64 * 1024, .disk_retry = 30s});
  int notified = 0;
  journal.set_listener([&] { ++notified; });
  journal.record("exited", "warning", "before the disk filled");
  storage_.full = true;
  journal.record("exited", "warning", "while full");
  EXPECT_NE(journal.disk_problem().find("No space left on device"), std::string::npos) << journal.disk_problem();
  journal.record("restarted", "warning", "still full");
  auto kinds = [&] {
    std::vector<std::string> out;
    for (const auto& e : journal.pending(0, 100)) out.push_back(e.kind);
    return out;
  };
  EXPECT_EQ(kinds(), (std::vector<std::string>{"exited", "exited", "disk-degraded", "restarted"}));
  EXPECT_GE(notified, 4);

  storage_.full = false;
  journal.retry_disk();
  EXPECT_FALSE(journal.disk_problem().empty()) << "not retried before disk_retry has passed";
  clock_.advance(31s);
  journal.retry_disk();
  EXPECT_TRUE(journal.disk_problem().empty());
  EXPECT_EQ(kinds().back(), "disk-recovered");

  auto reloaded = open();
  EXPECT_EQ(reloaded.size(), 5u) << "everything kept in memory reached the disk: " << storage_.content;
  EXPECT_EQ(reloaded.dropped(), 0u);
}

TEST_F(EventJournalTest, AnUnreadableBufferIsSetAsideNotOverwritten) {
  storage_.content = "what an earlier run left";
  storage_.unreadable = true;
  auto journal = open({.max_events = 1000, .max_bytes = 256 * 1024, .disk_retry = 10s});
  EXPECT_FALSE(journal.journal_id().empty());
  EXPECT_NE(journal.disk_problem().find("cannot be read"), std::string::npos);
  journal.record("exited", "warning", "x");
  auto pending = journal.pending(0, 10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].kind, "disk-degraded") << "the agent's own trouble is an event too";
  EXPECT_EQ(pending[1].kind, "exited");
  EXPECT_EQ(storage_.content, "what an earlier run left") << "nothing written over it yet";

  clock_.advance(11s);
  journal.retry_disk();
  EXPECT_EQ(storage_.aside, "what an earlier run left");
  EXPECT_TRUE(journal.disk_problem().empty());
  EXPECT_NE(storage_.content.find("\"exited\""), std::string::npos);
}

TEST_F(EventJournalTest, EventsRoundTripThroughJson) {
  AgentEvent event{9, 1234, "crash-loop", "error", "shop", "web-0", "shop-web-0-web", "exited 3 times"};
  auto back = AgentEvent::from_json(event.to_json());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->to_json(), event.to_json());
  EXPECT_FALSE(AgentEvent::from_json(Json{{"seq", 0}, {"kind", "x"}}));
  EXPECT_FALSE(AgentEvent::from_json(Json{{"seq", 3}}));
}

}  // namespace
}  // namespace outpost::agent

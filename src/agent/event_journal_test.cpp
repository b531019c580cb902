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
  Status replace(std::string_view replacement) override {
    if (full) return fail(500, "io", "cannot write: No space left on device");
    content = replacement;
    ++rewrites;
    return {};
  }
  std::string content;
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

TEST_F(EventJournalTest, AnotherRunOnTheSameDiskContinuesWhereTheLastStopped) {
  std::string id;
  {
    auto journal = open();
    for (int i = 0; i < 4; ++i) journal.record("exited", "warning", "exit " + std::to_string(i));
    journal.acknowledge(journal.journal_id(), 2);
    id = journal.journal_id();
  }
  auto again = open();
  EXPECT_EQ(again.journal_id(), id);
  EXPECT_EQ(seqs(again.pending(0, 10)), (std::vector<std::uint64_t>{3, 4}));
  EXPECT_EQ(again.pending(0, 10)[1].message, "exit 3");
  again.record("ready", "info", "ready");
  EXPECT_EQ(again.last_seq(), 5u);
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
  EXPECT_EQ(seqs(again.pending(0, 10)), (std::vector<std::uint64_t>{4, 5, 6, 7, 8}));
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

TEST_F(EventJournalTest, ATornLastLineIsSkippedAndItsNumberNeverReused) {
  {
    auto journal = open();
    journal.record("exited", "warning", "one");
    journal.record("exited", "warning", "two");
  }
  storage_.content += R"({"seq":3,"time":1,"kind":"exi)";  // the process died mid-write
  auto journal = open();
  EXPECT_EQ(seqs(journal.pending(0, 10)), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(journal.dropped(), 1u);
  journal.record("ready", "info", "ready");
  EXPECT_EQ(journal.last_seq(), 4u);
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

TEST_F(EventJournalTest, AnUnreadableBufferStartsAFreshJournalInMemory) {
  storage_.unreadable = true;
  auto journal = open();
  EXPECT_FALSE(journal.journal_id().empty());
  EXPECT_NE(journal.disk_problem().find("cannot be read"), std::string::npos);
  journal.record("exited", "warning", "x");
  auto pending = journal.pending(0, 10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].kind, "disk-degraded") << "the agent's own trouble is an event too";
  EXPECT_EQ(pending[1].kind, "exited");
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

#pragma once
// What happened on this host (containers exited, restarted, replaced; readiness changes; the
// session lost and restored; disk trouble), kept until the tower acknowledges it, so an outage
// of the uplink loses no history. Bounded in memory and on disk: when full, the oldest events
// are dropped and counted, and the tower is told how many. A disk that refuses writes (full,
// read-only) degrades the journal to memory only; it retries and says so instead of failing.
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/json.hpp"
#include "common/random.hpp"
#include "common/result.hpp"

namespace outpost::agent {

struct AgentEvent {
  std::uint64_t seq = 0;
  std::int64_t time = 0;  // unix seconds
  std::string kind;       // short, [a-z-]: "exited", "restarted", "session-lost", ...
  std::string level = "info";  // info | warning | error
  std::string app, instance, container;
  std::string message;

  Json to_json() const;
  static std::optional<AgentEvent> from_json(const Json& json);
};

// Where the journal keeps its lines. Injected so tests can make the disk fail.
class JournalStorage {
 public:
  virtual ~JournalStorage() = default;
  virtual Result<std::string> read_all() = 0;  // "" when there is nothing yet
  virtual Status append(std::string_view lines) = 0;
  virtual Status replace(std::string_view content) = 0;  // atomically
  // Keeps what could not be read out of the way of the next replace (renamed, never deleted).
  virtual Status set_aside() = 0;
};

class FileJournalStorage final : public JournalStorage {
 public:
  explicit FileJournalStorage(std::filesystem::path file) : file_(std::move(file)) {}
  Result<std::string> read_all() override;
  Status append(std::string_view lines) override;
  Status replace(std::string_view content) override;
  Status set_aside() override;

 private:
  std::filesystem::path file_;
};

// Keeps nothing: a journal in memory only (tests, simulated sites).
class DiscardingJournalStorage final : public JournalStorage {
 public:
  Result<std::string> read_all() override { return std::string{}; }
  Status append(std::string_view) override { return {}; }
  Status replace(std::string_view) override { return {}; }
  Status set_aside() override { return {}; }
};

struct JournalLimits {
  std::size_t max_events = 1000;
  std::size_t max_bytes = 256 * 1024;  // of unacknowledged events, as serialised
  std::chrono::seconds disk_retry{10};
};

class EventJournal {
 public:
  // Longer text is cut (common/text.hpp): the tower keeps no more either.
  static constexpr std::size_t max_message_bytes = 1000;
  static constexpr std::size_t max_name_bytes = 200;

  EventJournal(JournalStorage& storage, JournalLimits limits, const Clock& clock, Random& random);

  // Reads what an earlier run left. Lines that do not parse (a torn last write) are skipped and
  // counted as dropped. Each run is a new journal: the undelivered events are numbered anew.
  // Never fails: a storage that cannot be read degrades to memory only.
  void load();

  void record(std::string kind, std::string level, std::string message, std::string app = {},
              std::string instance = {}, std::string container = {});

  // Up to `max` unacknowledged events after `after_seq`, oldest first.
  std::vector<AgentEvent> pending(std::uint64_t after_seq, std::size_t max) const;
  // The tower stored everything up to `seq` of `journal`; acknowledgements of another journal
  // (an earlier data dir) are ignored.
  void acknowledge(const std::string& journal, std::uint64_t seq);

  const std::string& journal_id() const { return journal_id_; }
  std::uint64_t dropped() const { return dropped_; }
  std::uint64_t last_seq() const { return next_seq_ - 1; }
  std::size_t size() const { return events_.size(); }
  std::size_t bytes() const { return bytes_; }
  // Why events are kept in memory only, or empty while the disk takes them.
  const std::string& disk_problem() const { return disk_problem_; }

  // While the disk refuses writes, tries a full rewrite once per `disk_retry`; the agent calls
  // it on every reconcile pass so a freed disk is noticed without waiting for an event.
  void retry_disk();

  // Called after every record and whenever disk_problem() changes.
  void set_listener(std::function<void()> listener) { listener_ = std::move(listener); }

 private:
  struct Kept {
    AgentEvent event;
    std::string line;  // serialised, with its newline
  };
  void keep(AgentEvent event);
  void trim();
  std::string header() const;
  // Appends `lines` (compacting first when the file has grown past its bound); on failure
  // switches to memory only until a retry rewrites the whole file.
  void persist(const std::string& lines);
  bool compact();
  void set_disk_problem(std::string problem);

  JournalStorage& storage_;
  JournalLimits limits_;
  const Clock& clock_;
  Random& random_;
  std::string journal_id_;
  std::deque<Kept> events_;  // unacknowledged, oldest first
  std::size_t bytes_ = 0;
  std::uint64_t next_seq_ = 1;
  std::uint64_t acked_ = 0;
  std::uint64_t dropped_ = 0;
  std::size_t appended_since_compaction_ = 0;  // bytes
  std::size_t appended_lines_ = 0;             // since the last rewrite
  std::string disk_problem_;
  bool loading_ = false;
  bool unreadable_ = false;  // the file could not be read: set it aside before writing
  std::optional<Clock::time_point> next_disk_retry_;
  std::function<void()> listener_;
};

}  // namespace outpost::agent

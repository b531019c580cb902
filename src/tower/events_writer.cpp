#include "tower/events_writer.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "tower/keys.hpp"
#include "tower/session_hub.hpp"
#include "tower/site_events.hpp"

namespace outpost::tower {

// A window that moved by a whole transaction's events would remove keys the same transaction
// writes, which etcd refuses.
static_assert(EventsWriter::events_per_part < max_events_per_host);

namespace {

Json events_ack(const std::string& journal, std::uint64_t seq) {
  return Json{{"type", "events-ack"}, {"journal", journal}, {"seq", seq}};
}

}  // namespace

// One flush: the queued messages, host by host and each host's in order, written in
// transactions of at most the store's operations_per_transaction.
class EventsWriter::Flush {
 public:
  Flush(EventsWriter& writer, std::vector<Pending> queued)
      : writer_(writer),
        queued_(std::move(queued)),
        acks_(queued_.size()),
        operations_limit_(std::max(writer.store_.operations_per_transaction(), events_per_part + 3)) {}

  void run() {
    std::map<std::string, std::vector<std::size_t>> by_host;
    for (std::size_t i = 0; i < queued_.size(); ++i)
      by_host[keys::events_journal(queued_[i].site, queued_[i].host)].push_back(i);
    for (const auto& [key, messages] : by_host)
      for (std::size_t i : messages) {
        store(key, i);
        // Settled with the transaction open now: the last holding any of its events, or a later
        // one (a duplicate's ack also waits for the host's writes still in flight).
        transaction_.messages.push_back(i);
      }
    commit();
  }

 private:
  // Where one host stands during the flush.
  struct HostState {
    StoredJournal stored;  // as the last committed transaction left it
    bool failed = false;   // unread, or a write failed: its later messages are not acknowledged
  };
  // One store transaction being filled, and the messages whose acks wait for its outcome.
  struct Transaction {
    std::map<std::string, HostEventsWrite> hosts;  // by the host's journal key
    std::size_t operations = 0;
    std::vector<std::size_t> messages;
  };

  void store(const std::string& key, std::size_t index) {
    Pending& pending = queued_[index];
    if (!writer_.hub_.is_current(pending.site, pending.host, pending.session)) return;
    HostState& state = host(key, pending);
    if (state.failed) return;
    std::optional<std::uint64_t> ack;
    const std::string journal = string_or(pending.message, "journal");
    // The message is not needed after this: a message that fits one part is moved, not copied.
    for (const Json& part : split_events_message(std::move(pending.message), events_per_part)) {
      auto in_transaction = transaction_.hosts.find(key);
      const EventsJournal& current =
          in_transaction != transaction_.hosts.end() ? in_transaction->second.after : state.stored.journal;
      auto append = append_events(current, part);
      if (!append) {
        spdlog::warn("host {}/{}: events not stored: {}", pending.site, pending.host, append.error().message);
        return;
      }
      if (append->changed && !add(key, pending, state, *append)) return;
      ack = append->ack;
    }
    if (ack) acks_[index] = events_ack(journal, *ack);
  }

  HostState& host(const std::string& key, const Pending& pending) {
    auto [it, fresh] = hosts_.try_emplace(key);
    if (!fresh) return it->second;
    auto read = read_events_journal(writer_.store_, pending.site, pending.host);
    if (!read) {
      spdlog::warn("host {}/{}: events not stored, so not acknowledged: {}", pending.site, pending.host,
                   read.error().message);
      it->second.failed = true;
    } else {
      it->second.stored = std::move(*read);
    }
    return it->second;
  }

  // Adds one part's events to the open transaction, first committing it when they would not fit.
  // False when that commit failed for this host.
  bool add(const std::string& key, const Pending& pending, HostState& state, const EventsAppend& append) {
    auto found = transaction_.hosts.find(key);
    const bool present = found != transaction_.hosts.end();
    HostEventsWrite grown = present ? found->second : fresh_write(pending, state, append);
    std::size_t others = transaction_.operations - (present ? found->second.operation_count() : 0);
    if (present) {
      grown.after = append.journal;
      grown.events.insert(grown.events.end(), append.events.begin(), append.events.end());
    }
    if (others + grown.operation_count() > operations_limit_) {
      commit();
      if (state.failed) return false;
      grown = fresh_write(pending, state, append);
      others = 0;
    }
    transaction_.operations = others + grown.operation_count();
    transaction_.hosts.insert_or_assign(key, std::move(grown));
    return true;
  }

  static HostEventsWrite fresh_write(const Pending& pending, const HostState& state, const EventsAppend& append) {
    return HostEventsWrite{pending.site, pending.host, state.stored.journal, append.journal, append.events,
                           state.stored.revision};
  }

  void commit() {
    std::vector<TxnOp> ops;
    for (const auto& [key, write] : transaction_.hosts) write.append_operations(ops);
    Result<std::int64_t> committed = 0;
    if (!ops.empty()) committed = writer_.store_.commit(ops);
    if (!committed)
      spdlog::warn("events of {} host(s) not stored, so not acknowledged: {}", transaction_.hosts.size(),
                   committed.error().message);
    for (const auto& [key, write] : transaction_.hosts) {
      HostState& state = hosts_[key];
      if (committed) state.stored = StoredJournal{write.after, *committed};
      else state.failed = true;
    }
    for (std::size_t i : transaction_.messages) {
      if (!committed) acks_[i].reset();
      queued_[i].done(std::move(acks_[i]));
    }
    transaction_ = {};
  }

  EventsWriter& writer_;
  std::vector<Pending> queued_;
  std::vector<std::optional<Json>> acks_;
  std::size_t operations_limit_;
  std::map<std::string, HostState> hosts_;
  Transaction transaction_;
};

EventsWriter::EventsWriter(Store& store, const SessionHub& hub, boost::asio::any_io_executor executor)
    : store_(store), hub_(hub), executor_(std::move(executor)) {}

EventsWriter::~EventsWriter() { *alive_ = false; }

void EventsWriter::submit(std::string site, std::string host, const SessionHandle* session, Json message, Done done) {
  queue_.push_back({std::move(site), std::move(host), session, std::move(message), std::move(done)});
  if (scheduled_) return;
  scheduled_ = true;
  // Posted, not run now: the messages whose reads completed in the same turn of the io loop
  // are already queued behind this and join the batch.
  boost::asio::post(executor_, [this, alive = alive_] {
    if (!*alive) return;
    scheduled_ = false;
    flush();
  });
}

void EventsWriter::flush() { Flush(*this, std::exchange(queue_, {})).run(); }

}  // namespace outpost::tower

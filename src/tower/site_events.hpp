#pragma once
// What happened on each host, as its agent reported it (protocol.md "events").
//
// The tower keeps each host's newest events append-only, so that storing a message costs work in
// proportion to its new events, not to what the host already has:
//   /events/SITE/HOST/journal   EventsJournal: the agent's journal, its last seq stored, its
//                               dropped count, and the number the next event stored gets;
//   /events/SITE/HOST/e/N       one event, N counted by the tower from 1 in the order stored
//                               (zero-padded, so keys sort by it).
// N, not the agent's seq, orders the keys: seq starts over with each journal, and the events of
// an earlier journal stay until newer ones push them out. The window is the newest
// max_events_per_host numbers; a write that moves it removes the keys below it in one range.
// The agent resends what was not acknowledged, so anything at or below the journal's last seq
// is a duplicate.
//
// Towers before this kept one record per host, /events/SITE/HOST = {"journal","last_seq",
// "dropped","events":[...]}. Such a record is read, never rewritten: its events count as numbers
// 1..K, the host's first write after the upgrade starts its journal at K + 1 (noting K in
// `legacy`), and the record is removed once the window has moved past K.
//
// EventsWriter (events_writer.hpp) does the writing.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.hpp"
#include "common/result.hpp"
#include "store/store.hpp"

namespace outpost::tower {

inline constexpr std::size_t max_events_per_host = 500;
inline constexpr std::size_t max_event_message = 1000;
inline constexpr std::size_t max_event_name = 200;  // app, instance, container
inline constexpr std::size_t max_event_kind = 40;
inline constexpr std::size_t max_journal_id = 64;

// 1-64 characters of [A-Za-z0-9-].
bool valid_journal_id(std::string_view id);

// One reported event reduced to the documented fields and types, with its text bounded; nullopt
// when it cannot be kept (no positive integer seq, or a kind that is not 1-40 of [a-z0-9-]).
std::optional<Json> normalise_event(const Json& event);

// Where a host's events stand. Default: a host the tower holds nothing of.
struct EventsJournal {
  std::string journal;                  // the agent's journal the newest events came from
  std::uint64_t last_seq = 0;           // the highest seq stored of that journal
  std::uint64_t dropped = 0;            // what that journal reported dropping in all
  std::uint64_t next = 1;               // the number the next event stored gets
  std::optional<std::uint64_t> legacy;  // numbers 1..legacy are in the record of an earlier tower

  // The oldest number kept: the host's events are the numbers [first(), next).
  std::uint64_t first() const { return next > max_events_per_host ? next - max_events_per_host : 1; }
  Json to_json() const;
  // nullopt when `value` is not a journal this tower wrote.
  static std::optional<EventsJournal> from_json(const Json& value);
  // Where a host stands whose events are all in an earlier tower's record (null: unreadable,
  // which then holds nothing and is removed by the host's next write).
  static EventsJournal from_record(const Json& record);
  bool operator==(const EventsJournal&) const = default;
};

// One "events" message applied to a host's journal.
struct EventsAppend {
  EventsJournal journal;      // where the host stands after it
  std::vector<Json> events;   // the new events, to be numbered from the earlier journal's next
  std::uint64_t ack = 0;      // the highest seq now held of the message's journal
  bool changed = false;       // something to write
};

// Pure. A journal other than the stored one (the agent lost its data dir) starts over at seq 0
// and takes the message's dropped count; the earlier journal's events stay until newer ones push
// them out. Fails (400, field "journal") when the message names no valid journal: there is
// nothing to ack.
Result<EventsAppend> append_events(const EventsJournal& stored, const Json& message);

// The message cut into messages of at most `max_events` events each (in order, each with the
// message's journal and dropped count). Applying them one after the other stores what the whole
// would, so one message can be spread over several transactions.
std::vector<Json> split_events_message(Json message, std::size_t max_events);

// What one transaction writes of one host: from `before` to `after`, adding `events` (numbered
// from before.next). The journal's write is conditional on `journal_revision` (0: the journal
// key must not exist yet), so two writers of one host cannot both succeed.
struct HostEventsWrite {
  std::string site;
  std::string host;
  EventsJournal before;
  EventsJournal after;
  std::vector<Json> events;
  std::int64_t journal_revision = 0;

  std::size_t operation_count() const;
  void append_operations(std::vector<TxnOp>& ops) const;
};

// The number in an event's key, from the key and the host's keys::event_numbers prefix.
std::optional<std::uint64_t> event_number(std::string_view key, std::string_view numbers_prefix);

// Where a host's events stand in the store, and the revision its journal key is at (0: none yet,
// also when an earlier tower's record is all there is).
struct StoredJournal {
  EventsJournal journal;
  std::int64_t revision = 0;
};
// An unreadable journal is replaced: its successor numbers new events after the stored ones.
Result<StoredJournal> read_events_journal(Store& store, const std::string& site, const std::string& host);

inline constexpr std::size_t default_events_limit = 100;

struct EventsQuery {
  std::string host;  // empty: every host
  std::size_t limit = default_events_limit;
};

// Pure: the keys listed under /events/SITE/ (`prefix`) as one record per host in the shape
// {"dropped": D, "events": [...]} (oldest stored first), for every host with a journal or an
// earlier tower's record.
std::vector<std::pair<std::string, Json>> host_records(const std::vector<KeyValue>& items, std::string_view prefix);

// The body of GET /v1/sites/{site}/events from the site's records, by host:
// {"items": the newest `limit` events (each stamped with "host"), oldest first by (time, host,
// seq); "dropped": {HOST: count} for every host with a record}.
Json events_view(const std::vector<std::pair<std::string, Json>>& records_by_host, const EventsQuery& query);

// events_view over what the store holds for `site`.
Result<Json> site_events(Store& store, const std::string& site, const EventsQuery& query);

}  // namespace outpost::tower

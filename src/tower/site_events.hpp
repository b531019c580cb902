#pragma once
// What happened on each host, as its agent reported it (protocol.md "events"). The tower keeps
// one store record per host, /events/SITE/HOST = {"journal","last_seq","dropped","events":[...]},
// holding that host's newest events. The agent resends what was not acknowledged, so a message
// is folded into the record by seq: anything at or below the record's last_seq of the same
// journal is a duplicate. EventsWriter (events_writer.hpp) does the writing.
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

// One "events" message folded into a host's record.
struct EventsMerge {
  Json record;            // what the host's record becomes
  std::uint64_t ack = 0;  // the highest seq now held of the message's journal
  bool changed = false;   // differs from what was stored: write it
};

// Pure. `stored` is the host's current record, null when it has none. A journal other than the
// stored one (the agent lost its data dir) starts over at seq 0 and takes the message's dropped
// count; the earlier journal's events stay until the newest max_events_per_host push them out.
// Fails (400, field "journal") when the message names no valid journal: there is nothing to ack.
Result<EventsMerge> merge_events(const Json& stored, const Json& message);

inline constexpr std::size_t default_events_limit = 100;

struct EventsQuery {
  std::string host;  // empty: every host
  std::size_t limit = default_events_limit;
};

// The body of GET /v1/sites/{site}/events from the site's records, by host:
// {"items": the newest `limit` events (each stamped with "host"), oldest first by (time, host,
// seq); "dropped": {HOST: count} for every host with a record}.
Json events_view(const std::vector<std::pair<std::string, Json>>& records_by_host, const EventsQuery& query);

// events_view over what the store holds for `site`.
Result<Json> site_events(Store& store, const std::string& site, const EventsQuery& query);

}  // namespace outpost::tower

#include "tower/site_events.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <tuple>

#include "tower/keys.hpp"
#include "common/text.hpp"

namespace outpost::tower {
namespace {

// Test code and other writers may build numbers as signed; the wire gives unsigned. Both count.
std::optional<std::uint64_t> non_negative(const Json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(it->get<std::int64_t>());
  return std::nullopt;
}

std::uint64_t count_or_zero(const Json& object, const char* key) { return non_negative(object, key).value_or(0); }

bool valid_kind(std::string_view kind) {
  if (kind.empty() || kind.size() > max_event_kind) return false;
  return std::all_of(kind.begin(), kind.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

Json events_of(const Json& record) {
  auto it = record.is_object() ? record.find("events") : record.end();
  return it != record.end() && it->is_array() ? *it : Json::array();
}

}  // namespace

bool valid_journal_id(std::string_view id) {
  if (id.empty() || id.size() > max_journal_id) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::optional<Json> normalise_event(const Json& event) {
  const auto seq = non_negative(event, "seq");
  if (!seq || *seq == 0) return std::nullopt;
  const std::string kind = string_or(event, "kind");
  if (!valid_kind(kind)) return std::nullopt;
  std::string level = string_or(event, "level");
  if (level != "info" && level != "warning" && level != "error") level = "info";
  Json clean = {{"seq", *seq}, {"time", integer_or(event, "time")}, {"kind", kind}, {"level", level}};
  for (const char* key : {"app", "instance", "container"}) {
    std::string value = string_or(event, key);
    if (!value.empty()) clean[key] = bounded_text(std::move(value), max_event_name);
  }
  clean["message"] = bounded_text(string_or(event, "message"), max_event_message);
  return clean;
}

Json EventsJournal::to_json() const {
  Json out = {{"journal", journal}, {"last_seq", last_seq}, {"dropped", dropped}, {"next", next}};
  if (legacy) out["legacy"] = *legacy;
  return out;
}

std::optional<EventsJournal> EventsJournal::from_json(const Json& value) {
  if (!value.is_object() || !value.contains("journal") || !value["journal"].is_string()) return std::nullopt;
  const auto last_seq = non_negative(value, "last_seq");
  const auto dropped = non_negative(value, "dropped");
  const auto next = non_negative(value, "next");
  if (!last_seq || !dropped || !next || *next == 0) return std::nullopt;
  EventsJournal out{value["journal"].get<std::string>(), *last_seq, *dropped, *next, std::nullopt};
  if (value.contains("legacy")) {
    out.legacy = non_negative(value, "legacy");
    if (!out.legacy) return std::nullopt;
  }
  return out;
}

EventsJournal EventsJournal::from_record(const Json& record) {
  const std::uint64_t held = events_of(record).size();
  return EventsJournal{string_or(record, "journal"), count_or_zero(record, "last_seq"), count_or_zero(record, "dropped"),
                       held + 1, held};
}

Result<EventsAppend> append_events(const EventsJournal& stored, const Json& message) {
  const std::string journal = string_or(message, "journal");
  if (!valid_journal_id(journal))
    return bad_request("an events message needs a journal id of 1-64 characters of A-Z, a-z, 0-9 and '-'", "journal");
  const bool same_journal = stored.journal == journal;
  EventsAppend out;
  out.journal = stored;
  out.journal.journal = journal;
  out.journal.last_seq = same_journal ? stored.last_seq : 0;
  // The count only grows within a journal; a smaller one is an older message arriving late.
  out.journal.dropped = count_or_zero(message, "dropped");
  if (same_journal) out.journal.dropped = std::max(out.journal.dropped, stored.dropped);

  if (auto it = message.find("events"); it != message.end() && it->is_array()) {
    for (const auto& item : *it) {
      auto event = normalise_event(item);
      if (!event) continue;
      const auto seq = (*event)["seq"].get<std::uint64_t>();
      if (seq <= out.journal.last_seq) continue;  // already stored, or out of order
      out.journal.last_seq = seq;
      out.events.push_back(std::move(*event));
    }
  }
  out.journal.next += out.events.size();
  if (out.journal.legacy && out.journal.first() > *out.journal.legacy) out.journal.legacy.reset();
  out.ack = out.journal.last_seq;
  out.changed = !out.events.empty() || out.journal != stored;
  return out;
}

std::vector<Json> split_events_message(Json message, std::size_t max_events) {
  auto it = message.find("events");
  if (max_events == 0 || it == message.end() || !it->is_array() || it->size() <= max_events) {
    std::vector<Json> whole;
    whole.push_back(std::move(message));
    return whole;
  }
  std::vector<Json> parts;
  for (std::size_t from = 0; from < it->size(); from += max_events) {
    Json part = message;
    const auto begin = it->begin() + static_cast<std::ptrdiff_t>(from);
    const auto end = it->begin() + static_cast<std::ptrdiff_t>(std::min(from + max_events, it->size()));
    part["events"] = Json(std::vector<Json>(begin, end));
    parts.push_back(std::move(part));
  }
  return parts;
}

namespace {

bool trims(const HostEventsWrite& write) { return write.after.first() > write.before.first(); }
bool drops_record(const HostEventsWrite& write) { return write.before.legacy && !write.after.legacy; }

}  // namespace

std::size_t HostEventsWrite::operation_count() const {
  return events.size() + 1 + (trims(*this) ? 1 : 0) + (drops_record(*this) ? 1 : 0);
}

void HostEventsWrite::append_operations(std::vector<TxnOp>& ops) const {
  for (std::size_t i = 0; i < events.size(); ++i)
    ops.push_back({TxnOp::Kind::put, keys::event(site, host, before.next + i),
                   events[i].dump(-1, ' ', false, Json::error_handler_t::replace), std::nullopt});
  ops.push_back({TxnOp::Kind::put, keys::events_journal(site, host), after.to_json().dump(), journal_revision});
  // Ranges, not single keys: they cost one operation whatever they hold, and a key that is
  // already gone does not fail the transaction.
  if (trims(*this)) ops.push_back(TxnOp::range_removal(keys::event_numbers(site, host), keys::event(site, host, after.first())));
  if (drops_record(*this)) {
    const std::string record = keys::events_record(site, host);
    ops.push_back(TxnOp::range_removal(record, record + '\0'));
  }
}

std::optional<std::uint64_t> event_number(std::string_view key, std::string_view numbers_prefix) {
  if (!key.starts_with(numbers_prefix)) return std::nullopt;
  key.remove_prefix(numbers_prefix.size());
  std::uint64_t number = 0;
  auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), number);
  if (ec != std::errc{} || end != key.data() + key.size()) return std::nullopt;
  return number;
}

Result<StoredJournal> read_events_journal(Store& store, const std::string& site, const std::string& host) {
  auto stored = store.get(keys::events_journal(site, host));
  if (!stored) return std::unexpected(stored.error());
  if (*stored) {
    if (auto journal = EventsJournal::from_json(Json::parse((*stored)->value, nullptr, false)))
      return StoredJournal{std::move(*journal), (*stored)->mod_revision};
    // Numbering from 1 again would overwrite the newest events and leave older ones behind.
    spdlog::warn("the events journal of {}/{} does not parse; new events are numbered after the stored ones", site, host);
    auto numbers = store.list(keys::event_numbers(site, host));
    if (!numbers) return std::unexpected(numbers.error());
    EventsJournal recovered;
    recovered.legacy = 0;  // an earlier tower's record, if any, goes with the next write
    if (!numbers->items.empty())
      recovered.next = event_number(numbers->items.back().key, keys::event_numbers(site, host)).value_or(0) + 1;
    return StoredJournal{std::move(recovered), (*stored)->mod_revision};
  }
  auto record = store.get(keys::events_record(site, host));
  if (!record) return std::unexpected(record.error());
  if (!*record) return StoredJournal{};
  return StoredJournal{EventsJournal::from_record(Json::parse((*record)->value, nullptr, false)), 0};
}

std::vector<std::pair<std::string, Json>> host_records(const std::vector<KeyValue>& items, std::string_view prefix) {
  struct Held {
    bool has_journal = false;
    std::optional<EventsJournal> journal;  // nullopt with has_journal: unreadable
    Json record;                           // an earlier tower's, null when none
    std::vector<std::pair<std::uint64_t, Json>> events;
  };
  std::map<std::string, Held, std::less<>> hosts;
  for (const auto& kv : items) {
    std::string_view rest = kv.key;
    if (!rest.starts_with(prefix)) continue;
    rest.remove_prefix(prefix.size());
    const auto slash = rest.find('/');
    Held& held = hosts[std::string(rest.substr(0, slash))];
    Json value = Json::parse(kv.value, nullptr, false);
    if (slash == std::string_view::npos) {
      if (!value.is_discarded()) held.record = std::move(value);
      continue;
    }
    const std::string_view tail = rest.substr(slash + 1);
    if (tail == "journal") {
      held.has_journal = true;
      held.journal = EventsJournal::from_json(value);
    } else if (auto number = event_number(tail, "e/"); number && value.is_object()) {
      held.events.emplace_back(*number, std::move(value));
    }
  }
  std::vector<std::pair<std::string, Json>> out;
  for (auto& [host, held] : hosts) {
    if (!held.has_journal && held.record.is_null()) continue;
    const EventsJournal journal =
        held.has_journal ? held.journal.value_or(EventsJournal{}) : EventsJournal::from_record(held.record);
    Json events = Json::array();
    if (journal.legacy) {
      std::uint64_t number = 0;
      for (auto& event : events_of(held.record))
        if (++number <= *journal.legacy && number >= journal.first()) events.push_back(std::move(event));
    }
    // Listed in key order, so by number.
    for (auto& [number, event] : held.events)
      if (number >= journal.first()) events.push_back(std::move(event));
    out.emplace_back(host, Json{{"dropped", journal.dropped}, {"events", std::move(events)}});
  }
  return out;
}

Json events_view(const std::vector<std::pair<std::string, Json>>& records_by_host, const EventsQuery& query) {
  struct Item {
    std::int64_t time;
    const std::string* host;
    std::size_t arrived;  // position in the host's record, which is in the order stored
    Json event;
  };
  std::vector<Item> items;
  Json dropped = Json::object();
  for (const auto& [host, record] : records_by_host) {
    if (!query.host.empty() && host != query.host) continue;
    dropped[host] = count_or_zero(record, "dropped");
    std::size_t arrived = 0;
    for (const auto& event : events_of(record)) {
      if (!event.is_object()) continue;
      Json item = event;
      item["host"] = host;
      items.push_back({integer_or(event, "time"), &host, arrived++, std::move(item)});
    }
  }
  // Within one second a host's events keep the order they were stored in, not their seq: a new
  // journal starts again at seq 1 after events of the old one.
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.time, *a.host, a.arrived) < std::tie(b.time, *b.host, b.arrived);
  });
  const std::size_t skip = items.size() > query.limit ? items.size() - query.limit : 0;
  Json out = {{"items", Json::array()}, {"dropped", std::move(dropped)}};
  for (std::size_t i = skip; i < items.size(); ++i) out["items"].push_back(std::move(items[i].event));
  return out;
}

Result<Json> site_events(Store& store, const std::string& site, const EventsQuery& query) {
  const std::string prefix = keys::events_of(site);
  auto page = store.list(prefix);
  if (!page) return std::unexpected(page.error());
  return events_view(host_records(page->items, prefix), query);
}

}  // namespace outpost::tower

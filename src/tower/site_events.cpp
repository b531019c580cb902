#include "tower/site_events.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "tower/keys.hpp"
#include "tower/session_hub.hpp"
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

Result<EventsMerge> merge_events(const Json& stored, const Json& message) {
  const std::string journal = string_or(message, "journal");
  if (!valid_journal_id(journal))
    return bad_request("an events message needs a journal id of 1-64 characters of A-Z, a-z, 0-9 and '-'", "journal");
  const bool same_journal = stored.is_object() && string_or(stored, "journal") == journal;
  std::uint64_t last_seq = same_journal ? count_or_zero(stored, "last_seq") : 0;
  // The count only grows within a journal; a smaller one is an older message arriving late.
  std::uint64_t dropped = count_or_zero(message, "dropped");
  if (same_journal) dropped = std::max(dropped, count_or_zero(stored, "dropped"));

  Json events = events_of(stored);
  if (auto it = message.find("events"); it != message.end() && it->is_array()) {
    for (const auto& item : *it) {
      auto event = normalise_event(item);
      if (!event) continue;
      const auto seq = (*event)["seq"].get<std::uint64_t>();
      if (seq <= last_seq) continue;  // already stored, or out of order
      last_seq = seq;
      events.push_back(std::move(*event));
    }
  }
  if (events.size() > max_events_per_host)
    events.erase(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(events.size() - max_events_per_host));

  EventsMerge merge;
  merge.record = {{"journal", journal}, {"last_seq", last_seq}, {"dropped", dropped}, {"events", std::move(events)}};
  merge.ack = last_seq;
  merge.changed = merge.record != stored;
  return merge;
}

Json events_view(const std::vector<std::pair<std::string, Json>>& records_by_host, const EventsQuery& query) {
  struct Item {
    std::int64_t time;
    const std::string* host;
    std::uint64_t seq;
    Json event;
  };
  std::vector<Item> items;
  Json dropped = Json::object();
  for (const auto& [host, record] : records_by_host) {
    if (!query.host.empty() && host != query.host) continue;
    dropped[host] = count_or_zero(record, "dropped");
    for (const auto& event : events_of(record)) {
      if (!event.is_object()) continue;
      Json item = event;
      item["host"] = host;
      items.push_back({integer_or(event, "time"), &host, count_or_zero(event, "seq"), std::move(item)});
    }
  }
  // Stable: a host whose journal changed may hold two events with one seq; they keep the order
  // in which they arrived.
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.time, *a.host, a.seq) < std::tie(b.time, *b.host, b.seq);
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
  std::vector<std::pair<std::string, Json>> records;
  for (const auto& kv : page->items) {
    Json record = Json::parse(kv.value, nullptr, false);
    if (record.is_discarded()) continue;
    records.emplace_back(kv.key.substr(prefix.size()), std::move(record));
  }
  return events_view(records, query);
}

}  // namespace outpost::tower

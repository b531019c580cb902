// Appending an agent's events messages to the host's events: order, duplicates after a
// reconnect, a new journal, the window, the dropped count, untrusted input, an earlier tower's
// record, and reading it all back per host.
#include "tower/site_events.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tower/keys.hpp"

namespace outpost::tower {
namespace {

Json event(std::uint64_t seq, const std::string& kind = "exited") {
  return Json{{"seq", seq}, {"time", 1800000000 + static_cast<std::int64_t>(seq)}, {"kind", kind},
              {"level", "warning"}, {"message", "event " + std::to_string(seq)}};
}

Json message(const std::string& journal, std::vector<Json> events, std::uint64_t dropped = 0) {
  return Json{{"type", "events"}, {"journal", journal}, {"dropped", dropped}, {"events", Json(std::move(events))}};
}

std::vector<std::uint64_t> seqs(const std::vector<Json>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& item : events) out.push_back(item["seq"].get<std::uint64_t>());
  return out;
}

EventsAppend appended(const EventsJournal& stored, const Json& incoming) {
  auto append = append_events(stored, incoming);
  EXPECT_TRUE(append.has_value()) << append.error().message;
  return append.value_or(EventsAppend{});
}

Json numbered(std::uint64_t from, std::uint64_t to) {
  std::vector<Json> events;
  for (std::uint64_t seq = from; seq <= to; ++seq) events.push_back(event(seq));
  return Json(std::move(events));
}

TEST(AppendEvents, AppendsInOrderAndAcknowledgesTheHighestSeq) {
  auto first = appended({}, message("j-1", {event(1), event(2)}));
  EXPECT_TRUE(first.changed);
  EXPECT_EQ(first.ack, 2u);
  EXPECT_EQ(seqs(first.events), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(first.journal.next, 3u) << "numbered 1 and 2";
  auto second = appended(first.journal, message("j-1", {event(3)}));
  EXPECT_TRUE(second.changed);
  EXPECT_EQ(second.ack, 3u);
  EXPECT_EQ(seqs(second.events), (std::vector<std::uint64_t>{3})) << "only the new event, not the host's others";
  EXPECT_EQ(second.journal.journal, "j-1");
  EXPECT_EQ(second.journal.last_seq, 3u);
  EXPECT_EQ(second.journal.next, 4u);
  EXPECT_EQ(first.events[0],
            (Json{{"seq", 1}, {"time", 1800000001}, {"kind", "exited"}, {"level", "warning"}, {"message", "event 1"}}));
}

TEST(AppendEvents, ResentEventsAreIgnoredButStillAcknowledged) {
  auto stored = appended({}, message("j-1", {event(1), event(2), event(3)})).journal;
  auto resent = appended(stored, message("j-1", {event(2), event(3)}));
  EXPECT_FALSE(resent.changed) << "nothing to write";
  EXPECT_EQ(resent.ack, 3u) << "so the agent can drop them";
  EXPECT_TRUE(resent.events.empty());
  EXPECT_EQ(resent.journal, stored);

  auto overlapping = appended(stored, message("j-1", {event(3), event(4)}));
  EXPECT_EQ(seqs(overlapping.events), (std::vector<std::uint64_t>{4}));
  EXPECT_EQ(overlapping.ack, 4u);
}

TEST(AppendEvents, EventsOutOfOrderWithinAMessageAreNotStoredTwice) {
  auto append = appended({}, message("j-1", {event(2), event(1), event(2), event(5)}));
  EXPECT_EQ(seqs(append.events), (std::vector<std::uint64_t>{2, 5}));
  EXPECT_EQ(append.ack, 5u);
  EXPECT_EQ(append.journal.next, 3u);
}

TEST(AppendEvents, ANewJournalStartsOverAndItsEventsFollowTheEarlierOnes) {
  auto stored = appended({}, message("old", {event(7), event(8)}, 4)).journal;
  auto fresh = appended(stored, message("new", {event(1)}, 1));
  EXPECT_TRUE(fresh.changed);
  EXPECT_EQ(fresh.ack, 1u) << "seq 1 is new in the new journal although 8 was stored";
  EXPECT_EQ(fresh.journal.journal, "new");
  EXPECT_EQ(fresh.journal.last_seq, 1u);
  EXPECT_EQ(fresh.journal.dropped, 1u) << "the old journal's count does not carry over";
  EXPECT_EQ(seqs(fresh.events), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(fresh.journal.next, 4u) << "numbered after the old journal's two, which stay";
}

TEST(AppendEvents, TheWindowIsTheNewestFiveHundredAndAWriteRemovesWhatLeavesIt) {
  auto stored = appended({}, message("j-1", numbered(1, 450).get<std::vector<Json>>())).journal;
  EXPECT_EQ(stored.first(), 1u);
  auto append = appended(stored, message("j-1", numbered(451, 520).get<std::vector<Json>>()));
  EXPECT_EQ(append.journal.next, 521u);
  EXPECT_EQ(append.journal.first(), 21u);
  EXPECT_EQ(append.journal.next - append.journal.first(), max_events_per_host);

  HostEventsWrite write{"ship", "h1", stored, append.journal, append.events, 7};
  std::vector<TxnOp> ops;
  write.append_operations(ops);
  ASSERT_EQ(ops.size(), 72u) << "70 events, the journal, one range";
  EXPECT_EQ(write.operation_count(), ops.size());
  EXPECT_EQ(ops.front().key, keys::event("ship", "h1", 451));
  EXPECT_EQ(Json::parse(ops.front().value)["seq"], 451);
  EXPECT_EQ(ops[69].key, keys::event("ship", "h1", 520));
  EXPECT_EQ(ops[70].key, keys::events_journal("ship", "h1"));
  EXPECT_EQ(ops[70].expected_revision, 7);
  EXPECT_EQ(EventsJournal::from_json(Json::parse(ops[70].value)), append.journal);
  EXPECT_EQ(ops[71].kind, TxnOp::Kind::remove_range);
  EXPECT_EQ(ops[71].key, keys::event_numbers("ship", "h1"));
  EXPECT_EQ(ops[71].range_end, keys::event("ship", "h1", 21)) << "numbers 1 to 20 leave";
}

TEST(AppendEvents, AFirstWriteCreatesTheJournalAndRemovesNothing) {
  auto append = appended({}, message("j-1", {event(1)}));
  HostEventsWrite write{"ship", "h1", {}, append.journal, append.events, 0};
  std::vector<TxnOp> ops;
  write.append_operations(ops);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].key, keys::event("ship", "h1", 1));
  EXPECT_EQ(ops[0].key, "/events/ship/h1/e/00000000000000000001") << "zero-padded: keys sort by number";
  EXPECT_EQ(ops[1].key, keys::events_journal("ship", "h1"));
  EXPECT_EQ(ops[1].expected_revision, 0) << "the journal must not exist yet";
}

TEST(AppendEvents, DroppedComesFromTheMessageAndNeverShrinksWithinAJournal) {
  auto stored = appended({}, message("j-1", {event(1)}, 5)).journal;
  EXPECT_EQ(stored.dropped, 5u);
  auto late = appended(stored, message("j-1", {}, 3));
  EXPECT_EQ(late.journal.dropped, 5u);
  EXPECT_FALSE(late.changed);
  auto more = appended(stored, message("j-1", {}, 9));
  EXPECT_EQ(more.journal.dropped, 9u);
  EXPECT_TRUE(more.changed) << "a new count alone is worth a write";
  EXPECT_EQ(more.ack, 1u);
}

TEST(AppendEvents, MalformedEventsAreSkipped) {
  Json bad_seq = event(1);
  bad_seq["seq"] = "2";
  Json zero_seq = event(0);
  Json negative_seq = event(1);
  negative_seq["seq"] = -4;
  Json fractional_seq = event(1);
  fractional_seq["seq"] = 3.5;
  Json upper_kind = event(4, "Exited");
  Json long_kind = event(5, std::string(41, 'a'));
  Json no_kind = event(6);
  no_kind.erase("kind");
  auto append = appended({}, message("j-1", {bad_seq, zero_seq, negative_seq, fractional_seq, upper_kind, long_kind,
                                             no_kind, 42, "text", event(7, std::string(40, 'a'))}));
  EXPECT_EQ(seqs(append.events), (std::vector<std::uint64_t>{7}));
}

TEST(AppendEvents, FieldsAreReducedToTheDocumentedOnesAndTextIsBounded) {
  Json raw = {{"seq", 1},
              {"time", "yesterday"},
              {"kind", "restarted"},
              {"level", "fatal"},
              {"app", std::string(300, 'a')},
              {"instance", "web-0"},
              {"container", 5},
              {"message", std::string(1500, 'm')},
              {"extra", true}};
  auto append = appended({}, message("j-1", {raw}));
  ASSERT_EQ(append.events.size(), 1u);
  const Json& kept = append.events[0];
  EXPECT_EQ(kept["time"], 0);
  EXPECT_EQ(kept["level"], "info");
  EXPECT_EQ(kept["app"].get<std::string>().size(), max_event_name);
  EXPECT_EQ(kept["instance"], "web-0");
  EXPECT_FALSE(kept.contains("container"));
  EXPECT_EQ(kept["message"].get<std::string>().size(), max_event_message);
  EXPECT_FALSE(kept.contains("extra"));
}

TEST(AppendEvents, BoundingNeverSplitsACharacter) {
  Json raw = event(1);
  // é is two bytes; the plain cut (997 bytes, then "...") would fall between the two of one.
  raw["message"] = std::string(996, 'm') + "\xc3\xa9\xc3\xa9\xc3\xa9";
  auto append = appended({}, message("j-1", {raw}));
  EXPECT_NO_THROW((void)append.events[0].dump()) << "the event must stay valid UTF-8";
  EXPECT_EQ(append.events[0]["message"], std::string(996, 'm') + "...");
}

TEST(AppendEvents, AMessageWithoutAValidJournalIsRefused) {
  for (const Json& journal : {Json(""), Json("has space"), Json(std::string(65, 'a')), Json(7)}) {
    Json incoming = message("x", {event(1)});
    incoming["journal"] = journal;
    auto append = append_events({}, incoming);
    ASSERT_FALSE(append.has_value()) << journal.dump();
    EXPECT_EQ(append.error().field, "journal");
  }
  EXPECT_TRUE(append_events({}, message(std::string(64, 'A'), {})).has_value());
}

TEST(AppendEvents, ALongMessageSplitInPartsStoresWhatTheWholeWould) {
  Json whole = message("j-1", numbered(1, 300).get<std::vector<Json>>(), 2);
  auto parts = split_events_message(whole, 125);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0]["events"].size(), 125u);
  EXPECT_EQ(parts[2]["events"].size(), 50u);
  EventsJournal journal;
  std::vector<Json> events;
  for (const auto& part : parts) {
    EXPECT_EQ(part["journal"], "j-1");
    EXPECT_EQ(part["dropped"], 2);
    auto append = appended(journal, part);
    journal = append.journal;
    events.insert(events.end(), append.events.begin(), append.events.end());
  }
  auto at_once = appended({}, whole);
  EXPECT_EQ(journal, at_once.journal);
  EXPECT_EQ(events, at_once.events);
  EXPECT_EQ(split_events_message(whole, 300), std::vector<Json>{whole});
}

TEST(EventsJournal, RoundTripsAndRefusesWhatItDidNotWrite) {
  EventsJournal journal{"j-1", 9, 2, 40, 12};
  EXPECT_EQ(EventsJournal::from_json(journal.to_json()), journal);
  journal.legacy.reset();
  EXPECT_EQ(EventsJournal::from_json(journal.to_json()), journal);
  EXPECT_FALSE(journal.to_json().contains("legacy"));
  for (const char* broken : {R"({"last_seq":1,"dropped":0,"next":2})", R"({"journal":"j","last_seq":1,"dropped":0})",
                             R"({"journal":"j","last_seq":1,"dropped":0,"next":0})",
                             R"({"journal":"j","last_seq":-1,"dropped":0,"next":2})",
                             R"({"journal":"j","last_seq":1,"dropped":0,"next":2,"legacy":"x"})", "[]"})
    EXPECT_FALSE(EventsJournal::from_json(Json::parse(broken)).has_value()) << broken;
}

// The record a tower before per-event keys kept, as that tower wrote it.
Json earlier_record(const std::string& journal, std::uint64_t from, std::uint64_t to, std::uint64_t dropped = 0) {
  return Json{{"journal", journal}, {"last_seq", to}, {"dropped", dropped}, {"events", numbered(from, to)}};
}

TEST(AppendEvents, AnEarlierTowersRecordCountsAsTheFirstEventsUntilTheWindowPassesIt) {
  const EventsJournal upgraded = EventsJournal::from_record(earlier_record("j-1", 101, 400, 3));
  EXPECT_EQ(upgraded, (EventsJournal{"j-1", 400, 3, 301, 300}));
  EXPECT_FALSE(appended(upgraded, message("j-1", {event(400)}, 3)).changed) << "what the record holds is a duplicate";

  auto first = appended(upgraded, message("j-1", {event(401)}, 3));
  EXPECT_EQ(first.journal.next, 302u) << "numbered after the record's 300";
  EXPECT_EQ(first.journal.legacy, 300u) << "the record still holds events in the window";
  HostEventsWrite kept{"ship", "h1", upgraded, first.journal, first.events, 0};
  EXPECT_EQ(kept.operation_count(), 2u);

  EventsJournal before = first.journal;
  before.next = 800;
  before.last_seq = 899;
  auto past = appended(before, message("j-1", {event(900), event(901)}, 3));
  EXPECT_EQ(past.journal.first(), 302u);
  EXPECT_FALSE(past.journal.legacy.has_value()) << "every number of the record has left the window";
  HostEventsWrite retiring{"ship", "h1", before, past.journal, past.events, 5};
  std::vector<TxnOp> ops;
  retiring.append_operations(ops);
  ASSERT_EQ(ops.size(), 5u);
  EXPECT_EQ(ops.back().kind, TxnOp::Kind::remove_range);
  EXPECT_EQ(ops.back().key, keys::events_record("ship", "h1"));
  EXPECT_EQ(ops.back().range_end, keys::events_record("ship", "h1") + '\0') << "that key alone";

  const EventsJournal unreadable = EventsJournal::from_record(Json::parse("{", nullptr, false));
  auto replaced = appended(unreadable, message("j-1", {event(1)}));
  EXPECT_EQ(replaced.journal.next, 2u);
  EXPECT_EQ((HostEventsWrite{"ship", "h1", unreadable, replaced.journal, replaced.events, 0}.operation_count()), 3u)
      << "an unreadable record goes with the first write";
}

KeyValue stored(std::string key, const Json& value) { return KeyValue{std::move(key), value.dump(), 1, 1}; }

TEST(HostRecords, JoinEachHostsJournalEventsAndEarlierRecordInStoredOrder) {
  std::vector<KeyValue> items;
  // h1: an earlier tower's record of 300 events, then 250 numbered after it: the window is
  // numbers 51..550, so the record's first 50 are no longer shown.
  items.push_back(stored(keys::events_record("s", "h1"), earlier_record("old", 1, 300, 4)));
  for (std::uint64_t number = 301; number <= 550; ++number)
    items.push_back(stored(keys::event("s", "h1", number), event(number - 300)));
  items.push_back(stored(keys::events_journal("s", "h1"), EventsJournal{"new", 250, 1, 551, 300}.to_json()));
  // h2: per-event keys only, one left below the window by a write that never finished.
  items.push_back(stored(keys::event("s", "h2", 3), event(3)));
  items.push_back(stored(keys::event("s", "h2", 504), event(504)));
  items.push_back(stored(keys::events_journal("s", "h2"), EventsJournal{"j", 504, 0, 505, std::nullopt}.to_json()));
  // h3: an earlier tower's record only; h4: an unreadable one, which is not shown.
  items.push_back(stored(keys::events_record("s", "h3"), earlier_record("j", 1, 2, 6)));
  items.push_back(KeyValue{keys::events_record("s", "h4"), "{", 1, 1});
  std::sort(items.begin(), items.end(), [](const KeyValue& a, const KeyValue& b) { return a.key < b.key; });

  auto records = host_records(items, keys::events_of("s"));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].first, "h1");
  const Json& h1 = records[0].second;
  EXPECT_EQ(h1["dropped"], 1);
  ASSERT_EQ(h1["events"].size(), max_events_per_host);
  EXPECT_EQ(h1["events"][0]["seq"], 51) << "the record's events first, from the window on";
  EXPECT_EQ(h1["events"][249]["seq"], 300);
  EXPECT_EQ(h1["events"][250]["seq"], 1) << "then the new journal's";
  EXPECT_EQ(h1["events"][499]["seq"], 250);
  EXPECT_EQ(records[1].first, "h2");
  EXPECT_EQ(seqs(records[1].second["events"].get<std::vector<Json>>()), (std::vector<std::uint64_t>{504}));
  EXPECT_EQ(records[2].first, "h3");
  EXPECT_EQ(records[2].second, (Json{{"dropped", 6}, {"events", numbered(1, 2)}}));
}

TEST(EventsView, WithinOneSecondAHostsEventsKeepTheOrderStoredAcrossAJournalChange) {
  // The old journal's seq 100, then the new journal's seq 1, both in the same second.
  Json host = {{"dropped", 0},
               {"events", {{{"seq", 100}, {"time", 10}, {"kind", "old"}}, {{"seq", 1}, {"time", 10}, {"kind", "new"}}}}};
  Json view = events_view({{"h1", host}}, {});
  ASSERT_EQ(view["items"].size(), 2u);
  EXPECT_EQ(view["items"][0]["kind"], "old");
  EXPECT_EQ(view["items"][1]["kind"], "new");
}

TEST(EventsView, OrdersByTimeHostAndSeqAndKeepsTheNewest) {
  Json north = {{"dropped", 2},
                {"events", {{{"seq", 1}, {"time", 10}, {"kind", "a"}}, {{"seq", 2}, {"time", 30}, {"kind", "b"}}}}};
  Json south = {{"dropped", 0},
                {"events", {{{"seq", 4}, {"time", 10}, {"kind", "c"}}, {{"seq", 5}, {"time", 20}, {"kind", "d"}}}}};
  const std::vector<std::pair<std::string, Json>> records{{"south", south}, {"north", north}};
  Json all = events_view(records, {});
  std::vector<std::string> order;
  for (const auto& item : all["items"]) order.push_back(item["host"].get<std::string>() + "/" + item["kind"].get<std::string>());
  EXPECT_EQ(order, (std::vector<std::string>{"north/a", "south/c", "south/d", "north/b"}));
  EXPECT_EQ(all["dropped"], (Json{{"north", 2}, {"south", 0}}));

  Json newest = events_view(records, {"", 2});
  ASSERT_EQ(newest["items"].size(), 2u);
  EXPECT_EQ(newest["items"][0]["kind"], "d");
  EXPECT_EQ(newest["items"][1]["kind"], "b");

  Json one_host = events_view(records, {"south", 100});
  EXPECT_EQ(one_host["items"].size(), 2u);
  EXPECT_EQ(one_host["dropped"], (Json{{"south", 0}}));
}

}  // namespace
}  // namespace outpost::tower

// Folding an agent's events messages into the host's record: order, duplicates after a
// reconnect, a new journal, the bound, the dropped count and untrusted input.
#include "tower/site_events.hpp"

#include <gtest/gtest.h>

namespace outpost::tower {
namespace {

Json event(std::uint64_t seq, const std::string& kind = "exited") {
  return Json{{"seq", seq}, {"time", 1800000000 + static_cast<std::int64_t>(seq)}, {"kind", kind},
              {"level", "warning"}, {"message", "event " + std::to_string(seq)}};
}

Json message(const std::string& journal, std::vector<Json> events, std::uint64_t dropped = 0) {
  return Json{{"type", "events"}, {"journal", journal}, {"dropped", dropped}, {"events", Json(std::move(events))}};
}

std::vector<std::uint64_t> seqs(const Json& record) {
  std::vector<std::uint64_t> out;
  for (const auto& item : record["events"]) out.push_back(item["seq"].get<std::uint64_t>());
  return out;
}

EventsMerge merged(const Json& stored, const Json& incoming) {
  auto merge = merge_events(stored, incoming);
  EXPECT_TRUE(merge.has_value()) << merge.error().message;
  return merge.value_or(EventsMerge{});
}

TEST(MergeEvents, AppendsInOrderAndAcknowledgesTheHighestSeq) {
  auto first = merged(nullptr, message("j-1", {event(1), event(2)}));
  EXPECT_TRUE(first.changed);
  EXPECT_EQ(first.ack, 2u);
  auto second = merged(first.record, message("j-1", {event(3)}));
  EXPECT_TRUE(second.changed);
  EXPECT_EQ(second.ack, 3u);
  EXPECT_EQ(seqs(second.record), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(second.record["journal"], "j-1");
  EXPECT_EQ(second.record["last_seq"], 3);
  EXPECT_EQ(second.record["events"][0],
            (Json{{"seq", 1}, {"time", 1800000001}, {"kind", "exited"}, {"level", "warning"}, {"message", "event 1"}}));
}

TEST(MergeEvents, ResentEventsAreIgnoredButStillAcknowledged) {
  auto stored = merged(nullptr, message("j-1", {event(1), event(2), event(3)})).record;
  auto resent = merged(stored, message("j-1", {event(2), event(3)}));
  EXPECT_FALSE(resent.changed) << "nothing to write";
  EXPECT_EQ(resent.ack, 3u) << "so the agent can drop them";
  EXPECT_EQ(resent.record, stored);

  auto overlapping = merged(stored, message("j-1", {event(3), event(4)}));
  EXPECT_EQ(seqs(overlapping.record), (std::vector<std::uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(overlapping.ack, 4u);
}

TEST(MergeEvents, EventsOutOfOrderWithinAMessageAreNotStoredTwice) {
  auto merge = merged(nullptr, message("j-1", {event(2), event(1), event(2), event(5)}));
  EXPECT_EQ(seqs(merge.record), (std::vector<std::uint64_t>{2, 5}));
  EXPECT_EQ(merge.ack, 5u);
}

TEST(MergeEvents, ANewJournalStartsOverAndKeepsTheEarlierEvents) {
  auto stored = merged(nullptr, message("old", {event(7), event(8)}, 4)).record;
  auto fresh = merged(stored, message("new", {event(1)}, 1));
  EXPECT_TRUE(fresh.changed);
  EXPECT_EQ(fresh.ack, 1u) << "seq 1 is new in the new journal although 8 was stored";
  EXPECT_EQ(fresh.record["journal"], "new");
  EXPECT_EQ(fresh.record["last_seq"], 1);
  EXPECT_EQ(fresh.record["dropped"], 1) << "the old journal's count does not carry over";
  EXPECT_EQ(seqs(fresh.record), (std::vector<std::uint64_t>{7, 8, 1}));
}

TEST(MergeEvents, KeepsTheNewestFiveHundred) {
  std::vector<Json> batch;
  for (std::uint64_t seq = 1; seq <= 450; ++seq) batch.push_back(event(seq));
  auto stored = merged(nullptr, message("j-1", batch)).record;
  batch.clear();
  for (std::uint64_t seq = 451; seq <= 520; ++seq) batch.push_back(event(seq));
  auto merge = merged(stored, message("j-1", batch));
  ASSERT_EQ(merge.record["events"].size(), max_events_per_host);
  EXPECT_EQ(merge.record["events"].front()["seq"], 21);
  EXPECT_EQ(merge.record["events"].back()["seq"], 520);
  EXPECT_EQ(merge.ack, 520u);
}

TEST(MergeEvents, DroppedComesFromTheMessageAndNeverShrinksWithinAJournal) {
  auto stored = merged(nullptr, message("j-1", {event(1)}, 5)).record;
  EXPECT_EQ(stored["dropped"], 5);
  auto late = merged(stored, message("j-1", {}, 3));
  EXPECT_EQ(late.record["dropped"], 5);
  EXPECT_FALSE(late.changed);
  auto more = merged(stored, message("j-1", {}, 9));
  EXPECT_EQ(more.record["dropped"], 9);
  EXPECT_TRUE(more.changed) << "a new count alone is worth a write";
  EXPECT_EQ(more.ack, 1u);
}

TEST(MergeEvents, MalformedEventsAreSkipped) {
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
  auto merge = merged(nullptr, message("j-1", {bad_seq, zero_seq, negative_seq, fractional_seq, upper_kind,
                                               long_kind, no_kind, 42, "text", event(7, std::string(40, 'a'))}));
  EXPECT_EQ(seqs(merge.record), (std::vector<std::uint64_t>{7}));
}

TEST(MergeEvents, FieldsAreReducedToTheDocumentedOnesAndTextIsBounded) {
  Json raw = {{"seq", 1},
              {"time", "yesterday"},
              {"kind", "restarted"},
              {"level", "fatal"},
              {"app", std::string(300, 'a')},
              {"instance", "web-0"},
              {"container", 5},
              {"message", std::string(1500, 'm')},
              {"extra", true}};
  auto merge = merged(nullptr, message("j-1", {raw}));
  ASSERT_EQ(merge.record["events"].size(), 1u);
  const Json& kept = merge.record["events"][0];
  EXPECT_EQ(kept["time"], 0);
  EXPECT_EQ(kept["level"], "info");
  EXPECT_EQ(kept["app"].get<std::string>().size(), max_event_name);
  EXPECT_EQ(kept["instance"], "web-0");
  EXPECT_FALSE(kept.contains("container"));
  EXPECT_EQ(kept["message"].get<std::string>().size(), max_event_message);
  EXPECT_FALSE(kept.contains("extra"));
}

TEST(MergeEvents, BoundingNeverSplitsACharacter) {
  Json raw = event(1);
  // é is two bytes; the plain cut (997 bytes, then "...") would fall between the two of one.
  raw["message"] = std::string(996, 'm') + "\xc3\xa9\xc3\xa9\xc3\xa9";
  auto merge = merged(nullptr, message("j-1", {raw}));
  EXPECT_NO_THROW((void)merge.record.dump()) << "the record must stay valid UTF-8";
  EXPECT_EQ(merge.record["events"][0]["message"], std::string(996, 'm') + "...");
}

TEST(MergeEvents, AMessageWithoutAValidJournalIsRefused) {
  for (const Json& journal : {Json(""), Json("has space"), Json(std::string(65, 'a')), Json(7)}) {
    Json incoming = message("x", {event(1)});
    incoming["journal"] = journal;
    auto merge = merge_events(nullptr, incoming);
    ASSERT_FALSE(merge.has_value()) << journal.dump();
    EXPECT_EQ(merge.error().field, "journal");
  }
  EXPECT_TRUE(merge_events(nullptr, message(std::string(64, 'A') , {})).has_value());
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

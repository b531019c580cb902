// GET /v1/sites/{site}/events over what agents reported, the problems each host last reported
// in the site view, and both going away with the site.
#include <gtest/gtest.h>

#include "tower/keys.hpp"
#include "tower/site_events.hpp"
#include "tower/tower_test_fixture.hpp"

namespace outpost::tower {
namespace {

struct QuietSession : SessionHandle {
  void desired_changed() override {}
  void close(const std::string&) override {}
};

class SiteEventsHandlers : public TowerFixture {
 protected:
  void create_site_with_hosts(const std::string& site, const std::vector<std::string>& hosts) {
    ASSERT_EQ(call("POST", "/v1/sites", Json{{"name", site}}.dump()).status, 201);
    for (const auto& name : hosts) {
      Host host{site, name, "01", 1800000000, {}};
      ASSERT_TRUE(store_->put(keys::host(site, name), host.to_json().dump()).has_value());
    }
  }

  void report(const std::string& site, const std::string& host, std::vector<Json> events, std::uint64_t dropped = 0) {
    Json message = {{"type", "events"}, {"journal", "j-" + host}, {"dropped", dropped}, {"events", Json(std::move(events))}};
    auto session = std::make_shared<QuietSession>();
    hub_->attach(site, host, session);
    ASSERT_TRUE(submit(site, host, session.get(), message).has_value());
  }

  // Hands one message to the tower's events writer and runs the io loop until it is done.
  std::optional<Json> submit(const std::string& site, const std::string& host, const SessionHandle* session,
                             const Json& message) {
    bool done = false;
    std::optional<Json> ack;
    events_->submit(site, host, session, message, [&](std::optional<Json> result) {
      done = true;
      ack = std::move(result);
    });
    EXPECT_FALSE(done) << "never inside submit";
    io_.poll();
    io_.restart();
    EXPECT_TRUE(done);
    return ack;
  }

  static Json event(std::uint64_t seq, std::int64_t time, const std::string& kind) {
    return Json{{"seq", seq}, {"time", time}, {"kind", kind}, {"level", "info"}, {"message", kind + " happened"}};
  }

  static std::vector<std::string> kinds(const ApiResponse& response) {
    std::vector<std::string> out;
    for (const auto& item : response.body["items"]) out.push_back(item["host"].get<std::string>() + ":" + item["kind"].get<std::string>());
    return out;
  }
};

TEST_F(SiteEventsHandlers, UnknownSiteIs404) {
  auto response = call("GET", "/v1/sites/nowhere/events");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body["error"]["code"], "not_found");
}

TEST_F(SiteEventsHandlers, ABadLimitIs400NamingIt) {
  create_site_with_hosts("ship-1", {"h1"});
  for (const char* limit : {"0", "501", "ten", "5x", ""}) {
    auto response = call("GET", std::string("/v1/sites/ship-1/events?limit=") + limit);
    EXPECT_EQ(response.status, 400) << limit;
    EXPECT_EQ(response.body["error"]["field"], "limit") << limit;
  }
  EXPECT_EQ(call("GET", "/v1/sites/ship-1/events?limit=500").status, 200);
  EXPECT_EQ(call("POST", "/v1/sites/ship-1/events", "{}").status, 405);
}

TEST_F(SiteEventsHandlers, ASiteWithoutEventsHasNone) {
  create_site_with_hosts("ship-1", {"h1"});
  auto response = call("GET", "/v1/sites/ship-1/events");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.body, (Json{{"items", Json::array()}, {"dropped", Json::object()}}));
}

TEST_F(SiteEventsHandlers, EventsOfEveryHostOldestFirstWithTheNewestLimit) {
  create_site_with_hosts("ship-1", {"h1", "h2"});
  report("ship-1", "h1", {event(1, 100, "started"), event(2, 300, "exited")}, 3);
  report("ship-1", "h2", {event(1, 100, "pulled"), event(2, 200, "restarted")});
  create_site_with_hosts("ship-2", {"h1"});
  report("ship-2", "h1", {event(1, 150, "elsewhere")});

  auto all = call("GET", "/v1/sites/ship-1/events");
  ASSERT_EQ(all.status, 200) << all.body.dump();
  EXPECT_EQ(kinds(all), (std::vector<std::string>{"h1:started", "h2:pulled", "h2:restarted", "h1:exited"}));
  EXPECT_EQ(all.body["items"][0],
            (Json{{"host", "h1"}, {"seq", 1}, {"time", 100}, {"kind", "started"}, {"level", "info"}, {"message", "started happened"}}));
  EXPECT_EQ(all.body["dropped"], (Json{{"h1", 3}, {"h2", 0}}));

  auto newest = call("GET", "/v1/sites/ship-1/events?limit=2");
  EXPECT_EQ(kinds(newest), (std::vector<std::string>{"h2:restarted", "h1:exited"}));

  auto one_host = call("GET", "/v1/sites/ship-1/events?host=h2");
  EXPECT_EQ(kinds(one_host), (std::vector<std::string>{"h2:pulled", "h2:restarted"}));
  EXPECT_EQ(one_host.body["dropped"], (Json{{"h2", 0}}));
}

TEST_F(SiteEventsHandlers, DeletingTheSiteRemovesItsEventsOnly) {
  create_site_with_hosts("ship-1", {"h1"});
  create_site_with_hosts("ship-2", {"h1"});
  report("ship-1", "h1", {event(1, 100, "started")});
  report("ship-2", "h1", {event(1, 100, "started")});
  ASSERT_EQ(call("DELETE", "/v1/sites/ship-1").status, 200);
  EXPECT_TRUE(store_->list(keys::events_of("ship-1")).value().items.empty());
  EXPECT_FALSE(store_->list(keys::events_of("ship-2")).value().items.empty());

  create_site_with_hosts("ship-1", {"h1"});
  EXPECT_TRUE(call("GET", "/v1/sites/ship-1/events").body["items"].empty()) << "a new site of the same name starts clean";
}

TEST_F(SiteEventsHandlers, TheSessionAcknowledgesWhatIsStoredAndOnlyForTheCurrentSession) {
  create_site_with_hosts("ship-1", {"h1"});
  auto session = std::make_shared<QuietSession>();
  hub_->attach("ship-1", "h1", session);
  const Json message = {{"type", "events"}, {"journal", "j-1"}, {"dropped", 0},
                        {"events", {event(1, 100, "started"), event(2, 110, "exited")}}};
  auto ack = submit("ship-1", "h1", session.get(), message);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(*ack, (Json{{"type", "events-ack"}, {"journal", "j-1"}, {"seq", 2}}));
  EXPECT_EQ(call("GET", "/v1/sites/ship-1/events").body["items"].size(), 2u);

  const auto revision = store_revision();
  auto again = submit("ship-1", "h1", session.get(), message);
  ASSERT_TRUE(again.has_value()) << "duplicates are acknowledged too";
  EXPECT_EQ((*again)["seq"], 2);
  EXPECT_EQ(store_revision(), revision) << "and not written again";

  Json bad = message;
  bad["journal"] = "no spaces allowed";
  EXPECT_FALSE(submit("ship-1", "h1", session.get(), bad).has_value());

  auto newer = std::make_shared<QuietSession>();
  hub_->attach("ship-1", "h1", newer);
  Json later = message;
  later["events"] = Json::array({event(3, 120, "late")});
  EXPECT_FALSE(submit("ship-1", "h1", session.get(), later).has_value());
  EXPECT_EQ(call("GET", "/v1/sites/ship-1/events").body["items"].size(), 2u) << "a replaced session writes nothing";

  ASSERT_EQ(call("DELETE", "/v1/sites/ship-1").status, 200);
  EXPECT_FALSE(submit("ship-1", "h1", newer.get(), later).has_value());
  EXPECT_TRUE(store_->list(keys::events_of("ship-1")).value().items.empty()) << "a deleted site is not recreated";
}

// A tower upgraded over a store where each host's events are one record: the record is read as
// it is, new events follow it, and it goes once newer events have pushed all of it out.
TEST_F(SiteEventsHandlers, AnEarlierTowersRecordIsShownFollowedAndRetired) {
  create_site_with_hosts("ship-1", {"h1", "h2"});
  Json old_events = Json::array();
  for (std::uint64_t seq = 1; seq <= 400; ++seq) old_events.push_back(event(seq, 1000 + static_cast<std::int64_t>(seq), "old"));
  const Json record = {{"journal", "j-h1"}, {"last_seq", 400}, {"dropped", 2}, {"events", old_events}};
  ASSERT_TRUE(store_->put(keys::events_record("ship-1", "h1"), record.dump()).has_value());
  ASSERT_TRUE(store_->put(keys::events_record("ship-1", "h2"),
                          Json{{"journal", "j-h2"}, {"last_seq", 1}, {"dropped", 0}, {"events", {event(1, 5, "other")}}}.dump())
                  .has_value());

  auto before = call("GET", "/v1/sites/ship-1/events?limit=500");
  ASSERT_EQ(before.status, 200);
  ASSERT_EQ(before.body["items"].size(), 401u);
  EXPECT_EQ(kinds(before).front(), "h2:other");
  EXPECT_EQ(before.body["items"][1]["seq"], 1);
  EXPECT_EQ(before.body["dropped"], (Json{{"h1", 2}, {"h2", 0}}));

  auto session = std::make_shared<QuietSession>();
  hub_->attach("ship-1", "h1", session);
  // 100 events "new" of h1's journal from seq `from`, at time 1000 + seq.
  auto send_new = [&](const SessionHandle* current, std::uint64_t from) {
    Json batch = Json::array();
    for (std::uint64_t seq = from; seq < from + 100; ++seq) batch.push_back(event(seq, 1000 + static_cast<std::int64_t>(seq), "new"));
    return submit("ship-1", "h1", current, {{"type", "events"}, {"journal", "j-h1"}, {"dropped", 2}, {"events", batch}});
  };
  const Json resent = {{"type", "events"}, {"journal", "j-h1"}, {"dropped", 2}, {"events", {event(400, 1400, "old")}}};
  const auto revision = store_revision();
  auto ack = submit("ship-1", "h1", session.get(), resent);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ((*ack)["seq"], 400) << "what the record holds is acknowledged";
  EXPECT_EQ(store_revision(), revision) << "and not stored again";

  // 200 new events: the window keeps the record's newest 300 and the 200.
  for (std::uint64_t from = 401; from <= 600; from += 100) ASSERT_TRUE(send_new(session.get(), from).has_value());
  auto mixed = call("GET", "/v1/sites/ship-1/events?host=h1&limit=500");
  ASSERT_EQ(mixed.body["items"].size(), max_events_per_host);
  EXPECT_EQ(mixed.body["items"][0]["seq"], 101);
  EXPECT_EQ(mixed.body["items"][299]["kind"], "old");
  EXPECT_EQ(mixed.body["items"][300]["kind"], "new");
  EXPECT_EQ(mixed.body["items"][499]["seq"], 600);
  EXPECT_EQ(mixed.body["dropped"], (Json{{"h1", 2}}));
  EXPECT_TRUE(store_->get(keys::events_record("ship-1", "h1")).value().has_value()) << "it still holds shown events";

  for (std::uint64_t from = 601; from <= 900; from += 100) ASSERT_TRUE(send_new(session.get(), from).has_value());
  EXPECT_FALSE(store_->get(keys::events_record("ship-1", "h1")).value().has_value()) << "all of it has left the window";
  auto after = call("GET", "/v1/sites/ship-1/events?host=h1&limit=500");
  ASSERT_EQ(after.body["items"].size(), max_events_per_host);
  EXPECT_EQ(after.body["items"][0]["seq"], 401);
  EXPECT_EQ(after.body["items"][499]["seq"], 900);

  ASSERT_EQ(call("DELETE", "/v1/sites/ship-1").status, 200);
  EXPECT_TRUE(store_->list(keys::events_of("ship-1")).value().items.empty()) << "h2's record goes with the site too";
}

TEST_F(SiteEventsHandlers, AReEnrolledHostsNewJournalFollowsTheEventsItHadBefore) {
  create_site_with_hosts("ship-1", {"h1"});
  report("ship-1", "h1", {event(1, 100, "started"), event(2, 110, "exited")});
  // The agent that enrolls again starts a new journal at seq 1.
  Json message = {{"type", "events"}, {"journal", "j-again"}, {"dropped", 0}, {"events", {event(1, 120, "enrolled")}}};
  auto session = std::make_shared<QuietSession>();
  hub_->attach("ship-1", "h1", session);
  auto ack = submit("ship-1", "h1", session.get(), message);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(*ack, (Json{{"type", "events-ack"}, {"journal", "j-again"}, {"seq", 1}}));
  EXPECT_EQ(kinds(call("GET", "/v1/sites/ship-1/events")),
            (std::vector<std::string>{"h1:started", "h1:exited", "h1:enrolled"}));
}

TEST_F(SiteEventsHandlers, HostProblemsAppearInTheSiteViewAndOutliveTheSession) {
  create_site_with_hosts("ship-1", {"h1", "h2"});
  auto session = std::make_shared<QuietSession>();
  hub_->attach("ship-1", "h1", session);
  hub_->set_problems("ship-1", "h1", session.get(), Json::array({"disk full: the checkpoint could not be written"}));

  auto site = call("GET", "/v1/sites/ship-1");
  ASSERT_EQ(site.status, 200);
  ASSERT_EQ(site.body["hosts"].size(), 2u);
  EXPECT_EQ(site.body["hosts"][0]["problems"], Json::array({"disk full: the checkpoint could not be written"}));
  EXPECT_EQ(site.body["hosts"][1]["problems"], Json::array()) << "always present";
  auto hosts = call("GET", "/v1/sites/ship-1/hosts");
  EXPECT_EQ(hosts.body["items"][0]["problems"].size(), 1u);

  hub_->detach("ship-1", "h1", session.get());
  EXPECT_EQ(call("GET", "/v1/sites/ship-1").body["hosts"][0]["problems"].size(), 1u) << "the last known problems";
}

}  // namespace
}  // namespace outpost::tower

#include "cli/events_view.hpp"

#include <gtest/gtest.h>

namespace outpost::cli {
namespace {

TEST(EventsView, OneRowPerEventWithTheInstanceAndTheDroppedHostsAfter) {
  const auto body = Json::parse(R"({"items":[
      {"host":"h1","seq":7,"time":1800000000,"kind":"exited","level":"warning","app":"pos","instance":"api-0",
       "container":"api","message":"exited with code 137\nout of memory"},
      {"host":"h2","seq":1,"time":1800000060,"kind":"session-restored","level":"info","message":"back"},
      {"host":"h2","seq":2,"time":1800000061,"kind":"pulled","level":"info","app":"pos","message":"image pulled"}],
      "dropped":{"h1":0,"h2":12}})");
  EXPECT_EQ(events_text(body),
            "TIME                   HOST   SEQ   LEVEL     KIND               INSTANCE    MESSAGE\n"
            "2027-01-15T08:00:00Z   h1     7     warning   exited             pos/api-0   exited with code 137 out of memory\n"
            "2027-01-15T08:01:00Z   h2     1     info      session-restored   -           back\n"
            "2027-01-15T08:01:01Z   h2     2     info      pulled             pos         image pulled\n"
            "host h2 dropped 12 event(s): its buffer was full while the tower was unreachable\n");
}

TEST(EventsView, SaysSoWhenThereAreNoEventsButStillNamesDroppedOnes) {
  EXPECT_EQ(events_text(Json::parse(R"({"items":[],"dropped":{}})")), "No events.\n");
  EXPECT_EQ(events_text(Json::parse(R"({"items":[],"dropped":{"h1":3}})")),
            "No events.\n"
            "host h1 dropped 3 event(s): its buffer was full while the tower was unreachable\n");
}

TEST(EventsView, MistypedMembersRenderAsDashes) {
  const auto body = Json::parse(R"({"items":[{"seq":"x","time":"soon"}, 5],"dropped":{"h1":"many"}})");
  const Table table = events_table(body);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0][0], "soon");
  EXPECT_EQ(table.rows[0][1], "-");
  EXPECT_EQ(table.rows[1][5], "-");
  EXPECT_EQ(dropped_lines(body), "");
  EXPECT_EQ(events_text(Json::array()), "No events.\n");
}

}  // namespace
}  // namespace outpost::cli

#include "model/site.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

Json yaml(std::string_view text) {
  auto doc = parse_document(text);
  EXPECT_TRUE(doc) << (doc ? "" : doc.error().message);
  return doc ? *doc : Json();
}

Error site_error(std::string_view text) {
  auto site = Site::from_json(yaml(text));
  EXPECT_FALSE(site) << text;
  return site ? Error{} : site.error();
}

TEST(Site, ParsesNameLabelsAndVars) {
  auto site =
      Site::from_json(yaml("kind: site\nname: shop-1\nlabels: {region: north, canary: true, floor: 2}\n"
                           "vars: {HTTP_PORT: 8080, MODE: shop}\n"));
  ASSERT_TRUE(site) << site.error().message;
  EXPECT_EQ(site->name, "shop-1");
  EXPECT_EQ(site->labels, (Labels{{"region", "north"}, {"canary", "true"}, {"floor", "2"}}));
  EXPECT_EQ(site->vars, (std::map<std::string, std::string>{{"HTTP_PORT", "8080"}, {"MODE", "shop"}}));
}

TEST(Site, EffectiveLabelsAddTheName) {
  Site site;
  site.name = "shop-1";
  site.labels = {{"region", "north"}};
  EXPECT_EQ(site.effective_labels(), (Labels{{"name", "shop-1"}, {"region", "north"}}));
}

TEST(Site, ToJsonRoundTrips) {
  auto site = Site::from_json(yaml("name: shop-1\nlabels: {region: north}\nvars: {A: b}\n"));
  ASSERT_TRUE(site);
  Json json = site->to_json();
  EXPECT_EQ(json, Json::parse(R"({"name":"shop-1","labels":{"region":"north"},"vars":{"A":"b"}})"));
  auto again = Site::from_json(json);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->to_json(), json);
}

TEST(Site, MinimalSiteHasEmptyLabelsAndVars) {
  auto site = Site::from_json(yaml("name: s\nlabels:\n"));
  ASSERT_TRUE(site);
  EXPECT_EQ(site->to_json(), Json::parse(R"({"name":"s","labels":{},"vars":{}})"));
}

TEST(Site, ParsesAnUpgradeWindowWrittenInYaml) {
  auto site = Site::from_json(yaml("name: shop-1\nupgrade-window:\n  days-of-week: [Saturday, sun]\n"
                                   "  start: 23:00\n  duration: 3h\n  time-zone: Europe/Stockholm\n"));
  ASSERT_TRUE(site) << site.error().message;
  ASSERT_TRUE(site->upgrade_window.has_value());
  EXPECT_EQ(site->upgrade_window->days_of_week, (std::vector<int>{6, 7}));
  EXPECT_EQ(site->upgrade_window->start, std::chrono::hours(23));
  EXPECT_EQ(site->upgrade_window->time_zone, "Europe/Stockholm");
}

TEST(Site, WritesTheUpgradeWindowOnlyWhenSetAndRoundTripsIt) {
  auto without = Site::from_json(yaml("name: s\nupgrade-window:\n"));
  ASSERT_TRUE(without) << without.error().message;
  EXPECT_FALSE(without->upgrade_window.has_value()) << "an empty YAML value means not given";
  EXPECT_FALSE(without->to_json().contains("upgrade-window"));

  auto with = Site::from_json(Json::parse(R"({"name":"s","upgrade-window":{"start":"02:00","duration":"2h"}})"));
  ASSERT_TRUE(with) << with.error().message;
  Json json = with->to_json();
  EXPECT_EQ(json["upgrade-window"],
            Json::parse(R"({"days-of-week":["mon","tue","wed","thu","fri","sat","sun"],"start":"02:00","duration":"2h","time-zone":"UTC"})"));
  auto again = Site::from_json(json);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->upgrade_window, with->upgrade_window);
  EXPECT_EQ(again->to_json(), json);
}

TEST(SiteErrors, UpgradeWindowErrorsNameTheFieldInsideIt) {
  auto zone = site_error("name: s\nupgrade-window: {start: '02:00', duration: 1h, time-zone: Mars/Olympus}\n");
  EXPECT_EQ(zone.status, 422);
  EXPECT_EQ(zone.field, "upgrade-window.time-zone");
  EXPECT_TRUE(zone.message.starts_with("upgrade-window.time-zone: unknown time zone \"Mars/Olympus\"")) << zone.message;
  EXPECT_EQ(site_error("name: s\nupgrade-window: {duration: 1h}\n").field, "upgrade-window.start");
  EXPECT_EQ(site_error("name: s\nupgrade-window: {start: '02:00', duration: 1h, days: [mon]}\n").field,
            "upgrade-window.days");
  EXPECT_EQ(site_error("name: s\nupgrade-window: always\n").message, "upgrade-window: must be an object, got string");
}

TEST(SiteErrors, NameIsRequiredAndValidated) {
  auto missing = site_error("labels: {}\n");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(missing.field, "name");
  EXPECT_EQ(missing.message, "name: is required");
  EXPECT_EQ(site_error("name: Shop_1\n").field, "name");
  EXPECT_EQ(site_error("name: 12\n").message, "name: must be a string, got number");
}

TEST(SiteErrors, UnknownFieldIsNamed) {
  auto error = site_error("name: s\nlables: {}\n");
  EXPECT_EQ(error.field, "lables");
  EXPECT_NE(error.message.find("unknown field"), std::string::npos);
}

TEST(SiteErrors, WrongKind) {
  auto error = site_error("kind: application\nname: s\n");
  EXPECT_EQ(error.field, "kind");
  EXPECT_EQ(error.message, "kind: must be \"site\", got \"application\"");
}

TEST(SiteErrors, LabelsAreValidated) {
  EXPECT_EQ(site_error("name: s\nlabels: [a]\n").message, "labels: must be an object, got array");
  EXPECT_EQ(site_error("name: s\nlabels: {\"bad key\": x}\n").field, "labels.bad key");
  EXPECT_EQ(site_error("name: s\nlabels: {region: \"no spaces\"}\n").field, "labels.region");
  EXPECT_EQ(site_error("name: s\nlabels: {region: {a: b}}\n").message,
            "labels.region: must be a string, number or boolean, got object");
  EXPECT_EQ(site_error("name: s\nlabels: {name: other}\n").field, "labels.name");
  EXPECT_EQ(site_error("name: s\nlabels: {tenant: t}\n").field, "labels.tenant");
}

TEST(SiteErrors, VarsAreValidated) {
  EXPECT_EQ(site_error("name: s\nvars: {1ABC: x}\n").field, "vars.1ABC");
  EXPECT_EQ(site_error("name: s\nvars: {SYS_SITE: x}\n").field, "vars.SYS_SITE");
  EXPECT_EQ(site_error("name: s\nvars: {A: [1]}\n").field, "vars.A");
}

TEST(SiteErrors, NotAnObject) {
  auto error = Site::from_json(Json::array());
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().status, 422);
  EXPECT_EQ(error.error().message, "must be an object, got array");
}

TEST(Host, RoundTripsAndKeepsDiscoveredLabelsAsReported) {
  Host host{"shop-1", "pos-a", "0a1b", 1'800'000'000, {{"os", "Debian GNU/Linux 12"}, {"cpus", "4"}}};
  Json json = host.to_json();
  EXPECT_EQ(json["certificate_serial"], "0a1b");
  EXPECT_EQ(json["enrolled_at"], 1'800'000'000);
  auto again = Host::from_json(json);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->to_json(), json);
  EXPECT_EQ(again->labels.at("os"), "Debian GNU/Linux 12");
}

TEST(Host, RejectsBadInput) {
  auto no_site = Host::from_json(Json{{"name", "h"}});
  ASSERT_FALSE(no_site);
  EXPECT_EQ(no_site.error().field, "site");
  auto bad_time = Host::from_json(Json{{"site", "s"}, {"name", "h"}, {"enrolled_at", "yesterday"}});
  ASSERT_FALSE(bad_time);
  EXPECT_EQ(bad_time.error().field, "enrolled_at");
  auto unknown = Host::from_json(Json{{"site", "s"}, {"name", "h"}, {"extra", 1}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "extra");
}

}  // namespace
}  // namespace outpost

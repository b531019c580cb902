#include "model/render.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

using Vars = std::map<std::string, std::string>;

TEST(Substitute, ReplacesVariables) {
  auto text = substitute("${A}-${B}/${A}", {{"A", "x"}, {"B", "y"}});
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "x-y/x");
}

TEST(Substitute, DoubleDollarIsALiteralDollar) {
  auto text = substitute("cost $$5 and $${A}", {{"A", "x"}});
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "cost $5 and ${A}");
}

TEST(Substitute, LoneDollarStaysAsWritten) {
  auto text = substitute("5$ each, $HOME, end$", {});
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "5$ each, $HOME, end$");
}

TEST(Substitute, ValuesAreNotSubstitutedAgain) {
  auto text = substitute("${A}", {{"A", "${B}"}, {"B", "no"}});
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "${B}");
}

TEST(Substitute, UnknownVariableIsAnErrorNamingIt) {
  auto text = substitute("port ${HTTP_PORT}", {{"A", "x"}});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().status, 422);
  EXPECT_EQ(text.error().message, "unknown variable ${HTTP_PORT}");
}

TEST(Substitute, UnclosedAndEmptyAreErrors) {
  auto unclosed = substitute("a ${B", {{"B", "x"}});
  ASSERT_FALSE(unclosed);
  EXPECT_EQ(unclosed.error().message, "unclosed \"${\" at character 3");
  auto empty = substitute("${}", {});
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("empty variable name"), std::string::npos);
}

TEST(ReferencedVariables, ListsNamesInOrderAndChecksSyntax) {
  auto names = referenced_variables("${A} $$ ${B}${A} $x");
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, (std::vector<std::string>{"A", "B", "A"}));
  EXPECT_FALSE(referenced_variables("${A"));
  EXPECT_TRUE(referenced_variables("plain")->empty());
}

SiteApp site_app(const std::string& app_yaml, std::vector<InstanceAssignment> instances) {
  auto doc = parse_document(app_yaml);
  EXPECT_TRUE(doc) << (doc ? "" : doc.error().message);
  auto app = Application::from_json(doc ? *doc : Json());
  EXPECT_TRUE(app) << (app ? "" : app.error().message);
  return SiteApp{"deploy", app ? *app : Application{}, std::move(instances)};
}

constexpr std::string_view pos_yaml = R"(
name: pos
version: 1.4.0
services:
  - name: api
    replicas: 2
    containers:
      - name: api
        image: registry:5000/pos/api:1.4.0
        command: [/bin/api, --site, "${SYS_SITE}", --instance, "${SYS_INSTANCE}"]
        env: {Z_LAST: z, MODE: "${MODE}", WHERE: "${SYS_HOST}/${SYS_APP}/${SYS_SERVICE}@${SYS_VERSION}"}
        ports:
          - {container: 8080, host: "${HTTP_PORT}"}
          - {container: 9090}
          - {container: 53, host: 5353, protocol: udp, host-ip: "0.0.0.0"}
        restart: on-failure
        probes:
          readiness: {http: {path: /healthz, port: "${HTTP_PORT}", headers: {X-Probe: outpost}, status: "200-204"}}
          liveness: {tcp: {port: 9090}, period: 2s}
      - name: sidecar
        image: busybox
)";

class RenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    desired.site = "shop-1";
    desired.update(
        {{"pos", site_app(std::string(pos_yaml), {{"api", "api-0", "host-a"}, {"api", "api-1", "host-b"}})}},
        {{"MODE", "shop"}, {"HTTP_PORT", "8080"}});
  }
  SiteDesired desired;
};

TEST_F(RenderTest, RendersOnlyTheInstancesOfTheHost) {
  HostPlan plan = render_host(desired, "host-a");
  EXPECT_TRUE(plan.errors.empty());
  ASSERT_EQ(plan.containers.size(), 2u);
  EXPECT_EQ(plan.containers[0].instance, "api-0");
  EXPECT_EQ(plan.containers[1].container, "sidecar");
  EXPECT_TRUE(render_host(desired, "host-c").containers.empty());
}

TEST_F(RenderTest, FillsIdentityNameAndLabels) {
  HostPlan host_plan = render_host(desired, "host-b");
  ASSERT_FALSE(host_plan.containers.empty());
  const PlannedContainer& api = host_plan.containers[0];
  EXPECT_EQ(api.site, "shop-1");
  EXPECT_EQ(api.host, "host-b");
  EXPECT_EQ(api.app, "pos");
  EXPECT_EQ(api.version, "1.4.0");
  EXPECT_EQ(api.service, "api");
  EXPECT_EQ(api.instance, "api-1");
  EXPECT_EQ(api.container, "api");
  EXPECT_EQ(api.name, "outpost-shop-1-host-b-pos-api-1-api");
  EXPECT_EQ(api.image, "registry:5000/pos/api:1.4.0");
  EXPECT_EQ(api.restart, "on-failure");
  EXPECT_EQ(api.labels, (std::map<std::string, std::string>{{"outpost.site", "shop-1"},
                                                            {"outpost.host", "host-b"},
                                                            {"outpost.app", "pos"},
                                                            {"outpost.version", "1.4.0"},
                                                            {"outpost.service", "api"},
                                                            {"outpost.instance", "api-1"},
                                                            {"outpost.container", "api"},
                                                            {"outpost.spec-hash", api.spec_hash}}));
}

TEST_F(RenderTest, SubstitutesCommandAndSortedEnvWithSystemVariables) {
  HostPlan host_plan = render_host(desired, "host-a");
  ASSERT_FALSE(host_plan.containers.empty());
  const PlannedContainer& api = host_plan.containers[0];
  EXPECT_EQ(api.command, (std::vector<std::string>{"/bin/api", "--site", "shop-1", "--instance", "api-0"}));
  EXPECT_EQ(api.env, (std::vector<std::string>{"MODE=shop", "WHERE=host-a/pos/api@1.4.0", "Z_LAST=z"}));
}

TEST_F(RenderTest, PublishesOnlyPortsWithAHostPart) {
  HostPlan host_plan = render_host(desired, "host-a");
  ASSERT_FALSE(host_plan.containers.empty());
  const PlannedContainer& api = host_plan.containers[0];
  EXPECT_EQ(api.ports,
            (std::vector<PublishedPort>{{8080, 8080, "tcp", "127.0.0.1"}, {53, 5353, "udp", "0.0.0.0"}}));
}

TEST_F(RenderTest, SpecHashIsStableAndFollowsWhatTheEngineRuns) {
  std::string hash = render_host(desired, "host-a").containers.at(0).spec_hash;
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(render_host(desired, "host-a").containers.at(0).spec_hash, hash);

  auto vars = desired.vars;
  vars["HTTP_PORT"] = "8081";
  std::map<std::string, SiteApp> apps;
  for (const auto& [name, app] : desired.live()) apps.emplace(name, *app);
  desired.update(apps, vars);
  EXPECT_NE(render_host(desired, "host-a").containers.at(0).spec_hash, hash);
}

TEST_F(RenderTest, SpecHashIgnoresTheVersionWhenNothingTheEngineRunsChanged) {
  HostPlan before = render_host(desired, "host-a");
  std::string api_hash = before.containers.at(0).spec_hash, sidecar_hash = before.containers.at(1).spec_hash;
  std::string newer = std::string(pos_yaml);
  newer.replace(newer.find("version: 1.4.0"), 14, "version: 1.5.0");
  desired.update({{"pos", site_app(newer, {{"api", "api-0", "host-a"}})}}, desired.vars);
  HostPlan plan = render_host(desired, "host-a");
  EXPECT_EQ(plan.containers.at(1).version, "1.5.0");
  EXPECT_EQ(plan.containers.at(1).spec_hash, sidecar_hash);
  EXPECT_NE(plan.containers.at(0).spec_hash, api_hash);  // its env holds ${SYS_VERSION}
}

TEST_F(RenderTest, UnknownVariableFailsThatInstanceOnlyAndNamesTheField) {
  std::string broken =
      "name: broken\nversion: '1'\nservices: [{name: s, containers: [{name: c, image: i, "
      "env: {A: '${NOPE}'}}]}]\n";
  std::map<std::string, SiteApp> apps;
  for (const auto& [name, app] : desired.live()) apps.emplace(name, *app);
  apps.emplace("broken", site_app(broken, {{"s", "s-0", "host-a"}}));
  desired.update(apps, desired.vars);
  HostPlan plan = render_host(desired, "host-a");
  EXPECT_EQ(plan.containers.size(), 2u);  // pos still renders
  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_EQ(plan.errors[0].app, "broken");
  EXPECT_EQ(plan.errors[0].instance, "s-0");
  EXPECT_EQ(plan.errors[0].error.field, "services[0].containers[0].env.A");
  EXPECT_EQ(plan.errors[0].error.message, "services[0].containers[0].env.A: unknown variable ${NOPE}");
}

TEST_F(RenderTest, PortThatIsNotANumberAfterSubstitutionIsAnError) {
  auto vars = desired.vars;
  vars["HTTP_PORT"] = "http";
  std::map<std::string, SiteApp> apps;
  for (const auto& [name, app] : desired.live()) apps.emplace(name, *app);
  desired.update(apps, vars);
  HostPlan plan = render_host(desired, "host-a");
  EXPECT_TRUE(plan.containers.empty());  // neither container of the instance is planned
  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_EQ(plan.errors[0].error.field, "services[0].containers[0].ports[0].host");
  EXPECT_NE(plan.errors[0].error.message.find("got \"http\" (from \"${HTTP_PORT}\")"), std::string::npos)
      << plan.errors[0].error.message;
  vars["HTTP_PORT"] = "70000";
  desired.update(apps, vars);
  EXPECT_EQ(render_host(desired, "host-a").errors.size(), 1u);
}

TEST_F(RenderTest, InstanceOfAnUnknownServiceIsAnError) {
  SiteDesired odd;
  odd.site = "s";
  SiteApp app = site_app(std::string(pos_yaml), {{"db", "db-0", "host-a"}});
  odd.update({{"pos", app}}, {});
  HostPlan plan = render_host(odd, "host-a");
  EXPECT_TRUE(plan.containers.empty());
  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_EQ(plan.errors[0].instance, "db-0");
}

TEST_F(RenderTest, SiteVarsCannotOverrideSystemVariables) {
  SiteDesired spoofed = desired;
  spoofed.vars["SYS_HOST"] = "elsewhere";
  HostPlan host_plan = render_host(spoofed, "host-a");
  ASSERT_FALSE(host_plan.containers.empty());
  const PlannedContainer& api = host_plan.containers[0];
  EXPECT_EQ(api.env[1], "WHERE=host-a/pos/api@1.4.0");
}

}  // namespace
}  // namespace outpost

namespace outpost {

TEST_F(RenderTest, ProbePortsAreResolvedAndProbesDoNotChangeTheSpecHash) {
  HostPlan plan = render_host(desired, "host-a");
  ASSERT_TRUE(plan.errors.empty()) << plan.errors[0].error.message;
  const PlannedContainer& api = plan.containers[0];
  EXPECT_EQ(api.probes["readiness"]["http"]["port"], 8080);
  EXPECT_EQ(api.probes["readiness"]["http"]["headers"]["X-Probe"], "outpost");
  EXPECT_EQ(api.probes["readiness"]["http"]["status"], "200-204");
  EXPECT_EQ(api.probes["liveness"]["tcp"]["port"], 9090);
  EXPECT_TRUE(plan.containers[1].probes.empty());

  SiteDesired without_probes = desired;
  Application app = without_probes.apps.at("pos").app->application;
  app.services[0].containers[0].probes = Json::object();
  without_probes.update({{"pos", SiteApp{"deploy", app, without_probes.apps.at("pos").app->instances}}},
                        without_probes.vars);
  EXPECT_EQ(render_host(without_probes, "host-a").containers[0].spec_hash, api.spec_hash);
}

TEST_F(RenderTest, ProbePortWithAnUnknownVariableIsARenderErrorNamingTheField) {
  SiteDesired broken = desired;
  Application app = broken.apps.at("pos").app->application;
  app.services[0].containers[0].probes["readiness"]["http"]["port"] = "${NOPE}";
  broken.update({{"pos", SiteApp{"deploy", app, broken.apps.at("pos").app->instances}}}, broken.vars);
  HostPlan plan = render_host(broken, "host-a");
  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_NE(plan.errors[0].error.field.find("probes.readiness.http.port"), std::string::npos) << plan.errors[0].error.field;
}

}  // namespace outpost

// The typed probes the agent reads from the tower's validated spec: defaults, every check kind,
// both duration forms, and refusal of what the agent cannot act on.
#include "agent/probe_spec.hpp"

#include <gtest/gtest.h>

#include "model/application_parts.hpp"

namespace outpost::agent {
namespace {

using namespace std::chrono_literals;

TEST(ProbeSpec, AppliesDocumentedDefaults) {
  auto set = parse_probe_set(Json::parse(R"({"readiness": {"tcp": {"port": 8080}}})"));
  ASSERT_TRUE(set.has_value()) << set.error().message;
  ASSERT_TRUE(set->readiness.has_value());
  EXPECT_FALSE(set->startup.has_value());
  EXPECT_FALSE(set->liveness.has_value());
  const ProbeSpec& probe = *set->readiness;
  EXPECT_EQ(std::get<TcpCheck>(probe.check).port, 8080);
  EXPECT_EQ(probe.initial_delay, 0ms);
  EXPECT_EQ(probe.period, 10s);
  EXPECT_EQ(probe.timeout, 1s);
  EXPECT_EQ(probe.success_threshold, 1);
  EXPECT_EQ(probe.failure_threshold, 3);
}

TEST(ProbeSpec, ReadsWhatTheTowerValidated) {
  auto validated = spec::parse_probes(Json::parse(R"({
    "startup": {"exec": {"command": "test -f /ready"}, "period": "2s", "failure-threshold": 30},
    "readiness": {"http": {"path": "/healthz", "port": "8080"}, "initial-delay": 5, "success-threshold": 2},
    "liveness": {"http": {"port": 9000}, "timeout": "500ms", "period": "1m"}
  })"), "probes");
  ASSERT_TRUE(validated.has_value()) << validated.error().message;
  auto set = parse_probe_set(*validated);
  ASSERT_TRUE(set.has_value()) << set.error().message;

  const auto& startup = std::get<ExecCheck>(set->startup->check);
  EXPECT_EQ(startup.command, (std::vector<std::string>{"/bin/sh", "-c", "test -f /ready"}));
  EXPECT_EQ(set->startup->period, 2s);
  EXPECT_EQ(set->startup->failure_threshold, 30);

  const auto& readiness = std::get<HttpCheck>(set->readiness->check);
  EXPECT_EQ(readiness.path, "/healthz");
  EXPECT_EQ(readiness.port, 8080);
  EXPECT_EQ(set->readiness->initial_delay, 5s);
  EXPECT_EQ(set->readiness->success_threshold, 2);

  const auto& liveness = std::get<HttpCheck>(set->liveness->check);
  EXPECT_EQ(liveness.path, "/");
  EXPECT_EQ(liveness.port, 9000);
  EXPECT_EQ(liveness.status_min, 200);
  EXPECT_EQ(liveness.status_max, 399);
  EXPECT_TRUE(liveness.headers.empty());
  EXPECT_EQ(set->liveness->timeout, 500ms);
  EXPECT_EQ(set->liveness->period, 1min);
}

TEST(ProbeSpec, ReadsHttpHeadersAndStatusRange) {
  auto validated = spec::parse_probes(Json::parse(R"({
    "readiness": {"http": {"port": 80, "headers": {"Host": "shop.local", "X-Probe": "1"}, "status": "200-204"}}
  })"), "probes");
  ASSERT_TRUE(validated.has_value()) << validated.error().message;
  auto set = parse_probe_set(*validated);
  ASSERT_TRUE(set.has_value()) << set.error().message;
  const auto& http = std::get<HttpCheck>(set->readiness->check);
  EXPECT_EQ(http.headers, (std::vector<std::pair<std::string, std::string>>{{"Host", "shop.local"}, {"X-Probe", "1"}}));
  EXPECT_EQ(http.status_min, 200);
  EXPECT_EQ(http.status_max, 204);
}

TEST(ProbeSpec, EmptyOrAbsentProbesMeanNone) {
  for (const Json& probes : {Json::object(), Json()}) {
    auto set = parse_probe_set(probes);
    ASSERT_TRUE(set.has_value());
    for (ProbeKind kind : all_probe_kinds) EXPECT_FALSE(set->get(kind).has_value());
  }
}

TEST(ProbeSpec, RefusesAnUnresolvedPortNamingTheField) {
  auto set = parse_probe_set(Json::parse(R"({"liveness": {"tcp": {"port": "${PORT}"}}})"));
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(set.error().field, "probes.liveness.tcp.port");
}

TEST(ProbeSpec, RefusesAProbeWithoutACheck) {
  auto set = parse_probe_set(Json::parse(R"({"readiness": {"period": "5s"}})"));
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(set.error().field, "probes.readiness");
}

TEST(ProbeSpec, RefusesAZeroPeriod) {
  auto set = parse_probe_set(Json::parse(R"({"readiness": {"tcp": {"port": 80}, "period": 0}})"));
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(set.error().field, "probes.readiness.period");
}

TEST(RestartPolicyText, ParsesEachPolicyAndDefaultsToAlways) {
  EXPECT_EQ(parse_restart_policy("always").value(), RestartPolicy::always);
  EXPECT_EQ(parse_restart_policy("on-failure").value(), RestartPolicy::on_failure);
  EXPECT_EQ(parse_restart_policy("never").value(), RestartPolicy::never);
  EXPECT_EQ(parse_restart_policy("").value(), RestartPolicy::always);
  auto unknown = parse_restart_policy("sometimes");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().field, "restart");
}

}  // namespace
}  // namespace outpost::agent

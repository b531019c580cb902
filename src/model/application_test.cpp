#include "model/application.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

constexpr std::string_view design_example = R"(
kind: application
name: pos-terminal
version: 1.4.0
services:
  - name: api
    replicas: 1
    containers:
      - name: api
        image: 127.0.0.1:5000/pos/api:1.4.0
        command: ["/bin/api", "--port", "8080"]
        env: {LOG_LEVEL: info, SITE: "${SYS_SITE}"}
        ports: [{container: 8080, host: 8080, protocol: tcp}]
        mounts: [{volume: data, path: /var/lib/pos}]
        resources: {cpus: 0.5, memory: 256Mi}
        probes:
          readiness: {http: {path: /healthz, port: 8080}, period: 5s}
          liveness: {tcp: {port: 8080}, failure-threshold: 3}
        restart: always
    volumes:
      - {name: data, persistent: {size: 1Gi}}
      - {name: conf, config: {files: {app.conf: "mode=shop\n"}}}
      - {name: creds, secret: {vault: pos, secret: db}}
)";

Json yaml(std::string_view text) {
  auto doc = parse_document(text);
  EXPECT_TRUE(doc) << (doc ? "" : doc.error().message);
  return doc ? *doc : Json();
}

// The minimal valid application, with `patch` merged into its first container.
Json minimal(const Json& container_patch = Json::object()) {
  Json container = {{"name", "web"}, {"image", "busybox"}};
  container.merge_patch(container_patch);
  return Json{
      {"name", "app"}, {"version", "1.0"}, {"services", {{{"name", "web"}, {"containers", {container}}}}}};
}

Error app_error(const Json& doc) {
  auto app = Application::from_json(doc);
  EXPECT_FALSE(app) << doc.dump();
  return app ? Error{} : app.error();
}

std::string error_field(const Json& doc) { return app_error(doc).field; }

TEST(Application, ParsesTheDesignExample) {
  auto app = Application::from_json(yaml(design_example));
  ASSERT_TRUE(app) << app.error().message;
  EXPECT_EQ(app->name, "pos-terminal");
  EXPECT_EQ(app->version, "1.4.0");
  ASSERT_EQ(app->services.size(), 1u);
  const ServiceSpec& api = app->services[0];
  EXPECT_EQ(api.replicas, 1);
  EXPECT_FALSE(api.one_per_host);
  ASSERT_EQ(api.containers.size(), 1u);
  const ContainerSpec& container = api.containers[0];
  EXPECT_EQ(container.image, "127.0.0.1:5000/pos/api:1.4.0");
  EXPECT_EQ(container.command, (std::vector<std::string>{"/bin/api", "--port", "8080"}));
  EXPECT_EQ(container.env.at("SITE"), "${SYS_SITE}");
  ASSERT_EQ(container.ports.size(), 1u);
  EXPECT_EQ(container.ports[0].container, "8080");
  EXPECT_EQ(container.ports[0].host, "8080");
  EXPECT_EQ(container.ports[0].host_ip, "127.0.0.1");
  EXPECT_EQ(container.restart, "always");
  EXPECT_EQ(container.probes["readiness"]["http"]["path"], "/healthz");
  EXPECT_EQ(container.probes["liveness"]["failure-threshold"], 3);
  EXPECT_EQ(container.resources["memory"], "256Mi");
  EXPECT_EQ(container.mounts[0]["read-only"], false);
  EXPECT_EQ(api.volumes.size(), 3u);
  EXPECT_EQ(api.volumes[1]["config"]["files"]["app.conf"], "mode=shop\n");
}

TEST(Application, ToJsonIsCanonicalAndRoundTrips) {
  auto app = Application::from_json(yaml(design_example));
  ASSERT_TRUE(app);
  Json json = app->to_json();
  auto again = Application::from_json(json);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->to_json(), json);
  EXPECT_EQ(json["kind"], "application");
  EXPECT_EQ(json["services"][0]["mode"], "replicated");
  EXPECT_EQ(json["services"][0]["containers"][0]["ports"][0],
            Json::parse(R"({"container":8080,"host":8080,"protocol":"tcp","host-ip":"127.0.0.1"})"));
}

TEST(Application, EqualSpecsWrittenDifferentlySerializeIdentically) {
  auto terse = Application::from_json(minimal({{"ports", {{{"container", 80}}}}}));
  auto verbose = Application::from_json(yaml(R"(
kind: application
name: app
version: "1.0"
services:
  - name: web
    mode: replicated
    replicas: 1
    volumes: []
    containers:
      - {name: web, image: busybox, restart: always, env: {}, command: [], probes: {},
         ports: [{container: "0080", protocol: tcp, host-ip: 127.0.0.1}], mounts: []}
)"));
  ASSERT_TRUE(terse);
  ASSERT_TRUE(verbose) << verbose.error().message;
  EXPECT_EQ(terse->to_json(), verbose->to_json());
}

TEST(Application, DefaultsAndConversions) {
  auto app = Application::from_json(minimal(
      {{"env", {{"PORT", 8080}, {"DEBUG", true}, {"RATIO", 0.5}}}, {"command", "sleep 10 && echo done"}}));
  ASSERT_TRUE(app) << app.error().message;
  const ContainerSpec& container = app->services[0].containers[0];
  EXPECT_EQ(container.env,
            (std::map<std::string, std::string>{{"PORT", "8080"}, {"DEBUG", "true"}, {"RATIO", "0.5"}}));
  EXPECT_EQ(container.command, (std::vector<std::string>{"/bin/sh", "-c", "sleep 10 && echo done"}));
  EXPECT_EQ(container.restart, "always");
  EXPECT_EQ(app->services[0].replicas, 1);
}

TEST(Application, CommandListAcceptsNumbers) {
  auto app =
      Application::from_json(yaml("name: a\nversion: '1'\nservices: [{name: s, containers: "
                                  "[{name: c, image: i, command: [sleep, 3600]}]}]\n"));
  ASSERT_TRUE(app) << app.error().message;
  EXPECT_EQ(app->services[0].containers[0].command, (std::vector<std::string>{"sleep", "3600"}));
}

TEST(Application, OnePerHostMode) {
  Json doc = minimal();
  doc["services"][0]["mode"] = "one-per-host";
  auto app = Application::from_json(doc);
  ASSERT_TRUE(app);
  EXPECT_TRUE(app->services[0].one_per_host);
  Json json = app->to_json();
  EXPECT_FALSE(json["services"][0].contains("replicas"));
  EXPECT_TRUE(Application::from_json(json));
  doc["services"][0]["replicas"] = 2;
  EXPECT_EQ(error_field(doc), "services[0].replicas");
}

TEST(Application, PortsWithVariablesAndUdp) {
  auto app = Application::from_json(minimal(
      {{"ports",
        {{{"container", "53"}, {"host", "${DNS_PORT}"}, {"protocol", "udp"}, {"host-ip", "0.0.0.0"}}}}}));
  ASSERT_TRUE(app) << app.error().message;
  const PortSpec& port = app->services[0].containers[0].ports[0];
  EXPECT_EQ(port.host, "${DNS_PORT}");
  EXPECT_EQ(port.protocol, "udp");
  EXPECT_EQ(port.host_ip, "0.0.0.0");
  EXPECT_EQ(app->to_json()["services"][0]["containers"][0]["ports"][0]["host"], "${DNS_PORT}");
}

TEST(ApplicationErrors, MessagesStartWithTheFieldPath) {
  Error error = app_error(minimal({{"image", 5}}));
  EXPECT_EQ(error.status, 422);
  EXPECT_EQ(error.code, "invalid");
  EXPECT_EQ(error.field, "services[0].containers[0].image");
  EXPECT_EQ(error.message, "services[0].containers[0].image: must be a string, got number");
}

TEST(ApplicationErrors, RequiredFields) {
  EXPECT_EQ(error_field(Json{{"version", "1"}, {"services", minimal()["services"]}}), "name");
  EXPECT_EQ(error_field(Json{{"name", "a"}, {"services", minimal()["services"]}}), "version");
  EXPECT_EQ(error_field(Json{{"name", "a"}, {"version", "1"}}), "services");
  Json no_image = minimal();
  no_image["services"][0]["containers"][0].erase("image");
  EXPECT_EQ(app_error(no_image).message, "services[0].containers[0].image: is required");
  Json no_containers = minimal();
  no_containers["services"][0].erase("containers");
  EXPECT_EQ(error_field(no_containers), "services[0].containers");
}

TEST(ApplicationErrors, EmptyListsAreRejected) {
  Json doc = minimal();
  doc["services"] = Json::array();
  EXPECT_EQ(app_error(doc).message, "services: needs at least one service");
  doc = minimal();
  doc["services"][0]["containers"] = Json::array();
  EXPECT_EQ(app_error(doc).message, "services[0].containers: needs at least one container");
}

TEST(ApplicationErrors, UnknownFieldsAtEveryLevel) {
  Json top = minimal();
  top["replicas"] = 3;
  EXPECT_EQ(error_field(top), "replicas");
  Json service = minimal();
  service["services"][0]["image"] = "x";
  EXPECT_EQ(error_field(service), "services[0].image");
  EXPECT_EQ(error_field(minimal({{"imgae", "x"}})), "services[0].containers[0].imgae");
  EXPECT_EQ(error_field(minimal({{"ports", {{{"container", 1}, {"hostport", 2}}}}})),
            "services[0].containers[0].ports[0].hostport");
  EXPECT_NE(app_error(minimal({{"imgae", "x"}})).message.find("unknown field"), std::string::npos);
}

TEST(ApplicationErrors, KindMustBeApplication) {
  Json doc = minimal();
  doc["kind"] = "deployment";
  EXPECT_EQ(error_field(doc), "kind");
  doc["kind"] = "application";
  EXPECT_TRUE(Application::from_json(doc));
}

TEST(ApplicationErrors, NamesAreValidated) {
  Json doc = minimal();
  doc["name"] = "Bad_Name";
  EXPECT_EQ(error_field(doc), "name");
  doc = minimal();
  doc["services"][0]["name"] = "-x";
  EXPECT_EQ(error_field(doc), "services[0].name");
  EXPECT_EQ(error_field(minimal({{"name", "UPPER"}})), "services[0].containers[0].name");
}

TEST(ApplicationErrors, UnquotedDecimalVersionGetsAHint) {
  Error error =
      app_error(yaml("name: a\nversion: 1.10\nservices: [{name: s, containers: [{name: c, image: i}]}]\n"));
  EXPECT_EQ(error.field, "version");
  EXPECT_NE(error.message.find("quote it"), std::string::npos) << error.message;
  Json doc = minimal();
  doc["version"] = "1 0";
  EXPECT_EQ(error_field(doc), "version");
}

TEST(ApplicationErrors, DuplicateNames) {
  Json doc = minimal();
  doc["services"].push_back(doc["services"][0]);
  EXPECT_EQ(app_error(doc).message, "services[1].name: duplicate service name \"web\"");
  doc = minimal();
  doc["services"][0]["containers"].push_back(doc["services"][0]["containers"][0]);
  EXPECT_EQ(error_field(doc), "services[0].containers[1].name");
}

TEST(ApplicationErrors, Replicas) {
  for (const Json& bad : {Json(-1), Json(1.5), Json("2"), Json(1001)}) {
    Json doc = minimal();
    doc["services"][0]["replicas"] = bad;
    EXPECT_EQ(error_field(doc), "services[0].replicas") << bad.dump();
  }
  Json zero = minimal();
  zero["services"][0]["replicas"] = 0;
  EXPECT_TRUE(Application::from_json(zero));
}

TEST(ApplicationErrors, ModeAndRestartChoices) {
  Json doc = minimal();
  doc["services"][0]["mode"] = "global";
  EXPECT_EQ(app_error(doc).message,
            "services[0].mode: must be one of replicated, one-per-host, got \"global\"");
  EXPECT_EQ(error_field(minimal({{"restart", "unless-stopped"}})), "services[0].containers[0].restart");
  EXPECT_TRUE(Application::from_json(minimal({{"restart", "on-failure"}})));
  EXPECT_TRUE(Application::from_json(minimal({{"restart", "never"}})));
}

TEST(ApplicationErrors, Image) {
  EXPECT_EQ(error_field(minimal({{"image", ""}})), "services[0].containers[0].image");
  EXPECT_EQ(error_field(minimal({{"image", "busy box"}})), "services[0].containers[0].image");
}

TEST(ApplicationErrors, Ports) {
  auto port_field = [](const Json& port) { return error_field(minimal({{"ports", {port}}})); };
  const std::string base = "services[0].containers[0].ports[0]";
  EXPECT_EQ(port_field(Json{{"host", 80}}), base + ".container");
  EXPECT_EQ(port_field(Json{{"container", 0}}), base + ".container");
  EXPECT_EQ(port_field(Json{{"container", 65536}}), base + ".container");
  EXPECT_EQ(port_field(Json{{"container", "http"}}), base + ".container");
  EXPECT_EQ(port_field(Json{{"container", 80.5}}), base + ".container");
  EXPECT_EQ(port_field(Json{{"container", 80}, {"host", "${UNCLOSED"}}), base + ".host");
  EXPECT_EQ(port_field(Json{{"container", 80}, {"protocol", "sctp"}}), base + ".protocol");
  EXPECT_EQ(port_field(Json{{"container", 80}, {"host-ip", "localhost"}}), base + ".host-ip");
  EXPECT_EQ(port_field(Json::array()), base);
  EXPECT_EQ(error_field(minimal({{"ports", {{"container", 80}}}})), "services[0].containers[0].ports");
  Error range = app_error(minimal({{"ports", {{{"container", 70000}}}}}));
  EXPECT_NE(range.message.find("1 to 65535"), std::string::npos) << range.message;
}

TEST(ApplicationErrors, SameHostPortTwiceInAServiceIsRejected) {
  Json doc = minimal({{"ports", {{{"container", 80}, {"host", 8080}}}}});
  Json second = {{"name", "side"}, {"image", "busybox"}, {"ports", {{{"container", 81}, {"host", 8080}}}}};
  doc["services"][0]["containers"].push_back(second);
  EXPECT_EQ(error_field(doc), "services[0].containers[1].ports[0].host");
  doc["services"][0]["containers"][1]["ports"][0]["protocol"] = "udp";
  EXPECT_TRUE(Application::from_json(doc));
}

TEST(ApplicationErrors, EnvAndCommand) {
  EXPECT_EQ(error_field(minimal({{"env", {{"BAD-NAME", "x"}}}})), "services[0].containers[0].env.BAD-NAME");
  EXPECT_EQ(error_field(minimal({{"env", {{"A", Json::array()}}}})), "services[0].containers[0].env.A");
  EXPECT_EQ(error_field(minimal({{"env", {{"A", "${"}}}})), "services[0].containers[0].env.A");
  EXPECT_EQ(error_field(minimal({{"env", Json::array({"A=1"})}})), "services[0].containers[0].env");
  EXPECT_EQ(error_field(minimal({{"command", Json::array({"ok", Json{{"x", 1}}})}})),
            "services[0].containers[0].command[1]");
  EXPECT_EQ(error_field(minimal({{"command", Json::array({"echo", "${}"})}})),
            "services[0].containers[0].command[1]");
  EXPECT_EQ(error_field(minimal({{"command", 5}})), "services[0].containers[0].command");
}

TEST(ApplicationErrors, Probes) {
  auto probe_field = [](std::string_view probes) {
    return error_field(minimal({{"probes", Json::parse(probes)}}));
  };
  const std::string base = "services[0].containers[0].probes";
  EXPECT_EQ(probe_field(R"({"ready": {"tcp": {"port": 80}}})"), base + ".ready");
  EXPECT_EQ(probe_field(R"({"liveness": {"tcp": {"port": 80}, "interval": "5s"}})"),
            base + ".liveness.interval");
  EXPECT_EQ(app_error(minimal({{"probes", Json::parse(R"({"liveness": {"period": "5s"}})")}})).message,
            base + ".liveness: needs exactly one of http, tcp or exec");
  EXPECT_EQ(probe_field(R"({"liveness": {"tcp": {"port": 80}, "exec": {"command": "true"}}})"),
            base + ".liveness");
  EXPECT_EQ(probe_field(R"({"liveness": {"tcp": {"port": 80}, "period": "soon"}})"),
            base + ".liveness.period");
  EXPECT_EQ(probe_field(R"({"liveness": {"tcp": {"port": 80}, "failure-threshold": 0}})"),
            base + ".liveness.failure-threshold");
  EXPECT_EQ(probe_field(R"({"liveness": {"tcp": {}}})"), base + ".liveness.tcp.port");
  EXPECT_EQ(probe_field(R"({"readiness": {"http": {"path": "healthz", "port": 80}}})"),
            base + ".readiness.http.path");
  EXPECT_EQ(probe_field(R"({"readiness": {"tcp": {"port": 80, "path": "/"}}})"),
            base + ".readiness.tcp.path");
  EXPECT_EQ(probe_field(R"({"startup": {"exec": {"command": []}}})"), base + ".startup.exec.command");
  auto ok = Application::from_json(minimal(
      {{"probes",
        Json::parse(R"({"startup": {"exec": {"command": "test -f /ready"}, "initial-delay": 2}})")}}));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->services[0].containers[0].probes["startup"]["exec"]["command"][0], "/bin/sh");
  EXPECT_EQ(ok->services[0].containers[0].probes["startup"]["initial-delay"], 2);
}

TEST(ApplicationErrors, HttpProbeHeadersAndStatus) {
  auto probe_field = [](std::string_view probes) {
    return error_field(minimal({{"probes", Json::parse(probes)}}));
  };
  const std::string http = "services[0].containers[0].probes.readiness.http";
  EXPECT_EQ(probe_field(R"({"readiness": {"http": {"port": 80, "headers": ["a"]}}})"), http + ".headers");
  EXPECT_EQ(probe_field(R"({"readiness": {"http": {"port": 80, "headers": {"bad name": "x"}}}})"),
            http + ".headers.bad name");
  EXPECT_EQ(probe_field(R"({"readiness": {"http": {"port": 80, "headers": {"X-A": "a\r\nX-B: b"}}}})"),
            http + ".headers.X-A");
  EXPECT_EQ(probe_field(R"({"readiness": {"http": {"port": 80, "headers": {"X-A": 5}}}})"), http + ".headers.X-A");
  EXPECT_EQ(probe_field(R"({"readiness": {"http": {"port": 80, "status": "300-200"}}})"), http + ".status");
  EXPECT_EQ(probe_field(R"({"readiness": {"http": {"port": 80, "status": "2xx"}}})"), http + ".status");
  EXPECT_EQ(probe_field(R"({"readiness": {"http": {"port": 80, "status": 700}}})"), http + ".status");

  auto ok = Application::from_json(minimal({{"probes", Json::parse(R"({
      "readiness": {"http": {"port": 80, "headers": {"Host": "shop.local"}, "status": 204}},
      "liveness": {"http": {"port": 80, "status": "200-299"}},
      "startup": {"http": {"port": 80}}})")}}));
  ASSERT_TRUE(ok) << ok.error().message;
  const Json& probes = ok->services[0].containers[0].probes;
  EXPECT_EQ(probes["readiness"]["http"]["headers"]["Host"], "shop.local");
  EXPECT_EQ(probes["readiness"]["http"]["status"], "204-204");
  EXPECT_EQ(probes["liveness"]["http"]["status"], "200-299");
  EXPECT_EQ(probes["startup"]["http"]["status"], "200-399");
}

TEST(ApplicationErrors, Resources) {
  auto resources_field = [](std::string_view resources) {
    return error_field(minimal({{"resources", Json::parse(resources)}}));
  };
  const std::string base = "services[0].containers[0].resources";
  EXPECT_EQ(resources_field(R"({"gpus": 1})"), base + ".gpus");
  EXPECT_EQ(resources_field(R"({"cpus": 0})"), base + ".cpus");
  EXPECT_EQ(resources_field(R"({"cpus": "half"})"), base + ".cpus");
  EXPECT_EQ(resources_field(R"({"memory": "lots"})"), base + ".memory");
  EXPECT_EQ(resources_field(R"({"memory": "256Xi"})"), base + ".memory");
  EXPECT_TRUE(
      Application::from_json(minimal({{"resources", Json::parse(R"({"cpus": 2, "memory": 1048576})")}})));
  EXPECT_TRUE(Application::from_json(minimal({{"resources", Json::parse(R"({"memory": "1.5Gi"})")}})));
}

TEST(ApplicationErrors, VolumesAndMounts) {
  Json doc = minimal({{"mounts", Json::parse(R"([{"volume": "data", "path": "/data"}])")}});
  EXPECT_EQ(app_error(doc).message,
            "services[0].containers[0].mounts[0].volume: no volume named \"data\" in this service's volumes");
  doc["services"][0]["volumes"] = Json::parse(R"([{"name": "data", "persistent": {}}])");
  EXPECT_TRUE(Application::from_json(doc));
  doc["services"][0]["containers"][0]["mounts"][0]["path"] = "data";
  EXPECT_EQ(error_field(doc), "services[0].containers[0].mounts[0].path");
  doc["services"][0]["containers"][0]["mounts"] =
      Json::parse(R"([{"volume": "data", "path": "/a"}, {"volume": "data", "path": "/a"}])");
  EXPECT_EQ(error_field(doc), "services[0].containers[0].mounts[1].path");

  auto volumes_field = [](std::string_view volumes) {
    Json with_volumes = minimal();
    with_volumes["services"][0]["volumes"] = Json::parse(volumes);
    return error_field(with_volumes);
  };
  const std::string base = "services[0].volumes";
  EXPECT_EQ(volumes_field(R"({"name": "v"})"), base);
  EXPECT_EQ(volumes_field(R"([{"name": "v"}])"), base + "[0]");
  EXPECT_EQ(volumes_field(R"([{"name": "v", "persistent": {}, "secret": {"vault": "a", "secret": "b"}}])"),
            base + "[0]");
  EXPECT_EQ(volumes_field(R"([{"name": "v", "hostpath": "/"}])"), base + "[0].hostpath");
  EXPECT_EQ(volumes_field(R"([{"name": "v", "persistent": {"size": "big"}}])"), base + "[0].persistent.size");
  EXPECT_EQ(volumes_field(R"([{"name": "v", "config": {"files": {"../x": "a"}}}])"),
            base + "[0].config.files.../x");
  EXPECT_EQ(volumes_field(R"([{"name": "v", "config": {}}])"), base + "[0].config.files");
  EXPECT_EQ(volumes_field(R"([{"name": "v", "secret": {"vault": "a"}}])"), base + "[0].secret.secret");
  EXPECT_EQ(volumes_field(R"([{"name": "v", "persistent": {}}, {"name": "v", "persistent": {}}])"),
            base + "[1].name");
}

TEST(ApplicationErrors, NullMeansNotGiven) {
  auto app =
      Application::from_json(yaml("name: a\nversion: '1'\nservices:\n  - name: s\n    volumes:\n"
                                  "    containers:\n      - name: c\n        image: i\n        env:\n"));
  ASSERT_TRUE(app) << app.error().message;
  EXPECT_TRUE(app->services[0].containers[0].env.empty());
}

}  // namespace
}  // namespace outpost

#include "engine/docker_api.hpp"

#include <gtest/gtest.h>

#include "engine/docker_engine.hpp"

namespace outpost::docker_api {
namespace {

TEST(ParseEngineUrl, TakesTheSocketPathOfAUnixUrl) {
  auto path = parse_engine_url("unix:///run/podman/podman.sock");
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(*path, "/run/podman/podman.sock");
}

TEST(ParseEngineUrl, RefusesOtherSchemesAndRelativePaths) {
  for (const char* url : {"tcp://127.0.0.1:2375", "/run/podman.sock", "unix://", "unix://rel/x.sock"}) {
    auto path = parse_engine_url(url);
    ASSERT_FALSE(path.has_value()) << url;
    EXPECT_EQ(path.error().code, "invalid") << url;
    EXPECT_EQ(path.error().field, "engine") << url;
  }
}

struct ImageCase {
  const char* image;
  ImageReference expected;
};

class SplitImageReference : public ::testing::TestWithParam<ImageCase> {};

TEST_P(SplitImageReference, SeparatesRepositoryFromTagOrDigest) {
  EXPECT_EQ(split_image_reference(GetParam().image), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    References, SplitImageReference,
    ::testing::Values(
        ImageCase{"busybox", {"busybox", "latest"}},
        ImageCase{"busybox:1.36", {"busybox", "1.36"}},
        ImageCase{"library/busybox:1.36", {"library/busybox", "1.36"}},
        ImageCase{"127.0.0.1:5000/a/b:1.0", {"127.0.0.1:5000/a/b", "1.0"}},
        ImageCase{"127.0.0.1:5000/a/b", {"127.0.0.1:5000/a/b", "latest"}},
        ImageCase{"registry.example:443/app@sha256:abcd", {"registry.example:443/app", "sha256:abcd"}},
        ImageCase{"127.0.0.1:5000/app:2.0@sha256:abcd", {"127.0.0.1:5000/app", "sha256:abcd"}}));

TEST(PercentEncode, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(percent_encode("a-Z_0.~"), "a-Z_0.~");
  EXPECT_EQ(percent_encode("{\"a\":[\"k=v\"]}"), "%7B%22a%22%3A%5B%22k%3Dv%22%5D%7D");
  EXPECT_EQ(percent_encode("127.0.0.1:5000/a"), "127.0.0.1%3A5000%2Fa");
}

TEST(Targets, ListWithoutFilterAsksForAllStates) {
  EXPECT_EQ(list_containers_target({}), "/v1.41/containers/json?all=1");
}

TEST(Targets, ListFilterCarriesEveryLabelPair) {
  const std::string target = list_containers_target({{"outpost.site", "s1"}, {"outpost.host", "h1"}});
  const std::string filters = percent_encode(R"({"label":["outpost.host=h1","outpost.site=s1"]})");
  EXPECT_EQ(target, "/v1.41/containers/json?all=1&filters=" + filters);
}

TEST(Targets, PullSplitsTheReference) {
  EXPECT_EQ(pull_target("127.0.0.1:5000/pos/api:1.4.0"),
            "/v1.41/images/create?fromImage=127.0.0.1%3A5000%2Fpos%2Fapi&tag=1.4.0");
  EXPECT_EQ(pull_target("busybox"), "/v1.41/images/create?fromImage=busybox&tag=latest");
}

TEST(Targets, ImageInspectKeepsTheReferenceReadable) {
  EXPECT_EQ(image_inspect_target("127.0.0.1:5000/pos/api:1.4.0"),
            "/v1.41/images/127.0.0.1:5000/pos/api:1.4.0/json");
}

TEST(Targets, CreateNamesTheContainer) {
  EXPECT_EQ(create_container_target("outpost-s1-h1-app-web-0-api"),
            "/v1.41/containers/create?name=outpost-s1-h1-app-web-0-api");
}

PlannedContainer planned_web() {
  PlannedContainer planned;
  planned.name = "outpost-s1-h1-shop-web-0-api";
  planned.image = "127.0.0.1:5000/shop/api:1.0";
  planned.command = {"/bin/api", "--port", "8080"};
  planned.env = {"A=1", "B=two"};
  planned.ports = {PublishedPort{8080, 18080, "tcp", "127.0.0.1"},
                   PublishedPort{8080, 18081, "tcp", "127.0.0.1"},
                   PublishedPort{9000, 0, "udp", "127.0.0.1"}};
  planned.restart = "always";
  planned.labels = {{"outpost.site", "s1"}, {"outpost.host", "h1"}};
  planned.spec_hash = "abc123";
  return planned;
}

TEST(CreateBody, CarriesImageCommandEnvAndLabelsWithTheSpecHash) {
  const Json body = create_container_body(planned_web());
  EXPECT_EQ(body["Image"], "127.0.0.1:5000/shop/api:1.0");
  EXPECT_EQ(body["Cmd"], Json({"/bin/api", "--port", "8080"}));
  EXPECT_EQ(body["Env"], Json({"A=1", "B=two"}));
  EXPECT_EQ(body["Labels"],
            Json({{"outpost.site", "s1"}, {"outpost.host", "h1"}, {"outpost.spec-hash", "abc123"}}));
}

TEST(CreateBody, PublishesPortsOnTheirHostAddressAndExposesUnpublishedOnes) {
  const Json body = create_container_body(planned_web());
  EXPECT_EQ(body["ExposedPorts"], Json({{"8080/tcp", Json::object()}, {"9000/udp", Json::object()}}));
  const Json expected_bindings = {
      {"8080/tcp",
       {{{"HostIp", "127.0.0.1"}, {"HostPort", "18080"}}, {{"HostIp", "127.0.0.1"}, {"HostPort", "18081"}}}}};
  EXPECT_EQ(body["HostConfig"]["PortBindings"], expected_bindings);
}

TEST(CreateBody, LeavesRestartsToTheAgent) {
  EXPECT_EQ(create_container_body(planned_web())["HostConfig"]["RestartPolicy"], Json({{"Name", "no"}}));
}

TEST(CreateBody, OmitsCmdSoTheImageDefaultApplies) {
  PlannedContainer planned = planned_web();
  planned.command.clear();
  EXPECT_FALSE(create_container_body(planned).contains("Cmd"));
}

TEST(ListReply, YieldsIds) {
  auto ids = container_ids_from_list(R"([{"Id":"a1","Names":["/x"]},{"Id":"b2"}])");
  ASSERT_TRUE(ids.has_value());
  EXPECT_EQ(*ids, (std::vector<std::string>{"a1", "b2"}));
}

TEST(ListReply, MalformedIsAnEngineError) {
  auto ids = container_ids_from_list("{not json");
  ASSERT_FALSE(ids.has_value());
  EXPECT_EQ(ids.error().code, "engine");
  EXPECT_FALSE(container_ids_from_list(R"({"Id":"a"})").has_value());
}

TEST(InspectReply, FillsStateTimesLabelsAndTheReferencedImage) {
  auto info = container_info_from_inspect(R"({
    "Id": "f00d", "Name": "/outpost-s1-h1-shop-web-0-api", "Image": "sha256:1234",
    "State": {"Status": "exited", "Running": false, "ExitCode": 3, "Error": "boom",
              "StartedAt": "2024-05-01T10:00:00.5Z", "FinishedAt": "2024-05-01T10:01:00Z"},
    "Config": {"Image": "127.0.0.1:5000/shop/api:1.0", "Labels": {"outpost.site": "s1"}}})");
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->id, "f00d");
  EXPECT_EQ(info->name, "outpost-s1-h1-shop-web-0-api");
  EXPECT_EQ(info->image, "127.0.0.1:5000/shop/api:1.0");
  EXPECT_EQ(info->state, "exited");
  EXPECT_EQ(info->exit_code, 3);
  EXPECT_EQ(info->error, "boom");
  EXPECT_EQ(info->started_at, "2024-05-01T10:00:00.5Z");
  EXPECT_EQ(info->finished_at, "2024-05-01T10:01:00Z");
  EXPECT_EQ(info->labels, (std::map<std::string, std::string>{{"outpost.site", "s1"}}));
}

TEST(InspectReply, NullLabelsMeanNone) {
  auto info = container_info_from_inspect(
      R"({"Id":"a","Name":"/n","State":{"Status":"created"},"Config":{"Image":"i","Labels":null}})");
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->labels.empty());
  EXPECT_EQ(info->state, "created");
}

TEST(InspectReply, WithoutIdIsAnEngineError) {
  auto info = container_info_from_inspect(R"({"Name":"/n"})");
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code, "engine");
}

TEST(CreateReply, YieldsTheId) {
  EXPECT_EQ(container_id_from_create(R"({"Id":"c0ffee","Warnings":[]})").value(), "c0ffee");
  EXPECT_FALSE(container_id_from_create(R"({"Warnings":[]})").has_value());
}

TEST(PullStream, ProgressOnlyIsSuccess) {
  EXPECT_EQ(pull_stream_error("{\"status\":\"Pulling fs layer\",\"id\":\"a\"}\r\n"
                              "{\"status\":\"Download complete\"}\n\n"),
            std::nullopt);
  EXPECT_EQ(pull_stream_error(""), std::nullopt);
}

TEST(PullStream, ReportsTheErrorDetailMessage) {
  EXPECT_EQ(pull_stream_error("{\"status\":\"Pulling\"}\n"
                              "{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"x\"}\n"),
            "manifest unknown");
}

TEST(PullStream, ReportsAPlainError) {
  EXPECT_EQ(pull_stream_error("{\"error\":\"connection refused\"}"), "connection refused");
}

TEST(EngineError, NotFoundMapsToNotFoundWithTheEngineMessage) {
  const Error error = engine_error(404, R"({"cause":"no such container","message":"no container with name or ID x found"})");
  EXPECT_EQ(error.status, 404);
  EXPECT_EQ(error.code, "not_found");
  EXPECT_EQ(error.message, "no container with name or ID x found");
}

TEST(EngineError, OtherStatusesAreEngineErrors) {
  const Error error = engine_error(409, R"({"message":"name already in use"})");
  EXPECT_EQ(error.status, 409);
  EXPECT_EQ(error.code, "engine");
  EXPECT_EQ(error.message, "name already in use");
}

TEST(EngineError, FallsBackToBodyTextThenToTheStatus) {
  EXPECT_EQ(engine_error_message(500, "  plain failure\n"), "plain failure");
  EXPECT_EQ(engine_error_message(500, ""), "the container engine answered HTTP 500");
}

}  // namespace
}  // namespace outpost::docker_api

#include "engine/docker_api.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>

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

TEST(InspectReply, TakesTheTopLevelAddress) {
  auto info = container_info_from_inspect(R"({"Id":"a","NetworkSettings":{"IPAddress":"10.88.0.7",
      "Networks":{"podman":{"IPAddress":"10.88.0.9"}}}})");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->ip_address, "10.88.0.7");
}

TEST(InspectReply, FallsBackToTheFirstNetworkWithAnAddress) {
  auto info = container_info_from_inspect(R"({"Id":"a","NetworkSettings":{"IPAddress":"",
      "Networks":{"a-none":{"IPAddress":""},"b-front":{"IPAddress":"172.20.0.5"},"c-back":{"IPAddress":"172.21.0.5"}}}})");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->ip_address, "172.20.0.5");
}

TEST(InspectReply, NoNetworkMeansNoAddress) {
  for (const char* body : {R"({"Id":"a"})", R"({"Id":"a","NetworkSettings":null})",
                           R"({"Id":"a","NetworkSettings":{"IPAddress":"","Networks":null}})"}) {
    auto info = container_info_from_inspect(body);
    ASSERT_TRUE(info.has_value()) << body;
    EXPECT_EQ(info->ip_address, "") << body;
  }
}

TEST(CreateReply, YieldsTheId) {
  EXPECT_EQ(container_id_from_create(R"({"Id":"c0ffee","Warnings":[]})").value(), "c0ffee");
  EXPECT_FALSE(container_id_from_create(R"({"Warnings":[]})").has_value());
}

TEST(Exec, TargetsAndBodiesAttachOutputWithoutATty) {
  EXPECT_EQ(exec_create_target("c1"), "/v1.41/containers/c1/exec");
  EXPECT_EQ(exec_start_target("e1"), "/v1.41/exec/e1/start");
  EXPECT_EQ(exec_inspect_target("e1"), "/v1.41/exec/e1/json");
  const Json create = exec_create_body({"sh", "-c", "exit 3"});
  EXPECT_EQ(create["Cmd"], Json({"sh", "-c", "exit 3"}));
  EXPECT_EQ(create["AttachStdout"], true);
  EXPECT_EQ(create["AttachStderr"], true);
  EXPECT_EQ(create["Tty"], false);
  EXPECT_EQ(exec_start_body(), Json({{"Detach", false}, {"Tty", false}}));
}

TEST(Exec, CreateReplyYieldsTheId) {
  EXPECT_EQ(exec_id_from_create(R"({"Id":"e1"})").value(), "e1");
  EXPECT_EQ(exec_id_from_create(R"({})").error().code, "engine");
}

TEST(Exec, InspectionReportsRunningAndTheExitCodeOnceThere) {
  const ExecState done = exec_state_from_inspect(R"({"Running":false,"ExitCode":3})").value();
  EXPECT_FALSE(done.running);
  EXPECT_EQ(done.exit_code, 3);
  const ExecState busy = exec_state_from_inspect(R"({"Running":true,"ExitCode":null})").value();
  EXPECT_TRUE(busy.running);
  EXPECT_EQ(busy.exit_code, std::nullopt);
  EXPECT_FALSE(exec_state_from_inspect("[]").has_value());
}

TEST(Exec, ANotRunningContainerIsAConflictWhicheverEngineSaysIt) {
  const Error docker = exec_error(409, R"({"message":"Container c1 is not running"})");
  EXPECT_EQ(docker.status, 409);
  EXPECT_EQ(docker.code, "conflict");
  EXPECT_EQ(docker.message, "Container c1 is not running");
  const Error podman = exec_error(
      500, R"({"cause":"container state improper","message":"can only create exec sessions on running containers: container state improper","response":500})");
  EXPECT_EQ(podman.status, 409);
  EXPECT_EQ(podman.code, "conflict");
  EXPECT_EQ(podman.message, "can only create exec sessions on running containers: container state improper");
}

TEST(Exec, OtherFailuresKeepTheirMapping) {
  EXPECT_EQ(exec_error(404, R"({"message":"no such container"})").code, "not_found");
  const Error other = exec_error(500, R"({"message":"disk full"})");
  EXPECT_EQ(other.code, "engine");
  EXPECT_EQ(other.status, 500);
}

TEST(Logs, TargetAsksForBothStreamsAndTheTail) {
  EXPECT_EQ(logs_target("c1", 50), "/v1.41/containers/c1/logs?stdout=1&stderr=1&tail=50");
}

// One multiplexed frame: stream type, three zero bytes, big-endian size, payload.
std::string frame(char stream, std::string_view payload) {
  std::string out{stream, '\0', '\0', '\0'};
  const auto size = static_cast<std::uint32_t>(payload.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xFF));
  return out + std::string(payload);
}

TEST(Demultiplex, JoinsStdoutAndStderrInArrivalOrder) {
  const std::string stream = frame(1, "out1\n") + frame(2, "err1\n") + frame(1, "out2\n");
  EXPECT_EQ(demultiplex_stream(stream, 1024), "out1\nerr1\nout2\n");
}

TEST(Demultiplex, ALineSplitAcrossFramesIsJoined) {
  EXPECT_EQ(demultiplex_stream(frame(1, "hel") + frame(1, "lo\n"), 1024), "hello\n");
}

TEST(Demultiplex, ReadsSizesBeyondOneByte) {
  const std::string big(70'000, 'x');
  EXPECT_EQ(demultiplex_stream(frame(1, big) + frame(2, "!"), 1'000'000), big + "!");
}

TEST(Demultiplex, ATruncatedFrameYieldsWhatArrived) {
  const std::string whole = frame(1, "complete\n") + frame(2, "cut short\n");
  EXPECT_EQ(demultiplex_stream(whole.substr(0, whole.size() - 6), 1024), "complete\ncut ");
  // A header that never got its payload, and half a header, add nothing.
  const std::string header_promising_five_bytes("\x01\0\0\0\0\0\0\x05", 8);
  EXPECT_EQ(demultiplex_stream(frame(1, "a") + header_promising_five_bytes, 1024), "a");
  EXPECT_EQ(demultiplex_stream(frame(1, "a") + std::string("\x01\0\0", 3), 1024), "a");
}

TEST(Demultiplex, EmptyFramesAndAnEmptyStreamYieldNothing) {
  EXPECT_EQ(demultiplex_stream("", 1024), "");
  EXPECT_EQ(demultiplex_stream(frame(1, "") + frame(2, ""), 1024), "");
}

TEST(Demultiplex, AStreamWithoutHeadersIsRawTtyOutput) {
  EXPECT_EQ(demultiplex_stream("hello\nworld\n", 1024), "hello\nworld\n");
  EXPECT_EQ(demultiplex_stream("hi", 1024), "hi") << "shorter than a header";
}

TEST(Demultiplex, KeepsOnlyTheTail) {
  std::string stream;
  for (int i = 0; i < 100; ++i) stream += frame(i % 2 ? 2 : 1, fmt::format("line{:02}\n", i));
  EXPECT_EQ(demultiplex_stream(stream, 14), "line98\nline99\n");
  EXPECT_EQ(demultiplex_stream(std::string(50, 'r'), 4), "rrrr") << "raw output too";
}

TEST(Demultiplex, LostFramingKeepsTheRestAsOutput) {
  EXPECT_EQ(demultiplex_stream(frame(1, "ok\n") + "garbage after", 1024), "ok\ngarbage after");
}

TEST(LastLines, SplitsWithoutTerminatorsAndKeepsTheLastCount) {
  EXPECT_EQ(last_lines("a\nb\r\nc\n", 2), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(last_lines("a\nb\nc\n", 10), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(last_lines("a\n\nb", 3), (std::vector<std::string>{"a", "", "b"})) << "empty lines count";
}

TEST(LastLines, ZeroOrNothingGivesNoLines) {
  EXPECT_TRUE(last_lines("a\nb\n", 0).empty());
  EXPECT_TRUE(last_lines("", 5).empty());
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

// DockerEngine against a scripted engine on a unix socket: what goes on the wire and how each
// kind of reply comes back. The real-engine test (docker_engine_test.cpp) covers semantics.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <optional>

#include "engine/docker_engine.hpp"

namespace outpost {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::local::stream_protocol;

struct Canned {
  unsigned status = 200;
  std::string body;
  bool silent = false;  // read the request, then never answer
};

// Answers one connection per canned reply, in order, and records each request.
class ScriptedEngine {
 public:
  ScriptedEngine(asio::io_context& io, std::filesystem::path socket_path, std::deque<Canned> script)
      : acceptor_(io, stream_protocol::endpoint(socket_path.string())), script_(std::move(script)) {
    asio::co_spawn(io, serve(), asio::detached);
  }

  std::vector<http::request<http::string_body>> requests;

 private:
  asio::awaitable<void> serve() {
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    while (!script_.empty()) {
      Canned canned = std::move(script_.front());
      script_.pop_front();
      auto [accept_ec, socket] = co_await acceptor_.async_accept(tuple);
      if (accept_ec) co_return;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> request;
      auto [read_ec, read] = co_await http::async_read(socket, buffer, request, tuple);
      if (read_ec) co_return;
      requests.push_back(request);
      if (canned.silent) {
        char byte = 0;
        co_await socket.async_read_some(asio::buffer(&byte, 1), tuple);  // until the client gives up
        continue;
      }
      http::response<http::string_body> response{static_cast<http::status>(canned.status), 11};
      response.body() = canned.body;
      response.prepare_payload();
      co_await http::async_write(socket, response, tuple);
    }
  }

  stream_protocol::acceptor acceptor_;
  std::deque<Canned> script_;
};

class DockerEngineWireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "outpost-engine-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    socket_path_ = dir_ / "engine.sock";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void script(std::deque<Canned> replies) { server_.emplace(io_, socket_path_, std::move(replies)); }

  // Runs one engine call to completion; the scripted server runs on the same io_context.
  template <class T>
  T run(asio::awaitable<T> call) {
    std::optional<T> result;
    asio::co_spawn(io_, std::move(call), [&](std::exception_ptr error, T value) {
      if (error) std::rethrow_exception(error);
      result.emplace(std::move(value));
      io_.stop();
    });
    io_.restart();
    io_.run();
    return std::move(*result);
  }

  const http::request<http::string_body>& request(std::size_t index) const {
    return server_->requests.at(index);
  }

  std::filesystem::path dir_;
  std::filesystem::path socket_path_;
  asio::io_context io_;
  std::optional<ScriptedEngine> server_;
  DockerEngine engine() { return DockerEngine(io_.get_executor(), socket_path_.string()); }
};

TEST_F(DockerEngineWireTest, ListInspectsEveryListedContainerAndSkipsVanishedOnes) {
  script({{200, R"([{"Id":"a1"},{"Id":"b2"}])"},
          {200, R"({"Id":"a1","Name":"/one","State":{"Status":"exited","ExitCode":2},"Config":{"Image":"img","Labels":{"k":"v"}},
                    "NetworkSettings":{"IPAddress":"","Networks":{"podman":{"IPAddress":"10.88.0.4"}}}})"},
          {404, R"({"message":"no such container"})"}});
  DockerEngine docker = engine();
  auto containers = run(docker.list({{"k", "v"}}));
  ASSERT_TRUE(containers.has_value()) << containers.error().message;
  ASSERT_EQ(containers->size(), 1u);
  EXPECT_EQ((*containers)[0].name, "one");
  EXPECT_EQ((*containers)[0].exit_code, 2);
  EXPECT_EQ((*containers)[0].ip_address, "10.88.0.4");
  EXPECT_EQ(request(0).method(), http::verb::get);
  EXPECT_TRUE(request(0).target().starts_with("/v1.41/containers/json?all=1&filters="));
  EXPECT_EQ(request(1).target(), "/v1.41/containers/a1/json");
  EXPECT_EQ(request(2).target(), "/v1.41/containers/b2/json");
}

TEST_F(DockerEngineWireTest, CreatePostsTheBodyAndReturnsTheId) {
  script({{201, R"({"Id":"c0ffee","Warnings":[]})"}});
  PlannedContainer planned;
  planned.name = "outpost-s-h-a-web-0-api";
  planned.image = "busybox";
  DockerEngine docker = engine();
  auto id = run(docker.create(planned));
  ASSERT_TRUE(id.has_value()) << id.error().message;
  EXPECT_EQ(*id, "c0ffee");
  EXPECT_EQ(request(0).method(), http::verb::post);
  EXPECT_EQ(request(0).target(), "/v1.41/containers/create?name=outpost-s-h-a-web-0-api");
  EXPECT_EQ(request(0)[http::field::content_type], "application/json");
  EXPECT_EQ(Json::parse(request(0).body())["Image"], "busybox");
}

TEST_F(DockerEngineWireTest, NonSuccessCarriesTheEngineMessageAndStatus) {
  script({{409, R"({"message":"name is already in use"})"}, {404, R"({"message":"no such container"})"}});
  DockerEngine docker = engine();
  auto created = run(docker.create(PlannedContainer{}));
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().status, 409);
  EXPECT_EQ(created.error().code, "engine");
  EXPECT_EQ(created.error().message, "name is already in use");
  auto started = run(docker.start("gone"));
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().code, "not_found");
}

TEST_F(DockerEngineWireTest, StartAndStopAcceptNotModified) {
  script({{304, ""}, {304, ""}});
  DockerEngine docker = engine();
  EXPECT_TRUE(run(docker.start("a1")).has_value());
  EXPECT_TRUE(run(docker.stop("a1", 5)).has_value());
  EXPECT_EQ(request(1).target(), "/v1.41/containers/a1/stop?t=5");
}

TEST_F(DockerEngineWireTest, RemoveForcesAndTreatsMissingAsDone) {
  script({{404, R"({"message":"no such container"})"}, {500, R"({"message":"device busy"})"}});
  DockerEngine docker = engine();
  EXPECT_TRUE(run(docker.remove("a1")).has_value());
  EXPECT_EQ(request(0).method(), http::verb::delete_);
  EXPECT_EQ(request(0).target(), "/v1.41/containers/a1?force=true&v=true");
  auto removed = run(docker.remove("a1"));
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().message, "device busy");
}

TEST_F(DockerEngineWireTest, HasImageIsAnInspectionOfTheImage) {
  script({{200, R"({"Id":"sha256:1"})"}, {404, R"({"message":"no such image"})"}});
  DockerEngine docker = engine();
  EXPECT_TRUE(run(docker.has_image("127.0.0.1:5000/a:1")).value());
  EXPECT_FALSE(run(docker.has_image("127.0.0.1:5000/b:1")).value());
  EXPECT_EQ(request(0).target(), "/v1.41/images/127.0.0.1:5000/a:1/json");
}

TEST_F(DockerEngineWireTest, PullReadsTheWholeStreamAndReportsItsError) {
  script({{200, "{\"status\":\"Pulling\"}\n{\"status\":\"Done\"}\n"},
          {200, "{\"status\":\"Pulling\"}\n{\"error\":\"x\",\"errorDetail\":{\"message\":\"manifest unknown\"}}\n"}});
  DockerEngine docker = engine();
  EXPECT_TRUE(run(docker.pull("127.0.0.1:5000/a/b:1.0")).has_value());
  EXPECT_EQ(request(0).target(), "/v1.41/images/create?fromImage=127.0.0.1%3A5000%2Fa%2Fb&tag=1.0");
  auto failed = run(docker.pull("127.0.0.1:5000/a/b:2.0"));
  ASSERT_FALSE(failed.has_value());
  EXPECT_NE(failed.error().message.find("manifest unknown"), std::string::npos);
}

TEST_F(DockerEngineWireTest, AMissingSocketIsEngineUnreachableNamingThePath) {
  DockerEngine docker = engine();  // nothing listens
  auto containers = run(docker.list({}));
  ASSERT_FALSE(containers.has_value());
  EXPECT_EQ(containers.error().code, "engine_unreachable");
  EXPECT_NE(containers.error().message.find(socket_path_.string()), std::string::npos);
}

TEST_F(DockerEngineWireTest, ASilentEngineTimesOut) {
  script({{.status = 200, .body = {}, .silent = true}});
  DockerEngine docker(io_.get_executor(), socket_path_.string(),
                      DockerEngineTimeouts{.request = std::chrono::seconds(1), .pull = std::chrono::seconds(1)});
  auto info = run(docker.inspect("a1"));
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code, "engine_timeout");
}

std::string frame(char stream, std::string_view payload) {
  std::string out{stream, '\0', '\0', '\0', '\0', '\0', '\0', static_cast<char>(payload.size())};
  return out + std::string(payload);
}

TEST_F(DockerEngineWireTest, ExecCreatesStartsAndReadsTheExitCode) {
  script({{201, R"({"Id":"e1"})"},
          {200, frame(1, "hello\n") + frame(2, "warning\n")},
          {200, R"({"ID":"e1","Running":false,"ExitCode":3})"}});
  DockerEngine docker = engine();
  auto result = run(docker.exec("c1", {"sh", "-c", "exit 3"}, std::chrono::seconds(5)));
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->output, "hello\nwarning\n");
  EXPECT_EQ(request(0).method(), http::verb::post);
  EXPECT_EQ(request(0).target(), "/v1.41/containers/c1/exec");
  EXPECT_EQ(Json::parse(request(0).body())["Cmd"], Json({"sh", "-c", "exit 3"}));
  EXPECT_EQ(request(1).target(), "/v1.41/exec/e1/start");
  EXPECT_EQ(Json::parse(request(1).body())["Detach"], false);
  EXPECT_EQ(request(2).method(), http::verb::get);
  EXPECT_EQ(request(2).target(), "/v1.41/exec/e1/json");
}

TEST_F(DockerEngineWireTest, ExecWaitsForTheEngineToRecordTheExitCode) {
  script({{201, R"({"Id":"e1"})"},
          {200, frame(1, "done\n")},
          {200, R"({"Running":true,"ExitCode":null})"},
          {200, R"({"Running":false,"ExitCode":0})"}});
  DockerEngine docker = engine();
  auto result = run(docker.exec("c1", {"true"}, std::chrono::seconds(5)));
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(server_->requests.size(), 4u);
}

TEST_F(DockerEngineWireTest, ExecInAContainerThatIsNotRunningIsAConflict) {
  script({{500, R"({"cause":"container state improper","message":"can only create exec sessions on running containers: container state improper"})"}});
  DockerEngine docker = engine();
  auto result = run(docker.exec("c1", {"true"}, std::chrono::seconds(5)));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().status, 409);
  EXPECT_EQ(result.error().code, "conflict");
  EXPECT_NE(result.error().message.find("running containers"), std::string::npos);
}

TEST_F(DockerEngineWireTest, ExecThatOutlivesItsTimeoutIsATimeout) {
  script({{201, R"({"Id":"e1"})"}, {.status = 200, .body = {}, .silent = true}});
  DockerEngine docker = engine();
  auto result = run(docker.exec("c1", {"sleep", "5"}, std::chrono::milliseconds(200)));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().status, 504);
  EXPECT_EQ(result.error().code, "timeout");
  EXPECT_NE(result.error().message.find("timed out after 0.2s"), std::string::npos) << result.error().message;
}

TEST_F(DockerEngineWireTest, ExecWithoutACommandIsInvalid) {
  DockerEngine docker = engine();  // refused before anything is sent
  auto result = run(docker.exec("c1", {}, std::chrono::seconds(1)));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, "invalid");
  EXPECT_EQ(result.error().field, "command");
}

TEST_F(DockerEngineWireTest, LogsReturnTheLastLinesEvenWhenTheEngineSendsMore) {
  script({{200, frame(1, "one\n") + frame(2, "two\n") + frame(1, "three\n")},
          {404, R"({"message":"no such container"})"}});
  DockerEngine docker = engine();
  auto lines = run(docker.logs("c1", 2));
  ASSERT_TRUE(lines.has_value()) << lines.error().message;
  EXPECT_EQ(*lines, (std::vector<std::string>{"two", "three"}));
  EXPECT_EQ(request(0).target(), "/v1.41/containers/c1/logs?stdout=1&stderr=1&tail=2");
  EXPECT_EQ(run(docker.logs("gone", 2)).error().code, "not_found");
}

TEST_F(DockerEngineWireTest, LogsOfATtyContainerAreRawText) {
  script({{200, "first\r\nsecond\r\n"}});
  DockerEngine docker = engine();
  EXPECT_EQ(run(docker.logs("c1", 5)).value(), (std::vector<std::string>{"first", "second"}));
}

}  // namespace
}  // namespace outpost

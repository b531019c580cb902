// DockerEngine against a real engine (Podman or Docker). Runs only when
//   OUTPOST_TEST_ENGINE_SOCKET  names the engine's unix socket (a path or unix:///path), and
//   OUTPOST_TEST_IMAGE          names a pullable image that contains /bin/busybox;
// otherwise every test is skipped. Containers it creates carry a label unique to the run and are
// removed at the end, whatever the outcome.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <thread>

#include "engine/docker_engine.hpp"

namespace outpost {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

int free_loopback_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// Whether something on 127.0.0.1:port answers a plain HTTP request. The server inside the
// container needs a moment after start, so this retries a bounded number of times.
bool answers_http(int port) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    asio::io_context io;
    tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), ec);
    if (!ec) {
      const std::string request = "GET / HTTP/1.0\r\n\r\n";
      asio::write(socket, asio::buffer(request), ec);
      std::array<char, 16> head{};
      const std::size_t n = socket.read_some(asio::buffer(head), ec);
      if (std::string_view(head.data(), n).starts_with("HTTP/")) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

class DockerEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string socket = env_or_empty("OUTPOST_TEST_ENGINE_SOCKET");
    image_ = env_or_empty("OUTPOST_TEST_IMAGE");
    if (socket.empty() || image_.empty()) {
      GTEST_SKIP() << "set OUTPOST_TEST_ENGINE_SOCKET (engine socket) and OUTPOST_TEST_IMAGE "
                      "(a pullable image with /bin/busybox) to run against a real engine";
    }
    if (socket.starts_with("unix://")) socket = parse_engine_url(socket).value();
    engine_.emplace(io_.get_executor(), socket);
    run_id_ = std::to_string(std::random_device{}() % 1'000'000'000);
  }

  void TearDown() override {
    if (!engine_) return;
    for (const std::string& id : created_) (void)run(engine_->remove(id));
  }

  template <class T>
  T run(asio::awaitable<T> call) {
    auto result = asio::co_spawn(io_, std::move(call), asio::use_future);
    io_.restart();
    io_.run();
    return result.get();
  }

  PlannedContainer planned(const std::string& suffix, bool owned) {
    PlannedContainer container;
    container.name = "outpost-test-" + run_id_ + "-" + suffix;
    container.image = image_;
    container.command = {"/bin/busybox", "httpd", "-f", "-p", "8080"};
    container.env = {"OUTPOST_TEST=1"};
    if (owned) {
      container.labels = {{"outpost.site", "test-" + run_id_}, {"outpost.host", "h1"}};
      container.spec_hash = "hash-" + run_id_;
    }
    return container;
  }

  std::string create(const PlannedContainer& container) {
    auto id = run(engine_->create(container));
    if (!id) {
      ADD_FAILURE() << "create " << container.name << ": " << id.error().message;
      return {};
    }
    created_.push_back(*id);
    return *id;
  }

  // Pulls the image, then creates and starts a container running `command`; empty on failure.
  std::string start_running(const std::string& suffix, std::vector<std::string> command) {
    if (auto pulled = run(engine_->pull(image_)); !pulled) {
      ADD_FAILURE() << "pull: " << pulled.error().message;
      return {};
    }
    PlannedContainer container = planned(suffix, true);
    container.command = std::move(command);
    const std::string id = create(container);
    if (id.empty()) return {};
    if (auto started = run(engine_->start(id)); !started) {
      ADD_FAILURE() << "start " << container.name << ": " << started.error().message;
      return {};
    }
    return id;
  }

  // Waits, bounded, until the container's process has ended.
  bool wait_until_exited(const std::string& id) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto info = run(engine_->inspect(id));
      if (info && info->state == "exited") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  asio::io_context io_;
  std::optional<DockerEngine> engine_;
  std::string image_;
  std::string run_id_;
  std::vector<std::string> created_;
};

TEST_F(DockerEngineTest, PullCreateStartListInspectStopRemove) {
  ASSERT_TRUE(run(engine_->pull(image_)).has_value());
  EXPECT_TRUE(run(engine_->has_image(image_)).value());

  const int host_port = free_loopback_port();
  PlannedContainer web = planned("web", true);
  web.ports = {PublishedPort{8080, host_port, "tcp", "127.0.0.1"}};
  const std::string id = create(web);
  ASSERT_FALSE(id.empty());
  const std::string unowned_id = create(planned("unowned", false));
  ASSERT_FALSE(unowned_id.empty());

  auto created = run(engine_->inspect(id));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->state, "created");
  EXPECT_EQ(created->name, web.name);
  EXPECT_EQ(created->labels.at("outpost.spec-hash"), web.spec_hash);

  ASSERT_TRUE(run(engine_->start(id)).has_value());
  auto running = run(engine_->inspect(id));
  ASSERT_TRUE(running.has_value());
  EXPECT_EQ(running->state, "running");
  EXPECT_FALSE(running->started_at.empty());
  EXPECT_TRUE(answers_http(host_port)) << "nothing answers on the published port " << host_port;

  auto listed = run(engine_->list({{"outpost.site", "test-" + run_id_}, {"outpost.host", "h1"}}));
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u) << "only the labelled container is listed";
  EXPECT_EQ((*listed)[0].id, id);
  EXPECT_EQ((*listed)[0].state, "running");
  EXPECT_EQ((*listed)[0].labels.at("outpost.site"), "test-" + run_id_);

  ASSERT_TRUE(run(engine_->stop(id, 1)).has_value());
  auto stopped = run(engine_->inspect(id));
  ASSERT_TRUE(stopped.has_value());
  EXPECT_EQ(stopped->state, "exited");
  EXPECT_FALSE(stopped->finished_at.empty());

  ASSERT_TRUE(run(engine_->remove(id)).has_value());
  EXPECT_TRUE(run(engine_->remove(id)).has_value()) << "removing a removed container succeeds";
  auto gone = run(engine_->inspect(id));
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().code, "not_found");
  EXPECT_TRUE(run(engine_->list({{"outpost.site", "test-" + run_id_}})).value().empty());
}

TEST_F(DockerEngineTest, ADuplicateNameIsRefusedWithTheEngineMessage) {
  ASSERT_TRUE(run(engine_->pull(image_)).has_value());
  const PlannedContainer once = planned("dup", true);
  ASSERT_FALSE(create(once).empty());
  auto again = run(engine_->create(once));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, "engine");
  // Docker answers 409, Podman 500: only the engine's own words are reliable.
  EXPECT_NE(again.error().message.find("already in use"), std::string::npos) << again.error().message;
}

TEST_F(DockerEngineTest, PullingAMissingImageFailsWithTheEngineMessage) {
  const std::string missing = image_ + "-missing-" + run_id_;
  auto pulled = run(engine_->pull(missing));
  ASSERT_FALSE(pulled.has_value());
  EXPECT_NE(pulled.error().message.find(missing), std::string::npos) << pulled.error().message;
  EXPECT_FALSE(run(engine_->has_image(missing)).value());
}

const std::vector<std::string> sleep_forever = {"/bin/busybox", "sleep", "3600"};

TEST_F(DockerEngineTest, ExecReturnsTheOutputAndTheExitCode) {
  const std::string id = start_running("exec", sleep_forever);
  ASSERT_FALSE(id.empty());
  auto hello = run(engine_->exec(id, {"/bin/busybox", "echo", "hello"}, std::chrono::seconds(10)));
  ASSERT_TRUE(hello.has_value()) << hello.error().message;
  EXPECT_EQ(hello->exit_code, 0);
  EXPECT_EQ(hello->output, "hello\n");

  auto failing = run(engine_->exec(id, {"/bin/busybox", "sh", "-c", "echo oops >&2; exit 3"}, std::chrono::seconds(10)));
  ASSERT_TRUE(failing.has_value()) << failing.error().message;
  EXPECT_EQ(failing->exit_code, 3);
  EXPECT_EQ(failing->output, "oops\n") << "stderr is part of the output";
}

TEST_F(DockerEngineTest, ExecBeyondItsTimeoutIsATimeout) {
  const std::string id = start_running("exec-timeout", sleep_forever);
  ASSERT_FALSE(id.empty());
  auto slow = run(engine_->exec(id, {"/bin/busybox", "sleep", "5"}, std::chrono::milliseconds(500)));
  ASSERT_FALSE(slow.has_value());
  EXPECT_EQ(slow.error().code, "timeout");
  EXPECT_EQ(slow.error().status, 504);
  EXPECT_NE(slow.error().message.find("timed out after 0.5s"), std::string::npos) << slow.error().message;
}

TEST_F(DockerEngineTest, ExecInAStoppedContainerIsAConflict) {
  const std::string id = start_running("exec-stopped", {"/bin/busybox", "true"});
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(wait_until_exited(id));
  auto result = run(engine_->exec(id, {"/bin/busybox", "true"}, std::chrono::seconds(10)));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, "conflict");
  EXPECT_EQ(result.error().status, 409);
}

TEST_F(DockerEngineTest, LogsReturnTheLastLinesOldestFirst) {
  const std::string id = start_running("logs", {"/bin/busybox", "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done"});
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(wait_until_exited(id));
  auto last = run(engine_->logs(id, 3));
  ASSERT_TRUE(last.has_value()) << last.error().message;
  EXPECT_EQ(*last, (std::vector<std::string>{"line3", "line4", "line5"}));
  EXPECT_EQ(run(engine_->logs(id, 100)).value().size(), 5u);
}

TEST_F(DockerEngineTest, LogsIncludeStderr) {
  const std::string id = start_running("logs-stderr", {"/bin/busybox", "sh", "-c", "echo trouble >&2"});
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(wait_until_exited(id));
  EXPECT_EQ(run(engine_->logs(id, 10)).value(), (std::vector<std::string>{"trouble"}));
}

TEST_F(DockerEngineTest, ARunningContainerHasAnAddressInListAndInspect) {
  const std::string id = start_running("address", sleep_forever);
  ASSERT_FALSE(id.empty());
  auto info = run(engine_->inspect(id));
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_FALSE(info->ip_address.empty()) << "the engine's network gave the container no address";
  auto listed = run(engine_->list({{"outpost.site", "test-" + run_id_}}));
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].ip_address, info->ip_address);
}

}  // namespace
}  // namespace outpost

// Probes against real sockets on loopback: an in-test HTTP server answers with a chosen status
// and records the request; a closed port refuses; exec goes through the (fake) engine.
#include "agent/probe_runner.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <atomic>
#include <mutex>
#include <thread>

#include "engine/fake_engine.hpp"

namespace outpost::agent {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;

// Answers one HTTP request per connection with `status`, remembering the last request.
class TinyHttpServer {
 public:
  explicit TinyHttpServer(unsigned status) : status_(status), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyHttpServer() {
    // A blocking accept() does not return when the acceptor is closed from another thread:
    // it is woken by one last connection, which it sees as the signal to stop.
    stopping_ = true;
    boost::system::error_code ignored;
    asio::io_context io;
    tcp::socket wake(io);
    wake.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port())}, ignored);
    thread_.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  http::request<http::string_body> last_request() {
    std::lock_guard lock(mutex_);
    return last_;
  }

 private:
  void serve() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) continue;
      {
        std::lock_guard lock(mutex_);
        last_ = request;
      }
      http::response<http::string_body> response{static_cast<http::status>(status_), 11};
      if (status_ != 204) response.body() = "body";  // a 204 must have none
      response.prepare_payload();
      http::write(socket, response, ec);
    }
  }

  unsigned status_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_ = false;
  std::thread thread_;
  std::mutex mutex_;
  http::request<http::string_body> last_;
};

ProbeResult run(Engine& engine, const ProbeSpec& probe, const ContainerInfo& container,
                const std::vector<PublishedPort>& ports) {
  asio::io_context io;
  auto future = asio::co_spawn(io, run_probe(engine, probe, container, ports), asio::use_future);
  io.run();
  return future.get();
}

ProbeSpec http_probe(int port, std::string path = "/healthz") {
  HttpCheck check;
  check.port = port;
  check.path = std::move(path);
  ProbeSpec spec;
  spec.check = check;
  spec.timeout = 2s;
  return spec;
}

class ProbeRunnerTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  FakeEngine engine_{clock_};
  ContainerInfo container_;
};

TEST_F(ProbeRunnerTest, HttpProbeGoesThroughThePublishedPortWithItsHeaders) {
  TinyHttpServer server(200);
  ProbeSpec probe = http_probe(8080);
  std::get<HttpCheck>(probe.check).headers = {{"X-Probe", "outpost"}};
  ProbeResult result = run(engine_, probe, container_, {{8080, server.port(), "tcp", "127.0.0.1"}});
  EXPECT_TRUE(result.ok) << result.message;
  EXPECT_EQ(result.message, "HTTP 200");
  auto request = server.last_request();
  EXPECT_EQ(request.target(), "/healthz");
  EXPECT_EQ(request["X-Probe"], "outpost");
}

TEST_F(ProbeRunnerTest, HttpStatusOutsideTheRangeFails) {
  TinyHttpServer server(503);
  ProbeResult result = run(engine_, http_probe(80), container_, {{80, server.port(), "tcp", "0.0.0.0"}});
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.message, "HTTP 503");

  HttpCheck only_204;
  only_204.status_min = only_204.status_max = 204;
  EXPECT_FALSE(judge_http_status(only_204, 200).ok);
  EXPECT_TRUE(judge_http_status(only_204, 204).ok);
}

TEST_F(ProbeRunnerTest, UnpublishedPortUsesTheContainerAddress) {
  TinyHttpServer server(204);
  container_.ip_address = "127.0.0.1";
  ProbeResult result = run(engine_, http_probe(server.port()), container_, {});
  EXPECT_TRUE(result.ok) << result.message;
  auto endpoint = probe_endpoint(9000, {}, "");
  ASSERT_FALSE(endpoint.has_value());
  EXPECT_NE(endpoint.error().message.find("port 9000 is not published"), std::string::npos);
}

TEST_F(ProbeRunnerTest, TcpProbeReportsARefusedConnection) {
  int closed_port = 0;
  {
    asio::io_context io;
    tcp::acceptor probe_port(io, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe_port.local_endpoint().port();
  }  // closed again: nothing listens there now
  ProbeSpec spec;
  spec.check = TcpCheck{80};
  ProbeResult refused = run(engine_, spec, container_, {{80, closed_port, "tcp", "127.0.0.1"}});
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.message, "connection refused");

  TinyHttpServer server(200);
  ProbeResult open = run(engine_, spec, container_, {{80, server.port(), "tcp", "127.0.0.1"}});
  EXPECT_TRUE(open.ok) << open.message;
}

TEST_F(ProbeRunnerTest, ExecProbeJudgesTheExitCodeAndQuotesTheLastLine) {
  engine_.add_image("img");
  ContainerInfo spec;
  spec.name = "c1";
  spec.image = "img";
  spec.state = "running";
  container_.id = engine_.add_container(spec);
  container_.name = "c1";
  ProbeSpec probe;
  probe.check = ExecCheck{{"check"}};
  engine_.set_exec_result("c1", {3, "checking\ndatabase unreachable\n"});
  ProbeResult failed = run(engine_, probe, container_, {});
  EXPECT_FALSE(failed.ok);
  EXPECT_EQ(failed.message, "exit code 3: database unreachable");
  engine_.set_exec_result("c1", {0, "fine"});
  EXPECT_TRUE(run(engine_, probe, container_, {}).ok);
}

}  // namespace
}  // namespace outpost::agent

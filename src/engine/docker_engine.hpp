#pragma once
// Engine over the Docker-compatible Engine API (v1.41) on a unix socket: Podman's
// `podman system service` or Docker's dockerd. One connection per request keeps it stateless;
// every call is bounded by a timeout so a wedged engine cannot stall the agent's loop.
#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "common/json.hpp"
#include "engine/engine.hpp"

namespace outpost {

// "unix:///run/podman/podman.sock" → "/run/podman/podman.sock". Anything else is 422 "invalid"
// on field "engine".
Result<std::string> parse_engine_url(const std::string& url);

struct DockerEngineTimeouts {
  std::chrono::seconds request{60};
  std::chrono::seconds pull{600};  // a pull streams until the whole image is fetched
};

class DockerEngine final : public Engine {
 public:
  DockerEngine(boost::asio::any_io_executor executor, std::string socket_path,
               DockerEngineTimeouts timeouts = {});

  boost::asio::awaitable<Result<std::vector<ContainerInfo>>> list(
      std::map<std::string, std::string> label_filter) override;
  boost::asio::awaitable<Result<bool>> has_image(std::string image) override;
  boost::asio::awaitable<Status> pull(std::string image) override;
  boost::asio::awaitable<Result<std::string>> create(PlannedContainer spec) override;
  boost::asio::awaitable<Status> start(std::string id) override;
  boost::asio::awaitable<Status> stop(std::string id, int timeout_seconds) override;
  boost::asio::awaitable<Status> remove(std::string id) override;
  boost::asio::awaitable<Result<ContainerInfo>> inspect(std::string id) override;
  boost::asio::awaitable<Result<ExecResult>> exec(std::string id, std::vector<std::string> command,
                                                  std::chrono::milliseconds timeout) override;
  boost::asio::awaitable<Result<std::vector<std::string>>> logs(std::string id,
                                                                int tail_lines) override;

  const std::string& socket_path() const { return socket_path_; }

 private:
  struct Reply {
    unsigned status = 0;
    std::string body;
    bool ok() const { return status >= 200 && status < 300; }
  };

  // Transport failures (unreachable socket, timeout, broken reply) are errors; any HTTP status
  // is a Reply for the caller to interpret.
  boost::asio::awaitable<Result<Reply>> send(boost::beast::http::verb verb, std::string target,
                                             std::optional<Json> body,
                                             std::chrono::milliseconds timeout);
  // The exit code of a finished exec instance.
  boost::asio::awaitable<Result<int>> exec_exit_code(const std::string& exec_id);

  boost::asio::any_io_executor executor_;
  std::string socket_path_;
  DockerEngineTimeouts timeouts_;
};

}  // namespace outpost

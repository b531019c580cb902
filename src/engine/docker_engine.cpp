#include "engine/docker_engine.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/docker_api.hpp"

namespace outpost {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// Pull replies stream progress for every layer; a list reply grows with the container count.
constexpr std::uint64_t max_reply_bytes = 64ull * 1024 * 1024;

using UnixStream = beast::basic_stream<asio::local::stream_protocol, asio::any_io_executor>;

// "0.5s", "60s": durations as a person reads them in a message.
std::string seconds_text(std::chrono::milliseconds duration) {
  return fmt::format("{}s", static_cast<double>(duration.count()) / 1000.0);
}

// An engine may close the exec's output stream a moment before it records the exit code.
constexpr int exit_code_attempts = 20;
constexpr std::chrono::milliseconds exit_code_retry_pause{25};

}  // namespace

Result<std::string> parse_engine_url(const std::string& url) {
  constexpr std::string_view scheme = "unix://";
  if (!url.starts_with(scheme)) {
    return invalid("engine", fmt::format("engine URL '{}' must have the form unix:///path/to/socket", url));
  }
  std::string path = url.substr(scheme.size());
  if (path.empty() || path.front() != '/') {
    return invalid("engine", fmt::format("engine URL '{}' must name an absolute socket path", url));
  }
  return path;
}

DockerEngine::DockerEngine(asio::any_io_executor executor, std::string socket_path,
                           DockerEngineTimeouts timeouts)
    : executor_(std::move(executor)), socket_path_(std::move(socket_path)), timeouts_(timeouts) {}

awaitable<Result<DockerEngine::Reply>> DockerEngine::send(http::verb verb, std::string target,
                                                          std::optional<Json> body,
                                                          std::chrono::milliseconds timeout) {
  const std::string what = fmt::format("{} {}", std::string(http::to_string(verb)), target);
  auto transport_error = [&](const beast::error_code& ec) -> std::unexpected<Error> {
    if (ec == beast::error::timeout) {
      return fail(504, "engine_timeout",
                  fmt::format("the container engine at {} did not answer {} within {}",
                              socket_path_, what, seconds_text(timeout)));
    }
    return fail(503, "engine_unreachable",
                fmt::format("cannot talk to the container engine at {} ({}): {}", socket_path_,
                            what, ec.message()));
  };

  UnixStream stream(executor_);
  // The deadline covers connect, write and the whole reply together.
  stream.expires_after(timeout);
  auto [connect_ec] =
      co_await stream.async_connect(asio::local::stream_protocol::endpoint(socket_path_), use_tuple);
  if (connect_ec) co_return transport_error(connect_ec);

  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, "localhost");  // required by HTTP/1.1; the engine ignores it
  request.set(http::field::user_agent, "outpost-agent");
  if (body) {
    request.set(http::field::content_type, "application/json");
    request.body() = body->dump();
  }
  request.prepare_payload();
  auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
  if (write_ec) co_return transport_error(write_ec);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_reply_bytes);
  auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
  if (read_ec) co_return transport_error(read_ec);

  beast::error_code ignored;
  stream.socket().shutdown(asio::socket_base::shutdown_both, ignored);
  co_return Reply{parser.get().result_int(), std::move(parser.get().body())};
}

awaitable<Result<std::vector<ContainerInfo>>> DockerEngine::list(
    std::map<std::string, std::string> label_filter) {
  auto reply = co_await send(http::verb::get, docker_api::list_containers_target(label_filter),
                             std::nullopt, timeouts_.request);
  if (!reply) co_return std::unexpected(reply.error());
  if (!reply->ok()) co_return std::unexpected(docker_api::engine_error(reply->status, reply->body));
  auto ids = docker_api::container_ids_from_list(reply->body);
  if (!ids) co_return std::unexpected(ids.error());

  // The list's summary lacks exit codes and start times, which restart and adoption decisions
  // need, so each container is inspected.
  std::vector<ContainerInfo> containers;
  containers.reserve(ids->size());
  for (const std::string& id : *ids) {
    auto info = co_await inspect(id);
    if (!info) {
      if (info.error().code == "not_found") continue;  // removed since the list was taken
      co_return std::unexpected(info.error());
    }
    containers.push_back(std::move(*info));
  }
  co_return containers;
}

awaitable<Result<bool>> DockerEngine::has_image(std::string image) {
  auto reply = co_await send(http::verb::get, docker_api::image_inspect_target(image),
                             std::nullopt, timeouts_.request);
  if (!reply) co_return std::unexpected(reply.error());
  if (reply->status == 404) co_return false;
  if (!reply->ok()) co_return std::unexpected(docker_api::engine_error(reply->status, reply->body));
  co_return true;
}

awaitable<Status> DockerEngine::pull(std::string image) {
  auto reply = co_await send(http::verb::post, docker_api::pull_target(image), std::nullopt,
                             timeouts_.pull);
  if (!reply) co_return std::unexpected(reply.error());
  if (!reply->ok()) co_return std::unexpected(docker_api::engine_error(reply->status, reply->body));
  if (auto message = docker_api::pull_stream_error(reply->body)) {
    co_return fail(502, "engine", fmt::format("pulling {} failed: {}", image, *message));
  }
  co_return Status{};
}

awaitable<Result<std::string>> DockerEngine::create(PlannedContainer spec) {
  auto reply = co_await send(http::verb::post, docker_api::create_container_target(spec.name),
                             docker_api::create_container_body(spec), timeouts_.request);
  if (!reply) co_return std::unexpected(reply.error());
  if (!reply->ok()) co_return std::unexpected(docker_api::engine_error(reply->status, reply->body));
  co_return docker_api::container_id_from_create(reply->body);
}

awaitable<Status> DockerEngine::start(std::string id) {
  auto reply = co_await send(
      http::verb::post,
      fmt::format("{}/containers/{}/start", docker_api::api_prefix, docker_api::percent_encode(id)),
      std::nullopt, timeouts_.request);
  if (!reply) co_return std::unexpected(reply.error());
  // 304: already running, which is what was asked for.
  if (!reply->ok() && reply->status != 304) {
    co_return std::unexpected(docker_api::engine_error(reply->status, reply->body));
  }
  co_return Status{};
}

awaitable<Status> DockerEngine::stop(std::string id, int timeout_seconds) {
  auto reply = co_await send(http::verb::post,
                             fmt::format("{}/containers/{}/stop?t={}", docker_api::api_prefix,
                                         docker_api::percent_encode(id), timeout_seconds),
                             std::nullopt,
                             timeouts_.request + std::chrono::seconds(std::max(timeout_seconds, 0)));
  if (!reply) co_return std::unexpected(reply.error());
  // 304: already stopped.
  if (!reply->ok() && reply->status != 304) {
    co_return std::unexpected(docker_api::engine_error(reply->status, reply->body));
  }
  co_return Status{};
}

awaitable<Status> DockerEngine::remove(std::string id) {
  auto reply = co_await send(http::verb::delete_,
                             fmt::format("{}/containers/{}?force=true&v=true",
                                         docker_api::api_prefix, docker_api::percent_encode(id)),
                             std::nullopt, timeouts_.request);
  if (!reply) co_return std::unexpected(reply.error());
  if (!reply->ok() && reply->status != 404) {
    co_return std::unexpected(docker_api::engine_error(reply->status, reply->body));
  }
  co_return Status{};
}

awaitable<Result<ContainerInfo>> DockerEngine::inspect(std::string id) {
  auto reply = co_await send(
      http::verb::get,
      fmt::format("{}/containers/{}/json", docker_api::api_prefix, docker_api::percent_encode(id)),
      std::nullopt, timeouts_.request);
  if (!reply) co_return std::unexpected(reply.error());
  if (!reply->ok()) co_return std::unexpected(docker_api::engine_error(reply->status, reply->body));
  co_return docker_api::container_info_from_inspect(reply->body);
}

awaitable<Result<ExecResult>> DockerEngine::exec(std::string id, std::vector<std::string> command,
                                                 std::chrono::milliseconds timeout) {
  if (command.empty()) co_return invalid("command", "exec needs a command to run");
  auto created = co_await send(http::verb::post, docker_api::exec_create_target(id),
                               docker_api::exec_create_body(command), timeouts_.request);
  if (!created) co_return std::unexpected(created.error());
  if (!created->ok()) co_return std::unexpected(docker_api::exec_error(created->status, created->body));
  auto exec_id = docker_api::exec_id_from_create(created->body);
  if (!exec_id) co_return std::unexpected(exec_id.error());

  // The start reply streams until the command ends, so the command's own time limit bounds it.
  auto started = co_await send(http::verb::post, docker_api::exec_start_target(*exec_id),
                               docker_api::exec_start_body(), timeout);
  if (!started) {
    if (started.error().code != "engine_timeout") co_return std::unexpected(started.error());
    co_return fail(504, "timeout",
                   fmt::format("'{}' in container {} timed out after {}", fmt::join(command, " "), id,
                               seconds_text(timeout)));
  }
  if (!started->ok()) co_return std::unexpected(docker_api::exec_error(started->status, started->body));

  auto exit_code = co_await exec_exit_code(*exec_id);
  if (!exit_code) co_return std::unexpected(exit_code.error());
  co_return ExecResult{*exit_code, docker_api::demultiplex_stream(started->body, exec_output_limit)};
}

awaitable<Result<int>> DockerEngine::exec_exit_code(const std::string& exec_id) {
  for (int attempt = 1;; ++attempt) {
    auto reply = co_await send(http::verb::get, docker_api::exec_inspect_target(exec_id),
                               std::nullopt, timeouts_.request);
    if (!reply) co_return std::unexpected(reply.error());
    if (!reply->ok()) co_return std::unexpected(docker_api::engine_error(reply->status, reply->body));
    auto state = docker_api::exec_state_from_inspect(reply->body);
    if (!state) co_return std::unexpected(state.error());
    if (!state->running && state->exit_code) co_return *state->exit_code;
    if (attempt == exit_code_attempts) {
      co_return fail(502, "engine",
                     fmt::format("the container engine reports no exit code for exec {} after its "
                                 "output ended",
                                 exec_id));
    }
    asio::steady_timer pause(executor_, exit_code_retry_pause);
    co_await pause.async_wait(use_tuple);
  }
}

awaitable<Result<std::vector<std::string>>> DockerEngine::logs(std::string id, int tail_lines) {
  if (tail_lines < 0) co_return invalid("tail_lines", "the number of log lines cannot be negative");
  auto reply = co_await send(http::verb::get, docker_api::logs_target(id, tail_lines), std::nullopt,
                             timeouts_.request);
  if (!reply) co_return std::unexpected(reply.error());
  if (!reply->ok()) co_return std::unexpected(docker_api::engine_error(reply->status, reply->body));
  // Podman does not always honour `tail` (it may send every line), so it is applied again here.
  const std::string text = docker_api::demultiplex_stream(reply->body, std::string::npos);
  co_return docker_api::last_lines(text, tail_lines);
}

}  // namespace outpost

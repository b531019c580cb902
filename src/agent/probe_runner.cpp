#include "agent/probe_runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "common/duration.hpp"

namespace outpost::agent {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

std::string describe(const boost::system::error_code& ec, std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout) return "timed out after " + format_duration(timeout);
  std::string text = ec.message();
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// The last non-empty line, shortened: enough to say why without flooding the status.
std::string last_line(const std::string& output) {
  std::string line;
  std::size_t end = output.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return line;
  std::size_t start = output.find_last_of('\n', end);
  line = output.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
  if (line.size() > 200) line = line.substr(0, 200) + "...";
  return line;
}

asio::awaitable<std::pair<std::unique_ptr<beast::tcp_stream>, std::string>> connect(const ProbeEndpoint& endpoint,
                                                                                     std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(endpoint.address, ec);
  if (ec) co_return std::pair{nullptr, "not an IP address: " + endpoint.address};
  auto stream = std::make_unique<beast::tcp_stream>(co_await asio::this_coro::executor);
  stream->expires_after(timeout);
  auto [connect_ec] = co_await stream->async_connect(tcp::endpoint(address, static_cast<unsigned short>(endpoint.port)),
                                                     as_result);
  if (connect_ec) co_return std::pair{nullptr, describe(connect_ec, timeout)};
  co_return std::pair{std::move(stream), std::string()};
}

asio::awaitable<ProbeResult> http_probe(const HttpCheck& check, const ProbeEndpoint& endpoint,
                                        std::chrono::milliseconds timeout) {
  auto [stream, failure] = co_await connect(endpoint, timeout);
  if (!stream) co_return ProbeResult{false, failure};
  http::request<http::empty_body> request{http::verb::get, check.path, 11};
  request.set(http::field::host, endpoint.address + ":" + std::to_string(endpoint.port));
  request.set(http::field::user_agent, "outpost-probe");
  request.set(http::field::connection, "close");
  for (const auto& [name, value] : check.headers) request.set(name, value);
  auto [write_ec, written] = co_await http::async_write(*stream, request, as_result);
  if (write_ec) co_return ProbeResult{false, describe(write_ec, timeout)};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  // Only the status line and headers matter; the body is never read.
  auto [read_ec, read] = co_await http::async_read_header(*stream, buffer, parser, as_result);
  if (read_ec) co_return ProbeResult{false, describe(read_ec, timeout)};
  boost::system::error_code ignored;
  stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return judge_http_status(check, parser.get().result_int());
}

asio::awaitable<ProbeResult> tcp_probe(const ProbeEndpoint& endpoint, std::chrono::milliseconds timeout) {
  auto [stream, failure] = co_await connect(endpoint, timeout);
  if (!stream) co_return ProbeResult{false, failure};
  boost::system::error_code ignored;
  stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return ProbeResult{true, "port " + std::to_string(endpoint.port) + " open"};
}

asio::awaitable<ProbeResult> exec_probe(Engine& engine, const ExecCheck& check, const ContainerInfo& container,
                                        std::chrono::milliseconds timeout) {
  auto result = co_await engine.exec(container.id, check.command, timeout);
  if (!result) co_return ProbeResult{false, result.error().message};
  if (result->exit_code == 0) co_return ProbeResult{true, "exit code 0"};
  std::string message = "exit code " + std::to_string(result->exit_code);
  if (std::string line = last_line(result->output); !line.empty()) message += ": " + line;
  co_return ProbeResult{false, message};
}

}  // namespace

Result<ProbeEndpoint> probe_endpoint(int container_port, const std::vector<PublishedPort>& ports,
                                     const std::string& container_address) {
  for (const auto& port : ports) {
    if (port.container != container_port || port.protocol != "tcp") continue;
    std::string address = port.host_ip;
    if (address.empty() || address == "0.0.0.0") address = "127.0.0.1";
    if (address == "::") address = "::1";
    return ProbeEndpoint{address, port.host};
  }
  if (!container_address.empty()) return ProbeEndpoint{container_address, container_port};
  return conflict("port " + std::to_string(container_port) +
                  " is not published and the engine reports no address for the container");
}

ProbeResult judge_http_status(const HttpCheck& check, unsigned status) {
  const bool ok = static_cast<int>(status) >= check.status_min && static_cast<int>(status) <= check.status_max;
  return {ok, "HTTP " + std::to_string(status)};
}

asio::awaitable<ProbeResult> run_probe(Engine& engine, const ProbeSpec& probe, const ContainerInfo& container,
                                       const std::vector<PublishedPort>& ports) {
  if (const auto* exec = std::get_if<ExecCheck>(&probe.check))
    co_return co_await exec_probe(engine, *exec, container, probe.timeout);
  const int port = std::holds_alternative<HttpCheck>(probe.check) ? std::get<HttpCheck>(probe.check).port
                                                                   : std::get<TcpCheck>(probe.check).port;
  auto endpoint = probe_endpoint(port, ports, container.ip_address);
  if (!endpoint) co_return ProbeResult{false, endpoint.error().message};
  if (const auto* http_check = std::get_if<HttpCheck>(&probe.check))
    co_return co_await http_probe(*http_check, *endpoint, probe.timeout);
  co_return co_await tcp_probe(*endpoint, probe.timeout);
}

}  // namespace outpost::agent

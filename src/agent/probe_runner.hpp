#pragma once
// Runs one probe against a container: HTTP and TCP connect to the port (through its published
// host port when it has one, so the check also proves the port mapping works; otherwise on the
// container's own address), exec runs the command inside the container through the engine.
// Every probe is bounded by its timeout and never throws.
#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

#include "agent/probe_spec.hpp"
#include "engine/engine.hpp"

namespace outpost::agent {

struct ProbeResult {
  bool ok = false;
  std::string message;  // short and stable ("HTTP 200", "connection refused"): it is reported
};

struct ProbeEndpoint {
  std::string address;
  int port = 0;
};

// Where a TCP or HTTP check of `container_port` connects. 409 when the port is neither
// published nor reachable on a container address.
Result<ProbeEndpoint> probe_endpoint(int container_port, const std::vector<PublishedPort>& ports,
                                     const std::string& container_address);

// Whether an HTTP status passes the check, and the message that says so.
ProbeResult judge_http_status(const HttpCheck& check, unsigned status);

boost::asio::awaitable<ProbeResult> run_probe(Engine& engine, const ProbeSpec& probe, const ContainerInfo& container,
                                              const std::vector<PublishedPort>& ports);

}  // namespace outpost::agent

#pragma once
// Everything the CLI takes from the world outside the process: streams, environment variables,
// the network and the long-running tower/agent entry points. run_main() plugs in the real ones;
// tests plug in fakes and run whole command lines in memory.
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent.hpp"
#include "cli/api_client.hpp"
#include "common/result.hpp"
#include "tower/tower.hpp"

namespace outpost::cli {

struct Environment {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  std::optional<std::string> outpost_config;  // $OUTPOST_CONFIG
  std::optional<std::string> home;            // $HOME
  // A transport to the tower at `tower_url` that trusts only `ca_pem`.
  std::function<Result<Transport>(const std::string& tower_url, const std::string& ca_pem)> connect;
  // GET /v1/ca without verifying the tower: the caller checks the fingerprint.
  std::function<Result<std::string>(const std::string& tower_url)> fetch_ca_unverified;
  // SHA-256 of the certificate's DER, lowercase hex.
  std::function<Result<std::string>(const std::string& certificate_pem)> certificate_fingerprint;
  std::function<int(const tower::TowerOptions&)> run_tower;
  std::function<int(const agent::AgentOptions&)> run_agent;
};

// Parses `arguments` (without the program name), runs the chosen command and returns the exit
// code (0 ok, 1 user error, 2 tower unreachable). Never throws.
int run_cli(const std::vector<std::string>& arguments, Environment& environment);

}  // namespace outpost::cli

#pragma once
// A whole CLI for tests: run_cli() over an in-memory tower and a temporary config file, with
// the tower and agent daemons replaced by recorders of the options they were given.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/config.hpp"
#include "cli/environment.hpp"
#include "cli/testing_fakes.hpp"

namespace outpost::cli::testing {

inline const std::string kFingerprint = "ab" + std::string(62, '0');

class CliApp : public ::testing::Test {
 protected:
  CliApp()
      : environment{in, out, err, (directory.path() / "config.json").string(), std::nullopt,
                    [this](const std::string& url, const std::string& ca) -> Result<Transport> {
                      connected_url = url;
                      connected_ca = ca;
                      return tower.transport();
                    },
                    [this](const std::string&) -> Result<std::string> {
                      if (ca_unreachable) return fail(0, "unreachable", "connection refused");
                      return std::string("CA-PEM");
                    },
                    [this](const std::string&) -> Result<std::string> { return served_fingerprint; },
                    [this](const tower::TowerOptions& options) {
                      tower_options = options;
                      return 0;
                    },
                    [this](const agent::AgentOptions& options) {
                      agent_options = options;
                      return 0;
                    }} {}

  void log_in() {
    ASSERT_TRUE(save_config(directory.path() / "config.json", CliConfig{"https://t:7443", "tok", "CA-PEM"}));
  }

  int run(std::vector<std::string> arguments) { return run_cli(arguments, environment); }

  TemporaryDirectory directory;
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  FakeTower tower;
  std::string served_fingerprint = kFingerprint;
  bool ca_unreachable = false;
  std::string connected_url, connected_ca;
  tower::TowerOptions tower_options;
  agent::AgentOptions agent_options;
  Environment environment;
};

}  // namespace outpost::cli::testing

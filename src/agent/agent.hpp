#pragma once
// `outpost agent`: runs on every edge host.
#include <filesystem>
#include <string>

namespace outpost::agent {

struct AgentOptions {
  std::string tower_url;                  // https://HOST:PORT (only needed to enroll; remembered)
  std::string join_token;                 // only for the first start
  std::filesystem::path data_dir;
  std::string engine = "unix:///run/podman/podman.sock";
  std::string host_name;                  // default: the machine's host name
  std::string log_level = "info";
  unsigned session_timeout = 30;          // seconds without traffic before a session is given up
  std::size_t event_buffer = 1000;        // events kept while the tower is unreachable
};

int run_agent(const AgentOptions& options);

}  // namespace outpost::agent

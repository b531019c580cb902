#pragma once
// `outpost tower`: the control plane process.
#include <chrono>
#include <filesystem>
#include <string>

namespace outpost::tower {

struct TowerOptions {
  std::filesystem::path data_dir;
  std::string listen = "127.0.0.1:7443";  // HOST:PORT
  std::string advertise;                  // extra certificate names (comma separated)
  std::string log_level = "info";
  std::chrono::seconds session_timeout{30};  // agent sessions without traffic are dropped after it
  // Threads for TLS handshakes; 0 runs them on the io thread. The CLI defaults it to one per core.
  unsigned handshake_threads = 0;
};

// Runs until SIGINT/SIGTERM. Returns the exit code.
int run_tower(const TowerOptions& options);

}  // namespace outpost::tower

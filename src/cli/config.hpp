#pragma once
// The CLI's saved login: which tower, which token, and the CA that vouches for the tower.
// Written by `outpost login`, read by every other verb.
#include <filesystem>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace outpost::cli {

struct CliConfig {
  std::string tower;  // https://HOST:PORT
  std::string token;
  std::string ca;     // PEM of the tower's CA
};

// $OUTPOST_CONFIG if set, else $HOME/.config/outpost/config.json. The environment values are
// passed in so the rule can be tested without touching the process environment.
Result<std::filesystem::path> config_path_from(const std::optional<std::string>& outpost_config,
                                               const std::optional<std::string>& home);

// Creates missing directories; the file holds a bearer token, so it is written 0600 (through a
// temporary file renamed into place, so a crash never leaves half a config).
Status save_config(const std::filesystem::path& path, const CliConfig& config);

// A missing file is the "not logged in" error (code "not_logged_in").
Result<CliConfig> load_config(const std::filesystem::path& path);

}  // namespace outpost::cli

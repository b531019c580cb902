#pragma once
// The agent's checkpoint: the site's desired state, written to disk (atomically, with a
// checksum) before the agent acts on it, so a restart or a week without uplink changes nothing.
#include <filesystem>

#include "model/desired_state.hpp"

namespace outpost::agent {

class Checkpoint {
 public:
  explicit Checkpoint(std::filesystem::path file) : file_(std::move(file)) {}

  // nullopt when there is none yet; 500 "corrupt" when the checksum or the content is wrong.
  Result<std::optional<SiteDesired>> load() const;
  Status save(const SiteDesired& desired) const;
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

}  // namespace outpost::agent

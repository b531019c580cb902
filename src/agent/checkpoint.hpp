#pragma once
// The agent's checkpoint: the site's desired state, written to disk (atomically, with a
// checksum) before the agent acts on it, so a restart or a week without uplink changes nothing.
#include <filesystem>

#include "common/files.hpp"
#include "model/desired_state.hpp"

namespace outpost::agent {

class Checkpoint {
 public:
  // The simulator's hosts keep theirs `cached`: it survives the simulator's restart, and syncing
  // thousands of them on a few threads would time the simulator's disk rather than the tower.
  explicit Checkpoint(std::filesystem::path file, FileSync sync = FileSync::durable)
      : file_(std::move(file)), sync_(sync) {}

  // nullopt when there is none yet; 500 "corrupt" when the checksum or the content is wrong.
  Result<std::optional<SiteDesired>> load() const;
  Status save(const SiteDesired& desired) const;
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  FileSync sync_;
};

}  // namespace outpost::agent

#pragma once
// The agent's checkpoint: the site's desired state, written to disk (atomically, with a
// checksum) before the agent acts on it, so a restart or a week without uplink changes nothing.
#include <filesystem>
#include <memory>
#include <optional>

#include "common/files.hpp"
#include "model/desired_state.hpp"

namespace outpost::agent {

class Checkpoint {
 public:
  explicit Checkpoint(std::filesystem::path file, FileSync sync = FileSync::durable)
      : file_(std::move(file)), sync_(sync) {}
  // The simulator's: saves are held in memory and the last one is written to the file (without
  // syncing) when the checkpoint is destroyed. Each real host writes its checkpoint on its own
  // disk; thousands of simulated hosts doing so on the cores they share with the tower were 11 %
  // of the simulator's CPU in a fan-out. A simulator stopped and started again still finds every
  // host's last state, as the agents of a rebooted fleet would.
  static Checkpoint held_until_destroyed(std::filesystem::path file);

  ~Checkpoint();
  Checkpoint(Checkpoint&&) noexcept = default;
  Checkpoint& operator=(Checkpoint&&) = delete;  // would drop a held state unwritten

  // nullopt when there is none yet; 500 "corrupt" when the checksum or the content is wrong.
  Result<std::optional<SiteDesired>> load() const;
  Status save(const SiteDesired& desired);
  const std::filesystem::path& file() const { return file_; }

 private:
  Status write(const SiteDesired& desired) const;

  std::filesystem::path file_;
  FileSync sync_;
  // Set when saves are held in memory; holds the last one (none until the first save).
  std::unique_ptr<std::optional<SiteDesired>> held_;
};

}  // namespace outpost::agent

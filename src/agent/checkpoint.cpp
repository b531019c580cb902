#include "agent/checkpoint.hpp"

#include "common/files.hpp"
#include "common/pki.hpp"

#include <spdlog/spdlog.h>

namespace outpost::agent {

Checkpoint Checkpoint::held_until_destroyed(std::filesystem::path file) {
  Checkpoint checkpoint(std::move(file), FileSync::cached);
  checkpoint.held_ = std::make_unique<std::optional<SiteDesired>>();
  return checkpoint;
}

Checkpoint::~Checkpoint() {
  if (!held_ || !*held_) return;
  if (auto written = write(**held_); !written)
    spdlog::warn("cannot write the checkpoint held in memory: {}", written.error().message);
}

Result<std::optional<SiteDesired>> Checkpoint::load() const {
  if (held_ && *held_) return *held_;
  if (!std::filesystem::exists(file_)) return std::optional<SiteDesired>{};
  auto text = read_file(file_);
  if (!text) return std::unexpected(text.error());
  auto newline = text->find('\n');
  auto corrupt = [&](const std::string& why) { return fail(500, "corrupt", "checkpoint " + file_.string() + " is damaged: " + why); };
  if (newline == std::string::npos) return corrupt("no checksum line");
  const std::string checksum = text->substr(0, newline);
  const std::string body = text->substr(newline + 1);
  if (sha256_hex(body) != checksum) return corrupt("checksum mismatch");
  auto doc = parse_document(body);
  if (!doc) return corrupt(doc.error().message);
  auto desired = SiteDesired::from_json(*doc);
  if (!desired) return corrupt(desired.error().message);
  return std::optional<SiteDesired>{std::move(*desired)};
}

Status Checkpoint::save(const SiteDesired& desired) {
  if (held_) {
    *held_ = desired;
    return {};
  }
  return write(desired);
}

Status Checkpoint::write(const SiteDesired& desired) const {
  const std::string body = desired.to_json().dump();
  return write_file_atomic(file_, sha256_hex(body) + "\n" + body, 0600, sync_);
}

}  // namespace outpost::agent

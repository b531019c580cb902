#pragma once
// Small file helpers with errors as values. Writes are atomic (temp file, fsync, rename) so a
// crash never leaves a half-written file behind.
#include <filesystem>
#include <string>

#include "common/result.hpp"

namespace outpost {

Result<std::string> read_file(const std::filesystem::path& path);
// `mode` applies to the new file (e.g. 0600 for keys and tokens).
// Whether a write must reach the disk before it returns (fsync of the file and of its folder)
// or may stay in the page cache, surviving a process restart but not a power loss.
enum class FileSync { durable, cached };

Status write_file_atomic(const std::filesystem::path& path, std::string_view content, unsigned mode = 0644,
                         FileSync sync = FileSync::durable);
// Appends without syncing: what the page cache holds survives a crash of the process, which is
// what logs and buffers need; only a power loss may take the tail.
Status append_file(const std::filesystem::path& path, std::string_view content, unsigned mode = 0600);
Status ensure_directory(const std::filesystem::path& path, unsigned mode = 0700);

}  // namespace outpost

#pragma once
// Durations as people write them in specs and flags: "500ms", "30s", "10m", "2h", "7d", and
// combinations like "1h30m". A bare number is seconds.
#include <chrono>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace outpost {

Result<std::chrono::milliseconds> parse_duration(std::string_view text, const std::string& field);
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace outpost

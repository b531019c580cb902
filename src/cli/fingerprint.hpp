#pragma once
// CA fingerprints as people copy them: with or without colons, any case.
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace outpost::cli {

// "AB:cd:..." → "abcd..."; anything but 64 hex digits (colons and spaces aside) is a user error.
Result<std::string> normalize_fingerprint(std::string_view typed);

}  // namespace outpost::cli

#include "cli/fingerprint.hpp"

#include <cctype>

#include "cli/cli_error.hpp"

namespace outpost::cli {

Result<std::string> normalize_fingerprint(std::string_view typed) {
  constexpr std::size_t kSha256HexDigits = 64;
  std::string digits;
  for (const char c : typed) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == ':' || std::isspace(byte)) continue;
    if (!std::isxdigit(byte)) {
      return user_error("the CA fingerprint must be hex digits (colons allowed), got \"" + std::string(typed) + "\"");
    }
    digits += static_cast<char>(std::tolower(byte));
  }
  if (digits.size() != kSha256HexDigits) {
    return user_error("the CA fingerprint must be a SHA-256 (64 hex digits), got " + std::to_string(digits.size()) +
                      " digits");
  }
  return digits;
}

}  // namespace outpost::cli

#include "cli/request_target.hpp"

namespace outpost::cli {

// Beast has no URL encoder and Boost.URL is not a linked component of this build; encoding a
// query value is small enough to do here.
std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  encoded.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[byte >> 4];
      encoded += kHex[byte & 0x0F];
    }
  }
  return encoded;
}

std::string request_target(const std::string& path, const Query& query) {
  std::string target = path;
  char separator = '?';
  for (const auto& [key, value] : query) {
    target += separator;
    target += percent_encode(key);
    target += '=';
    target += percent_encode(value);
    separator = '&';
  }
  return target;
}

std::string path_join(const std::string& base, std::string_view segment) {
  return base + "/" + percent_encode(segment);
}

}  // namespace outpost::cli

#include "store/key_range.hpp"

namespace outpost {

std::optional<std::string> prefix_successor(std::string_view prefix) {
  std::string bound(prefix);
  while (!bound.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(bound.back());
    if (last != 0xff) {
      ++last;
      return bound;
    }
    // "ab\xff" has no successor of the same length; every key under it is below "ac".
    bound.pop_back();
  }
  return std::nullopt;
}

}  // namespace outpost

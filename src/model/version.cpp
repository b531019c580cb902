#include "model/version.hpp"

#include <algorithm>
#include <vector>

namespace outpost {
namespace {

std::vector<std::string_view> parts_of(std::string_view version) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto separator = version.find_first_of(".-", start);
    parts.push_back(version.substr(start, separator - start));
    if (separator == std::string_view::npos) return parts;
    start = separator + 1;
  }
}

bool is_number(std::string_view part) {
  return !part.empty() && std::ranges::all_of(part, [](char c) { return c >= '0' && c <= '9'; });
}

// Numeric parts compare by value whatever their length ("10" > "9", "007" == "7"), without
// converting, so a 30-digit build number cannot overflow.
int compare_numbers(std::string_view a, std::string_view b) {
  a.remove_prefix(std::min(a.find_first_not_of('0'), a.size()));
  b.remove_prefix(std::min(b.find_first_not_of('0'), b.size()));
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b);
}

int sign(int value) { return (value > 0) - (value < 0); }

}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
  auto left = parts_of(a), right = parts_of(b);
  for (std::size_t i = 0; i < std::min(left.size(), right.size()); ++i) {
    int order = is_number(left[i]) && is_number(right[i]) ? compare_numbers(left[i], right[i])
                                                          : left[i].compare(right[i]);
    if (order != 0) return sign(order);
  }
  if (left.size() != right.size()) return left.size() < right.size() ? -1 : 1;
  // Equal part by part ("1.07" vs "1.7", "1-0" vs "1.0"): the text decides, so only identical
  // versions compare equal and the order stays total.
  return sign(a.compare(b));
}

}  // namespace outpost

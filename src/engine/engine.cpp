#include "engine/engine.hpp"

namespace outpost {

std::string label_of(const ContainerInfo& container, std::string_view key) {
  auto it = container.labels.find(std::string(key));
  return it == container.labels.end() ? std::string() : it->second;
}

std::map<std::string, std::string> owned_labels(const PlannedContainer& planned) {
  std::map<std::string, std::string> result = planned.labels;
  if (!planned.spec_hash.empty()) result[std::string(labels::spec_hash)] = planned.spec_hash;
  return result;
}

std::string output_tail(std::string_view output, std::size_t limit) {
  if (output.size() <= limit) return std::string(output);
  std::size_t start = output.size() - limit;
  while (start < output.size() && (static_cast<unsigned char>(output[start]) & 0xC0) == 0x80) ++start;
  return std::string(output.substr(start));
}

}  // namespace outpost

#include "engine/engine.hpp"

namespace outpost {

std::map<std::string, std::string> owned_labels(const PlannedContainer& planned) {
  std::map<std::string, std::string> result = planned.labels;
  if (!planned.spec_hash.empty()) result[std::string(labels::spec_hash)] = planned.spec_hash;
  return result;
}

}  // namespace outpost

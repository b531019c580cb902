#include "common/listeners.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace outpost {
namespace {

TEST(Listeners, AWithdrawnListenerIsNoLongerTold) {
  Listeners<std::string> listeners;
  std::vector<std::string> first, second;
  const auto id = listeners.add([&](const std::string& site) { first.push_back(site); });
  listeners.add([&](const std::string& site) { second.push_back(site); });
  listeners.tell("s1");
  listeners.remove(id);
  listeners.tell("s2");
  EXPECT_EQ(first, (std::vector<std::string>{"s1"}));
  EXPECT_EQ(second, (std::vector<std::string>{"s1", "s2"}));
}

}  // namespace
}  // namespace outpost

#include "cli/fingerprint.hpp"

#include <gtest/gtest.h>

namespace outpost::cli {
namespace {

const std::string kLower = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(NormalizeFingerprint, AcceptsColonsAndAnyCase) {
  EXPECT_EQ(normalize_fingerprint(kLower).value(), kLower);
  EXPECT_EQ(normalize_fingerprint("01:23:45:67:89:AB:CD:EF:01:23:45:67:89:ab:cd:ef:"
                                  "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF")
                .value(),
            kLower);
}

TEST(NormalizeFingerprint, RejectsNonHexAndWrongLengths) {
  EXPECT_FALSE(normalize_fingerprint("zz" + kLower.substr(2)));
  EXPECT_FALSE(normalize_fingerprint(kLower.substr(2)));
  EXPECT_FALSE(normalize_fingerprint(kLower + "00"));
}

}  // namespace
}  // namespace outpost::cli

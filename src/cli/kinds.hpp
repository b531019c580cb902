#pragma once
// The kinds of object the CLI names, and the spellings users type for them (kubectl habits:
// singular, plural and short forms, any case).
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace outpost::cli {

enum class Kind { site, application, deployment, instance, host, version };

// "sites", "app", "deploy", "inst", ... → Kind; anything else is a user error listing the kinds.
Result<Kind> resolve_kind(std::string_view typed);

// Singular canonical name, as in "site/shop-1 deleted".
std::string kind_name(Kind kind);

}  // namespace outpost::cli

#include "cli/kinds.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "cli/cli_error.hpp"

namespace outpost::cli {

Result<Kind> resolve_kind(std::string_view typed) {
  static constexpr std::array<std::pair<std::string_view, Kind>, 16> kSpellings{{
      {"site", Kind::site},
      {"sites", Kind::site},
      {"application", Kind::application},
      {"applications", Kind::application},
      {"app", Kind::application},
      {"apps", Kind::application},
      {"deployment", Kind::deployment},
      {"deployments", Kind::deployment},
      {"deploy", Kind::deployment},
      {"instance", Kind::instance},
      {"instances", Kind::instance},
      {"inst", Kind::instance},
      {"host", Kind::host},
      {"hosts", Kind::host},
      {"version", Kind::version},
      {"versions", Kind::version},
  }};
  std::string lowered(typed);
  std::ranges::transform(lowered, lowered.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto found = std::ranges::find(kSpellings, std::string_view(lowered), &std::pair<std::string_view, Kind>::first);
  if (found != kSpellings.end()) return found->second;
  return user_error("unknown kind \"" + std::string(typed) +
                    "\" (expected one of: sites, applications, deployments, instances, hosts, versions)");
}

std::string kind_name(Kind kind) {
  switch (kind) {
    case Kind::site: return "site";
    case Kind::application: return "application";
    case Kind::deployment: return "deployment";
    case Kind::instance: return "instance";
    case Kind::host: return "host";
    case Kind::version: return "version";
  }
  return "object";
}

}  // namespace outpost::cli

#pragma once
// The multi-line `describe` views: what a person needs to see about one object at a glance.
#include <string>
#include <vector>

#include "common/json.hpp"

namespace outpost::cli {

// Name, labels, vars, hosts (connected/since/revision), the problems hosts reported (when
// there are any) and the site's instances.
std::string describe_site(const Json& site, const std::vector<Json>& instances);

// Name, newest version, all versions, and per service its containers, images and ports.
std::string describe_application(const Json& application);

// The spec summary, then per site (from /status) SITE CONNECTED VERSION STATE with that
// site's instances beneath it.
std::string describe_deployment(const Json& deployment, const Json& status);

}  // namespace outpost::cli

#pragma once
// What an agent reports is untrusted input: these keep only the documented fields, with their
// types, and bound the size of the free text, before the tower stores or shows any of it.
#include <string>

#include "common/json.hpp"

namespace outpost::tower {

// One container's status (protocol.md "status"), stamped with the site and host it came from.
Json normalise_instance(const std::string& site, const std::string& host, const Json& item);

// One application's health on a host: {"app","version","instances","ready","healthy","healthy_since"?}.
Json normalise_app_health(const std::string& site, const std::string& host, const Json& item);

}  // namespace outpost::tower

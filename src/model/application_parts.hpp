#pragma once
// Validation of the parts of a container and service that Outpost stores as JSON and the agent
// interprets: probes, resources, mounts and volumes. Each returns the canonical JSON (nulls
// dropped, defaults filled in) so equal specs serialize identically.
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "common/json.hpp"

namespace outpost::spec {

// {startup?, readiness?, liveness?}, each {http{path,port} | tcp{port} | exec{command}, period?,
// timeout?, initial-delay?, failure-threshold?, success-threshold?}.
Result<Json> parse_probes(const Json& value, const std::string& field);

// An HTTP probe's accepted statuses, "200" or "200-299", as (low, high) within 100-599.
Result<std::pair<int, int>> parse_status_range(std::string_view text, const std::string& field);

// {cpus?: number > 0, memory?: size}.
Result<Json> parse_resources(const Json& value, const std::string& field);

// [{name, persistent{size?} | config{files{name: text}} | secret{vault, secret}}], unique names.
Result<Json> parse_volumes(const Json& value, const std::string& field);

// [{volume, path, read-only?}]; `volume` must be one of `volumes`, paths absolute and unique.
Result<Json> parse_mounts(const Json& value, const std::string& field, const std::set<std::string>& volumes);

}  // namespace outpost::spec

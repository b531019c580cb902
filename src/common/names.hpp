#pragma once
// Object names (sites, hosts, applications, services, containers, deployments) follow DNS label
// rules so they can appear in container names, labels and URLs unescaped.
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace outpost {

// 1–63 characters of [a-z0-9-], starting with a letter, not ending with '-'.
Status validate_name(std::string_view name, const std::string& field);

// Label keys: 1–63 of [a-zA-Z0-9._/-], starting with a letter or digit. Values: 0–63 of
// [a-zA-Z0-9._-]. Versions: 1–64 of [a-zA-Z0-9._+-].
Status validate_label_key(std::string_view key, const std::string& field);
Status validate_label_value(std::string_view value, const std::string& field);
Status validate_version(std::string_view version, const std::string& field);

}  // namespace outpost

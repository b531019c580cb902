#pragma once
// How JSON values read inside tables and describe views. Missing or empty values print as "-"
// (kubectl's <none>), so columns never collapse and scripts can split on whitespace.
#include <cstdint>
#include <string>

#include "common/json.hpp"

namespace outpost::cli {

inline constexpr const char* kNone = "-";

// A member as text: strings as-is, numbers and booleans printed, objects/arrays as compact JSON.
std::string cell(const Json& object, const char* key);

// {"a": "1", "b": "2"} → "a=1,b=2".
std::string key_values_text(const Json& map);

// Unix seconds → "2027-01-15T08:00:00Z"; 0 or missing → "-".
std::string time_text(std::int64_t unix_seconds);
std::string time_cell(const Json& object, const char* key);

// "2/3": connected hosts out of all hosts of a site object.
std::string connected_hosts_text(const Json& site);
std::size_t host_count(const Json& site);

// What a person should read about an instance: the engine's message, else why it crash-loops
// (with its last line of output), else why its last probe failed; "-" when all is well.
std::string instance_note(const Json& instance);

// true/false member → "yes"/"no".
std::string yes_no_cell(const Json& object, const char* key);

}  // namespace outpost::cli

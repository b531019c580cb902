#pragma once
// JSON is the one in-memory form of every spec and API body. YAML input is converted to JSON
// at the edge (yaml-cpp), so validation has a single path whatever the user wrote.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace outpost {

using Json = nlohmann::json;

// Parses one JSON value, or a stream of YAML documents ("---" separated), into JSON values.
// Empty documents are skipped. The format is sniffed: text whose first non-space character is
// '{' or '[' is JSON. Errors name the line and column.
Result<std::vector<Json>> parse_documents(std::string_view text);

// Parses exactly one JSON or YAML document.
Result<Json> parse_document(std::string_view text);

// Renders JSON as block-style YAML (for `-o yaml`).
std::string to_yaml(const Json& value);

// Reads a field of untrusted JSON without throwing: the fallback when `object` is not an object,
// the key is absent or the value has another type.
std::string string_or(const Json& object, const std::string& key, std::string fallback = {});
std::uint64_t unsigned_or(const Json& object, const std::string& key, std::uint64_t fallback = 0);
std::int64_t integer_or(const Json& object, const std::string& key, std::int64_t fallback = 0);

// Human-readable name of a JSON type ("string", "object", ...), for error messages.
std::string json_type_name(const Json& value);

}  // namespace outpost

#pragma once
// Builds request targets ("/v1/sites?selector=...&continue=...") from a path and query values.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace outpost::cli {

using Query = std::vector<std::pair<std::string, std::string>>;

// Percent-encodes everything but RFC 3986 unreserved characters, so label expressions such as
// `region in (north, west)` and opaque cursors survive as one query value or path segment.
std::string percent_encode(std::string_view text);

// path + "?k=v&..." with keys and values encoded; the path is taken as given.
std::string request_target(const std::string& path, const Query& query = {});

// "/v1/sites/" + encoded segment, for names typed by the user.
std::string path_join(const std::string& base, std::string_view segment);

}  // namespace outpost::cli

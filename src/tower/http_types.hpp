#pragma once
// The tower's transport-independent view of a REST call, so handlers are plain functions that
// unit tests can call without sockets.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json.hpp"
#include "common/result.hpp"

namespace outpost::tower {

struct ApiRequest {
  std::string method;                           // "GET", "POST", ...
  std::string path;                             // "/v1/sites/shop-1"
  std::vector<std::string> segments;            // {"v1","sites","shop-1"}
  std::map<std::string, std::string> query;     // decoded
  std::map<std::string, std::string> headers;   // lower-case names
  std::string body;

  std::optional<std::string> header(const std::string& name) const;
  std::optional<std::string> param(const std::string& name) const;
};

struct ApiResponse {
  int status = 200;
  Json body = Json::object();
  std::map<std::string, std::string> headers;
};

ApiResponse json_response(int status, Json body);
// The one error shape: {"error": {"code", "message", "field"}}.
ApiResponse error_response(const Error& error);

// Splits "/v1/a/b?x=1&y=%20" into path, segments and decoded query.
Result<ApiRequest> parse_target(std::string method, const std::string& target);

// `If-Match: 12` (quotes tolerated) → 12; absent → nullopt; malformed → 400.
Result<std::optional<std::int64_t>> if_match(const ApiRequest& request);

}  // namespace outpost::tower

#pragma once
// The CLI's view of the REST API: bearer token on every request, JSON in and out, the tower's
// error body turned into an Error, and list pages followed to the end.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli/request_target.hpp"
#include "common/https_client.hpp"
#include "common/json.hpp"
#include "common/result.hpp"

namespace outpost::cli {

// One HTTP exchange. Production code sends it over HTTPS (https_transport.hpp); tests answer it
// from memory.
using Transport = std::function<Result<HttpResponse>(
    const std::string& method, const std::string& target, const std::string& body,
    const std::map<std::string, std::string>& headers)>;

class ApiClient {
 public:
  ApiClient(std::string tower_url, std::string token, Transport transport);

  Result<Json> get(const std::string& target) const;
  Result<Json> send_json(const std::string& method, const std::string& target, const Json& body) const;
  Result<Json> send_text(const std::string& method, const std::string& target, const std::string& body,
                         const std::string& content_type) const;
  Result<Json> remove(const std::string& target) const;

  // Every item of a collection, following `next` cursors until the last page.
  Result<std::vector<Json>> list_all(const std::string& path, Query query = {}) const;

  const std::string& tower_url() const { return tower_url_; }

 private:
  Result<Json> exchange(const std::string& method, const std::string& target, const std::string& body,
                        const std::string& content_type) const;

  std::string tower_url_;
  std::string token_;
  Transport transport_;
};

}  // namespace outpost::cli

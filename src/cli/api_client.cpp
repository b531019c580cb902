#include "cli/api_client.hpp"

#include <utility>

#include "cli/cli_error.hpp"

namespace outpost::cli {

ApiClient::ApiClient(std::string tower_url, std::string token, Transport transport)
    : tower_url_(std::move(tower_url)), token_(std::move(token)), transport_(std::move(transport)) {}

Result<Json> ApiClient::get(const std::string& target) const { return exchange("GET", target, {}, {}); }

Result<Json> ApiClient::send_json(const std::string& method, const std::string& target,
                                  const Json& body) const {
  return exchange(method, target, body.dump(), "application/json");
}

Result<Json> ApiClient::send_text(const std::string& method, const std::string& target,
                                  const std::string& body, const std::string& content_type) const {
  return exchange(method, target, body, content_type);
}

Result<Json> ApiClient::remove(const std::string& target) const { return exchange("DELETE", target, {}, {}); }

Result<Json> ApiClient::exchange(const std::string& method, const std::string& target,
                                 const std::string& body, const std::string& content_type) const {
  std::map<std::string, std::string> headers{{"Authorization", "Bearer " + token_},
                                             {"Accept", "application/json"}};
  if (!content_type.empty()) headers.emplace("Content-Type", content_type);
  auto response = transport_(method, target, body, headers);
  if (!response) return std::unexpected(name_unreachable_tower(tower_url_, std::move(response.error())));
  if (response->status < 200 || response->status >= 300) {
    return std::unexpected(error_from_response(response->status, response->body));
  }
  if (response->body.empty()) return Json{};
  Json document = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return fail(502, "bad_response", "the tower sent a response that is not JSON (" + method + " " + target + ")");
  }
  return document;
}

Result<std::vector<Json>> ApiClient::list_all(const std::string& path, Query query) const {
  std::vector<Json> items;
  std::string cursor;
  for (;;) {
    Query page_query = query;
    if (!cursor.empty()) page_query.emplace_back("continue", cursor);
    auto page = get(request_target(path, page_query));
    if (!page) return std::unexpected(std::move(page.error()));
    const auto found = page->find("items");
    if (!page->is_object() || found == page->end() || !found->is_array()) {
      return fail(502, "bad_response", "the tower's answer to GET " + path + " has no \"items\" list");
    }
    for (auto& item : *found) items.push_back(std::move(item));
    const auto next = page->find("next");
    if (next == page->end() || !next->is_string() || next->get_ref<const std::string&>().empty()) break;
    // A cursor that does not move would loop forever; the tower must never send one.
    if (next->get<std::string>() == cursor) {
      return fail(502, "bad_response", "the tower repeated the list cursor for " + path);
    }
    cursor = next->get<std::string>();
  }
  return items;
}

}  // namespace outpost::cli

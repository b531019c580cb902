#include "tower/http_types.hpp"

#include <charconv>

namespace outpost::tower {

std::optional<std::string> ApiRequest::header(const std::string& name) const {
  if (auto it = headers.find(name); it != headers.end()) return it->second;
  return std::nullopt;
}

std::optional<std::string> ApiRequest::param(const std::string& name) const {
  if (auto it = query.find(name); it != query.end()) return it->second;
  return std::nullopt;
}

ApiResponse json_response(int status, Json body) { return ApiResponse{status, std::move(body), {}}; }

ApiResponse error_response(const Error& error) {
  Json detail = {{"code", error.code}, {"message", error.message}};
  if (!error.field.empty()) detail["field"] = error.field;
  int status = error.status >= 400 && error.status <= 599 ? error.status : 500;
  return ApiResponse{status, Json{{"error", detail}}, {}};
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) return bad_request("malformed percent-encoding in the request target");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

Result<ApiRequest> parse_target(std::string method, const std::string& target) {
  ApiRequest request;
  request.method = std::move(method);
  auto qpos = target.find('?');
  std::string_view path_part = std::string_view(target).substr(0, qpos);
  auto path = percent_decode(path_part, false);
  if (!path) return std::unexpected(path.error());
  request.path = *path;
  std::size_t start = 0;
  while (start <= path_part.size()) {
    auto slash = path_part.find('/', start);
    auto piece = path_part.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!piece.empty()) {
      auto decoded = percent_decode(piece, false);
      if (!decoded) return std::unexpected(decoded.error());
      request.segments.push_back(*decoded);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (qpos != std::string::npos) {
    std::string_view query = std::string_view(target).substr(qpos + 1);
    while (!query.empty()) {
      auto amp = query.find('&');
      auto pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
      if (pair.empty()) continue;
      auto eq = pair.find('=');
      auto key = percent_decode(pair.substr(0, eq), true);
      auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
      if (!key) return std::unexpected(key.error());
      if (!value) return std::unexpected(value.error());
      request.query[*key] = *value;
    }
  }
  return request;
}

Result<std::optional<std::int64_t>> if_match(const ApiRequest& request) {
  auto value = request.header("if-match");
  if (!value) return std::optional<std::int64_t>{};
  std::string text = *value;
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  std::int64_t revision = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), revision);
  if (ec != std::errc{} || end != text.data() + text.size() || revision <= 0)
    return bad_request("If-Match must be a revision number, got '" + *value + "'", "If-Match");
  return std::optional<std::int64_t>{revision};
}

}  // namespace outpost::tower

#pragma once
// Errors are values. Every fallible operation returns Result<T>; an Error carries the HTTP
// status it maps to at the API edge, a machine-readable code, a sentence for a person and,
// for bad input, the path of the offending field (e.g. "services[0].containers[1].image").
#include <expected>
#include <string>
#include <utility>

namespace outpost {

struct Error {
  int status = 400;
  std::string code;
  std::string message;
  std::string field;
};

template <class T>
using Result = std::expected<T, Error>;

using Status = Result<void>;

inline std::unexpected<Error> fail(int status, std::string code, std::string message,
                                   std::string field = {}) {
  return std::unexpected(Error{status, std::move(code), std::move(message), std::move(field)});
}

// Shorthands for the common shapes, so call sites read as intent.
inline std::unexpected<Error> invalid(std::string field, std::string message) {
  return fail(422, "invalid", std::move(message), std::move(field));
}
inline std::unexpected<Error> bad_request(std::string message, std::string field = {}) {
  return fail(400, "bad_request", std::move(message), std::move(field));
}
inline std::unexpected<Error> not_found(std::string message) {
  return fail(404, "not_found", std::move(message));
}
inline std::unexpected<Error> conflict(std::string message, std::string field = {}) {
  return fail(409, "conflict", std::move(message), std::move(field));
}
inline std::unexpected<Error> internal_error(std::string message) {
  return fail(500, "internal", std::move(message));
}

// Prefixes a nested field path: at("services[0]", err) turns "image" into "services[0].image".
inline Error at(const std::string& prefix, Error e) {
  if (prefix.empty()) return e;
  e.field = e.field.empty() ? prefix : (e.field.front() == '[' ? prefix + e.field : prefix + "." + e.field);
  return e;
}

}  // namespace outpost

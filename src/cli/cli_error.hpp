#pragma once
// How failures reach the person at the terminal: the tower's {"error": {...}} body becomes an
// Error, every Error becomes one "error: ..." line, and its code decides the exit status.
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace outpost::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUserError = 1;
inline constexpr int kExitUnreachable = 2;

// A mistake on the command line or in local files (not something the tower said).
inline std::unexpected<Error> user_error(std::string message) {
  return fail(400, "usage", std::move(message));
}

// Decodes a non-2xx response. The tower's error shape is used when present; anything else (a
// proxy's HTML page, an empty body) still yields a sentence naming the HTTP status.
Error error_from_response(int status, std::string_view body);

// An "unreachable" error from the HTTPS client, reworded as "cannot reach the tower at URL: CAUSE";
// other errors pass through unchanged.
Error name_unreachable_tower(const std::string& tower_url, Error error);

// "error: MESSAGE" plus " (field: F)" when the tower named the offending field.
std::string format_error(const Error& error);

// 2 when the tower could not be reached, 1 for everything else.
int exit_code_for(const Error& error);

}  // namespace outpost::cli

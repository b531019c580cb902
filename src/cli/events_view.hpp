#pragma once
// What `outpost events SITE` shows, built from the body of GET /v1/sites/{site}/events
// (docs/api.md). The tower's JSON is untrusted here: absent or mistyped members render as "-".
#include <string>

#include "cli/table.hpp"
#include "common/json.hpp"

namespace outpost::cli {

// TIME HOST SEQ LEVEL KIND INSTANCE MESSAGE, one row per event in the order the tower sent them
// (oldest first). INSTANCE is "app/instance", or whichever of the two the event names.
Table events_table(const Json& body);

// One line per host whose journal had to drop events, so a gap in the history is never silent.
std::string dropped_lines(const Json& body);

// The table (or "No events.") followed by the dropped lines.
std::string events_text(const Json& body);

}  // namespace outpost::cli

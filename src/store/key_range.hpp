#pragma once
// Prefix scans as byte ranges. Keys are arbitrary bytes, so a prefix is turned into the half-open
// range [prefix, successor) that every ordered backend can answer with an index seek (SQL `LIKE`
// would treat '%' and '_' in keys as wildcards, and etcd takes exactly such a range end).
#include <optional>
#include <string>
#include <string_view>

namespace outpost {

// The smallest string greater than every string that starts with `prefix`, or nullopt when no
// such bound exists (empty prefix, or all bytes 0xff): then the range is unbounded above.
std::optional<std::string> prefix_successor(std::string_view prefix);

}  // namespace outpost
